// The tamper family's memory area from real actions, asserted field by
// field once per transport: memory made executable (anonymous RW -> RX,
// RWX at once, a file mapped RWX beside a library-like RX map that must
// not be reported, a JIT-like storm folded into a count) and renames
// (prctl to a kernel thread's name, a sibling thread's comm file).
//
// Events are found by the acting process's pid and the addresses it
// printed. Every absence is asserted after the presence of an event the
// same process caused later (its positive control).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>

#include "harness.h"
#include "tamper_suite.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kWaitMs = 30000;

std::string hex(long long v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

class TamperMemEvents : public TamperSuite<TamperMemEvents> {
 protected:
  void SetUp() override {
    // The storm action waits 1.5 s after its calls: the window must be shorter.
    start({"\"action\":\"memory_exec\"", "\"action\":\"process_rename\""}, {"--exec-memory-window-ms", "1000"});
  }

  static std::function<bool(const json&)> of(const std::string& action, long pid) {
    return [=](const json& x) { return get(x, "event.action") == action && get(x, "process.pid") == pid; };
  }
  json find(const std::string& action, long pid, const std::function<bool(const json&)>& extra) {
    auto is = of(action, pid);
    return sensor().wait_for([&](const json& x) { return is(x) && extra(x); }, kWaitMs);
  }
  std::vector<json> all_of(const std::string& action, long pid) { return sensor().all(of(action, pid)); }
};

std::function<bool(const json&)> at(long long address) {
  return [a = hex(address)](const json& x) { return get(x, "nightjar.tamper.memory.address") == a; };
}

// What every memory_exec and process_rename event says about its kind.
void expect_change(const json& e, const std::string& action) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.action"), action);
  EXPECT_EQ(get(e, "event.category"), json::array({"process"}));
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "event.outcome"), "success");
  EXPECT_FALSE(has(e, "error"));
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
  EXPECT_EQ(get(e, "process.executable"), NJ_ACTIONS);
}

// Whether mprotect's VMA is seen: kprobe and fentry hook
// security_file_mprotect; the tracepoint backend looks it up with
// bpf_find_vma from v5.17, and before has only the request.
bool vma_seen() {
  utsname u{};
  int major = 0, minor = 0;
  if (backend() != "tracepoint") return true;
  if (uname(&u) || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 5 || (major == 5 && minor >= 17);
}

TEST_P(TamperMemEvents, AnonymousMemoryWrittenThenMadeExecutable) {
  ACT(a, "tamper-mem-rw-rx");
  const long pid = a["pid"];
  FIND(e, "memory_exec event for the mprotect", "memory_exec", pid, at(a["address"]));
  expect_change(e, "memory_exec");
  EXPECT_EQ(get(e, "nightjar.syscall"), "mprotect");
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
  EXPECT_EQ(get(e, "nightjar.tamper.memory.length"), 4096);
  EXPECT_EQ(get(e, "nightjar.tamper.memory.protection"), json::array({"read", "execute"}));
  EXPECT_FALSE(has(e, "nightjar.tamper.memory.map_flags"));
  EXPECT_FALSE(has(e, "nightjar.tamper.memory.file"));
  EXPECT_FALSE(has(e, "nightjar.tamper.memory.folded"));
  EXPECT_FALSE(has(e, "target"));
  if (vma_seen()) {
    EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "anonymous");
    EXPECT_EQ(get(e, "nightjar.tamper.memory.previous_protection"), json::array({"read", "write"}));
    EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "was_writable");
  } else {
    EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "unknown");
    EXPECT_FALSE(has(e, "nightjar.tamper.memory.previous_protection"));
    EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "requested_execute");
  }
  // The RW map before it is not executable: one event.
  EXPECT_EQ(all_of("memory_exec", pid).size(), 1u);
}

TEST_P(TamperMemEvents, AnonymousMapWritableAndExecutable) {
  ACT(a, "tamper-mem-rwx-mmap");
  const long pid = a["pid"];
  FIND(e, "memory_exec event for the mmap", "memory_exec", pid, at(a["address"]));
  expect_change(e, "memory_exec");
  EXPECT_EQ(get(e, "nightjar.syscall"), "mmap");
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
  EXPECT_EQ(get(e, "nightjar.tamper.memory.length"), 4096);
  EXPECT_EQ(get(e, "nightjar.tamper.memory.protection"), json::array({"read", "write", "execute"}));
  EXPECT_EQ(get(e, "nightjar.tamper.memory.map_flags"), json::array({"private", "anonymous"}));
  EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "anonymous");
  EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "write_execute");
  EXPECT_FALSE(has(e, "nightjar.tamper.memory.file"));
}

// A file mapped read+execute (what the loader does with every library) is
// not reported; the same file mapped writable and executable right after
// is, with the file.
TEST_P(TamperMemEvents, FileMapReportedOnlyWhenWritable) {
  ACT(a, "tamper-mem-file-map");
  const long pid = a["pid"];
  FIND(e, "memory_exec event for the RWX file map", "memory_exec", pid, at(a["address"]));
  expect_change(e, "memory_exec");
  EXPECT_EQ(get(e, "nightjar.syscall"), "mmap");
  EXPECT_EQ(get(e, "nightjar.tamper.memory.protection"), json::array({"read", "write", "execute"}));
  EXPECT_EQ(get(e, "nightjar.tamper.memory.map_flags"), json::array({"private"}));
  EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "file");
  EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "write_execute");
  EXPECT_EQ(get(e, "nightjar.tamper.memory.file.path"), fs::canonical(NJ_ACTIONS).string());
  struct stat st {};
  ASSERT_EQ(stat(NJ_ACTIONS, &st), 0);
  EXPECT_EQ(get(e, "nightjar.tamper.memory.file.inode"), static_cast<uint64_t>(st.st_ino));
  const auto events = all_of("memory_exec", pid);
  EXPECT_EQ(events.size(), 1u);
  for (const json& x : events)
    EXPECT_NE(get(x, "nightjar.tamper.memory.address"), hex(a["library_address"])) << x.dump();
}

