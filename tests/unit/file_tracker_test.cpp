// The file family's tracker: the view it leaves for the encoder, the tags
// and exclusions of the path rules, the watches it hands the kernel for
// watched files created after start, and the watches' paths it names files
// by that the kernel matched by identity alone.
#include "families/file/tracker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "families/file/view.h"
#include "families/file/watch_index.h"
#include "file_records.h"
#include "records.h"
#include "temp_dir.h"

using namespace nj;
using namespace njt;

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kId = 0x0040000000000777ull;
using Tags = std::vector<std::string>;

std::shared_ptr<const FileRules> rules(const std::string& text) {
  auto r = parse_file_rules(text, "test");
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return std::make_shared<const FileRules>(*r);
}

class FileTrackerTest : public ::testing::Test {
 protected:
  ProcessTable table;
  std::vector<Watch> watches;
  WatchIndex index;  // the daemon's part: the watches' paths

  std::unique_ptr<FileTracker> tracker(const std::string& rules_text, const std::string& proc_root = "/fake-proc") {
    FamilyOptions fam;
    fam.file.rules = rules(rules_text);
    fam.file.watch = [this](const Watch& w) { watches.push_back(w); };
    fam.file.watched_path = [this](uint32_t rule, uint32_t dev, uint64_t ino) { return index.path(rule, dev, ino); };
    return std::make_unique<FileTracker>(TrackerContext{table, proc_root, 100, 0, fam});
  }

  // Track one event; its view, which the tracker must have left.
  const FileView& track(FileTracker& t, Enrichment& en, uint16_t type, uint32_t syscall,
                        const std::vector<Bytes>& parts, int64_t retval = 0, uint32_t rule = 0) {
    nj_file_create r = file_rec(type, kId, static_cast<uint16_t>(parts.size()), syscall, retval);
    r.op.rule = rule;
    t.track(file_event(r, parts), en, 0);
    const FileView* v = std::get_if<FileView>(&en.view);
    if (!v) throw std::runtime_error("no FileView");
    return *v;
  }

  static EnricherStats stats(const FileTracker& t) {
    EnricherStats s;
    t.add_stats(s);
    return s;
  }
};

Bytes name(const std::string& s) { return str_bytes(kId, NJ_FF_NAME, 0, s); }
Bytes name2(const std::string& s) { return str_bytes(kId, NJ_FF_NAME2, 0, s); }

uint32_t kdev_of(dev_t d) { return (major(d) << 20) | minor(d); }

}  // namespace

TEST_F(FileTrackerTest, TagsFromStringRules) {
  auto t = tracker("/etc/shadow credentials read\n/etc/ config\n/var/log/ logs\n");
  Enrichment en;
  const FileView& v = track(*t, en, NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"etc", "shadow"})}, 3);
  EXPECT_EQ(v.object.path, "/etc/shadow");
  EXPECT_EQ(v.tags, (Tags{"credentials", "config"}));
  EXPECT_FALSE(en.drop);

  Enrichment en2;
  const FileView& v2 = track(*t, en2, NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {name("/usr/bin/ls")});
  EXPECT_TRUE(v2.tags.empty());
  EXPECT_FALSE(en2.drop);
  EXPECT_EQ(stats(*t).file_excluded, 0u);
}

// The kernel matched a watch by identity (a bind mount, a hard link: the
// path the string rules see differs): the rule's tags still apply, once.
TEST_F(FileTrackerTest, TagsFromTheKernelsRuleNumber) {
  auto t = tracker("/srv/secret/ secrets,keys read\n/mnt/ mounts\n");
  Enrichment en;
  const FileView& v = track(*t, en, NJ_REC_FILE_READ, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"mnt", "b", "key"})}, 3,
                            /*rule=*/1);
  EXPECT_EQ(v.object.path, "/mnt/b/key");
  EXPECT_EQ(v.tags, (Tags{"mounts", "secrets", "keys"}));

  Enrichment en2;
  const FileView& v2 = track(*t, en2, NJ_REC_FILE_READ, NJ_SYS_OPENAT,
                             {walked(kId, NJ_FF_PATH, {"srv", "secret", "key"})}, 3, /*rule=*/1);
  EXPECT_EQ(v2.tags, (Tags{"secrets", "keys"}));

  Enrichment en3;  // a rule number the rules do not have: no tags from it
  const FileView& v3 =
      track(*t, en3, NJ_REC_FILE_READ, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"opt", "x"})}, 3, /*rule=*/9);
  EXPECT_TRUE(v3.tags.empty());
}

