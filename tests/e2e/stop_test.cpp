// Stopping and signals: a stop under load ends the stream at one instant (a
// process's fork, exec and exit are reported up to that instant, never with
// a hole), every stopping signal drains and reports, SIGHUP reopens the
// output, and dispositions inherited from the parent do not stick.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

// Loops of spawn + exec /bin/true + wait from this process, until end().
// posix_spawn (clone with CLONE_VM | CLONE_VFORK, then execve: a fork, an
// exec and an exit to the sensor like fork() + exec) rather than fork():
// fork copies the page tables, and a sanitized test binary's shadow memory
// makes that slow enough (about 60 children a second) that the storm would
// not reach its threshold (scripts/asan-e2e.sh runs this suite too).
class Storm {
 public:
  explicit Storm(int loops) {
    for (int i = 0; i < loops; i++) threads_.emplace_back([this] { loop(); });
  }
  ~Storm() { end(); }
  // Children started so far.
  size_t started() const { return started_.load(); }
  // Stops the loops; the pids of every child they started.
  std::set<long> end() {
    running_ = false;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    return pids_;
  }

 private:
  void loop() {
    std::vector<long> mine;
    while (running_.load()) {
      pid_t p = 0;
      char arg0[] = "true";
      char* argv[] = {arg0, nullptr};
      if (posix_spawn(&p, "/bin/true", nullptr, nullptr, argv, environ) != 0) continue;
      started_++;
      mine.push_back(p);
      waitpid(p, nullptr, 0);
    }
    std::lock_guard<std::mutex> lk(mu_);
    pids_.insert(mine.begin(), mine.end());
  }

  std::atomic<bool> running_{true};
  std::atomic<size_t> started_{0};
  std::mutex mu_;
  std::set<long> pids_;
  std::vector<std::thread> threads_;
};

// Every cause that can leave a child's events with a hole: lost records,
// and runs of a program the kernel skipped (an fentry program finding
// itself already running on its CPU, its first run preempted: often with
// one CPU and full preemption).
uint64_t loss_of(const json& stopped) {
  const json& l = stopped["nightjar"]["loss"];
  return l.value("kernel_lost_total", 0ull) + l.value("transport_lost_total", 0ull) +
         l.value("queue_dropped_total", 0ull) + l.value("program_runs_missed_total", 0ull);
}

class StopStorm : public ::testing::TestWithParam<std::string> {};

// SIGTERM in the middle of a fork/exec storm. What a process did before the
// stop instant is reported, what it did after is not: each child's events
// are a prefix of fork, exec, exit. A child reported forked and exited but
// not exec'd (its exit line then carrying this test's image) is the hole a
// stop that switches hooks off one by one leaves.
TEST_P(StopStorm, EveryProcessStopsAtTheSameInstant) {
  SensorProcess s({"--transport", GetParam(), "--no-hash"});
  Storm storm(2);
  // Enough children before the stop for the stop to land inside the storm
  // (a few seconds in the matrix's emulated one-CPU VM, 1.5 s here).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  while (storm.started() < 300 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int status = s.stop();
  const std::set<long> ours = storm.end();
  ASSERT_EQ(status, 0) << s.stderr_text();

  struct Seen {
    bool fork = false, exec = false, exit = false;
    std::string exit_image;
  };
  std::map<long, Seen> seen;
  const auto& ev = s.events();
  ASSERT_FALSE(ev.empty());
  ASSERT_EQ(ev.back()["event"]["action"], "sensor-stopped") << s.stderr_text();
  for (const json& e : ev) {
    if (!e.contains("process") || !ours.count(e["process"]["pid"].get<long>())) continue;
    Seen& x = seen[e["process"]["pid"].get<long>()];
    const std::string action = e["event"]["action"];
    if (action == "fork") x.fork = true;
    if (action == "exec") x.exec = true;
    if (action == "exit") {
      x.exit = true;
      x.exit_image = e["process"].value("executable", "");
    }
  }
  const std::string image = std::filesystem::canonical("/bin/true").string();
  size_t whole = 0, holes = 0, wrong_image = 0;
  std::string examples;
  for (const auto& [pid, x] : seen) {
    whole += x.fork && x.exec && x.exit;
    const bool prefix = (!x.exec || x.fork) && (!x.exit || x.exec);
    if (!prefix) {
      holes++;
      if (examples.size() < 300)
        examples += " " + std::to_string(pid) + "(fork " + std::to_string(x.fork) + " exec " + std::to_string(x.exec) +
                    " exit " + std::to_string(x.exit) + ")";
    }
    if (x.exit && x.exit_image != image) wrong_image++;
  }
  const json& loss = ev.back()["nightjar"]["loss"];
  const uint64_t lost = loss_of(ev.back());
  std::printf("stop storm: %zu children, %zu seen, %zu whole, %zu with a hole, lost %llu (runs missed %llu)\n",
              ours.size(), seen.size(), whole, holes, static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(loss.value("program_runs_missed_total", 0ull)));
  // The storm was seen, and went on past the stop.
  EXPECT_GT(whole, 100u) << ours.size() << " children";
  EXPECT_GT(ours.size(), seen.size());
  // Only a counted loss can explain a hole.
  EXPECT_LE(holes, lost) << holes << " of " << ours.size() << " children have a hole:" << examples;
  EXPECT_LE(wrong_image, lost) << wrong_image << " exits do not carry " << image;
  EXPECT_EQ(loss["records_sent_total"], loss["records_read_total"]);
  // What the programs held back once stopping is counted, not lost.
  ASSERT_TRUE(loss.contains("records_after_stop_total")) << loss.dump();
  EXPECT_NE(s.stderr_text().find("held back after the stop"), std::string::npos) << s.stderr_text();
  expect_schema_valid(s.output_path());
}

