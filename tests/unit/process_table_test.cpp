// The process table on a fake /proc tree and synthetic events: pid reuse,
// reparenting as the kernel reports it, a process exiting during the scan,
// an exit seen before the scan reaches the process, bounded memory.
#include "enrich/table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nj {
namespace {

namespace fs = std::filesystem;

class FakeProc {
 public:
  FakeProc() {
    char tmpl[] = "/tmp/nj-fakeproc.XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~FakeProc() { fs::remove_all(root_); }
  // A process as /proc shows it: stat (comm may contain spaces and ')'),
  // cmdline, exe link, status with real and effective ids.
  void add(uint32_t pid, uint32_t ppid, uint64_t start, const std::string& comm, const std::string& exe,
           const std::vector<std::string>& args, uint32_t uid = 0, uint32_t euid = 0) {
    fs::path d = fs::path(root_) / std::to_string(pid);
    fs::create_directories(d);
    std::ofstream(d / "stat") << pid << " (" << comm << ") S " << ppid
                              << " 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 " << start
                              << " 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
    std::string cmd;
    for (auto& a : args) cmd += a + '\0';
    std::ofstream(d / "cmdline") << cmd;
    if (!exe.empty()) fs::create_symlink(exe, d / "exe");
    std::ofstream(d / "status") << "Name:\t" << comm << "\nUid:\t" << uid << "\t" << euid << "\t" << euid << "\t"
                                << euid << "\nGid:\t0\t0\t0\t0\n";
  }
  void remove_file(uint32_t pid, const char* f) { fs::remove(fs::path(root_) / std::to_string(pid) / f); }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

constexpr uint64_t kSec = 1000000000ull;

ProcInfo exec_info(uint32_t pid, uint64_t start, ProcKey parent, const std::string& exe,
                   std::vector<std::string> args) {
  ProcInfo p;
  p.key = {pid, start};
  p.parent = parent;
  p.name = exe.substr(exe.rfind('/') + 1);
  p.executable = exe;
  p.args = std::move(args);
  return p;
}

TEST(ProcFsTest, ReadsWhatProcShows) {
  FakeProc proc;
  proc.add(42, 1, 12345, "we(ird) na)me", "/usr/bin/python3", {"python3", "-c", "print(1)"}, 1000, 0);
  ProcFs fs(proc.root());
  EXPECT_EQ(fs.pids(), std::vector<uint32_t>{42});
  auto p = fs.read(42, 1024);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->key.pid, 42u);
  EXPECT_EQ(p->key.start, 12345u);
  EXPECT_EQ(p->parent.pid, 1u);
  EXPECT_EQ(p->name, "we(ird) na)me");
  EXPECT_EQ(p->executable, "/usr/bin/python3");
  EXPECT_EQ(p->args, (std::vector<std::string>{"python3", "-c", "print(1)"}));
  EXPECT_EQ(p->uid, 1000u);
  EXPECT_EQ(p->euid, 0u);
  EXPECT_TRUE(p->from_procfs);
  EXPECT_FALSE(fs.read(43, 1024));
}

TEST(ProcFsTest, RealProcSelfMatchesIdentity) {
  ProcFs fs;
  auto p = fs.read(static_cast<uint32_t>(getpid()), 1024);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->parent.pid, static_cast<uint32_t>(getppid()));
  EXPECT_EQ(p->executable, fs::read_symlink("/proc/self/exe").string());
  EXPECT_GT(p->key.start, 0u);
}

TEST(ProcessTableTest, SeedLinksParentsAndAncestry) {
  FakeProc proc;
  proc.add(1, 0, 5, "systemd", "/usr/lib/systemd/systemd", {"/sbin/init"});
  proc.add(100, 1, 900, "sshd", "/usr/sbin/sshd", {"sshd: root"});
  proc.add(200, 100, 1000, "bash", "/usr/bin/bash", {"-bash"});
  ProcessTable t;
  t.seed(ProcFs(proc.root()));
  EXPECT_EQ(t.stats().seeded, 3u);
  const ProcInfo* bash = t.find({200, 1000});
  ASSERT_NE(bash, nullptr);
  EXPECT_EQ(bash->parent.pid, 100u);
  EXPECT_EQ(bash->parent.start, 900u) << "parent start time filled from the parent's entry";
  auto anc = t.ancestors({200, 1000}, 8);
  ASSERT_EQ(anc.size(), 2u);
  EXPECT_EQ(anc[0]->executable, "/usr/sbin/sshd");
  EXPECT_EQ(anc[1]->executable, "/usr/lib/systemd/systemd");
  EXPECT_EQ(t.ancestors({200, 1000}, 1).size(), 1u) << "depth is a cap";
}

TEST(ProcessTableTest, ForkThenExecThenExit) {
  ProcessTable t({.max_entries = 100, .exited_grace_ns = 5 * kSec, .args_bytes_max = 1024});
  t.on_exec(exec_info(10, 1, {1, 1}, "/usr/bin/bash", {"bash"}));
  t.on_fork({11, 50}, {10, 1}, "bash", 0, 0, 0, 0);
  const ProcInfo* child = t.find({11, 50});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->executable, "/usr/bin/bash") << "a forked child runs its parent's image until it execs";
  t.on_exec(exec_info(11, 50, {10, 1}, "/usr/bin/ls", {"ls", "-l"}));
  EXPECT_EQ(t.find({11, 50})->executable, "/usr/bin/ls");
  t.on_exit({11, 50}, {10, 1}, 100 * kSec);
  ASSERT_NE(t.find({11, 50}), nullptr) << "late events still resolve during the grace period";
  EXPECT_TRUE(t.find({11, 50})->exited);
  t.expire(104 * kSec);
  EXPECT_NE(t.find({11, 50}), nullptr);
  t.expire(105 * kSec);
  EXPECT_EQ(t.find({11, 50}), nullptr);
  EXPECT_EQ(t.stats().expired, 1u);
}