// A read-only file map made executable is not reported where the memory
// is seen (a library's text is no signal); where only the request is, it
// is, as requested_execute. The anonymous RW one right after always is.
TEST_P(TamperMemEvents, ReadOnlyFileMadeExecutableIsNoSignal) {
  ACT(a, "tamper-mem-file-rx");
  const long pid = a["pid"];
  if (!vma_seen()) {
    // The anonymous call, inside the process's window, is folded at once.
    FIND(e, "memory_exec event for the file mprotect", "memory_exec", pid, at(a["file_address"]));
    EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "unknown");
    EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "requested_execute");
    EXPECT_EQ(all_of("memory_exec", pid).size(), 1u);
    return;
  }
  FIND(e, "memory_exec event for the anonymous mprotect", "memory_exec", pid, at(a["address"]));
  EXPECT_EQ(get(e, "nightjar.tamper.memory.mapping"), "anonymous");
  EXPECT_EQ(get(e, "nightjar.tamper.memory.reason"), "was_writable");
  for (const json& x : all_of("memory_exec", pid))
    EXPECT_NE(get(x, "nightjar.tamper.memory.address"), hex(a["file_address"])) << x.dump();
}

// 1000 RW -> RX changes in a window are one event; the next call after the
// window is another, carrying the 999 folded calls.
TEST_P(TamperMemEvents, StormIsOneEventThenACount) {
  ACT(a, "tamper-mem-storm");
  const long pid = a["pid"], calls = a["calls"];
  FIND(last, "memory_exec event with the folded count", "memory_exec", pid,
       [](const json& x) { return has(x, "nightjar.tamper.memory.folded"); });
  EXPECT_EQ(get(last, "nightjar.tamper.memory.folded"), calls - 1);
  EXPECT_EQ(get(last, "nightjar.tamper.memory.address"), hex(a["address"]));
  const auto events = all_of("memory_exec", pid);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(has(events[0], "nightjar.tamper.memory.folded"));
  EXPECT_EQ(get(events[0], "nightjar.tamper.memory.address"), hex(a["address"]));
  EXPECT_EQ(get(events[0], "nightjar.tamper.memory.protection"), json::array({"read", "execute"}));
}

TEST_P(TamperMemEvents, PrctlRenameToAKernelThreadName) {
  ACT(a, "tamper-rename-prctl");
  const long pid = a["pid"];
  FIND(e, "process_rename event", "process_rename", pid, [](const json&) { return true; });
  expect_change(e, "process_rename");
  EXPECT_EQ(get(e, "nightjar.syscall"), "prctl");
  EXPECT_EQ(get(e, "nightjar.backend"), "tracepoint");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.old_name"), "nj-actions");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.new_name"), "[kworker/0:1]");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.via"), "prctl");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.looks_like_kernel_thread"), true);
  EXPECT_FALSE(has(e, "target"));
  // The rename every exec does (to "nj-actions") is the exec's, not one of
  // these, and the action's second prctl to the same name renamed nothing.
  EXPECT_EQ(all_of("process_rename", pid).size(), 1u);
}

// A sibling thread renamed through its comm file; the child's comm file,
// written first, refused the write (EINVAL) and renamed nothing.
TEST_P(TamperMemEvents, SiblingThreadRenamedThroughItsCommFile) {
  ACT(a, "tamper-rename-comm");
  const long pid = a["pid"], tid = a["target_tid"], child = a["child_pid"];
  FIND(e, "process_rename event for the sibling thread", "process_rename", pid,
       [&](const json& x) { return get(x, "target.process.thread.id") == tid; });
  expect_change(e, "process_rename");
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  EXPECT_EQ(get(e, "nightjar.backend"), "tracepoint");
  EXPECT_EQ(get(e, "nightjar.target_from"), "kernel");
  EXPECT_EQ(get(e, "target.process.pid"), pid);
  EXPECT_EQ(get(e, "target.process.name"), "nj-actions");
  EXPECT_EQ(get(e, "target.process.entity_id"), get(e, "process.entity_id"));
  EXPECT_EQ(get(e, "nightjar.tamper.rename.old_name"), "nj-actions");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.new_name"), "evil-thread");
  EXPECT_EQ(get(e, "nightjar.tamper.rename.via"), "proc_comm");
  EXPECT_FALSE(has(e, "nightjar.tamper.rename.looks_like_kernel_thread"));
  const auto events = all_of("process_rename", pid);
  EXPECT_EQ(events.size(), 1u);
  for (const json& x : events) EXPECT_NE(get(x, "target.process.pid"), child) << x.dump();
}

INSTANTIATE_TEST_SUITE_P(TamperMemTransports, TamperMemEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
