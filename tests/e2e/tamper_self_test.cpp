// The sensor defends itself: a signal sent to it, its output file removed
// or truncated are sensor-tampered alerts, written where a reader finds
// them (before sensor-stopped when the signal stops it; in the file opened
// again at the output's path when the old one was removed).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kWaitMs = 30000;

bool is_alert(const json& e, const std::string& how) {
  return get(e, "event.action") == "sensor-tampered" && get(e, "nightjar.tampered.how") == how;
}

// Waits until pred holds for a line of the file at `path` (read again each
// time: it may be a new file).
json wait_in_file(const std::string& path, const std::function<bool(const json&)>& pred) {
  for (int waited = 0; waited < kWaitMs; waited += 100) {
    for (const json& e : read_jsonl(path))
      if (pred(e)) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return nullptr;
}

// The signal event a `kill` process sent to the sensor, and the alert that
// names it.
void expect_signal_and_alert(SensorProcess& s, const std::string& sig_name, const std::string& result) {
  const long me = s.pid();
  json sig = s.wait_for(
      [&](const json& x) {
        return get(x, "event.action") == "signal" && get(x, "target.process.pid") == me &&
               get(x, "nightjar.tamper.signal.name") == sig_name;
      },
      kWaitMs);
  ASSERT_FALSE(sig.is_null()) << "no signal event aimed at the sensor";
  EXPECT_EQ(get(sig, "nightjar.target_is_sensor"), true);
  EXPECT_EQ(get(sig, "nightjar.target_from"), "kernel");
  EXPECT_EQ(get(sig, "target.process.name"), "nightjar");
  EXPECT_EQ(get(sig, "process.name"), "kill");
  EXPECT_EQ(get(sig, "nightjar.tamper.signal.result"), result);
  json alert = s.wait_for(
      [&](const json& x) {
        return is_alert(x, "signal") && get(x, "nightjar.tampered.event_id") == get(sig, "event.id");
      },
      kWaitMs);
  ASSERT_FALSE(alert.is_null()) << "no sensor-tampered alert for the signal";
  EXPECT_EQ(get(alert, "event.kind"), "alert");
  EXPECT_EQ(get(alert, "event.category"), json::array({"intrusion_detection"}));
  EXPECT_EQ(get(alert, "process.pid"), get(sig, "process.pid"));
  EXPECT_EQ(get(alert, "process.entity_id"), get(sig, "process.entity_id"));
  EXPECT_EQ(get(alert, "process.name"), "kill");
}

// SIGWINCH: the sensor ignores it, so it runs on; the attempt is an alert.
TEST(TamperSelf, ASignalToTheSensorIsAnAlert) {
  SensorProcess s({"--events", "process,tamper"});
  Command c = run_command({"/bin/kill", "-WINCH", std::to_string(s.pid())});
  ASSERT_EQ(c.status, 0) << c.err;
  expect_signal_and_alert(s, "SIGWINCH", "ignored");
  EXPECT_NE(s.stderr_text().find("sensor tampered: signal aimed at the sensor"), std::string::npos) << s.stderr_text();
  expect_clean_stop(s, "signal");
}

// A ptrace of the sensor (a seize, then a detach): the ptrace event names
// the sensor as its target, and the alert follows it.
TEST(TamperSelf, APtraceOfTheSensorIsAnAlert) {
  SensorProcess s({"--events", "process,tamper"});
  json a = try_act({"tamper-ptrace-seize-pid"}, {"NJ_TARGET_PID=" + std::to_string(s.pid())});
  if (a.is_null()) GTEST_SKIP() << "ptrace not available here";
  const long pid = a["pid"];
  json ev = s.wait_for(
      [&](const json& x) {
        return get(x, "event.action") == "ptrace" && get(x, "process.pid") == pid &&
               get(x, "nightjar.tamper.ptrace.request") == "PTRACE_SEIZE";
      },
      kWaitMs);
  ASSERT_FALSE(ev.is_null()) << "no ptrace event";
  EXPECT_EQ(get(ev, "target.process.pid"), s.pid());
  EXPECT_EQ(get(ev, "target.process.name"), "nightjar");
  EXPECT_EQ(get(ev, "nightjar.target_is_sensor"), true);
  json alert = s.wait_for(
      [&](const json& x) {
        return is_alert(x, "ptrace") && get(x, "nightjar.tampered.event_id") == get(ev, "event.id");
      },
      kWaitMs);
  ASSERT_FALSE(alert.is_null()) << "no sensor-tampered alert for the ptrace";
  EXPECT_EQ(get(alert, "process.pid"), pid);
  EXPECT_EQ(get(alert, "process.name"), "nj-actions");
  expect_clean_stop(s, "ptrace");
}

// SIGTERM stops the sensor: the signal that did it is still reported, and
// its alert comes before sensor-stopped.
TEST(TamperSelf, TheSignalThatStopsTheSensorIsReportedBeforeItStops) {
  SensorProcess s({"--events", "process,tamper"});
  const std::string pid = std::to_string(s.pid());
  Command c = run_command({"/bin/kill", "-TERM", pid});
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(s.stop(0 /* already signalled: only wait */), 0) << s.stderr_text();
  const std::vector<json> all = read_jsonl(s.output_path());
  size_t alert = all.size(), stopped = all.size();
  for (size_t i = 0; i < all.size(); i++) {
    if (is_alert(all[i], "signal") && get(all[i], "process.name") == "kill") alert = std::min(alert, i);
    if (get(all[i], "event.action") == "sensor-stopped") stopped = i;
  }
  ASSERT_LT(alert, all.size()) << "no alert for the SIGTERM";
  ASSERT_LT(stopped, all.size()) << "no sensor-stopped";
  EXPECT_LT(alert, stopped);
  expect_schema_valid(s.output_path());
}

// rm of the output: the sensor notices within its check interval, opens
// the path again and writes the alert there, then goes on writing events.
TEST(TamperSelf, RemovedOutputIsOpenedAgainAndTheRemovalReported) {
  SensorProcess s({"--events", "process"});
  const std::string path = s.output_path();
  ASSERT_EQ(::unlink(path.c_str()), 0);
  json alert = wait_in_file(path, [](const json& x) { return is_alert(x, "output_removed"); });
  ASSERT_FALSE(alert.is_null()) << "no output_removed alert in a new " << path << "\n" << s.stderr_text();
  EXPECT_EQ(get(alert, "event.kind"), "alert");
  EXPECT_NE(get(alert, "nightjar.tampered.detail").get<std::string>().find(path + " was removed"), std::string::npos);
  EXPECT_FALSE(has(alert, "process"));
  // Events keep coming into the new file.
  json a = act("exec");
  ASSERT_FALSE(a.is_null());
  json exec = wait_in_file(path, [&](const json& x) { return is_exec(x, a["pid"].get<long>()); });
  EXPECT_FALSE(exec.is_null()) << "no exec written to the reopened file";
  EXPECT_NE(s.stderr_text().find("the output was removed: output reopened: " + path), std::string::npos)
      << s.stderr_text();
  EXPECT_EQ(s.stop(), 0);
  expect_schema_valid(path);
}

TEST(TamperSelf, TruncatedOutputIsReported) {
  SensorProcess s({"--events", "process"});
  const std::string path = s.output_path();
  json a = act("exec");
  ASSERT_FALSE(a.is_null());
  ASSERT_FALSE(wait_in_file(path, [&](const json& x) { return is_exec(x, a["pid"].get<long>()); }).is_null());
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  // Seen by the writer's next write: an event to write (a quiet VM has none).
  ASSERT_FALSE(act("exec").is_null());
  json alert = wait_in_file(path, [](const json& x) { return is_alert(x, "output_truncated"); });
  ASSERT_FALSE(alert.is_null()) << "no output_truncated alert\n" << s.stderr_text();
  EXPECT_NE(get(alert, "nightjar.tampered.detail").get<std::string>().find(" was truncated by another process"),
            std::string::npos);
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace
}  // namespace nj::e2e