TEST(ProcessTableTest, PidReuseIsADifferentProcess) {
  ProcessTable t;
  t.on_exec(exec_info(300, 10, {1, 1}, "/usr/bin/old", {"old"}));
  t.on_exit({300, 10}, {1, 1}, 1 * kSec);
  t.on_fork({300, 99}, {1, 1}, "new", 0, 0, 0, 0);
  t.on_exec(exec_info(300, 99, {1, 1}, "/usr/bin/new", {"new"}));
  EXPECT_EQ(t.find({300, 10})->executable, "/usr/bin/old");
  EXPECT_EQ(t.find({300, 99})->executable, "/usr/bin/new");
  EXPECT_FALSE(t.find({300, 99})->exited);
}

// The kernel reparents the orphans of an exiting process to the nearest
// subreaper (or init); the next event of each orphan says so, and the table
// follows it rather than guessing.
TEST(ProcessTableTest, ReparentingFollowsTheKernel) {
  ProcessTable t;
  t.on_exec(exec_info(1, 1, {0, 0}, "/sbin/init", {"init"}));
  t.on_exec(exec_info(50, 5, {1, 1}, "/usr/bin/containerd-shim", {"shim"}));  // a subreaper
  t.on_exec(exec_info(60, 6, {50, 5}, "/bin/sh", {"sh"}));
  t.on_exec(exec_info(70, 7, {60, 6}, "/usr/bin/sleep", {"sleep", "9"}));
  t.on_exit({60, 6}, {50, 5}, 1 * kSec);
  t.observe({70, 7}, {50, 5});  // what the orphan's next event carries
  EXPECT_EQ(t.find({70, 7})->parent, (ProcKey{50, 5}));
  auto anc = t.ancestors({70, 7}, 8);
  ASSERT_EQ(anc.size(), 2u);
  EXPECT_EQ(anc[0]->executable, "/usr/bin/containerd-shim");
}

// Race: an event created the entry while the scan was running. The event is
// newer; /proc must not overwrite it.
TEST(ProcessTableTest, EventsWinOverTheScan) {
  FakeProc proc;
  proc.add(500, 1, 77, "sh", "/bin/sh", {"sh"});
  ProcessTable t;
  t.on_exec(exec_info(500, 77, {1, 1}, "/usr/bin/curl", {"curl", "x"}));
  t.seed(ProcFs(proc.root()));
  EXPECT_EQ(t.find({500, 77})->executable, "/usr/bin/curl");
  EXPECT_EQ(t.stats().seeded, 0u);
}

