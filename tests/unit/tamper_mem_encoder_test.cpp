// The tamper family's memory area through the real encoder: memory made
// executable and process renames, and the pure helpers that name their
// protections, flags, reasons and kernel-thread look-alikes.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "encoder_fixture.h"
#include "families/tamper/encode.h"
#include "records.h"

using namespace nj;
using namespace njt;
using json = nlohmann::json;

namespace {

constexpr uint64_t kId = 0x0010000000000321ull;

template <typename R>
R tamper_rec(uint16_t type, uint32_t syscall) {
  R r{};
  r.hdr = make_hdr(type, sizeof(R), kId);
  r.hdr.family = NJ_FAM_TAMPER;
  r.hdr.ts_ns = kTs;
  r.op.task = full_task();
  r.op.syscall = syscall;
  return r;
}

template <typename R>
Event event_with(const R& r, const std::vector<StrPart>& parts = {}) {
  Event ev{decode_ok(bytes_of(r)), {}, false};
  ev.parts = parts;
  return ev;
}

TEST(TamperMemNames, Protections) {
  EXPECT_EQ(prot_names(0), std::vector<std::string>{"none"});
  EXPECT_EQ(prot_names(0x5), (std::vector<std::string>{"read", "execute"}));
  EXPECT_EQ(prot_names(0x7), (std::vector<std::string>{"read", "write", "execute"}));
  EXPECT_EQ(prot_names(0x01000004), (std::vector<std::string>{"execute", "growsdown"}));
  EXPECT_EQ(prot_names(0x40), std::vector<std::string>{"0x40"});
}

TEST(TamperMemNames, MapFlags) {
  EXPECT_EQ(map_flag_names(0x22), (std::vector<std::string>{"private", "anonymous"}));
  EXPECT_EQ(map_flag_names(0x1), std::vector<std::string>{"shared"});
  EXPECT_EQ(map_flag_names(0x3 | 0x10), (std::vector<std::string>{"shared_validate", "fixed"}));
  EXPECT_EQ(map_flag_names(0x2 | 0x200000), (std::vector<std::string>{"private", "0x200000"}));
}

TEST(TamperMemNames, Reasons) {
  const uint64_t anon = NJ_MEM_VMA_SEEN | NJ_MEM_VMA_ANON, file = NJ_MEM_VMA_SEEN | NJ_MEM_VMA_FILE;
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_MMAP, 0x7, 0), "write_execute");
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_MMAP, 0x5, anon), "anonymous");
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_MPROTECT, 0x7, 0), "write_execute");
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_MPROTECT, 0x5, 0), "requested_execute");
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_MPROTECT, 0x5, file | 0x3), "was_writable");
  EXPECT_STREQ(memory_exec_reason(NJ_SYS_PKEY_MPROTECT, 0x5, anon | 0x1), "anonymous");
}

TEST(TamperMemNames, KernelThreadLookAlikes) {
  EXPECT_TRUE(looks_like_kernel_thread("[kworker/0:1]"));
  EXPECT_TRUE(looks_like_kernel_thread("[anything]"));
  EXPECT_TRUE(looks_like_kernel_thread("kworker/0:1H"));
  EXPECT_TRUE(looks_like_kernel_thread("kthreadd"));
  EXPECT_TRUE(looks_like_kernel_thread("rcu_sched"));
  EXPECT_FALSE(looks_like_kernel_thread("sshd"));
  EXPECT_FALSE(looks_like_kernel_thread("[x"));
  EXPECT_FALSE(looks_like_kernel_thread("]"));
  EXPECT_FALSE(looks_like_kernel_thread(""));
  EXPECT_FALSE(looks_like_kernel_thread("worker"));
}

using TamperMemEncoder = EncoderTest;