TEST_F(FileTrackerTest, ExcludedPathIsDropped) {
  auto t = tracker("/var/cache/ cache\nexclude /var/cache/apt/\n");
  Enrichment en;
  track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"var", "cache", "apt", "pkgcache.bin"})},
        3);
  EXPECT_TRUE(en.drop);

  Enrichment en2;
  const FileView& v =
      track(*t, en2, NJ_REC_FILE_CREATE, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"var", "cache", "man", "x"})}, 3);
  EXPECT_FALSE(en2.drop);
  EXPECT_EQ(v.tags, (Tags{"cache"}));
  EXPECT_EQ(stats(*t).file_excluded, 1u);
}

// The kernel reported the event for a watch rule: it is not dropped again.
TEST_F(FileTrackerTest, KernelRuleWinsOverAStringExclusion) {
  auto t = tracker("/srv/keys/ keys read\nexclude /srv/\n");
  Enrichment en;
  const FileView& v =
      track(*t, en, NJ_REC_FILE_READ, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"srv", "keys", "a"})}, 3, /*rule=*/1);
  EXPECT_FALSE(en.drop);
  EXPECT_EQ(v.tags, (Tags{"keys"}));
  EXPECT_EQ(stats(*t).file_excluded, 0u);
}

// A file moved out of (or into) an excluded tree is seen; both paths' tags apply.
TEST_F(FileTrackerTest, RenameIsDroppedOnlyWhenBothPathsAreExcluded) {
  auto t = tracker("exclude /tmp/\n/etc/cron persistence\n/tmp/stage/ staging\n");
  Enrichment en;
  const FileView& v =
      track(*t, en, NJ_REC_FILE_RENAME, NJ_SYS_RENAME, {name("/tmp/stage/job"), name2("/etc/cron.d/job")});
  EXPECT_FALSE(en.drop);
  EXPECT_EQ(v.object.path, "/etc/cron.d/job");
  ASSERT_TRUE(v.original);
  EXPECT_EQ(v.original->path, "/tmp/stage/job");
  EXPECT_EQ(v.tags, (Tags{"persistence", "staging"}));

  Enrichment en2;
  track(*t, en2, NJ_REC_FILE_RENAME, NJ_SYS_RENAME, {name("/tmp/a"), name2("/tmp/b")});
  EXPECT_TRUE(en2.drop);
  EXPECT_EQ(stats(*t).file_excluded, 1u);
}

// The kernel could not walk a relative name's directory: the process's
// cwd now (from /proc) stands in.
TEST_F(FileTrackerTest, UnresolvedNameUsesTheProcessCwd) {
  TempDir proc("file-tracker-proc");
  fs::create_directories(proc.path() / "300");
  fs::create_symlink("/srv/app", proc.path() / "300" / "cwd");
  auto t = tracker("/srv/ srv\n", proc.path().string());
  Enrichment en;
  const FileView& v = track(*t, en, NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {name("../app/x.log")});
  EXPECT_EQ(v.object.path, "/srv/app/x.log");
  EXPECT_EQ(v.object.as_passed, "../app/x.log");
  EXPECT_TRUE(v.object.unresolved);  // still flagged: the cwd may have moved since
  EXPECT_EQ(v.tags, (Tags{"srv"}));
}

TEST_F(FileTrackerTest, UnresolvedNameWithoutProcStaysUnresolved) {
  auto t = tracker("/ all\n", "/nonexistent-proc");
  Enrichment en;
  const FileView& v = track(*t, en, NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {name("x.log")});
  EXPECT_EQ(v.object.path, "");
  EXPECT_TRUE(v.object.unresolved);
}

