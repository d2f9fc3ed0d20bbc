// The loader against this kernel: every program of every backend passes the
// verifier here, even those that cannot attach (kprobes are compiled out of
// this kernel but their programs still load), and start-up refuses what it
// cannot do with one clear line.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include <algorithm>
#include <set>
#include <sstream>

#include "harness.h"
#include "loader/grace_period.h"
#include "loader/sensor.h"

namespace nj::e2e {
namespace {

void expect_all_load(Backend b) {
  SystemFeatures f;
  SensorConfig c;
  c.load_all_of = b;
  auto s = Sensor::open(c, f);
  ASSERT_TRUE(s) << s.error().message;
  auto stats = (*s)->program_stats();
  // Every program of this kind (fentry and tp_btf: those whose target
  // exists here; those calling a newer BPF helper: where it exists).
  std::set<std::string> expected;
  for (const auto& [prog, need] : programs_with_needs(b))
    if (!loads_only_where_met(b, need) || requirement_met(f, need)) expected.insert(prog);
  ASSERT_EQ(stats.size(), expected.size());
  // Kernels before 5.16 do not report how many instructions were verified.
  const bool reported = std::any_of(stats.begin(), stats.end(), [](auto& p) { return p.verified_insns > 0; });
  for (const auto& p : stats) {
    if (!reported) {
      std::printf("  %-28s verified %7u  xlated %5u\n", p.name.c_str(), 0u, p.xlated_insns);
      continue;
    }
    EXPECT_GT(p.verified_insns, 0u) << p.name;
    // Far below the 1M-instruction verifier budget, so older verifiers
    // (less precise pruning) have room; a loop change that multiplies the
    // verifier's states shows up here first.
    EXPECT_LT(p.verified_insns, 100000u) << p.name;
    std::printf("  %-28s verified %7u  xlated %5u\n", p.name.c_str(), p.verified_insns, p.xlated_insns);
  }
}

TEST(Verifier, EveryKprobeProgramLoads) { expect_all_load(Backend::kprobe); }
TEST(Verifier, EveryTracepointProgramLoads) { expect_all_load(Backend::tracepoint); }
TEST(Verifier, EveryFentryProgramLoads) {
  // fentry programs are checked against the kernel's BTF at load time, so
  // they load only where trampolines work (not on the development machine).
  if (!SystemFeatures().fentry()) GTEST_SKIP() << "fentry programs cannot be loaded on this kernel";
  expect_all_load(Backend::fentry);
}

class NoBtf final : public KernelFeatures {
 public:
  bool btf() const override { return false; }
  bool ringbuf() const override { return true; }
  bool tracepoint(const std::string&, const std::string&) const override { return true; }
  bool tp_btf(const std::string&) const override { return false; }
  bool kprobes() const override { return false; }
  bool kernel_function(const std::string&) const override { return false; }
  bool syscall_function(const std::string&) const override { return false; }
  bool fentry() const override { return false; }
  bool btf_function(const std::string&) const override { return false; }
  std::string kernel_release() const override { return "test"; }
};

// The stop waits for running programs through a map-of-maps update
// (src/loader/grace_period.h): the kernel must take both maps and the
// update, or the sensor falls back to membarrier.
TEST(Verifier, TheStopsGracePeriodIsAvailable) {
  auto g = GracePeriod::create();
  ASSERT_TRUE(g) << g.error().message;
  for (int i = 0; i < 3; i++) {
    auto r = g->wait();
    EXPECT_TRUE(r) << r.error().message;
  }
}

TEST(Loader, NoBtfIsAClearError) {
  auto s = Sensor::open(SensorConfig{}, NoBtf{});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("BTF"), std::string::npos) << s.error().message;
}

// One line on stderr, nothing on stdout, the given exit status.
void expect_one_line_error(const Command& c, int status, const std::string& needle) {
  EXPECT_EQ(c.status, status) << c.err;
  EXPECT_TRUE(c.out.empty()) << c.out;
  ASSERT_FALSE(c.err.empty());
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
  EXPECT_NE(c.err.find(needle), std::string::npos) << c.err;
}

TEST(Cli, UnwritableOutput) {
  expect_one_line_error(run_command({NJ_BINARY, "run", "--output", "/proc/nj-nope/events.jsonl"}), 1,
                        "cannot open output file /proc/nj-nope/events.jsonl");
}

TEST(Cli, UnknownEventFamily) {
  expect_one_line_error(run_command({NJ_BINARY, "run", "--events", "process,bogus"}), 2,
                        "unknown event family 'bogus'");
}

TEST(Cli, UnknownTransport) {
  expect_one_line_error(run_command({NJ_BINARY, "run", "--transport", "pigeon"}), 2, "--transport");
}

TEST(Cli, UnknownBackend) {
  expect_one_line_error(run_command({NJ_BINARY, "run", "--backend", "ebpf"}), 2, "unknown backend 'ebpf'");
}

TEST(Cli, UnknownFlag) { expect_one_line_error(run_command({NJ_BINARY, "run", "--frob"}), 2, "--frob"); }

TEST(Cli, NoSubcommand) { EXPECT_EQ(run_command({NJ_BINARY}).status, 2); }

TEST(Cli, Version) {
  auto c = run_command({NJ_BINARY, "--version"});
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.out, "0.1.0\n");
}

