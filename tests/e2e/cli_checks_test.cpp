// What the command line refuses and what it waits for, as a user meets it:
// every bad value is one line naming the flag and exit 2; an output FIFO
// waits for its reader and says so; privileges are capabilities, not uid 0.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

// With a bound: before these checks, several of the values below ran the
// sensor forever.
Command run_bounded(std::vector<std::string> args) {
  std::vector<std::string> argv{"/usr/bin/timeout", "-s", "KILL", "60", NJ_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

struct BadValue {
  std::vector<std::string> args;
  std::string flag;
};

TEST(CliChecks, EveryBadValueIsOneLineNamingTheFlag) {
  const std::vector<BadValue> table = {
      {{"run", "--duration", "-1"}, "--duration"},
      {{"run", "--duration", "0"}, "--duration"},
      {{"run", "--duration", "nan"}, "--duration"},
      {{"run", "--duration", "inf"}, "--duration"},
      {{"run", "--duration", "1e999"}, "--duration"},
      {{"run", "--health-interval", "-1"}, "--health-interval"},
      {{"run", "--health-interval", "nan"}, "--health-interval"},
      {{"run", "--health-interval", "inf"}, "--health-interval"},
      {{"run", "--output", ""}, "--output"},
      {{"run", "--file-rules", ""}, "--file-rules"},
      {{"run", "--format", "xml"}, "--format"},
      {{"run", "--color", "yes"}, "--color"},
      {{"run", "--ringbuf-size", "5000"}, "--ringbuf-size"},
      {{"run", "--ringbuf-size", "2048"}, "--ringbuf-size"},
      {{"run", "--ringbuf-size", "4294967296"}, "--ringbuf-size"},
      {{"run", "--ringbuf-size", "-4096"}, "--ringbuf-size"},
      {{"run", "--perf-pages", "0"}, "--perf-pages"},
      {{"run", "--perf-pages", "3"}, "--perf-pages"},
      {{"run", "--wakeup-bytes", "-1"}, "--wakeup-bytes"},
      {{"run", "--hash-max-bytes", "-1"}, "--hash-max-bytes"},
      {{"run", "--hash-max-bytes", "0"}, "--hash-max-bytes"},
      {{"run", "--hash-cache", "-1"}, "--hash-cache"},
      {{"run", "--poll-ms", "0"}, "--poll-ms"},
      {{"run", "--poll-ms", "0x10"}, "--poll-ms"},
      {{"run", "--reorder-ms", "0"}, "--reorder-ms"},
      {{"run", "--argv-max", "255"}, "--argv-max"},
      {{"run", "--queue", "15"}, "--queue"},
      {{"run", "--memory-budget", "-16"}, "--memory-budget"},
      {{"run", "--process-cache", "63"}, "--process-cache"},
      {{"run", "--ancestry-depth", "65"}, "--ancestry-depth"},
      {{"run", "--exec-fold-ms", "-1"}, "--exec-fold-ms"},
      {{"run", "--modify-window-ms", "1.5"}, "--modify-window-ms"},
      {{"run", "--udp-window-ms", "1e3"}, "--udp-window-ms"},
      {{"run", "--udp-flow-table", "63"}, "--udp-flow-table"},
      {{"run", "--udp-flow-table", "2097152"}, "--udp-flow-table"},
      {{"run", "--events", ""}, "--events"},
      {{"probe", "--events", ""}, "--events"},
      {{"probe", "--backend", ""}, "--backend"},
  };
  for (const BadValue& b : table) {
    std::string shown;
    for (const auto& a : b.args) shown += " '" + a + "'";
    SCOPED_TRACE("nightjar" + shown);
    const Command c = run_bounded(b.args);
    EXPECT_EQ(c.status, 2) << c.err;
    EXPECT_TRUE(c.out.empty()) << c.out;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
    EXPECT_EQ(c.err.rfind("nightjar: " + b.flag + ": ", 0), 0u) << c.err;
  }
}

TEST(CliChecks, HelpShowsTheRanges) {
  const Command c = run_command({NJ_BINARY, "run", "--help"});
  EXPECT_EQ(c.status, 0);
  EXPECT_NE(c.out.find("a power of two from 4096 to 2147483648"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("0 (none) or a number of seconds above 0"), std::string::npos) << c.out;
}

// `argv` in the background, stderr to err_path, stdout to /dev/null.
pid_t spawn(const std::vector<std::string>& argv, const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(e, 2);
    exec_or_exit(argv);
  }
  return pid;
}

// The exit status within timeout_ms, else -1 (and the process is killed).
int wait_exit(pid_t pid, int timeout_ms) {
  int st = 0;
  if (!wait_until([&] { return waitpid(pid, &st, WNOHANG) == pid; }, timeout_ms)) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct FifoSensor {
  std::string dir = temp_dir();
  std::string fifo = dir + "/events.fifo";
  std::string err = dir + "/stderr";
  pid_t pid = -1;
  FifoSensor() {
    EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    pid = spawn({NJ_BINARY, "run", "--output", fifo, "--events", "process"}, err);
  }
  ~FifoSensor() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::filesystem::remove_all(dir);
  }
  bool says_waiting() {
    return wait_until(
        [&] { return slurp(err).find("waiting for a reader on FIFO " + fifo + "\n") != std::string::npos; }, 30000);
  }
};

TEST(CliChecks, FifoOutputWaitsForAReader) {
  FifoSensor s;
  ASSERT_TRUE(s.says_waiting()) << slurp(s.err);
  // Nothing is loaded while it waits: the line comes before start-up.
  EXPECT_EQ(slurp(s.err).find("running"), std::string::npos) << slurp(s.err);
  const int fd = open(s.fifo.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string got;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (got.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    // End-of-file: the sensor let go of the FIFO between its probe and its
    // real open, which would end any `cat` reading it.
    ASSERT_GT(n, 0) << "end of file before the first line: " << slurp(s.err);
    got.append(buf, static_cast<size_t>(n));
  }
  const json first = json::parse(got.substr(0, got.find('\n')));
  EXPECT_EQ(first["event"]["action"], "sensor-started");
  kill(s.pid, SIGTERM);
  // Read on while it stops so its last lines have somewhere to go.
  std::thread drain([fd] {
    char b[4096];
    while (read(fd, b, sizeof(b)) > 0) {
    }
  });
  EXPECT_EQ(wait_exit(s.pid, 30000), 0) << slurp(s.err);
  drain.join();
  close(fd);
}

TEST(CliChecks, SigtermWhileWaitingForAFifoReaderStops) {
  for (int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(sig);
    FifoSensor s;
    ASSERT_TRUE(s.says_waiting()) << slurp(s.err);
    const auto t0 = std::chrono::steady_clock::now();
    kill(s.pid, sig);
    EXPECT_EQ(wait_exit(s.pid, 5000), 0) << slurp(s.err);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_NE(slurp(s.err).find("while waiting for a reader on FIFO " + s.fifo), std::string::npos) << slurp(s.err);
  }
}

// nobody, with exactly these capabilities in its effective set (ambient:
// they survive the exec of the sensor).
std::vector<std::string> as_nobody(const std::string& caps, std::vector<std::string> argv) {
  std::vector<std::string> out{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  if (!caps.empty()) {
    out.push_back("--inh-caps=" + caps);
    out.push_back("--ambient-caps=" + caps);
  }
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

const char* kSensorCaps = "+bpf,+perfmon,+dac_read_search,+sys_ptrace";

void expect_one_line(const Command& c, int status, const std::string& needle) {
  EXPECT_EQ(c.status, status) << c.err;
  EXPECT_TRUE(c.out.empty()) << c.out;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  EXPECT_NE(c.err.find(needle), std::string::npos) << c.err;
}

TEST(CliChecks, NobodyWithoutCapabilitiesIsToldWhichOnes) {
  const Command c = run_command(as_nobody("", {NJ_BINARY, "run", "--events", "process", "--duration", "1"}));
  expect_one_line(c, 1,
                  "nightjar: error: missing capabilities CAP_BPF (or CAP_SYS_ADMIN), CAP_PERFMON (or CAP_SYS_ADMIN), "
                  "CAP_DAC_READ_SEARCH (or CAP_DAC_OVERRIDE), CAP_SYS_PTRACE");
}

TEST(CliChecks, OneMissingCapabilityIsNamedAlone) {
  const Command c = run_command(as_nobody("+bpf,+perfmon,+dac_read_search", {NJ_BINARY, "run", "--events", "process"}));
  expect_one_line(c, 1, "nightjar: error: missing capabilities CAP_SYS_PTRACE (");
}

// Perf buffers past perf_event_mlock_kb and RLIMIT_MEMLOCK: the mmap
// fails with EPERM unless CAP_IPC_LOCK (seen on this kernel).
TEST(CliChecks, LargePerfBuffersNeedIpcLock) {
  const Command c = run_command(as_nobody(
      kSensorCaps, {NJ_BINARY, "run", "--events", "process", "--transport", "perfbuf", "--perf-pages", "65536"}));
  expect_one_line(c, 1, "nightjar: error: missing capabilities CAP_IPC_LOCK (");
}

TEST(CliChecks, ProbeAsNobodySaysItNeedsPrivileges) {
  const Command c = run_command(as_nobody("", {NJ_BINARY, "probe"}));
  expect_one_line(c, 1,
                  "nightjar: error: probe needs privileges to test this kernel: missing capabilities CAP_BPF (or "
                  "CAP_SYS_ADMIN), CAP_PERFMON (or CAP_SYS_ADMIN), CAP_DAC_READ_SEARCH (or CAP_DAC_OVERRIDE)\n");
}

TEST(CliChecks, ProbeAsNobodyWithCapabilitiesSeesTheKernel) {
  const Command c = run_command(as_nobody("+bpf,+perfmon,+dac_read_search", {NJ_BINARY, "probe"}));
  const Command root = run_command({NJ_BINARY, "probe"});
  EXPECT_EQ(c.status, root.status) << c.err;
  EXPECT_EQ(c.out, root.out);
}

TEST(CliChecks, NobodyWithTheCapabilitiesRunsTheSensor) {
  const std::string dir = temp_dir();
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  const std::string out = dir + "/events.jsonl", err = dir + "/stderr";
  const pid_t pid = spawn(as_nobody(kSensorCaps, {NJ_BINARY, "run", "--output", out, "--events", "process"}), err);
  auto lines = [&] {
    std::vector<json> v;
    std::istringstream in(slurp(out));
    for (std::string l; std::getline(in, l);) v.push_back(json::parse(l));
    return v;
  };
  auto has = [&](const std::function<bool(const json&)>& pred) {
    auto v = lines();
    return std::any_of(v.begin(), v.end(), pred);
  };
  ASSERT_TRUE(
      wait_until([&] { return has([](const json& e) { return e["event"]["action"] == "sensor-started"; }); }, 60000))
      << slurp(err);
  const ToolRun t = run_tool({"/bin/true"});
  ASSERT_EQ(t.status, 0);
  const bool seen = wait_until([&] { return has([&](const json& e) { return is_exec(e, t.pid); }); }, 10000);
  EXPECT_TRUE(seen) << "no exec event for /bin/true (pid " << t.pid << "): " << slurp(err);
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 30000), 0) << slurp(err);
  for (const json& e : lines())
    if (is_exec(e, t.pid)) {
      EXPECT_EQ(e["process"]["executable"], "/usr/bin/true");
      // Hashed: root's process's /proc/<pid>/exe was readable (without
      // CAP_SYS_PTRACE it is not: nightjar.hash.reason "unreadable").
      const json h = get(e, "process.hash.sha256");
      EXPECT_TRUE(h.is_string() && h.get<std::string>().size() == 64) << e.dump();
    }
  expect_schema_valid(out);
  std::filesystem::remove_all(dir);
}

// In a container without the host's PID namespace the sensor cannot match
// the kernel's pids with its /proc: it says so at start, and runs.
TEST(CliChecks, APidNamespaceOfItsOwnIsNamed) {
  const std::string dir = temp_dir();
  const Command c = run_command({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", NJ_BINARY, "run", "--output",
                                 dir + "/events.jsonl", "--events", "process", "--duration", "1"});
  EXPECT_EQ(c.status, 0) << c.err;
  EXPECT_NE(c.err.find("nightjar: warning: the sensor runs in a PID namespace of its own (pid:["), std::string::npos)
      << c.err;
  const Command host =
      run_command({NJ_BINARY, "run", "--output", dir + "/host.jsonl", "--events", "process", "--duration", "1"});
  EXPECT_EQ(host.status, 0) << host.err;
  EXPECT_EQ(host.err.find("PID namespace"), std::string::npos) << host.err;
}

}  // namespace
}  // namespace nj::e2e
