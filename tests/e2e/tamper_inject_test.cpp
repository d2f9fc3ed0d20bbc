// Injection events from real actions on this machine's kernel, asserted
// field by field, once per transport: a word poked into a child with ptrace
// (and its registers set), a seize, a traceme, an attach refused, memory
// written into and read from a child with process_vm_writev/readv, a
// child's /proc/<pid>/mem opened for writing and for reading.
//
// Every target is a child of nj-actions that outlives the injecting call;
// the action prints its pid and start time, so the target's entity id is
// known exactly, whether the kernel resolved the target or the process
// table did from the number.
#include <gtest/gtest.h>

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

class TamperInjectEvents : public TamperSuite<TamperInjectEvents> {
 protected:
  void SetUp() override {
    start({"\"action\":\"ptrace\"", "\"action\":\"process_vm_", "\"action\":\"proc_mem_open\""});
  }

  json find(const std::string& action, long pid, long target, const std::function<bool(const json&)>& extra) {
    return sensor().wait_for(
        [&](const json& x) {
          return x.contains("process") && get(x, "event.action") == action && get(x, "process.pid") == pid &&
                 get(x, "target.process.pid") == target && extra(x);
        },
        kWaitMs);
  }
};

std::function<bool(const json&)> request_is(const std::string& name) {
  return [name](const json& x) { return get(x, "nightjar.tamper.ptrace.request") == name; };
}

std::function<bool(const json&)> mode_is(const std::string& mode) {
  return [mode](const json& x) { return get(x, "nightjar.tamper.mem_open.mode") == mode; };
}

std::function<bool(const json&)> any() {
  return [](const json&) { return true; };
}

// The target is the action's child: its entity id is made of the pid and
// the start time the action read from /proc.
void expect_target(const json& e, const json& a, const std::string& from) {
  const long target = a["target_pid"];
  EXPECT_EQ(get(e, "nightjar.target_from"), from);
  EXPECT_EQ(get(e, "target.process.pid"), target);
  const json id = get(e, "target.process.entity_id");
  ASSERT_TRUE(id.is_string()) << e.dump();
  const std::string suffix = "-" + std::to_string(target) + "-" + std::to_string(a["target_start"].get<long>());
  const std::string s = id.get<std::string>();
  EXPECT_TRUE(s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0)
      << s << " is not the entity id of " << suffix;
  EXPECT_EQ(get(e, "target.process.name"), "nj-actions");
  EXPECT_EQ(get(e, "target.process.executable"), NJ_ACTIONS);
  EXPECT_FALSE(has(e, "nightjar.target_is_sensor"));
  if (from == "kernel") {
    EXPECT_EQ(get(e, "target.process.thread.id"), target);
    EXPECT_EQ(get(e, "target.process.user.id"), "0");
  }
}

void expect_head(const json& e, const std::string& type, const std::string& syscall) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.category"), json::array({"process"}));
  EXPECT_EQ(get(e, "event.type"), json::array({type}));
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
  EXPECT_EQ(get(e, "process.executable"), NJ_ACTIONS);
  EXPECT_EQ(get(e, "nightjar.syscall"), syscall);
}

void expect_success(const json& e) {
  EXPECT_EQ(get(e, "event.outcome"), "success");
  EXPECT_FALSE(has(e, "error"));
}

// PTRACE_ATTACH, POKETEXT of a word the child then finds, SETREGS.
TEST_P(TamperInjectEvents, PtracePokeIntoAChild) {
  ACT(a, "tamper-ptrace-poke");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(attach, "PTRACE_ATTACH event", "ptrace", pid, target, request_is("PTRACE_ATTACH"));
  expect_head(attach, "access", "ptrace");
  expect_success(attach);
  expect_target(attach, a, "kernel");
  EXPECT_EQ(get(attach, "nightjar.backend"), backend());

  FIND(poke, "PTRACE_POKETEXT event", "ptrace", pid, target, request_is("PTRACE_POKETEXT"));
  expect_head(poke, "change", "ptrace");
  expect_success(poke);
  expect_target(poke, a, "kernel");
  EXPECT_EQ(get(poke, "nightjar.tamper.ptrace.address"), a["address"]);
  EXPECT_EQ(get(poke, "nightjar.tamper.ptrace.word"), a["word"]);
  EXPECT_EQ(get(poke, "nightjar.backend"), backend());

  if (a.contains("rip")) {
    FIND(regs, "PTRACE_SETREGS event", "ptrace", pid, target, request_is("PTRACE_SETREGS"));
    expect_head(regs, "change", "ptrace");
    expect_target(regs, a, "kernel");
    EXPECT_EQ(get(regs, "nightjar.tamper.ptrace.instruction_pointer"), a["rip"]);
  }
  // Read-only and flow requests (GETREGS, DETACH) are not reported.
  EXPECT_TRUE(sensor()
                  .all([&](const json& x) {
                    return get(x, "event.action") == "ptrace" && get(x, "process.pid") == pid &&
                           get(x, "nightjar.tamper.ptrace.request") != "PTRACE_ATTACH" &&
                           get(x, "nightjar.tamper.ptrace.request") != "PTRACE_POKETEXT" &&
                           get(x, "nightjar.tamper.ptrace.request") != "PTRACE_SETREGS";
                  })
                  .empty());
}

