// --journal against a real systemd-journald, read back with `journalctl -o
// json`: the file and the journal written at once hold the same events
// (the journal's NIGHTJAR_JSON is the file's line), a real exec's entry has
// its MESSAGE and fields, `journalctl NIGHTJAR_ACTION=exec` finds it. With
// no journald the journal's lines are counted lost, said once on stderr,
// and the file beside it is complete; a journald that reads nothing
// (stopped) costs counted lines and never holds the sensor's stop.
//
// This machine's PID 1 is not systemd and no journald runs; a test must not
// use the host's journal where one runs either. So each test starts its own
// journald in a mount namespace of its own: a child unshares the mount
// namespace, makes every mount private (nothing propagates to the host),
// mounts a tmpfs over /run (journald makes /run/systemd/journal/socket and
// its volatile store /run/log/journal there) and over /var/log/journal (so
// nothing reaches the host's persistent journal), binds a journald.conf
// without rate limit over /etc/systemd/journald.conf (a busy machine's
// events would otherwise be suppressed by journald, not by us), and execs
// /lib/systemd/systemd-journald. The sensor is started inside that
// namespace (setns before exec: libsystemd sends to the fixed path
// /run/systemd/journal/socket), the actions run outside (the BPF programs
// see every process), and journalctl reads the store through
// /proc/<journald>/root, which resolves paths in journald's namespace.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
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

