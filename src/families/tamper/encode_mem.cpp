// The tamper family's memory area: memory made executable (memory_exec)
// and process renames (process_rename). docs/events/tamper.md.
#include <array>
#include <cstdio>
#include <cstring>

#include "decode/decode.h"
#include "families/tamper/encode.h"

namespace nj {

namespace {

constexpr uint64_t kProtWrite = 0x2;
constexpr uint64_t kVmWrite = 0x2;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Names of the set bits of `v` from `table`; bits without a name as one hex value.
template <size_t N>
std::vector<std::string> bit_names(uint64_t v, const std::array<std::pair<uint64_t, const char*>, N>& table) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : table) {
    if (v & bit) {
      out.emplace_back(name);
      v &= ~bit;
    }
  }
  if (v) out.push_back(hex(v));
  return out;
}

// A comm from the 16 bytes of two values[] words.
std::string_view comm_of(const uint64_t* words) {
  const char* s = reinterpret_cast<const char*>(words);
  return std::string_view(s, strnlen(s, NJ_COMM_LEN));
}

const char* mapping_name(uint64_t vma) {
  if (!(vma & NJ_MEM_VMA_SEEN)) return "unknown";
  const bool anon = vma & NJ_MEM_VMA_ANON, file = vma & NJ_MEM_VMA_FILE;
  if (anon && file) return "mixed";
  return file ? "file" : "anonymous";
}

}  // namespace

std::vector<std::string> prot_names(uint64_t prot) {
  static constexpr std::array<std::pair<uint64_t, const char*>, 6> kNames = {{{0x1, "read"},
                                                                              {0x2, "write"},
                                                                              {0x4, "execute"},
                                                                              {0x8, "sem"},
                                                                              {0x01000000, "growsdown"},
                                                                              {0x02000000, "growsup"}}};
  if (prot == 0) return {"none"};
  return bit_names(prot, kNames);
}

std::vector<std::string> map_flag_names(uint64_t flags) {
  static constexpr std::array<std::pair<uint64_t, const char*>, 13> kNames = {{{0x10, "fixed"},
                                                                               {0x20, "anonymous"},
                                                                               {0x100, "growsdown"},
                                                                               {0x800, "denywrite"},
                                                                               {0x1000, "executable"},
                                                                               {0x2000, "locked"},
                                                                               {0x4000, "noreserve"},
                                                                               {0x8000, "populate"},
                                                                               {0x10000, "nonblock"},
                                                                               {0x20000, "stack"},
                                                                               {0x40000, "hugetlb"},
                                                                               {0x80000, "sync"},
                                                                               {0x100000, "fixed_noreplace"}}};
  std::vector<std::string> out;
  // The low nibble is the mapping's type, not bits.
  switch (flags & 0xf) {
    case 1: out.emplace_back("shared"); break;
    case 2: out.emplace_back("private"); break;
    case 3: out.emplace_back("shared_validate"); break;
    case 0: break;
    default: out.push_back(hex(flags & 0xf)); break;
  }
  for (auto& n : bit_names(flags & ~uint64_t{0xf}, kNames)) out.push_back(std::move(n));
  return out;
}

const char* memory_exec_reason(uint32_t syscall, uint64_t prot, uint64_t vma) {
  if (prot & kProtWrite) return "write_execute";
  if (syscall == NJ_SYS_MMAP) return "anonymous";
  if (!(vma & NJ_MEM_VMA_SEEN)) return "requested_execute";
  if (vma & kVmWrite) return "was_writable";
  return "anonymous";
}

bool looks_like_kernel_thread(std::string_view name) {
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') return true;
  static constexpr const char* kPrefixes[] = {
      "kworker/", "ksoftirqd/", "kthreadd",  "migration/", "rcu_",    "kswapd",    "watchdog/",  "cpuhp/",
      "irq/",     "jbd2/",      "kcompactd", "khugepaged", "kauditd", "kdevtmpfs", "oom_reaper", "idle_inject/"};
  for (const char* p : kPrefixes)
    if (name.substr(0, std::strlen(p)) == p) return true;
  return false;
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_exec_memory& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"memory_exec", "process", "change"}, [&](const TamperView& v) {
    auto& w = e.w();
    const bool mmap = op.syscall == NJ_SYS_MMAP;
    const uint64_t prot = op.values[0], vma = op.values[1];
    w.key("memory");
    w.begin_object();
    // mmap's address is the one the kernel chose; the caller's is only a hint.
    w.kv("address", hex(mmap && op.retval >= 0 ? static_cast<uint64_t>(op.retval) : op.args[0]));
    w.kn("length", op.args[1]);
    e.string_array("protection", prot_names(prot));
    if (mmap) e.string_array("map_flags", map_flag_names(op.args[3]));
    if (op.syscall == NJ_SYS_PKEY_MPROTECT) w.kn("pkey", static_cast<int64_t>(static_cast<int32_t>(op.args[3])));
    w.kv("mapping", mapping_name(vma));
    if (!mmap && (vma & NJ_MEM_VMA_SEEN)) e.string_array("previous_protection", prot_names(vma & 0x7));
    w.kv("reason", memory_exec_reason(op.syscall, prot, vma));
    if (const TamperString* path = string_of(v, NJ_TF_PATH)) {
      w.key("file");
      w.begin_object();
      // The part is the dentry walk's segments, leaf first.
      e.str("path", path->value, "nightjar.tamper.memory.file.path");
      if (path->truncated) w.kb("path_truncated", true);
      w.kn("inode", path->ino);
      w.kv("device", dev_string(path->dev));
      w.end_object();
    }
    if (op.flags & NJ_TMP_FOLDED) w.kn("folded", op.values[7]);
    w.end_object();
  });
}

void encode_record(Encoder& e, const Event& ev, const nj_tmp_rename& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"process_rename", "process", "change"}, [&](const TamperView&) {
    auto& w = e.w();
    const std::string_view to = comm_of(&op.values[2]);
    w.key("rename");
    w.begin_object();
    e.str("old_name", comm_of(&op.values[0]), "nightjar.tamper.rename.old_name");
    e.str("new_name", to, "nightjar.tamper.rename.new_name");
    w.kv("via", op.values[4] == NJ_RENAME_PRCTL ? "prctl" : "proc_comm");
    if (looks_like_kernel_thread(to)) w.kb("looks_like_kernel_thread", true);
    w.end_object();
  });
}

}  // namespace nj