TEST_P(TamperInjectEvents, PtraceSeize) {
  ACT(a, "tamper-ptrace-seize");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "PTRACE_SEIZE event", "ptrace", pid, target, request_is("PTRACE_SEIZE"));
  expect_head(e, "access", "ptrace");
  expect_success(e);
  expect_target(e, a, "kernel");
  EXPECT_EQ(get(e, "nightjar.tamper.ptrace.options"), a["options"]);
}

// TRACEME: the child hands itself to its parent, which is the target.
TEST_P(TamperInjectEvents, PtraceTracemeTargetsTheParent) {
  ACT(a, "tamper-ptrace-traceme");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "PTRACE_TRACEME event", "ptrace", pid, target, request_is("PTRACE_TRACEME"));
  expect_head(e, "access", "ptrace");
  expect_success(e);
  expect_target(e, a, "kernel");
  EXPECT_EQ(get(e, "process.parent.pid"), target);
}

// Refused: the kernel linked no tracee, so the target is the number the
// caller passed, resolved by the process table to the live child.
TEST_P(TamperInjectEvents, PtraceAttachRefusedAsNobody) {
  ACT(a, "tamper-ptrace-refused");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "refused PTRACE_ATTACH event", "ptrace", pid, target, request_is("PTRACE_ATTACH"));
  expect_head(e, "access", "ptrace");
  EXPECT_EQ(get(e, "event.outcome"), "failure");
  EXPECT_EQ(get(e, "error.code"), "EPERM");
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  expect_target(e, a, "pid");
  EXPECT_FALSE(has(e, "target.process.user")) << "only the kernel's target has its ids";
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
}

TEST_P(TamperInjectEvents, ProcessVmWritevIntoAChild) {
  ACT(a, "tamper-vm-write");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "process_vm_write event", "process_vm_write", pid, target, any());
  expect_head(e, "change", "process_vm_writev");
  expect_success(e);
  expect_target(e, a, "pid");
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.bytes"), a["bytes"]);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_address"), a["address"]);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_length"), 8);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.local_iovecs"), 1);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_iovecs"), 1);
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
}

TEST_P(TamperInjectEvents, ProcessVmReadvFromAChild) {
  ACT(a, "tamper-vm-read");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "process_vm_read event", "process_vm_read", pid, target, any());
  expect_head(e, "access", "process_vm_readv");
  expect_success(e);
  expect_target(e, a, "pid");
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.bytes"), a["bytes"]);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_address"), a["address"]);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_length"), a["bytes"]);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.local_iovecs"), 2);
  EXPECT_EQ(get(e, "nightjar.tamper.process_vm.remote_iovecs"), 1);
}

// /proc/<pid>/mem opened for writing (then written), and for reading: two
// events, the target from the inode.
TEST_P(TamperInjectEvents, ProcMemOfAChildOpened) {
  ACT(a, "tamper-proc-mem");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(w, "proc_mem_open event for writing", "proc_mem_open", pid, target, mode_is("write"));
  expect_head(w, "change", "openat");
  expect_success(w);
  expect_target(w, a, "kernel");
  EXPECT_EQ(get(w, "nightjar.tamper.mem_open.path"), a["path"]);
  EXPECT_EQ(get(w, "nightjar.backend"), backend());

  FIND(r, "proc_mem_open event for reading", "proc_mem_open", pid, target, mode_is("read"));
  expect_head(r, "access", "openat");
  expect_target(r, a, "kernel");
  EXPECT_EQ(get(r, "nightjar.tamper.mem_open.path"), a["path"]);
}

INSTANTIATE_TEST_SUITE_P(TamperInjectTransports, TamperInjectEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
