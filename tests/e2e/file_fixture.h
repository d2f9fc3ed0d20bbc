// The file family's end-to-end fixture, shared by tests/e2e/file*_test.cpp:
// one sensor per transport for the whole suite (its rules file names the
// suite's directories), the action runner, and what every file event
// carries. Named (not anonymous) so that every file's tests share it.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "families/file/rules.h"
#include "harness.h"

namespace nj::e2e::file_e2e {

namespace fs = std::filesystem;

// Long enough for a sensor that a storm of other processes' file events
// put behind (found events return at once).
inline constexpr int kWaitMs = 30000;

// What the suite's events contain (its directories are all temp_dir()s);
// nothing else on the machine is kept parsed (see keep_lines_with).
inline const std::vector<std::string> kNeedles = {"/nj-e2e.", "\"/etc/shadow\"",          "memfd:nj-file-memfd",
                                                  "nj-long-", "\"io_uring\":{\"opcode\"", "\"path_unresolved\":true"};

// The suite's fixed places, made before its sensors start (a watch rule
// needs its directory to exist): the rules file is the default rules and
// the test directories' rules.
struct Base {
  std::string dir;
  std::string rules;
};

inline const Base& base() {
  static const Base b = [] {
    Base x;
    x.dir = temp_dir();
    for (const char* d : {"watched", "cron.d", "ssh", "hist", "excluded"}) fs::create_directories(x.dir + "/" + d);
    x.rules = x.dir + "/rules";
    std::ofstream out(x.rules);
    out << default_file_rules_text() << "# the e2e suite's\n"
        << x.dir << "/watched/ nj-watched read\n"
        << x.dir << "/cron.d/ persistence\n"
        << x.dir << "/ssh/ ssh read\n"
        << x.dir << "/hist/.bash_history history\n"
        << "exclude " << x.dir << "/excluded/\n"
        << x.dir << "/handle-exact.txt nj-exact read\n";
    // An exact-path rule's file exists at start: its identity is watched.
    std::ofstream(x.dir + "/handle-exact.txt") << "s3cret\n";
    // Directories a rule names that do not exist when the sensors start
    // (one per transport: each test creates its own).
    for (const char* t : {"ringbuf", "perfbuf"}) out << x.dir << "/late-" << t << "/ nj-late read\n";
    return x;
  }();
  return b;
}

inline std::map<std::string, std::unique_ptr<SensorProcess>>& sensors() {
  static std::map<std::string, std::unique_ptr<SensorProcess>> s;
  return s;
}

// Runs `nj-actions <action> <dir>`: its JSON, or null when the action is
// not available here (exit 77: a syscall this architecture or kernel lacks).
inline json file_act(const std::string& action, const std::string& dir) { return try_act({action, dir}); }

#define ACT(var, action, dir)                         \
  json var = file_act(action, dir);                   \
  if (var.is_null()) {                                \
    GTEST_SKIP() << action << ": not available here"; \
  }

inline bool is_file_event(const json& e, const std::string& action, long pid) {
  return e.contains("file") && e.contains("process") && e["event"]["category"] == json::array({"file"}) &&
         e["event"]["action"] == action && e["process"].value("pid", 0L) == pid;
}

inline void expect_no_identity(const json& e) {
  EXPECT_FALSE(has(e, "file.inode")) << e["file"].dump();
  EXPECT_FALSE(has(e, "file.device"));
  EXPECT_FALSE(has(e, "file.mode"));
  EXPECT_FALSE(has(e, "file.uid"));
}

class FileEvents : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [transport, s] : sensors()) {
      // A clean stop: drained, a final sensor-stopped event, exit 0. Loss
      // is not asserted: the file family reports every process's changes,
      // and a busy machine may fill the buffers (the events asserted here
      // arrived, or their tests failed).
      expect_clean_stop(*s, transport);
      if (all_passed()) fs::remove_all(fs::path(s->output_path()).parent_path());
    }
    sensors().clear();
    fs::remove_all(base().dir);
  }
  void SetUp() override {
    auto& s = sensors()[GetParam()];
    if (!s)
      s = std::make_unique<SensorProcess>(
          std::vector<std::string>{"--events", "process,file", "--transport", GetParam(), "--file-rules", base().rules,
                                   "--ringbuf-size", "67108864", "--perf-pages", "1024"});
    s->keep_lines_with(kNeedles);
    lost_at_setup_ = lost_total(*s);
    dir_ = temp_dir();
  }
  void TearDown() override { fs::remove_all(dir_); }
  SensorProcess& sensor() { return *sensors()[GetParam()]; }

  // Whether the identity hook inside `fn` runs (bpf/file/identity.bpf.c:
  // kprobe or fentry only), as sensor-started says.
  bool hooked(const std::string& fn) {
    const std::string how = hook_status(sensor(), "file.id." + fn);
    return (how.rfind("kprobe", 0) == 0 || how.rfind("fentry", 0) == 0) && hook_attached(how);
  }
  // Whether io_uring requests are seen inside the VFS: the hooks run
  // (kprobe, fentry) and the ring's workers are the process's own threads
  // (v5.12, or a stable kernel with io_uring backported), as the action
  // found.
  static bool uring_seen(const json& action) {
    return backend() != "tracepoint" && action.value("worker_threads", 0) == 1;
  }
  // Whether the kernel names the syscall a thread is in (bpf_task_pt_regs,
  // v5.15): a request run without a worker is recognised by it.
  static bool kernel_names_syscall() {
    utsname u{};
    int major = 0, minor = 0;
    if (uname(&u) || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
    return major > 5 || (major == 5 && minor >= 15);
  }
  // A path-based syscall's object: its identity where a hook inside the
  // syscall saw it, none where only the syscall's arguments were seen.
  void expect_path_identity(const json& e, const std::string& fn) {
    if (!hooked(fn)) {
      expect_no_identity(e);
      return;
    }
    EXPECT_TRUE(has(e, "file.inode")) << fn << ": " << e["file"].dump();
    EXPECT_TRUE(has(e, "file.device")) << fn;
    EXPECT_TRUE(has(e, "file.mode")) << fn;
    EXPECT_TRUE(has(e, "file.uid")) << fn;
  }

  // What mkdir, mknod or symlink created: its identity where the hook that
  // sees the new inode runs (kprobe, fentry), none on the tracepoint
  // backend. Its mode tells it from the directory it was made in.
  void expect_created_identity(const json& e, const std::string& mode) {
    expect_path_identity(e, "security_d_instantiate");
    if (hooked("security_d_instantiate")) {
      EXPECT_EQ(get(e, "file.mode"), mode) << e["file"].dump();
    }
  }
  // `mode` as asked for, less this process's umask (the helper inherits
  // it), read without setting it (umask() would, for every thread).
  static std::string masked(unsigned mode) {
    std::ifstream status("/proc/self/status");
    unsigned mask = 022;
    for (std::string line; std::getline(status, line);)
      if (line.rfind("Umask:", 0) == 0) mask = static_cast<unsigned>(std::stoul(line.substr(6), nullptr, 8));
    char s[8];
    std::snprintf(s, sizeof(s), "%04o", mode & ~mask);
    return s;
  }

  // The event of `action` by `pid` about `path` (and by `syscall` when
  // given); a test failure when it does not come.
  json find(const std::string& action, long pid, const std::string& path, const std::string& syscall = "") {
    return sensor().wait_for(
        [&](const json& x) {
          return is_file_event(x, action, pid) && x["file"].value("path", "") == path &&
                 (syscall.empty() || x["nightjar"].value("syscall", "") == syscall);
        },
        kWaitMs);
  }
  static std::string describe(const std::string& action, long pid, const std::string& path,
                              const std::string& syscall = "") {
    return action + " event of pid " + std::to_string(pid) + " for " + path + (syscall.empty() ? "" : " by " + syscall);
  }
  // Whether the sensor said it lost records since this test began.
  bool lost_since_setup() { return lost_total(sensor()) > lost_at_setup_; }
  // Every event of `action` by `pid` about `path`, once the stragglers had
  // their time.
  std::vector<json> all_of(const std::string& action, long pid, const std::string& path, int settle_ms = 300) {
    return sensor().all(
        [&](const json& x) { return is_file_event(x, action, pid) && x["file"].value("path", "") == path; }, settle_ms);
  }

  std::string dir_;  // this test's own directory
  uint64_t lost_at_setup_ = 0;
};

