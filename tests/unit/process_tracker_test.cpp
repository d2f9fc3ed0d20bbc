#include "families/process/tracker.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <optional>

#include <string>

#include "records.h"
#include "temp_dir.h"
#include "util/host.h"

namespace nj {
namespace {

using namespace std::string_literals;

constexpr long kTicks = 100;
constexpr uint64_t kSec = 1000000000ull;

ProcKey key(uint32_t pid, uint64_t start_ns) { return ProcKey{pid, ns_to_ticks(start_ns, kTicks)}; }

class ProcessTrackerTest : public ::testing::Test {
 protected:
  ProcessTable table;
  ProcessTracker tracker{TrackerContext{table, "/fake-proc", kTicks, 100'000'000}};
};

Event fork_event(uint32_t caller, uint32_t child) {
  nj_fork f{};
  f.hdr = njt::make_hdr(NJ_REC_FORK, sizeof(nj_fork), 7);
  f.task = njt::make_task(caller, "bash");
  f.task.start_ns = 2 * kSec;
  f.child_pid = child;
  f.child_start_ns = 3 * kSec;
  return Event{Record{f}, {}, false};
}

TEST_F(ProcessTrackerTest, ForkIsAboutTheChildWhoseParentIsTheCaller) {
  Enrichment en;
  tracker.track(fork_event(10, 11), en, 0);
  ASSERT_TRUE(en.subject.self && en.subject.parent);
  EXPECT_EQ(*en.subject.self, key(11, 3 * kSec));
  EXPECT_EQ(*en.subject.parent, key(10, 2 * kSec));
  const ProcInfo* child = table.find(key(11, 3 * kSec));
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->parent, key(10, 2 * kSec));
  EXPECT_EQ(child->name, "bash");
  EXPECT_FALSE(en.hash_request);
  EXPECT_FALSE(en.subject.ancestry);
}

TEST_F(ProcessTrackerTest, SuccessfulExecEntersTheTableAndAsksForAHash) {
  nj_exec e = njt::exec_rec(1, 1);
  e.dev = (8u << 20) | 1u;
  e.ino = 1234;
  Enrichment en;
  tracker.track(njt::event_of(e, {njt::str_bytes(1, NJ_F_EXE, 0, "dash\0bin\0usr\0"s, NJ_STR_PATH_ROOTED)}), en, 0);
  ASSERT_TRUE(std::holds_alternative<ExecView>(en.view));
  EXPECT_TRUE(en.subject.ancestry);
  EXPECT_FALSE(en.subject.self);  // the task itself
  ASSERT_TRUE(en.hash_request);
  EXPECT_EQ(en.hash_request->proc_exe, "/fake-proc/100/exe");
  EXPECT_EQ(en.hash_request->path, "/usr/bin/dash");
  EXPECT_EQ(en.hash_request->id.ino, 1234u);
  const ProcInfo* p = table.find(key(100, 0));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->executable, "/usr/bin/dash");
}

TEST_F(ProcessTrackerTest, UnlinkedExecutableIsHashedWithoutAPath) {
  nj_exec e = njt::exec_rec(1, 1, 0, NJ_EXEC_EXE_UNLINKED);
  Enrichment en;
  tracker.track(njt::event_of(e, {njt::str_bytes(1, NJ_F_EXE, 0, "memfd:x\0"s)}), en, 0);
  ASSERT_TRUE(en.hash_request);
  EXPECT_EQ(en.hash_request->path, "");
}

// A PATH search: the process's failed execs are held for a moment, and its
// successful exec takes them in (same process, same key).
TEST_F(ProcessTrackerTest, FailedExecsAreHeldForTheExecThatWorks) {
  Enrichment failed, ok;
  nj_exec f = njt::exec_rec(1, 0, -2);
  f.hdr.ts_ns = 7 * kSec;
  tracker.track(njt::event_of(f, {}), failed, 9 * kSec);
  ASSERT_TRUE(failed.hold);
  EXPECT_EQ(failed.hold->until_ns, 9 * kSec + 100'000'000) << "from its arrival, not its kernel time";
  EXPECT_FALSE(failed.absorb);
  tracker.track(njt::event_of(njt::exec_rec(2, 0), {}), ok, 0);
  EXPECT_FALSE(ok.hold);
  ASSERT_TRUE(ok.absorb);
  EXPECT_EQ(*ok.absorb, failed.hold->key);
}

