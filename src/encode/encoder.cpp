#include "encode/encoder.h"

#include <charconv>
#include <climits>
#include <csignal>
#include <cstring>

#include "decode/decode.h"
#include "families/encoders.h"

namespace nj {

// Indexed by enum nj_syscall (abi/common.h), whose numbers are never reused.
const char* syscall_name(uint32_t s) {
  static constexpr const char* kNames[] = {
      nullptr, "execve", "execveat", "clone", "clone3", "fork", "vfork", "unshare", "open", "openat", "openat2",
      "creat", "mkdir", "mkdirat", "mknod", "mknodat", "symlink", "symlinkat", "link", "linkat", "unlink", "unlinkat",
      "rmdir", "rename", "renameat", "renameat2", "truncate", "ftruncate", "chmod", "fchmod", "fchmodat", "fchmodat2",
      "chown", "lchown", "fchown", "fchownat", "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr",
      "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "memfd_create", "connect", "accept", "accept4",
      "listen", "sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg",
      // tamper family
      "ptrace", "process_vm_readv", "process_vm_writev", "mprotect", "pkey_mprotect", "mmap", "setuid", "setreuid",
      "setresuid", "setfsuid", "setgid", "setregid", "setresgid", "setfsgid", "setgroups", "capset", "init_module",
      "finit_module", "delete_module", "bpf", "mount", "umount2", "fsopen", "fsconfig", "fsmount", "move_mount",
      "open_tree", "mount_setattr", "setns", "prctl", "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo",
      "rt_tgsigqueueinfo", "write", "pwrite64", "writev", "pwritev",
      // NJ_SYS_COMMIT_CREDS: a kernel function, not a syscall (no nightjar.syscall)
      nullptr,
      // file family, later additions
      "setxattrat", "removexattrat", "fallocate", "open_by_handle_at", "ioctl", "file_setattr"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == NJ_SYS_MAX, "a syscall without a name");
  return s < NJ_SYS_MAX ? kNames[s] : nullptr;
}

const char* backend_name(uint8_t b) {
  switch (b) {
    case NJ_BACKEND_TRACEPOINT: return "tracepoint";
    case NJ_BACKEND_KPROBE: return "kprobe";
    case NJ_BACKEND_FENTRY: return "fentry";
    default: return "unknown";
  }
}

std::string dev_string(uint32_t dev) {
  // Kernel-internal dev_t: 12-bit major above a 20-bit minor.
  return std::to_string(dev >> 20) + ":" + std::to_string(dev & 0xFFFFF);
}

namespace {

// 16 lowercase hex digits, zero-padded.
std::string_view hex_id(uint64_t v, char (&buf)[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; i--, v >>= 4) buf[i] = kHex[v & 15];
  return {buf, sizeof(buf)};
}

}  // namespace

std::string event_id_string(uint64_t event_id) {
  char buf[16];
  return std::string(hex_id(event_id, buf));
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

std::string errno_name(uint64_t err) {
  const char* n = err > 0 && err <= INT_MAX ? strerrorname_np(static_cast<int>(err)) : nullptr;
  return n ? n : "E" + std::to_string(err);
}

Encoder::Encoder(HostInfo host, const WallClock& clock, HeadReader read_head)
    : host_(std::move(host)), clock_(clock), read_head_(std::move(read_head)) {}

void Encoder::str(std::string_view key, std::string_view value, const char* field) {
  if (!w_.kv(key, value)) escaped_.push_back(field);
}

void Encoder::time_kv(std::string_view key, uint64_t boot_ns) {
  TimeBuf buf;
  w_.kv(key, std::string_view(buf, format_time(clock_.to_wall_ns(boot_ns), buf)));
}

void Encoder::entity_kv(uint32_t pid, uint64_t start_ticks) {
  EntityIdBuf buf;
  w_.kv("entity_id", std::string_view(buf, entity_id_ticks(host_.boot_id, pid, start_ticks, buf)));
}

void Encoder::begin(uint64_t boot_ns, const char* kind, const char* category, const char* type, const char* action,
                    const char* outcome, uint64_t event_id, const char* type2) {
  last_action_ = action;
  w_.clear();
  escaped_.clear();
  w_.begin_object();
  time_kv("@timestamp", boot_ns);
  w_.key("event");
  w_.begin_object();
  w_.kv("kind", kind);
  w_.key("category");
  w_.begin_array();
  w_.string(category);
  w_.end_array();
  w_.key("type");
  w_.begin_array();
  w_.string(type);
  if (type2) w_.string(type2);
  w_.end_array();
  w_.kv("action", action);
  if (outcome) w_.kv("outcome", outcome);
  if (event_id) {
    char id[16];
    w_.kv("id", hex_id(event_id, id));
  }
  w_.kv("module", "nightjar");
  w_.end_object();
  host_block();
}

void Encoder::host_block() {
  w_.key("host");
  w_.begin_object();
  w_.kv("name", host_.name);
  if (!host_.id.empty()) w_.kv("id", host_.id);
  w_.kv("boot_id", host_.boot_id);
  w_.key("os");
  w_.begin_object();
  w_.kv("kernel", host_.kernel);
  w_.end_object();
  w_.kv("architecture", host_.arch);
  w_.end_object();
}

void Encoder::users(const nj_task& t) {
  // ECS: user/group are the effective ids, real_* the real ones.
  auto one = [&](const char* key, const char* label, uint32_t id, const std::optional<std::string>* name) {
    w_.key(key);
    w_.begin_object();
    char buf[12];
    w_.kv("id", std::string_view(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), id).ptr - buf)));
    if (name && *name) str("name", **name, label);
    w_.end_object();
  };
  one("user", "process.user.name", t.euid, en_ ? &en_->user : nullptr);
  one("real_user", "process.real_user.name", t.uid, en_ ? &en_->real_user : nullptr);
  one("group", "process.group.name", t.egid, en_ ? &en_->group : nullptr);
  one("real_group", "process.real_group.name", t.gid, en_ ? &en_->real_group : nullptr);
}