// The event, or the end of the test: a failure, or a skip when the sensor
// said it lost records meanwhile (a storm of other processes' events filled
// its buffers: nothing can be concluded from an event that did not come).
#define END_UNLESS_FOUND(var, what)                                                                           \
  if ((var).is_null()) {                                                                                      \
    if (lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile; no " << (what); \
    FAIL() << "no " << (what);                                                                                \
  }
#define FIND(var, ...)          \
  json var = find(__VA_ARGS__); \
  END_UNLESS_FOUND(var, describe(__VA_ARGS__))
#define WAIT(var, pred, what)                    \
  json var = sensor().wait_for((pred), kWaitMs); \
  END_UNLESS_FOUND(var, what)

// What every file event carries.
inline void expect_common(const json& e, long pid, const std::string& outcome = "success") {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.category"), json::array({"file"}));
  EXPECT_EQ(get(e, "event.module"), "nightjar");
  EXPECT_EQ(get(e, "event.outcome"), outcome);
  EXPECT_TRUE(get(e, "@timestamp").is_string());
  EXPECT_EQ(get(e, "process.pid"), pid);
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
  EXPECT_TRUE(get(e, "nightjar.cgroup_id").is_number());
  EXPECT_FALSE(has(e, "nightjar.file.entry_unseen"));
  EXPECT_FALSE(has(e, "nightjar.file.parts_lost"));
  EXPECT_FALSE(has(e, "nightjar.file.path_truncated"));
  if (outcome == "success") {
    EXPECT_FALSE(e.contains("error"));
  }
}

// file.path and its ECS split; an empty extension means none.
inline void expect_path(const json& e, const std::string& path, const std::string& directory, const std::string& name,
                        const std::string& extension) {
  EXPECT_EQ(get(e, "file.path"), path);
  EXPECT_EQ(get(e, "file.directory"), directory);
  EXPECT_EQ(get(e, "file.name"), name);
  if (extension.empty()) EXPECT_FALSE(has(e, "file.extension")) << e["file"].dump();
  else EXPECT_EQ(get(e, "file.extension"), extension);
}

// The object's identity, from the helper's fstat of it.
inline void expect_identity(const json& e, const json& a, const std::string& prefix) {
  EXPECT_EQ(get(e, "file.inode"), std::to_string(a[prefix + "_ino"].get<long long>()));
  EXPECT_EQ(get(e, "file.device"), a[prefix + "_dev"]);
  EXPECT_TRUE(get(e, "file.mode").is_string());
  EXPECT_TRUE(get(e, "file.uid").is_string());
  EXPECT_TRUE(get(e, "file.gid").is_string());
}

// An object named by path: the syscall's exit has no identity for it (the
// same programs on every backend).

}  // namespace nj::e2e::file_e2e