// A process the table never saw (its fork unseen) is learned from its
// first event: its comm and ids, no image.
TEST_F(ProcessTrackerTest, UnknownProcessIsLearnedFromItsEvent) {
  nj_exec e = njt::exec_rec(1, 0, -2);
  std::strncpy(e.task.comm, "spawner", sizeof(e.task.comm));
  e.task.uid = 1000;
  Enrichment en;
  tracker.track(njt::event_of(e, {}), en, 0);
  const ProcInfo* p = table.find(key(100, 0));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "spawner");
  EXPECT_EQ(p->uid, 1000u);
  EXPECT_EQ(p->executable, "");
  EXPECT_EQ(p->parent, key(1, 0));
}

TEST(ProcessTrackerFold, NoWindowNoHold) {
  ProcessTable table;
  ProcessTracker tracker{TrackerContext{table, "/fake-proc", kTicks, 0}};
  Enrichment en;
  tracker.track(njt::event_of(njt::exec_rec(1, 0, -2), {}), en, 0);
  EXPECT_FALSE(en.hold);
}

// A failed exec changes no image: the caller is learned (or kept) as it is.
TEST_F(ProcessTrackerTest, FailedExecIsDecodedButNotHashedNorItsImageEntered) {
  Enrichment en;
  tracker.track(njt::event_of(njt::exec_rec(1, 1, -2), {njt::str_bytes(1, NJ_F_FILENAME, 0, "/bin/nope")}), en, 0);
  EXPECT_TRUE(std::holds_alternative<ExecView>(en.view));
  EXPECT_FALSE(en.hash_request);
  const ProcInfo* p = table.find(key(100, 0));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->executable, "") << "not the path it asked for";
  EXPECT_EQ(p->name, "sh");
}

TEST_F(ProcessTrackerTest, ExitMarksTheProcessAndPollExpiresIt) {
  nj_exit x{};
  x.hdr = njt::make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 9);
  x.task = njt::make_task(100, "sh");
  Enrichment en;
  tracker.track(Event{Record{x}, {}, false}, en, 1 * kSec);
  const ProcInfo* p = table.find(key(100, 0));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->exited);
  tracker.poll(100 * kSec);
  EXPECT_EQ(table.find(key(100, 0)), nullptr);
  EnricherStats s;
  tracker.add_stats(s);
  EXPECT_EQ(s.table.expired, 1u);
}

// The nightjar.service case: the sensor in a mount namespace of its own
// (ProtectSystem=, PrivateTmp=), the process in the host's (PID 1's). A
// /proc of symbolic links, read as the real one is (readlink).
class ProcessTrackerPaths : public ::testing::Test {
 protected:
  void link(const std::string& target, const std::string& at) {
    std::filesystem::create_directories(std::filesystem::path(proc_ + at).parent_path());
    ASSERT_EQ(::symlink(target.c_str(), (proc_ + at).c_str()), 0);
  }
  // An exec by pid 100 whose working directory the walk cut: tail /deep/dir.
  std::optional<std::string> cwd_seen() {
    ProcessTable table;
    ProcessTracker tracker{TrackerContext{table, proc_, kTicks, 0}};
    Enrichment en;
    tracker.track(
        njt::event_of(njt::exec_rec(1, 1), {njt::str_bytes(1, NJ_F_CWD, 0, "dir\0deep\0"s, NJ_STR_TRUNCATED)}), en, 0);
    return std::get<ExecView>(en.view).cwd;
  }
  njt::TempDir dir_{"tracker-ns"};
  std::string proc_ = dir_.path().string();
};

TEST_F(ProcessTrackerPaths, CwdCompletedForAProcessInPidOnesNamespace) {
  link("mnt:[4026532300]", "/self/ns/mnt");
  link("mnt:[4026531841]", "/1/ns/mnt");
  link("mnt:[4026531841]", "/100/ns/mnt");
  link("/srv/a/b/deep/dir", "/100/cwd");
  EXPECT_EQ(cwd_seen(), "/srv/a/b/deep/dir");
}

TEST_F(ProcessTrackerPaths, CwdLeftCutForAProcessInAnotherNamespace) {
  // A container's process: its link names a path under the container's root.
  link("mnt:[4026531841]", "/1/ns/mnt");
  link("mnt:[4026532999]", "/100/ns/mnt");
  link("/srv/a/b/deep/dir", "/100/cwd");
  EXPECT_EQ(cwd_seen(), ".../deep/dir");
}

}  // namespace
}  // namespace nj