INSTANTIATE_TEST_SUITE_P(StopTransports, StopStorm, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

class StopSignal : public ::testing::TestWithParam<int> {};

// Each stopping signal drains: the event just before it is written, then
// sensor-stopped, and the exit status is 0.
TEST_P(StopSignal, DrainsAndReports) {
  SensorProcess s({});
  json a = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, a["pid"]); }).is_null());
  const json stopped = [&] {
    const int status = s.stop(GetParam());
    EXPECT_EQ(status, 0) << strsignal(GetParam()) << ": " << s.stderr_text();
    return s.events().back();
  }();
  EXPECT_EQ(stopped["event"]["action"], "sensor-stopped") << s.stderr_text();
  EXPECT_EQ(get(stopped, "nightjar.loss.records_sent_total"), get(stopped, "nightjar.loss.records_read_total"));
  EXPECT_NE(s.stderr_text().find("stopped: "), std::string::npos) << s.stderr_text();
  expect_schema_valid(s.output_path());
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, ::testing::Values(SIGINT, SIGTERM, SIGQUIT),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

// logrotate's way: the file is renamed away, SIGHUP, and the sensor writes
// a new file at the path. The old file ends with whole lines, the new one
// gets the events that follow and the final report; nothing is lost.
TEST(Signals, HupReopensTheOutputFile) {
  SensorProcess s({});
  const std::string path = s.output_path(), rotated = path + ".1";
  json a = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, a["pid"]); }).is_null());
  ASSERT_EQ(rename(path.c_str(), rotated.c_str()), 0);
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(wait_until([&] { return access(path.c_str(), F_OK) == 0; }, 5000)) << s.stderr_text();
  json b = act("exec");
  std::vector<json> fresh;
  auto has_b = [&] {
    fresh = read_jsonl(path);
    return std::any_of(fresh.begin(), fresh.end(), [&](const json& e) { return is_exec(e, b["pid"]); });
  };
  EXPECT_TRUE(wait_until(has_b, 5000)) << s.stderr_text();
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();

  const std::vector<json> old = read_jsonl(rotated);
  ASSERT_FALSE(old.empty());
  EXPECT_EQ(old.front()["event"]["action"], "sensor-started");
  EXPECT_TRUE(std::any_of(old.begin(), old.end(), [&](const json& e) { return is_exec(e, a["pid"]); }));
  fresh = read_jsonl(path);
  ASSERT_FALSE(fresh.empty());
  EXPECT_TRUE(std::any_of(fresh.begin(), fresh.end(), [&](const json& e) { return is_exec(e, b["pid"]); }));
  const json& stopped = fresh.back();
  EXPECT_EQ(stopped["event"]["action"], "sensor-stopped");
  EXPECT_EQ(loss_of(stopped), 0u) << stopped.dump();
  EXPECT_EQ(get(stopped, "nightjar.loss.records_sent_total"), get(stopped, "nightjar.loss.records_read_total"));
  // The new file keeps the old one's mode, as created by the sensor.
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_NE(s.stderr_text().find("SIGHUP: output reopened: " + path), std::string::npos) << s.stderr_text();
  expect_schema_valid(rotated);
  expect_schema_valid(path);
}