TEST(Cli, ProbeNamesEveryHook) {
  auto c = run_command({NJ_BINARY, "probe"});
  EXPECT_EQ(c.status, 0) << c.err;
  for (const Hook& h : hook_table()) EXPECT_NE(c.out.find(h.name + " "), std::string::npos) << h.name;
  EXPECT_NE(c.out.find("tpbtf__sched_process_exec"), std::string::npos);
}

TEST(Cli, OutputFileIsCreated0640AndAppended) {
  std::string dir = temp_dir();
  std::string path = dir + "/events.jsonl";
  mode_t old = umask(0);
  auto c = run_command({NJ_BINARY, "run", "--output", path, "--duration", "0.2"});
  umask(old);
  EXPECT_EQ(c.status, 0) << c.err;
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  auto first = st.st_size;
  c = run_command({NJ_BINARY, "run", "--output", path, "--duration", "0.2"});
  EXPECT_EQ(c.status, 0) << c.err;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_GT(st.st_size, first) << "second run must append";
  std::filesystem::remove_all(dir);
}

TEST(Cli, DurationStopsCleanlyToStdout) {
  auto c = run_command({NJ_BINARY, "run", "--duration", "0.5"});
  EXPECT_EQ(c.status, 0) << c.err;
  std::istringstream in(c.out);
  std::string first, line, last;
  std::getline(in, first);
  while (std::getline(in, line)) last = line;
  EXPECT_EQ(json::parse(first)["event"]["action"], "sensor-started");
  EXPECT_EQ(json::parse(last)["event"]["action"], "sensor-stopped");
}

// SIGINT (a terminal's ^C) or SIGTERM (systemd) right after an action: the
// event the kernel already delivered is still written before the sensor
// exits, even though the reader was asleep.
TEST(Cli, SignalsDrain) {
  for (const char* transport : {"ringbuf", "perfbuf"})
    for (int sig : {SIGINT, SIGTERM}) {
      SCOPED_TRACE(std::string(transport) + " signal " + std::to_string(sig));
      SensorProcess s({"--transport", transport, "--poll-ms", "5000"});
      json a = act("exec");
      EXPECT_EQ(s.stop(sig), 0);
      bool found = false;
      for (const auto& e : s.events()) found |= is_exec(e, a["pid"]);
      EXPECT_TRUE(found) << "exec of pid " << a["pid"] << " not drained";
    }
}

// This kernel has no kprobes: forcing them falls back per hook, says so,
// and still reports.
TEST(Cli, ForcedKprobeFallsBackWhereUnavailable) {
  if (SystemFeatures().kprobes()) GTEST_SKIP() << "kprobes work on this kernel: nothing falls back";
  SensorProcess s({"--backend", "kprobe"});
  json a = act("exec");
  json e = s.wait_for([&](const json& x) { return is_exec(x, a["pid"]); });
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["nightjar"]["backend"], "tracepoint");
  EXPECT_EQ(s.stop(), 0);
  EXPECT_NE(s.stderr_text().find("no usable kprobe variant"), std::string::npos) << s.stderr_text();
}

}  // namespace
}  // namespace nj::e2e