// A process whose exit was processed before the scan reached it is not
// brought back as live.
TEST(ProcessTableTest, ExitBeforeScanIsNotResurrected) {
  FakeProc proc;
  proc.add(600, 1, 88, "short", "/usr/bin/short", {"short"});
  ProcessTable t;
  t.on_exit({600, 88}, {1, 1}, 1 * kSec);
  t.seed(ProcFs(proc.root()));
  ASSERT_NE(t.find({600, 88}), nullptr);
  EXPECT_TRUE(t.find({600, 88})->exited);
}

// A process that exits while /proc is being read leaves a directory whose
// files are gone: it is skipped, not half-read.
TEST(ProcessTableTest, ProcessExitingDuringScanIsSkipped) {
  FakeProc proc;
  proc.add(700, 1, 99, "gone", "/usr/bin/gone", {"gone"});
  proc.add(701, 1, 100, "here", "/usr/bin/here", {"here"});
  proc.remove_file(700, "stat");
  ProcessTable t;
  t.seed(ProcFs(proc.root()));
  EXPECT_EQ(t.find({700, 99}), nullptr);
  EXPECT_NE(t.find({701, 100}), nullptr);
  EXPECT_EQ(t.stats().seeded, 1u);
}

TEST(ProcessTableTest, CapEvictsExitedFirstThenLeastRecentlyUsed) {
  ProcessTable t({.max_entries = 3, .exited_grace_ns = 100 * kSec, .args_bytes_max = 64});
  t.on_exec(exec_info(1, 1, {0, 0}, "/a", {"a"}));
  t.on_exec(exec_info(2, 1, {0, 0}, "/b", {"b"}));
  t.on_exec(exec_info(3, 1, {0, 0}, "/c", {"c"}));
  t.on_exit({2, 1}, {0, 0}, 1 * kSec);
  t.on_exec(exec_info(4, 1, {0, 0}, "/d", {"d"}));  // over the cap: the exited one goes
  EXPECT_EQ(t.find({2, 1}), nullptr);
  EXPECT_EQ(t.stats().expired, 1u);
  EXPECT_EQ(t.stats().evictions, 0u);
  t.find({1, 1});                                   // 1 is now more recent than 3
  t.on_exec(exec_info(5, 1, {0, 0}, "/e", {"e"}));  // the least recently used live one goes
  EXPECT_EQ(t.find({3, 1}), nullptr);
  EXPECT_NE(t.find({1, 1}), nullptr);
  EXPECT_EQ(t.stats().evictions, 1u);
  EXPECT_EQ(t.stats().size, 3u);
}

TEST(ProcessTableTest, ArgsAreCappedAndFlagged) {
  ProcessTable t({.max_entries = 10, .exited_grace_ns = kSec, .args_bytes_max = 10});
  t.on_exec(exec_info(1, 1, {0, 0}, "/x", {"abc", "defghij", "klm"}));
  const ProcInfo* p = t.find({1, 1});
  // 10 bytes with the NUL after each argument, as in /proc/<pid>/cmdline.
  EXPECT_EQ(p->args, (std::vector<std::string>{"abc", "defgh"}));
  EXPECT_TRUE(p->args_truncated);
}

// Events hold snapshots of entries; later changes to the table must not
// show through them (and must not need a copy when nobody holds one).
TEST(ProcessTableTest, SnapshotsDoNotChange) {
  ProcessTable t;
  t.on_exec(exec_info(1, 1, {0, 0}, "/sbin/init", {"init"}));
  t.on_exec(exec_info(10, 5, {1, 1}, "/bin/sh", {"sh", "-c", "x"}));
  auto snap = t.snapshot({10, 5});
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap.get(), t.find({10, 5})) << "shared, not copied";
  auto anc = t.ancestors({10, 5}, 8);
  ASSERT_EQ(anc.size(), 1u);
  EXPECT_EQ(anc[0].get(), t.find({1, 1}));

  t.on_exec(exec_info(10, 5, {1, 1}, "/usr/bin/true", {"true"}));
  t.observe({10, 5}, {2, 2});
  t.on_exit({10, 5}, {2, 2}, 7 * kSec);
  EXPECT_EQ(snap->executable, "/bin/sh");
  EXPECT_EQ(snap->args, (std::vector<std::string>{"sh", "-c", "x"}));
  EXPECT_EQ(snap->parent, (ProcKey{1, 1}));
  EXPECT_FALSE(snap->exited);
  const ProcInfo* now = t.find({10, 5});
  EXPECT_EQ(now->executable, "/usr/bin/true");
  EXPECT_EQ(now->parent, (ProcKey{2, 2}));
  EXPECT_TRUE(now->exited);
  EXPECT_EQ(t.snapshot({99, 9}), nullptr);

  snap.reset();
  const ProcInfo* before = t.find({10, 5});
  t.observe({10, 5}, {3, 3});
  EXPECT_EQ(t.find({10, 5}), before) << "changed in place once no snapshot is held";
  EXPECT_EQ(anc[0]->executable, "/sbin/init");
}

