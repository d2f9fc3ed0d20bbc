// Nothing is lost silently: with buffers far too small for the load, the
// kernel-side drops are counted, reported in-band while running and in the
// final totals, and every record the kernel did deliver was read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "harness.h"
#include "util/host.h"

namespace nj::e2e {
namespace {

void overload_and_check(const std::vector<std::string>& args) {
  // The reader sleeps 1.5 s at a time and is never woken early (perf
  // buffers still wake it at half full), so a burst of execs overflows the
  // buffer, and an argv part larger than the whole buffer never fits.
  std::vector<std::string> all = args;
  // Only the process family: its share must then be the whole.
  all.insert(all.end(), {"--poll-ms", "1500", "--wakeup-bytes", "268435456", "--events", "process"});
  SensorProcess s(all);
  for (int i = 0; i < 3; i++) act("exec-long-argv");
  for (int i = 0; i < 40; i++) act("exec");
  json lost = s.wait_for([](const json& e) { return e["event"]["action"] == "events-lost"; }, 8000);
  ASSERT_FALSE(lost.is_null()) << s.stderr_text();
  EXPECT_EQ(lost["event"]["kind"], "metric");
  EXPECT_GT(lost["nightjar"]["loss"]["kernel_lost"].get<uint64_t>(), 0u);
  EXPECT_EQ(s.stop(), 0);

  auto ev = s.events();
  const json& total = ev.back()["nightjar"]["loss"];
  ASSERT_EQ(ev.back()["event"]["action"], "sensor-stopped");
  // Each in-band report carries the new losses; they add up to the total.
  uint64_t sum = 0;
  for (const auto& e : ev)
    if (e["event"]["action"] == "events-lost") sum += e["nightjar"]["loss"]["kernel_lost"].get<uint64_t>();
  EXPECT_EQ(sum, total["kernel_lost_total"].get<uint64_t>());
  EXPECT_GT(sum, 0u);
  // Delivered records were all read: losses happened only where counted.
  EXPECT_EQ(total["records_sent_total"], total["records_read_total"]);
  // Only the process family runs here (--events process): its share is the
  // whole, in the totals and in every in-band report.
  const json& process = total["by_family"]["process"];
  EXPECT_EQ(process["kernel_lost_total"], total["kernel_lost_total"]);
  EXPECT_EQ(process["records_sent_total"], total["records_sent_total"]);
  uint64_t process_sum = 0;
  for (const auto& e : ev)
    if (e["event"]["action"] == "events-lost") {
      const json& l = e["nightjar"]["loss"];
      EXPECT_EQ(l["by_family"]["process"]["kernel_lost"], l["kernel_lost"]);
      process_sum += l["by_family"]["process"]["kernel_lost"].get<uint64_t>();
    }
  EXPECT_EQ(process_sum, sum);
  // Events that lost a part are flagged, not passed off as whole.
  for (const auto& e : ev) {
    if (e["event"]["action"] == "exec" && e["nightjar"].contains("parts_lost")) {
      EXPECT_EQ(e["nightjar"]["parts_lost"], true);
    }
  }
  // The operator sees it on stderr too.
  std::string err = s.stderr_text();
  EXPECT_NE(err.find("events lost:"), std::string::npos) << err;
  EXPECT_NE(err.find("in the kernel buffers (process "), std::string::npos) << err;
  EXPECT_NE(err.find("lost in kernel buffers " + std::to_string(sum)), std::string::npos) << err;
  expect_schema_valid(s.output_path());
}

// Under a sustained overload the reader never finds the buffer empty; the
// loss must still be reported while it lasts, not once it ends. The events
// go to /dev/null (hundreds of MB otherwise); the operator's stderr lines
// carry the same per-interval counts.
TEST(Loss, SustainedOverloadIsReportedWhileItLasts) {
  const std::string dir = temp_dir();
  const std::string err_path = dir + "/stderr";
  pid_t pid = fork();
  if (pid == 0) {
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    execl(NJ_BINARY, NJ_BINARY, "run", "--output", "/dev/null", "--no-hash", "--ringbuf-size", "65536", "--events",
          "process", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto stderr_text = [&] { return slurp(err_path); };
  auto wait_stderr = [&](const std::string& needle, int limit_s) {
    return wait_until([&] { return stderr_text().find(needle) != std::string::npos; }, limit_s * 1000);
  };
  ASSERT_TRUE(wait_stderr(" running: ", 15)) << stderr_text();

  const auto t0 = std::chrono::steady_clock::now();
  std::thread storm([] { act("unshare-storm"); });  // 6 s
  const bool reported = wait_stderr("events lost:", 10);
  const double after_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  storm.join();
  kill(pid, SIGINT);
  int st = 0;
  waitpid(pid, &st, 0);
  const std::string err = stderr_text();
  ASSERT_TRUE(reported) << err;
  EXPECT_LT(after_s, 5.0) << "first loss report only after (or just before) the overload ended: " << err;
  ASSERT_TRUE(WIFEXITED(st)) << err;
  EXPECT_EQ(WEXITSTATUS(st), 0) << err;
  // The per-interval reports, the last one at stop included, add up to the
  // final count.
  uint64_t sum = 0, total = 0;
  std::istringstream lines(err);
  for (std::string l; std::getline(lines, l);) {
    unsigned long long n = 0;
    if (auto p = l.find("events lost: "); p != std::string::npos && sscanf(l.c_str() + p, "events lost: %llu", &n) == 1)
      sum += n;
    if (auto p = l.find("lost in kernel buffers ");
        p != std::string::npos && sscanf(l.c_str() + p, "lost in kernel buffers %llu", &n) == 1)
      total = n;
  }
  EXPECT_GT(sum, 0u) << err;
  EXPECT_EQ(sum, total) << err;
}

TEST(Loss, RingBufferOverflowIsCountedAndReported) { overload_and_check({"--ringbuf-size", "4096"}); }

TEST(Loss, PerfBufferOverflowIsCountedAndReported) {
  overload_and_check({"--transport", "perfbuf", "--perf-pages", "1"});
}

// The entity id a kernel event carries is the one /proc gives for the same
// process: boot id, tgid and start time in clock ticks.
TEST(Identity, EntityIdMatchesProc) {
  SensorProcess s({});
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sleep", "sleep", "3", nullptr);
    _exit(127);
  }
  json e = s.wait_for([&](const json& x) { return is_exec(x, child); });
  ASSERT_FALSE(e.is_null());
  std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Field 22 (starttime), counted after the ") " that ends comm.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; i++) rest >> field;
  HostInfo h = read_host_info();
  std::string expected = h.boot_id.substr(0, 16) + "-" + std::to_string(child) + "-" + field;
  EXPECT_EQ(e["process"]["entity_id"], expected);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  json x = s.wait_for([&](const json& y) { return is_action(y, "exit", child); });
  EXPECT_EQ(x["process"]["entity_id"], expected);
  EXPECT_EQ(x["nightjar"]["exit"]["signal_name"], "SIGKILL");
}

}  // namespace
}  // namespace nj::e2e