TEST_F(TamperMemEncoder, MprotectOfWritableFileMemoryWithFoldedCount) {
  auto r = tamper_rec<nj_tmp_exec_memory>(NJ_REC_TMP_EXEC_MEMORY, NJ_SYS_MPROTECT);
  r.op.args[0] = 0x7f0000001000ull;
  r.op.args[1] = 8192;
  r.op.args[2] = 0x5;
  r.op.values[0] = 0x5;
  r.op.values[1] = NJ_MEM_VMA_SEEN | NJ_MEM_VMA_FILE | 0x3;
  r.op.values[7] = 41;
  r.op.flags = NJ_TMP_FOLDED;
  const json j =
      encode(event_with(r, {part(kId, NJ_TF_PATH, 0, std::string("libx.so\0lib\0usr\0", 15), 0, 0x800001, 77)}));
  EXPECT_EQ(j["event"]["action"], "memory_exec");
  EXPECT_EQ(j["event"]["category"], json::array({"process"}));
  EXPECT_EQ(j["event"]["type"], json::array({"change"}));
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["nightjar"]["syscall"], "mprotect");
  const json& m = j["nightjar"]["tamper"]["memory"];
  EXPECT_EQ(m["address"], "0x7f0000001000");
  EXPECT_EQ(m["length"], 8192);
  EXPECT_EQ(m["protection"], json::array({"read", "execute"}));
  EXPECT_EQ(m["previous_protection"], json::array({"read", "write"}));
  EXPECT_EQ(m["mapping"], "file");
  EXPECT_EQ(m["reason"], "was_writable");
  EXPECT_EQ(m["file"]["path"], "/usr/lib/libx.so");
  EXPECT_EQ(m["file"]["inode"], 77);
  EXPECT_EQ(m["file"]["device"], "8:1");
  EXPECT_EQ(m["folded"], 41);
  EXPECT_FALSE(m.contains("map_flags"));
  EXPECT_FALSE(j.contains("target"));
}

TEST_F(TamperMemEncoder, MmapAddressIsTheKernelsAndFailuresKeepTheHint) {
  auto r = tamper_rec<nj_tmp_exec_memory>(NJ_REC_TMP_EXEC_MEMORY, NJ_SYS_MMAP);
  r.op.args[0] = 0;
  r.op.args[1] = 4096;
  r.op.args[2] = 0x7;
  r.op.args[3] = 0x22;
  r.op.values[0] = 0x7;
  r.op.values[1] = NJ_MEM_VMA_SEEN | NJ_MEM_VMA_ANON;
  r.op.retval = 0x7f1234560000ll;
  json j = encode(event_with(r));
  json m = j["nightjar"]["tamper"]["memory"];
  EXPECT_EQ(m["address"], "0x7f1234560000");
  EXPECT_EQ(m["map_flags"], json::array({"private", "anonymous"}));
  EXPECT_EQ(m["mapping"], "anonymous");
  EXPECT_EQ(m["reason"], "write_execute");
  EXPECT_FALSE(m.contains("previous_protection"));
  EXPECT_FALSE(m.contains("folded"));

  r.op.args[0] = 0x10000;
  r.op.retval = -13;
  j = encode(event_with(r));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"]["code"], "EACCES");
  EXPECT_EQ(j["nightjar"]["tamper"]["memory"]["address"], "0x10000");
}

TEST_F(TamperMemEncoder, RenameOfAnotherThreadThroughItsCommFile) {
  auto r = tamper_rec<nj_tmp_rename>(NJ_REC_TMP_RENAME, NJ_SYS_UNKNOWN);
  std::memcpy(&r.op.values[0], "worker", 7);
  std::memcpy(&r.op.values[2], "0123456789abcde", 15);  // 15 bytes: no NUL in the comm
  r.op.values[4] = NJ_RENAME_PROC_COMM;
  r.op.target.pid = 4242;
  r.op.target.tid = 4250;
  r.op.target.start_ns = kStart;
  r.op.target.flags = NJ_TGT_TASK;
  std::strncpy(r.op.target.comm, "worker", sizeof(r.op.target.comm));
  const json j = encode(event_with(r));
  EXPECT_EQ(j["event"]["action"], "process_rename");
  EXPECT_EQ(j["event"]["type"], json::array({"change"}));
  EXPECT_FALSE(j["nightjar"].contains("syscall"));
  EXPECT_EQ(j["target"]["process"]["thread"]["id"], 4250);
  const json& n = j["nightjar"]["tamper"]["rename"];
  EXPECT_EQ(n["old_name"], "worker");
  EXPECT_EQ(n["new_name"], "0123456789abcde");
  EXPECT_EQ(n["via"], "proc_comm");
  EXPECT_FALSE(n.contains("looks_like_kernel_thread"));
}

TEST_F(TamperMemEncoder, PrctlRenameToAKernelThreadName) {
  auto r = tamper_rec<nj_tmp_rename>(NJ_REC_TMP_RENAME, NJ_SYS_PRCTL);
  std::memcpy(&r.op.values[0], "sh", 3);
  std::memcpy(&r.op.values[2], "[kworker/0:1]", 14);
  r.op.values[4] = NJ_RENAME_PRCTL;
  const json j = encode(event_with(r));
  EXPECT_EQ(j["nightjar"]["syscall"], "prctl");
  const json& n = j["nightjar"]["tamper"]["rename"];
  EXPECT_EQ(n["new_name"], "[kworker/0:1]");
  EXPECT_EQ(n["via"], "prctl");
  EXPECT_EQ(n["looks_like_kernel_thread"], true);
}

}  // namespace