// A mount namespace of its own, with journald running in it (or, `absent`,
// no journald: nothing listens at the socket's path).
class Journald {
 public:
  Journald(const std::string& dir, bool absent) {
    const std::string conf = dir + "/journald.conf";
    std::ofstream(conf) << "[Journal]\nStorage=volatile\nRateLimitIntervalSec=0\nRateLimitBurst=0\n";
    pid_ = fork();
    if (pid_ == 0) {
      if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
          mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0)
        _exit(125);
      struct stat st;
      if (stat("/var/log/journal", &st) == 0 && mount("tmpfs", "/var/log/journal", "tmpfs", 0, "mode=0755") != 0)
        _exit(125);
      if (mount(conf.c_str(), "/etc/systemd/journald.conf", nullptr, MS_BIND, nullptr) != 0) _exit(125);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      if (absent) {
        for (;;) pause();
      }
      execl("/lib/systemd/systemd-journald", "systemd-journald", nullptr);
      _exit(127);
    }
    const std::string wait_for = absent ? "/run" : "/run/systemd/journal/socket";
    for (int i = 0; i < 500 && !ready(wait_for); i++) std::this_thread::sleep_for(10ms);
  }
  ~Journald() {
    if (pid_ > 0) {
      kill(pid_, SIGCONT);
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready(const std::string& path) const {
    struct stat st, host;
    // /run in the namespace is the new tmpfs once its device differs.
    if (path == "/run")
      return stat(root("/run").c_str(), &st) == 0 && stat("/run", &host) == 0 && st.st_dev != host.st_dev;
    return stat(root(path).c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
  }
  std::string root(const std::string& path) const { return "/proc/" + std::to_string(pid_) + "/root" + path; }
  std::string ns() const { return "/proc/" + std::to_string(pid_) + "/ns/mnt"; }
  int pid() const { return pid_; }
  // The sensor's entries (matches: journalctl's FIELD=value filters).
  std::vector<json> entries(const std::vector<std::string>& matches = {}) const {
    std::vector<std::string> argv{
        "/usr/bin/journalctl", "-D", root("/run/log/journal"), "-o", "json", "--all", "--no-pager", "-t", "nightjar"};
    argv.insert(argv.end(), matches.begin(), matches.end());
    Command c = run_command(argv);
    EXPECT_EQ(c.status, 0) << c.err;
    return parse_jsonl(c.out);
  }

 private:
  pid_t pid_ = -1;
};

// `nightjar run ARGS` inside journald's namespace, stderr in a file.
class Sensor {
 public:
  Sensor(const Journald& j, const std::vector<std::string>& args, const std::string& err) : err_(err) {
    const std::string ns = j.ns();
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(ns.c_str(), O_RDONLY);
      if (fd < 0 || setns(fd, CLONE_NEWNS) != 0) _exit(125);
      int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(e, 2);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      std::vector<std::string> argv{NJ_BINARY, "run"};
      argv.insert(argv.end(), args.begin(), args.end());
      exec_or_exit(argv);
    }
  }
  ~Sensor() {
    if (pid_ > 0) stop(5s);
  }
  // SIGTERM; the exit status, or -1 when it did not end within `limit`
  // (then killed).
  int stop(std::chrono::milliseconds limit = 60s) {
    kill(pid_, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + limit;
    int st = 0;
    while (waitpid(pid_, &st, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  std::string err() const { return slurp(err_); }

 private:
  pid_t pid_ = -1;
  std::string err_;
};

bool wait_for_text(const std::string& path, const std::string& needle, std::chrono::milliseconds limit) {
  return wait_until([&] { return slurp(path).find(needle) != std::string::npos; }, static_cast<int>(limit.count()));
}

class JournalOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (access("/lib/systemd/systemd-journald", X_OK) != 0 || !have_program("journalctl"))
      GTEST_SKIP() << "systemd-journald is not installed";
    dir_ = temp_dir();
    out_ = dir_ + "/events.jsonl";
  }
  void TearDown() override {
    if (!dir_.empty() && all_passed()) std::filesystem::remove_all(dir_);
  }
  // Runs the sensor with the file and the journal; `during` acts while it
  // runs. The file's events.
  std::vector<json> run(Journald& j, const std::function<void()>& during, std::string* err = nullptr,
                        int* status = nullptr) {
    Sensor s(j, {"--output", out_, "--journal", "--events", "process", "--health-interval", "0"}, dir_ + "/err");
    EXPECT_TRUE(wait_for_text(out_, "sensor-started", 60s)) << s.err();
    during();
    const int rc = s.stop();
    if (status) *status = rc;
    else EXPECT_EQ(rc, 0) << s.err();
    if (err) *err = s.err();
    return parse_jsonl(slurp(out_));
  }
  std::string dir_, out_;
};

TEST_F(JournalOutput, TheJournalHoldsTheFilesEventsWithTheirFields) {
  Journald j(dir_, false);
  ASSERT_TRUE(j.ready("/run/systemd/journal/socket")) << "journald did not start";
  json a;
  std::string err;
  std::vector<json> file = run(
      j, [&] { a = act("exec"); }, &err);
  ASSERT_FALSE(a.is_null());
  ASSERT_GE(file.size(), 3u);
  EXPECT_EQ(file.front()["event"]["action"], "sensor-started");
  EXPECT_EQ(file.back()["event"]["action"], "sensor-stopped");
  EXPECT_EQ(file.back()["nightjar"]["loss"]["output_failed_total"], 0) << err;
  EXPECT_EQ(file.back()["nightjar"]["loss"]["outputs"]["journal"]["failed_total"], 0);
  EXPECT_EQ(file.back()["nightjar"]["loss"]["outputs"]["file"]["failed_total"], 0);

  // Every line of the file, in order, is an entry's NIGHTJAR_JSON (both
  // lost nothing, and no loss report was due).
  std::vector<json> entries = j.entries();
  ASSERT_EQ(entries.size(), file.size()) << err;
  std::ofstream journal_json(dir_ + "/journal.jsonl");
  for (size_t i = 0; i < entries.size(); i++) {
    ASSERT_TRUE(entries[i].contains("NIGHTJAR_JSON")) << entries[i].dump();
    const std::string line = entries[i]["NIGHTJAR_JSON"];
    journal_json << line << "\n";
    EXPECT_EQ(json::parse(line), file[i]) << i;
    EXPECT_EQ(entries[i]["SYSLOG_IDENTIFIER"], "nightjar");
    EXPECT_EQ(entries[i]["_TRANSPORT"], "journal");  // the native protocol
  }
  journal_json.close();
  expect_schema_valid(dir_ + "/journal.jsonl");

  // The exec, found by its fields as an operator would.
  const long pid = a["pid"];
  std::vector<json> found = j.entries({"NIGHTJAR_ACTION=exec", "NIGHTJAR_PID=" + std::to_string(pid)});
  ASSERT_EQ(found.size(), 1u);
  const json& x = found[0];
  const json ev = json::parse(x["NIGHTJAR_JSON"].get<std::string>());
  const json in_file = [&] {
    for (const json& e : file)
      if (is_exec(e, pid)) return e;
    return json();
  }();
  ASSERT_FALSE(in_file.is_null());
  EXPECT_EQ(ev["event"]["id"], in_file["event"]["id"]);
  EXPECT_EQ(ev, in_file);
  const std::string exe = std::filesystem::canonical("/bin/true").string();
  EXPECT_EQ(ev["process"]["executable"], exe);
  std::string message = "exec " + exe + " pid " + std::to_string(pid);
  if (ev["process"]["parent"].contains("name")) message += " by " + ev["process"]["parent"]["name"].get<std::string>();
  EXPECT_EQ(x["MESSAGE"], message);
  EXPECT_EQ(x["PRIORITY"], "6");
  EXPECT_EQ(x["NIGHTJAR_ACTION"], "exec");
  EXPECT_EQ(x["NIGHTJAR_FAMILY"], "process");
  EXPECT_EQ(x["NIGHTJAR_PID"], std::to_string(pid));
  EXPECT_EQ(x["NIGHTJAR_EXE"], exe);
  const json& user = ev["process"]["user"];
  EXPECT_EQ(x["NIGHTJAR_USER"], user.contains("name") ? user["name"] : user["id"]);
  EXPECT_EQ(x["NIGHTJAR_EVENT_ID"], in_file["event"]["id"]);
  EXPECT_EQ(x["NIGHTJAR_OUTCOME"], "success");
}

TEST_F(JournalOutput, WithoutJournaldTheJournalsLinesAreCountedAndTheFileIsComplete) {
  Journald j(dir_, true);
  ASSERT_TRUE(j.ready("/run")) << "the namespace was not made";
  json a;
  std::string err;
  std::vector<json> file = run(
      j, [&] { a = act("exec"); }, &err);
  ASSERT_FALSE(a.is_null());
  ASSERT_GE(file.size(), 3u);
  EXPECT_EQ(file.front()["event"]["action"], "sensor-started");
  const json& last = file.back();
  ASSERT_EQ(last["event"]["action"], "sensor-stopped");
  bool exec_seen = false;
  size_t events = 0, reports = 0;
  for (const json& e : file) {
    exec_seen |= is_exec(e, a["pid"]);
    if (e["event"]["action"] == "events-lost") reports++;
    else events++;
  }
  EXPECT_TRUE(exec_seen);
  expect_schema_valid(out_);

  // The journal was offered every line the file got but the file's own loss
  // reports: each was lost.
  const json& loss = last["nightjar"]["loss"];
  EXPECT_EQ(loss["outputs"]["file"]["failed_total"], 0);
  EXPECT_EQ(loss["outputs"]["file"]["queue_dropped_total"], 0);
  // Its counts cover every line before the last report, which says what
  // the journal lost since the previous one (its last lines).
  ASSERT_EQ(file[file.size() - 2]["event"]["action"], "events-lost");
  EXPECT_GT(file[file.size() - 2]["nightjar"]["loss"]["outputs"]["journal"]["failed"], 0);
  EXPECT_EQ(loss["outputs"]["file"]["written_total"], file.size() - 2);
  EXPECT_EQ(loss["outputs"]["journal"]["written_total"], 0);
  EXPECT_GE(loss["outputs"]["journal"]["failed_total"].get<uint64_t>(), events - 1);
  EXPECT_EQ(loss["output_failed_total"], loss["outputs"]["journal"]["failed_total"]);
  // The file was told: at least one events-lost line counts the journal's.
  EXPECT_GE(reports, 1u);
  for (const json& e : file)
    if (e["event"]["action"] == "events-lost") {
      EXPECT_GT(e["nightjar"]["loss"]["outputs"]["journal"]["failed"], 0);
      EXPECT_EQ(e["nightjar"]["loss"]["outputs"]["file"]["failed"], 0);
      break;
    }

  // Said once on stderr, naming the output and why.
  const std::string needle = "output journal: cannot write: No such file or directory";
  size_t n = 0;
  for (size_t at = err.find(needle); at != std::string::npos; at = err.find(needle, at + 1)) n++;
  EXPECT_EQ(n, 1u) << err;
  EXPECT_TRUE(std::regex_search(err, std::regex("stopped: .*output failed [1-9][0-9]* lines \\(0 partial\\) \\(file 0 "
                                                "dropped, 0 failed, journal 0 dropped, [1-9][0-9]* failed\\)")))
      << err;
}

// journald stopped (SIGSTOP) reads nothing: once its socket's queue is full
// each send would block forever. The journal's writer gives up after a
// second per batch (counted, EAGAIN), the file gets everything, and the
// sensor stops when asked.
TEST_F(JournalOutput, AJournaldThatReadsNothingCostsCountedLinesAndNeverHoldsTheStop) {
  Journald j(dir_, false);
  ASSERT_TRUE(j.ready("/run/systemd/journal/socket")) << "journald did not start";
  std::string err;
  int status = -1;
  json a;
  auto started = std::chrono::steady_clock::now();
  std::vector<json> file = run(
      j,
      [&] {
        kill(j.pid(), SIGSTOP);
        // Far more entries than a socket queue holds (net.unix.max_dgram_qlen).
        Command c = run_command({"/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do /bin/true; i=$((i+1)); done"});
        EXPECT_EQ(c.status, 0);
        a = act("exec");
        std::this_thread::sleep_for(2s);
        started = std::chrono::steady_clock::now();
      },
      &err, &status);
  const auto stop_took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status, 0) << err;
  EXPECT_LT(stop_took, 15s) << err;
  ASSERT_FALSE(file.empty());
  const json& last = file.back();
  ASSERT_EQ(last["event"]["action"], "sensor-stopped");
  bool exec_seen = false;
  for (const json& e : file) exec_seen |= is_exec(e, a["pid"]);
  EXPECT_TRUE(exec_seen);
  const json& loss = last["nightjar"]["loss"];
  EXPECT_EQ(loss["outputs"]["file"]["failed_total"], 0);
  EXPECT_GT(loss["outputs"]["journal"]["failed_total"], 0) << err;
  EXPECT_NE(err.find("output journal: cannot write: Resource temporarily unavailable"), std::string::npos) << err;
}

}  // namespace
}  // namespace nj::e2e
