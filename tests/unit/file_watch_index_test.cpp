// The watches' paths by identity: what names a file the kernel matched by
// its identity alone (opened by handle, no name leading to it).
#include "families/file/watch_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"

using namespace nj;
using namespace njt;

namespace {

constexpr uint32_t kSda1 = (8u << 20) | 1u, kSdb1 = (8u << 20) | 17u;

Watch watch(uint32_t rule, uint32_t dev, uint64_t ino, const std::string& path) {
  Watch w{};
  w.key.dev = dev;
  w.key.ino = ino;
  w.value.rule = rule;
  w.value.flags = NJ_WATCH_READ;
  w.path = path;
  return w;
}

FileRules parse_ok(const std::string& text) {
  auto r = parse_file_rules(text, "test");
  if (!r.ok()) ADD_FAILURE() << r.error().message;
  return r.ok() ? *r : FileRules{};
}

}  // namespace

TEST(WatchIndex, ExactPathRule) {
  const WatchIndex ix({watch(3, kSda1, 1201, "/etc/shadow"), watch(4, kSda1, 1202, "/etc/gshadow")});
  EXPECT_EQ(ix.path(3, kSda1, 1201), "/etc/shadow");
  EXPECT_EQ(ix.path(4, kSda1, 1202), "/etc/gshadow");
  EXPECT_EQ(ix.size(), 2u);
}

// /home/*/.aws/credentials: one rule, one path per user.
TEST(WatchIndex, RuleWhoseGlobMatchesSeveralFiles) {
  const WatchIndex ix({watch(7, kSda1, 5001, "/home/alice/.aws/credentials"),
                       watch(7, kSdb1, 5001, "/home/bob/.aws/credentials"),
                       watch(7, kSda1, 5003, "/home/carol/.aws/credentials")});
  EXPECT_EQ(ix.path(7, kSda1, 5001), "/home/alice/.aws/credentials");
  EXPECT_EQ(ix.path(7, kSdb1, 5001), "/home/bob/.aws/credentials") << "same inode number, another filesystem";
  EXPECT_EQ(ix.path(7, kSda1, 5003), "/home/carol/.aws/credentials");
}

TEST(WatchIndex, IdentityNotInTheIndex) {
  const WatchIndex ix({watch(3, kSda1, 1201, "/etc/shadow")});
  EXPECT_FALSE(ix.path(3, kSda1, 1202)) << "another inode";
  EXPECT_FALSE(ix.path(3, kSdb1, 1201)) << "another filesystem";
  EXPECT_FALSE(ix.path(4, kSda1, 1201)) << "another rule's number (a set read since)";
  EXPECT_FALSE(ix.path(0, kSda1, 1201));
  EXPECT_FALSE(WatchIndex().path(3, kSda1, 1201));
}

// A hard link two rules cover by two names: named by the rule the kernel
// reported; one rule's two names for it: the first found.
TEST(WatchIndex, OneIdentityUnderSeveralNames) {
  const WatchIndex ix({watch(2, kSda1, 77, "/etc/cron.d/job"), watch(5, kSda1, 77, "/root/.ssh/job"),
                       watch(5, kSda1, 77, "/root/.ssh/job2")});
  EXPECT_EQ(ix.path(2, kSda1, 77), "/etc/cron.d/job");
  EXPECT_EQ(ix.path(5, kSda1, 77), "/root/.ssh/job");
}

// A watched file created after the install (FileOptions::watch), which may
// have the inode number of a watched file deleted since.
TEST(WatchIndex, WatchAddedLater) {
  WatchIndex ix({watch(3, kSda1, 1201, "/etc/shadow")});
  ix.add(watch(9, kSda1, 4242, "/home/dave/.ssh"));
  EXPECT_EQ(ix.path(9, kSda1, 4242), "/home/dave/.ssh");
  ix.add(watch(3, kSda1, 1201, "/etc/shadow.new"));
  EXPECT_EQ(ix.path(3, kSda1, 1201), "/etc/shadow.new");
}

// Built from what the daemon installs: every path resolve_watches finds.
TEST(WatchIndex, FromResolvedWatches) {
  TempDir dir("watch-index");
  const std::string root = dir.path().string();
  for (const char* f : {"/etc/shadow", "/etc/crontab", "/home/alice/.aws/credentials", "/home/bob/.aws/credentials"}) {
    std::filesystem::create_directories(std::filesystem::path(root + f).parent_path());
    std::ofstream(root + f) << "x";
  }
  FileRules r =
      parse_ok("/etc/shadow credentials read\n/etc/cron persistence read\n/home/*/.aws/credentials cloud read\n");
  r.first_number = 3;
  const std::vector<Watch> all = resolve_watches(r, root);
  ASSERT_EQ(all.size(), 4u);
  const WatchIndex ix(all);
  for (const Watch& w : all) EXPECT_EQ(ix.path(w.value.rule, w.key.dev, w.key.ino), w.path);
  auto key_of = [&](const std::string& path) {
    for (const Watch& w : all)
      if (w.path == path) return w.key;
    ADD_FAILURE() << path << " is not watched";
    return nj_watch_key{};
  };
  const nj_watch_key shadow = key_of("/etc/shadow"), tab = key_of("/etc/crontab");
  const nj_watch_key alice = key_of("/home/alice/.aws/credentials"), bob = key_of("/home/bob/.aws/credentials");
  EXPECT_EQ(ix.path(3, shadow.dev, shadow.ino), "/etc/shadow") << "an exact path";
  EXPECT_EQ(ix.path(4, tab.dev, tab.ino), "/etc/crontab") << "a prefix rule's sibling";
  EXPECT_EQ(ix.path(5, alice.dev, alice.ino), "/home/alice/.aws/credentials") << "a glob's first match";
  EXPECT_EQ(ix.path(5, bob.dev, bob.ino), "/home/bob/.aws/credentials") << "a glob's second match";
  EXPECT_FALSE(ix.path(4, shadow.dev, shadow.ino)) << "another rule's file";
  EXPECT_FALSE(ix.path(2, shadow.dev, shadow.ino)) << "a number of no rule of this set";
}
