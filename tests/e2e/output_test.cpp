// The output fails, the sensor does not go blind silently: a full disk costs
// whole lines, each counted, reported on stderr at once and in-band once the
// disk has room again; /dev/full is counted the same; --on-output-error stop
// ends the sensor with a reason; a kernel interface is refused at start; and
// stdout's reader leaving (`nightjar run | head -1`) ends the sensor.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

using namespace std::chrono_literals;

// `nightjar run ARGS` with stdout on `out_fd` and stderr in a file, as an
// operator would start it (SensorProcess always writes to its own file).
class Nightjar {
 public:
  Nightjar(const std::vector<std::string>& args, int out_fd, const std::string& err_path) : err_(err_path) {
    pid_ = fork();
    if (pid_ == 0) {
      int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(e, 2);
      dup2(out_fd, 1);
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      std::vector<std::string> argv{NJ_BINARY, "run"};
      argv.insert(argv.end(), args.begin(), args.end());
      exec_or_exit(argv);
    }
  }
  ~Nightjar() {
    if (pid_ > 0) stop();
  }
  // The exit status once it ended within `limit`, else -1 (still running).
  int wait(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    do {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < end);
    return -1;
  }
  int stop() {
    kill(pid_, SIGTERM);
    int rc = wait(60s);
    if (rc < 0) {
      kill(pid_, SIGKILL);
      rc = wait(10s);
    }
    return rc;
  }
  std::string err() const { return slurp(err_); }
  pid_t pid() const { return pid_; }
  bool wait_err(const std::string& needle, std::chrono::milliseconds limit) {
    return wait_until([&] { return err().find(needle) != std::string::npos; }, static_cast<int>(limit.count()));
  }

 private:
  pid_t pid_ = -1;
  std::string err_;
};

// n fork+exec of /bin/true: three events each (fork, exec, exit).
void exec_true(int n) {
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      execl("/bin/true", "true", nullptr);
      _exit(127);
    }
    waitpid(p, nullptr, 0);
  }
}

bool has_action(const std::string& path, const std::string& action, std::chrono::milliseconds limit) {
  const std::string needle = "\"action\":\"" + action + "\"";
  return wait_until([&] { return slurp(path).find(needle) != std::string::npos; }, static_cast<int>(limit.count()));
}

// The first line from a pipe, as `head -1` reads it (a minute at most).
std::string read_line(int fd) {
  std::string line;
  char c;
  struct pollfd pfd = {fd, POLLIN, 0};
  while (line.find('\n') == std::string::npos && poll(&pfd, 1, 60000) > 0 && read(fd, &c, 1) == 1) line += c;
  return line;
}

class OutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    dir_ = temp_dir();
  }
  void TearDown() override {
    if (!mnt_.empty()) umount2(mnt_.c_str(), MNT_DETACH);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_, mnt_;
};