// A fork storm of short-lived processes never grows the table past its cap.
TEST(ProcessTableTest, ForkStormStaysBounded) {
  ProcessTable t({.max_entries = 1000, .exited_grace_ns = kSec, .args_bytes_max = 128});
  t.on_exec(exec_info(1, 1, {0, 0}, "/bin/bash", {"bash"}));
  for (uint32_t i = 0; i < 100000; i++) {
    ProcKey k{1000 + (i % 30000), 10 + i};
    t.on_fork(k, {1, 1}, "bash", 0, 0, 0, 0);
    t.on_exit(k, {1, 1}, i * 1000ull);
    ASSERT_LE(t.stats().size, 1000u);
  }
  EXPECT_GT(t.stats().expired + t.stats().evictions, 98000u);
}

// The live process per pid, for targets named only by number: the newest
// process with the pid, never an exited one, never a stale start time.
TEST(ProcessTableTest, LiveProcessPerPid) {
  FakeProc proc;
  proc.add(700, 1, 70, "sshd", "/usr/sbin/sshd", {"sshd"});
  ProcessTable t;
  t.seed(ProcFs(proc.root()));
  ASSERT_NE(t.live(700), nullptr) << "seeded from /proc";
  EXPECT_EQ(t.live(700)->executable, "/usr/sbin/sshd");
  EXPECT_EQ(t.live(701), nullptr) << "never seen";

  t.on_fork({701, 80}, {700, 70}, "sshd", 0, 0, 0, 0);
  ASSERT_NE(t.live(701), nullptr) << "a fork makes it live";
  EXPECT_EQ(t.live(701)->key, (ProcKey{701, 80}));
  EXPECT_EQ(t.live(701)->executable, "/usr/sbin/sshd") << "its parent's image until it execs";
  t.on_exec(exec_info(701, 80, {700, 70}, "/usr/bin/bash", {"bash"}));
  EXPECT_EQ(t.live(701)->executable, "/usr/bin/bash");

  t.on_exit({701, 80}, {700, 70}, 1 * kSec);
  EXPECT_EQ(t.live(701), nullptr) << "exited, although its entry stays for late events";
  EXPECT_NE(t.find({701, 80}), nullptr);

  // The pid reused: the new process is the live one; the old one's late
  // exit must not unindex it.
  t.on_event({701, 90}, {700, 70}, "worker", 1000, 1000, 1000, 1000);
  ASSERT_NE(t.live(701), nullptr) << "learned from its first event";
  EXPECT_EQ(t.live(701)->name, "worker");
  t.on_exit({701, 80}, {700, 70}, 2 * kSec);
  ASSERT_NE(t.live(701), nullptr);
  EXPECT_EQ(t.live(701)->key, (ProcKey{701, 90}));

  // A late exec of the exited process does not bring it back.
  t.on_exec(exec_info(702, 95, {700, 70}, "/usr/bin/true", {"true"}));
  t.on_exit({702, 95}, {700, 70}, 3 * kSec);
  t.on_exec(exec_info(702, 95, {700, 70}, "/usr/bin/true", {"true"}));
  EXPECT_EQ(t.live(702), nullptr);
}

TEST(ProcessTableTest, LiveProcessEvictedIsUnknown) {
  ProcessTable t({.max_entries = 2, .exited_grace_ns = 5 * kSec, .args_bytes_max = 1024});
  t.on_exec(exec_info(10, 1, {1, 1}, "/a", {"a"}));
  t.on_exec(exec_info(11, 2, {1, 1}, "/b", {"b"}));
  t.on_exec(exec_info(12, 3, {1, 1}, "/c", {"c"}));  // pushes 10 out
  EXPECT_EQ(t.live(10), nullptr);
  ASSERT_NE(t.live(12), nullptr);
  EXPECT_EQ(t.live(12)->executable, "/c");
}

}  // namespace
}  // namespace nj