void Encoder::args_fields(const std::vector<std::string>& args, const char* field_prefix) {
  w_.key("args");
  if (!w_.string_array(args)) escaped_.push_back(field_prefix);
  w_.kn("args_count", static_cast<uint64_t>(args.size()));
}

// What the process table knows of a process's image: executable and args.
void Encoder::image(const ProcInfo& p, const char* prefix) {
  if (!p.executable.empty()) str("executable", p.executable, prefix);
  if (!p.args.empty()) args_fields(p.args, prefix);
}

// Container, unit, ancestry: after the process block, on every event.
void Encoder::context_fields(const nj_task& /*t*/) {
  if (!en_ || !en_->container) return;
  w_.key("container");
  w_.begin_object();
  // A machine or LXC name is whatever its owner named the cgroup.
  str("id", en_->container->id, "container.id");
  w_.kv("runtime", en_->container->runtime);
  w_.end_object();
}

void Encoder::error_block(uint64_t err) {
  w_.key("error");
  w_.begin_object();
  w_.kv("code", errno_name(err));
  w_.kv("message", err > 0 && err <= INT_MAX ? std::string(strerror(static_cast<int>(err)))
                                             : "Unknown error " + std::to_string(err));
  w_.end_object();
}

void Encoder::nightjar_context() {
  if (!en_) return;
  if (en_->systemd_unit) str("systemd_unit", *en_->systemd_unit, "nightjar.systemd_unit");
  if (!en_->ancestors.empty()) {
    w_.key("ancestors");
    w_.begin_array();
    for (const auto& ap : en_->ancestors) {
      const ProcInfo& a = *ap;
      w_.begin_object();
      w_.kn("pid", a.key.pid);
      entity_kv(a.key.pid, a.key.start);
      if (!a.executable.empty()) str("executable", a.executable, "nightjar.ancestors.executable");
      str("name", a.name, "nightjar.ancestors.name");
      w_.end_object();
    }
    w_.end_array();
  }
  if (!en_->hash_reason.empty()) {
    w_.key("hash");
    w_.begin_object();
    w_.kv("reason", en_->hash_reason);
    w_.end_object();
  }
}

void Encoder::parent_block(const nj_task& t) {
  w_.key("parent");
  w_.begin_object();
  w_.kn("pid", t.ppid);
  entity_kv(t.ppid, ns_to_ticks(t.parent_start_ns, host_.clock_ticks));
  time_kv("start", t.parent_start_ns);
  if (en_ && en_->parent) {
    str("name", en_->parent->name, "process.parent.name");
    image(*en_->parent, "process.parent.args");
  }
  w_.end_object();
}

// pid, thread, entity id, start, parent, users: what every event says about
// the process it is about.
void Encoder::acting_process(const nj_task& t) {
  w_.key("process");
  w_.begin_object();
  task_common(t);
  str("name", comm_of(t), "process.name");
  if (en_ && en_->self) image(*en_->self, "process.args");
  w_.end_object();
}

void Encoder::string_array(const char* key, const std::vector<std::string>& v) {
  w_.key(key);
  w_.begin_array();
  for (auto& s : v) w_.string(s);
  w_.end_array();
}

void Encoder::task_common(const nj_task& t) {
  w_.kn("pid", t.pid);
  w_.key("thread");
  w_.begin_object();
  w_.kn("id", t.tid);
  w_.end_object();
  entity_kv(t.pid, ns_to_ticks(t.start_ns, host_.clock_ticks));
  time_kv("start", t.start_ns);
  parent_block(t);
  users(t);
}

void Encoder::nightjar_begin(const nj_hdr& h) {
  w_.key("nightjar");
  w_.begin_object();
  w_.kv("backend", backend_name(h.backend));
  w_.kn("event_id", h.event_id);
}

void Encoder::nightjar_end() {
  if (!escaped_.empty()) {
    w_.key("escaped_fields");
    w_.begin_array();
    for (const char* f : escaped_) w_.string(f);
    w_.end_array();
  }
  w_.end_object();  // nightjar
  w_.end_object();  // document
}

// Each record type is written by its family's encode_record overload
// (src/families/<family>/encode.h, gathered in families/encoders.h): a
// registered type without one does not compile. A part is never an
// event's main record (the assembler drops orphan parts).
const Line& Encoder::encode(const Event& ev, const Enrichment* en) {
  en_ = en;
  std::visit(
      [&](const auto& r) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(r)>, StrPart>) encode_record(*this, ev, r);
      },
      ev.main);
  return w_.line();
}

}  // namespace nj