// A file opened by handle whose dentry no name leads to, which the kernel
// matched by identity: named by the path under which the rule watches that
// identity (not looked up on disk: that path does not exist here).
TEST_F(FileTrackerTest, FileMatchedByIdentityAloneIsNamedByItsWatch) {
  auto t = tracker("/nj-nowhere/secret.txt keys read\n");
  Watch w{};
  w.key.dev = kdev(8, 1);
  w.key.ino = 4242;
  w.value = {1, NJ_WATCH_READ};
  w.path = "/nj-nowhere/secret.txt";
  index = WatchIndex({w});
  auto by_handle = [&](Enrichment& en, uint64_t ino) -> const FileView& {
    nj_file_create r = file_rec(NJ_REC_FILE_READ, kId, 1, NJ_SYS_OPEN_BY_HANDLE_AT, 3);
    r.op.rule = 1;
    r.op.flags |= NJ_FILE_OBJ_KNOWN;
    r.op.obj.dev = kdev(8, 1);
    r.op.obj.ino = ino;
    t->track(file_event(r, {str_bytes(kId, NJ_FF_PATH, 0, std::string("/\0", 2))}), en, 0);
    return std::get<FileView>(en.view);
  };
  Enrichment en;
  const FileView& v = by_handle(en, 4242);
  EXPECT_TRUE(v.object.disconnected);
  EXPECT_TRUE(v.object.unresolved);
  EXPECT_EQ(v.object.path, "/nj-nowhere/secret.txt");
  EXPECT_EQ(v.tags, (Tags{"keys"}));
  EXPECT_FALSE(en.drop);

  Enrichment en2;  // an identity the rule does not watch: no path, the rule's tags
  const FileView& v2 = by_handle(en2, 4243);
  EXPECT_TRUE(v2.object.disconnected);
  EXPECT_EQ(v2.object.path, "");
  EXPECT_EQ(v2.tags, (Tags{"keys"}));
}

// A directory a read rule watches, created after start: the kernel learns
// its identity from the tracker.
TEST_F(FileTrackerTest, CreateOfAWatchedPathAddsAWatch) {
  TempDir d("file-tracker-watch");
  const std::string top = d.path().string();
  auto t = tracker(top + "/home/*/.ssh/ ssh read\n" + top + "/etc/passwd accounts\n" + "exclude " + top + "/cache/\n");
  fs::create_directories(top + "/home/eve/.ssh");
  Enrichment en;
  const FileView& v = track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/home/eve/.ssh")});
  EXPECT_EQ(v.tags, (Tags{"ssh"}));
  ASSERT_EQ(watches.size(), 1u);
  struct stat st;
  ASSERT_EQ(::stat((top + "/home/eve/.ssh").c_str(), &st), 0);
  EXPECT_EQ(watches[0].path, top + "/home/eve/.ssh");
  EXPECT_EQ(watches[0].key.dev, kdev_of(st.st_dev));
  EXPECT_EQ(watches[0].key.ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(watches[0].value.rule, 1u);
  EXPECT_EQ(watches[0].value.flags, NJ_WATCH_READ);
  EXPECT_EQ(stats(*t).file_watches_added, 1u);

  // An excluded directory created after start: excluded in the kernel from now on.
  fs::create_directories(top + "/cache");
  Enrichment en2;
  track(*t, en2, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/cache")});
  EXPECT_TRUE(en2.drop);
  EXPECT_EQ(watches.size(), 1u);  // a dropped event tells the kernel nothing
}

TEST_F(FileTrackerTest, RenameIntoAWatchedPathAddsAWatch) {
  TempDir d("file-tracker-rename");
  const std::string top = d.path().string();
  auto t = tracker(top + "/keys/ keys read\n");
  fs::create_directories(top + "/keys");
  Enrichment en;
  track(*t, en, NJ_REC_FILE_RENAME, NJ_SYS_RENAME, {name(top + "/staging"), name2(top + "/keys")});
  ASSERT_EQ(watches.size(), 1u);
  EXPECT_EQ(watches[0].path, top + "/keys");
  EXPECT_EQ(watches[0].value.rule, 1u);
}

TEST_F(FileTrackerTest, NoWatchWhenNothingNewIsWatched) {
  TempDir d("file-tracker-nowatch");
  const std::string top = d.path().string();
  auto t = tracker(top + "/keys/ keys read\n" + top + "/conf/ config\n");
  fs::create_directories(top + "/keys/sub");
  fs::create_directories(top + "/conf");
  Enrichment en;
  track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/keys")}, -13);  // refused
  track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/keys/sub")});   // below the watch
  track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/conf")});       // tags only
  track(*t, en, NJ_REC_FILE_MODIFY, NJ_SYS_TRUNCATE, {name(top + "/keys")});    // not a new name
  track(*t, en, NJ_REC_FILE_CREATE, NJ_SYS_MKDIR, {name(top + "/keys2")});      // covered, not on disk
  EXPECT_TRUE(watches.empty());
  EXPECT_EQ(stats(*t).file_watches_added, 0u);
}

// Without rules of its own the tracker uses the default rules.
TEST_F(FileTrackerTest, DefaultRules) {
  FileTracker t(TrackerContext{table, "/fake-proc", 100, 0});
  Enrichment en;
  const FileView& v = track(t, en, NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT, {walked(kId, NJ_FF_PATH, {"etc", "sudoers"})}, 3);
  EXPECT_EQ(v.tags, (Tags{"privilege"}));
}