TEST_F(OutputTest, AFullDiskCostsWholeLinesCountedAndReportedOnceThereIsRoom) {
  mnt_ = dir_ + "/mnt";
  ASSERT_EQ(mkdir(mnt_.c_str(), 0755), 0);
  ASSERT_EQ(mount("tmpfs", mnt_.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
  const std::string out = mnt_ + "/events.jsonl";
  const int devnull = open("/dev/null", O_WRONLY);
  Nightjar s({"--output", out, "--events", "process"}, devnull, dir_ + "/stderr");
  close(devnull);
  ASSERT_TRUE(has_action(out, "sensor-started", 60s)) << s.err();

  // A thousand execs: some 3000 lines of 1-2 KiB, for 64 KiB.
  exec_true(1000);
  ASSERT_TRUE(s.wait_err("output: cannot write: No space left on device", 10s)) << s.err();
  EXPECT_EQ(s.wait(1500ms), -1) << "the default policy keeps the sensor running: " << s.err();
  const std::string full = slurp(out);
  ASSERT_FALSE(full.empty());
  EXPECT_EQ(full.back(), '\n') << "no partial line left at the end";
  const size_t lines_when_full = parse_jsonl(full).size();

  // Room again: writing resumes by itself, and the loss is reported in-band.
  ASSERT_EQ(mount("tmpfs", mnt_.c_str(), "tmpfs", MS_REMOUNT, "size=256m"), 0) << strerror(errno);
  exec_true(5);
  ASSERT_TRUE(s.wait_err("output: writing works again; ", 10s)) << s.err();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  json report;
  while (report.is_null() && std::chrono::steady_clock::now() < deadline) {
    for (const json& e : parse_jsonl(slurp(out)))
      if (get(e, "event.action") == "events-lost" && get(e, "nightjar.loss.output_failed") > 0) report = e;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(report.is_null()) << "no events-lost line counting output_failed: " << s.err();
  EXPECT_EQ(s.stop(), 0) << s.err();

  const std::vector<json> ev = parse_jsonl(slurp(out));
  ASSERT_GT(ev.size(), lines_when_full);
  EXPECT_EQ(get(ev.front(), "event.action"), "sensor-started");
  ASSERT_EQ(get(ev.back(), "event.action"), "sensor-stopped");
  const json& total = ev.back()["nightjar"]["loss"];
  const uint64_t failed = total["output_failed_total"].get<uint64_t>();
  EXPECT_GT(failed, 1000u);
  EXPECT_EQ(total["output_torn_total"], 0) << "a file is cut back to its last whole line";
  // The reports written add up to the total: one lost while the disk was
  // full was counted again by the next.
  uint64_t sum = 0, events_written = 0;
  for (const json& e : ev) {
    if (get(e, "event.action") == "events-lost") sum += e["nightjar"]["loss"]["output_failed"].get<uint64_t>();
    if (e.contains("process")) events_written++;
  }
  EXPECT_EQ(sum, failed);
  // Every event is written or counted lost (the count also holds the
  // sensor's own lines that were lost).
  const uint64_t events = ev.back()["nightjar"]["events"].get<uint64_t>();
  EXPECT_LE(events_written, events);
  EXPECT_GE(events_written + failed + total["queue_dropped_total"].get<uint64_t>(), events);
  const std::string err = s.err();
  EXPECT_NE(err.find("output failed " + std::to_string(failed) + " lines (0 partial)"), std::string::npos) << err;
  expect_schema_valid(out);
}

TEST_F(OutputTest, DevFullCountsEveryLine) {
  const int devnull = open("/dev/null", O_WRONLY);
  Nightjar s({"--output", "/dev/full", "--events", "process", "--duration", "3"}, devnull, dir_ + "/stderr");
  close(devnull);
  ASSERT_TRUE(s.wait_err(" running: ", 60s)) << s.err();
  exec_true(20);
  ASSERT_EQ(s.wait(60s), 0) << s.err();
  const std::string err = s.err();
  EXPECT_NE(err.find("output: cannot write: No space left on device"), std::string::npos) << err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(err, m, std::regex("output failed ([0-9]+) lines"))) << err;
  // At least sensor-started, this test's 20 execs and sensor-stopped.
  EXPECT_GE(std::stoull(m[1]), 22u) << err;
}

TEST_F(OutputTest, StopPolicyEndsTheSensorWithAReason) {
  const int devnull = open("/dev/null", O_WRONLY);
  Nightjar s({"--output", "/dev/full", "--events", "process", "--on-output-error", "stop"}, devnull, dir_ + "/stderr");
  close(devnull);
  const int rc = s.wait(60s);
  const std::string err = s.err();
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("nightjar: error: stopping: the output failed (No space left on device) and "
                     "--on-output-error is stop\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("stopped: "), std::string::npos) << err;
}

TEST_F(OutputTest, AKernelInterfaceIsRefusedAtStart) {
  // --duration: a sensor that took the path would still end.
  Command c = run_command({NJ_BINARY, "run", "--output", "/proc/version", "--events", "process", "--duration", "5"});
  EXPECT_EQ(c.status, 1);
  EXPECT_EQ(c.err, "nightjar: error: output /proc/version is on procfs, a kernel interface that stores no events\n");
}

TEST_F(OutputTest, StdoutsReaderLeavingEndsTheSensor) {
  int p[2];
  // Close-on-exec: the sensor must not hold a read end of its own.
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  Nightjar s({"--events", "process"}, p[1], dir_ + "/stderr");
  close(p[1]);
  // `| head -1`: one line read, then the read end closed.
  const std::string first = read_line(p[0]);
  close(p[0]);
  ASSERT_FALSE(first.empty()) << s.err();
  EXPECT_EQ(get(json::parse(first), "event.action"), "sensor-started");
  // Something to write: the next write finds the reader gone. The stop
  // itself detaches every program (a grace period each: seconds on a loaded
  // machine); 60 s tells "stops" from "runs on".
  const auto t0 = std::chrono::steady_clock::now();
  int rc = -1;
  while (rc < 0 && std::chrono::steady_clock::now() - t0 < 60s) {
    exec_true(1);
    rc = s.wait(100ms);
  }
  const std::string err = s.err();
  ASSERT_EQ(rc, 0) << "still running 60 s after its reader left: " << err;
  EXPECT_NE(err.find("stopping: the output's reader went away (Broken pipe)"), std::string::npos) << err;
  EXPECT_NE(err.find("stopped: "), std::string::npos) << err;
}

// `nightjar run | less` and nobody scrolls: the pipe fills, the writer waits
// for room. A stop must not wait for the reader: what it has not taken two
// seconds into the stop is given up, counted and said.
TEST_F(OutputTest, AReaderThatStopsReadingCannotHoldTheStop) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  Nightjar s({"--events", "process"}, p[1], dir_ + "/stderr");
  close(p[1]);
  // The sensor-started line read, then no more: the reader is alive.
  const std::string first = read_line(p[0]);
  ASSERT_FALSE(first.empty()) << s.err();
  // More than the pipe holds (64 KiB; an exec's three events are ~3 KiB).
  exec_true(100);
  ASSERT_TRUE(s.wait_err("running", 1s)) << s.err();
  const auto t0 = std::chrono::steady_clock::now();
  kill(s.pid(), SIGTERM);
  const int rc = s.wait(30s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(p[0]);
  const std::string err = s.err();
  ASSERT_EQ(rc, 0) << "the stop waited " << took << " s for a reader that does not read: " << err;
  EXPECT_LT(took, 15.0) << err;
  EXPECT_NE(err.find("output: lines still not taken at the stop (is its reader reading?): "), std::string::npos) << err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(err, m, std::regex("output failed ([0-9]+) lines"))) << err;
  EXPECT_GT(std::stoul(m[1]), 0u) << err;
}

}  // namespace
}  // namespace nj::e2e