// With stdout as the output there is nothing to reopen: SIGHUP is logged
// and the sensor goes on.
TEST(Signals, HupWithStdoutOutputKeepsRunning) {
  const std::string dir = temp_dir(), out = dir + "/stdout", err = dir + "/stderr";
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    execl(NJ_BINARY, NJ_BINARY, "run", "--events", "process", static_cast<char*>(nullptr));
    _exit(127);
  }
  auto text = [](const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ASSERT_TRUE(wait_until([&] { return text(err).find(" running: ") != std::string::npos; }, 60000)) << text(err);
  kill(pid, SIGHUP);
  EXPECT_TRUE(wait_until([&] { return text(err).find("SIGHUP: ") != std::string::npos; }, 5000)) << text(err);
  json a = act("exec");
  EXPECT_TRUE(wait_until(
      [&] {
        const auto ev = read_jsonl(out);
        return std::any_of(ev.begin(), ev.end(), [&](const json& e) { return is_exec(e, a["pid"]); });
      },
      5000));
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st << ": " << text(err);
  EXPECT_EQ(WEXITSTATUS(st), 0) << text(err);
  const auto ev = read_jsonl(out);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()["event"]["action"], "sensor-stopped");
  std::filesystem::remove_all(dir);
}

// A parent that ignores and blocks SIGTERM (and the others) passes both on
// through exec; the sensor still stops cleanly on SIGTERM.
TEST(Signals, InheritedIgnoredAndBlockedSignalsAreReset) {
  sigset_t set, old_mask;
  sigemptyset(&set);
  struct sigaction ignore = {}, old_action[4];
  ignore.sa_handler = SIG_IGN;
  const int sigs[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
  for (int i = 0; i < 4; i++) {
    sigaddset(&set, sigs[i]);
    sigaction(sigs[i], &ignore, &old_action[i]);
  }
  pthread_sigmask(SIG_BLOCK, &set, &old_mask);
  std::optional<SensorProcess> s;
  s.emplace(std::vector<std::string>{});  // forks now: the child inherits both
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  for (int i = 0; i < 4; i++) sigaction(sigs[i], &old_action[i], nullptr);

  // What a user checks: the running sensor's masks in /proc.
  std::ifstream status("/proc/" + std::to_string(s->pid()) + "/status");
  std::map<std::string, unsigned long long> masks;
  for (std::string l; std::getline(status, l);)
    for (const char* k : {"SigBlk:", "SigIgn:"})
      if (l.rfind(k, 0) == 0) masks[k] = std::stoull(l.substr(strlen(k)), nullptr, 16);
  for (int sig : sigs) {
    const unsigned long long bit = 1ull << (sig - 1);
    EXPECT_EQ(masks["SigBlk:"] & bit, 0u) << sigabbrev_np(sig) << " still blocked";
    EXPECT_EQ(masks["SigIgn:"] & bit, 0u) << sigabbrev_np(sig) << " still ignored";
  }
  json a = act("exec");
  ASSERT_FALSE(s->wait_for([&](const json& e) { return is_exec(e, a["pid"]); }).is_null());
  EXPECT_EQ(s->stop(SIGTERM, 20000), 0) << s->stderr_text();
  EXPECT_EQ(s->events().back()["event"]["action"], "sensor-stopped");
}

}  // namespace
}  // namespace nj::e2e
