// Tamper events from real actions on this machine's kernel, asserted field
// by field, once per transport: signals sent to decoy processes (killed,
// refused, to nobody, to a process group, queued). The other actions of the
// family follow the same pattern.
//
// Events are found by the acting process's pid and its target's, never by
// counting what the machine does meanwhile.
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

bool is_tamper(const json& e, const std::string& action, long pid) {
  return e.contains("process") && get(e, "event.action") == action && get(e, "process.pid") == pid;
}

class TamperEvents : public TamperSuite<TamperEvents> {
 protected:
  void SetUp() override { start({"\"category\":[\"process\"],\"type\":[\"info\"],\"action\":\"signal\""}); }

  // The `action` event of `pid` aimed at `target` (0: any) for which
  // `extra` holds.
  json find(const std::string& action, long pid, long target, const std::function<bool(const json&)>& extra) {
    return sensor().wait_for(
        [&](const json& x) {
          return is_tamper(x, action, pid) && (!target || get(x, "target.process.pid") == target) && extra(x);
        },
        kWaitMs);
  }
};

// A signal event's predicate: the signal it sent.
std::function<bool(const json&)> sig_is(long sig) {
  return [sig](const json& x) { return get(x, "nightjar.tamper.signal.number") == sig; };
}

// What every signal event says about its sender and its kind.
void expect_signal(const json& e, const std::string& syscall, int sig, const std::string& name) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.category"), json::array({"process"}));
  EXPECT_EQ(get(e, "event.type"), json::array({"info"}));
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
  EXPECT_EQ(get(e, "nightjar.syscall"), syscall);
  EXPECT_EQ(get(e, "nightjar.tamper.signal.number"), sig);
  EXPECT_EQ(get(e, "nightjar.tamper.signal.name"), name);
}

// A target the kernel resolved: its identity is the decoy's.
void expect_kernel_target(const json& e, long target) {
  EXPECT_EQ(get(e, "nightjar.target_from"), "kernel");
  EXPECT_EQ(get(e, "target.process.pid"), target);
  EXPECT_EQ(get(e, "target.process.thread.id"), target);
  const json id = get(e, "target.process.entity_id");
  ASSERT_TRUE(id.is_string());
  EXPECT_NE(id.get<std::string>().find("-" + std::to_string(target) + "-"), std::string::npos) << id;
  EXPECT_EQ(get(e, "target.process.name"), "nj-actions");
  EXPECT_EQ(get(e, "target.process.executable"), NJ_ACTIONS);
  EXPECT_EQ(get(e, "target.process.user.id"), "0");
  // Reported by signal:signal_generate, which every backend uses.
  EXPECT_EQ(get(e, "nightjar.backend"), "tracepoint");
}

TEST_P(TamperEvents, KillOfADecoy) {
  ACT(a, "tamper-kill-decoy");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "signal event", "signal", pid, target, sig_is(9));
  expect_signal(e, "kill", 9, "SIGKILL");
  EXPECT_EQ(get(e, "event.outcome"), "success");
  EXPECT_FALSE(has(e, "error"));
  expect_kernel_target(e, target);
  EXPECT_EQ(get(e, "nightjar.tamper.signal.to"), "process");
  EXPECT_EQ(get(e, "nightjar.tamper.signal.result"), "delivered");
  EXPECT_EQ(get(e, "nightjar.tamper.signal.code"), "SI_USER");
  EXPECT_EQ(get(e, "nightjar.tamper.signal.thread_group"), true);
  EXPECT_EQ(get(e, "process.executable"), NJ_ACTIONS);
}

// Refused: the kernel reached no task, so the syscall's exit reports it,
// on the backend in use, with the number the caller passed.
TEST_P(TamperEvents, KillRefusedIsAFailureWithTheNamedPid) {
  ACT(a, "tamper-kill-refused");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "refused signal event", "signal", pid, target, sig_is(15));
  expect_signal(e, "kill", 15, "SIGTERM");
  EXPECT_EQ(get(e, "event.outcome"), "failure");
  EXPECT_EQ(get(e, "error.code"), "EPERM");
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  EXPECT_EQ(get(e, "nightjar.target_from"), "pid");
  // The number resolved by the process table: the decoy is alive.
  const json id = get(e, "target.process.entity_id");
  ASSERT_TRUE(id.is_string());
  EXPECT_NE(id.get<std::string>().find("-" + std::to_string(target) + "-"), std::string::npos) << id;
  EXPECT_EQ(get(e, "target.process.executable"), NJ_ACTIONS);
  EXPECT_EQ(get(e, "nightjar.tamper.signal.result"), "refused");
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
}

TEST_P(TamperEvents, KillOfNobody) {
  ACT(a, "tamper-kill-nobody");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "signal event to a free pid", "signal", pid, target, sig_is(10));
  expect_signal(e, "kill", 10, "SIGUSR1");
  EXPECT_EQ(get(e, "event.outcome"), "failure");
  EXPECT_EQ(get(e, "error.code"), "ESRCH");
  EXPECT_EQ(get(e, "nightjar.target_from"), "pid");
  EXPECT_FALSE(has(e, "target.process.entity_id")) << "no live process has the pid";
}

// kill(-pgid): one event per process the group held.
TEST_P(TamperEvents, KillOfAProcessGroupIsOneEventPerProcess) {
  ACT(a, "tamper-kill-group");
  const long pid = a["pid"], pgid = a["pgid"];
  for (long target : {a["target_pid"].get<long>(), a["target2_pid"].get<long>()}) {
    FIND(e, "signal event for " + std::to_string(target), "signal", pid, target, sig_is(15));
    expect_signal(e, "kill", 15, "SIGTERM");
    expect_kernel_target(e, target);
    EXPECT_EQ(get(e, "nightjar.tamper.signal.to"), "process_group");
    EXPECT_EQ(get(e, "nightjar.tamper.signal.process_group"), pgid);
  }
}

TEST_P(TamperEvents, QueuedSignal) {
  ACT(a, "tamper-sigqueue");
  const long pid = a["pid"], target = a["target_pid"];
  FIND(e, "queued signal event", "signal", pid, target, sig_is(15));
  expect_signal(e, "rt_sigqueueinfo", 15, "SIGTERM");
  expect_kernel_target(e, target);
  EXPECT_EQ(get(e, "nightjar.tamper.signal.code"), "SI_QUEUE");
}

INSTANTIATE_TEST_SUITE_P(TamperTransports, TamperEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
