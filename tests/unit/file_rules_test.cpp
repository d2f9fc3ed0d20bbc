// The file family's path rules: the rules file's syntax, what a pattern
// covers, the tags and flags a path gets, and the rules as the kernel's
// watch keys (resolved against a real directory tree standing in for "/").
#include "families/file/rules.h"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"

using namespace nj;
using namespace njt;

namespace fs = std::filesystem;

namespace {

FileRules parse_ok(const std::string& text) {
  auto r = parse_file_rules(text, "test");
  if (!r.ok()) ADD_FAILURE() << r.error().message;
  return r.ok() ? *r : FileRules{};
}

// The error parse_file_rules gives for `text`, "" if it parsed.
std::string parse_error(const std::string& text, const std::string& origin = "rules.conf") {
  auto r = parse_file_rules(text, origin);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, EINVAL);
  return r.error().message;
}

using Tags = std::vector<std::string>;

void expect_rule(const FileRule& r, const std::string& pattern, const Tags& tags, bool read, bool exclude, int line) {
  EXPECT_EQ(r.pattern, pattern);
  EXPECT_EQ(r.tags, tags) << r.pattern;
  EXPECT_EQ(r.read, read) << r.pattern;
  EXPECT_EQ(r.exclude, exclude) << r.pattern;
  EXPECT_EQ(r.line, line) << r.pattern;
}

// A tree of directories and files under a fresh temporary directory.
struct Tree {
  TempDir dir{"file-rules"};
  std::string root() const { return dir.path().string(); }
  void mkdir(const std::string& p) const { fs::create_directories(root() + p); }
  void file(const std::string& p) const {
    fs::create_directories(fs::path(root() + p).parent_path());
    std::ofstream(root() + p) << "x";
  }
};

// The kernel's encoding of a dev_t: MAJOR << 20 | MINOR.
uint32_t kdev_of(dev_t d) { return (major(d) << 20) | minor(d); }

void expect_watch(const Watch& w, const std::string& root, const std::string& path, uint32_t rule, uint32_t flags) {
  struct stat st;
  ASSERT_EQ(::stat((root + path).c_str(), &st), 0) << path;
  EXPECT_EQ(w.path, path);
  EXPECT_EQ(w.key.dev, kdev_of(st.st_dev)) << path;
  EXPECT_EQ(w.key.ino, static_cast<uint64_t>(st.st_ino)) << path;
  EXPECT_EQ(w.key._pad, 0u);
  EXPECT_EQ(w.value.rule, rule) << path;
  EXPECT_EQ(w.value.flags, flags) << path;
}

std::vector<Watch> sorted(std::vector<Watch> v) {
  std::sort(v.begin(), v.end(), [](const Watch& a, const Watch& b) { return a.path < b.path; });
  return v;
}

}  // namespace

// ---- parse_file_rules ----

TEST(ParseFileRules, EveryKindOfLine) {
  FileRules r = parse_ok(
      "# a comment line\n"
      "\n"
      "/etc/shadow credentials read\n"
      "   /etc/passwd\taccounts,identity   # trailing comment\n"
      "exclude /var/cache/\n"
      "exclude-fs proc\n"
      "/root/.ssh/ ssh read\n"
      "exclude-fs tmpfs # scratch\n");
  ASSERT_EQ(r.rules.size(), 4u);
  expect_rule(r.rules[0], "/etc/shadow", {"credentials"}, true, false, 3);
  expect_rule(r.rules[1], "/etc/passwd", {"accounts", "identity"}, false, false, 4);
  expect_rule(r.rules[2], "/var/cache/", {}, false, true, 5);
  expect_rule(r.rules[3], "/root/.ssh/", {"ssh"}, true, false, 7);
  EXPECT_EQ(r.excluded_fs, (std::vector<std::string>{"proc", "tmpfs"}));
  EXPECT_EQ(r.depth, 5u);
}

TEST(ParseFileRules, EmptyText) {
  FileRules r = parse_ok("# nothing here\n\n   \n");
  EXPECT_TRUE(r.rules.empty());
  EXPECT_TRUE(r.excluded_fs.empty());
}

// The tags are the last word (or the one before `read`): what comes before
// them is the path, spaces and all.
TEST(ParseFileRules, PathWithSpaces) {
  FileRules r = parse_ok(
      "/home/*/.config/google-chrome/*/Login Data browser-credentials read\n"
      "/srv/My Documents/ docs\n");
  ASSERT_EQ(r.rules.size(), 2u);
  expect_rule(r.rules[0], "/home/*/.config/google-chrome/*/Login Data", {"browser-credentials"}, true, false, 1);
  expect_rule(r.rules[1], "/srv/My Documents/", {"docs"}, false, false, 2);
}

TEST(ParseFileRules, EmptyTagsBetweenCommasAreSkipped) {
  FileRules r = parse_ok("/etc/hosts a,,b,\n");
  ASSERT_EQ(r.rules.size(), 1u);
  expect_rule(r.rules[0], "/etc/hosts", {"a", "b"}, false, false, 1);
}

TEST(ParseFileRules, RelativePath) {
  EXPECT_EQ(parse_error("/etc/shadow credentials\n\netc/passwd accounts\n"),
            "rules.conf:3: path 'etc/passwd' is not absolute");
  EXPECT_EQ(parse_error("exclude var/cache/\n", "/etc/nightjar/file.rules"),
            "/etc/nightjar/file.rules:1: path 'var/cache/' is not absolute");
}

TEST(ParseFileRules, MissingTag) {
  EXPECT_EQ(parse_error("# x\n/etc/shadow\n"), "rules.conf:2: a rule is: <path> <tag>[,<tag>...] [read]");
  EXPECT_EQ(parse_error("/etc/shadow ,,, read\n"), "rules.conf:1: a rule needs a tag");
}

TEST(ParseFileRules, UnknownFilesystemType) {
  EXPECT_EQ(parse_error("exclude-fs proc\nexclude-fs ext5\n"), "rules.conf:2: unknown filesystem type 'ext5'");
}

TEST(ParseFileRules, ExcludeFsTakesOneType) {
  EXPECT_EQ(parse_error("exclude-fs\n"), "rules.conf:1: exclude-fs takes one filesystem type");
  EXPECT_EQ(parse_error("exclude-fs proc sysfs\n"), "rules.conf:1: exclude-fs takes one filesystem type");
}

TEST(ParseFileRules, ExcludeTakesOnePath) {
  EXPECT_EQ(parse_error("exclude\n"), "rules.conf:1: exclude takes one path");
}

TEST(LoadFileRules, FromAFile) {
  TempDir d("file-rules-load");
  const std::string path = (d.path() / "file.rules").string();
  std::ofstream(path) << "/etc/shadow credentials read\nexclude-fs proc\n";
  auto r = load_file_rules(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rules.size(), 1u);
  expect_rule(r->rules[0], "/etc/shadow", {"credentials"}, true, false, 1);
  EXPECT_EQ(r->excluded_fs, (std::vector<std::string>{"proc"}));

  std::ofstream(path) << "/etc/shadow\n";
  r = load_file_rules(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, path + ":1: a rule is: <path> <tag>[,<tag>...] [read]");

  r = load_file_rules((d.path() / "missing").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ENOENT);
}

// ---- rule_covers ----

TEST(RuleCovers, DirectoryPatternCoversItselfAndBelow) {
  EXPECT_TRUE(rule_covers("/root/.ssh/", "/root/.ssh"));
  EXPECT_TRUE(rule_covers("/root/.ssh/", "/root/.ssh/id_rsa"));
  EXPECT_TRUE(rule_covers("/root/.ssh/", "/root/.ssh/a/b/c"));
  EXPECT_FALSE(rule_covers("/root/.ssh/", "/root/.sshx"));
  EXPECT_FALSE(rule_covers("/root/.ssh/", "/root/.sshx/id_rsa"));
  EXPECT_FALSE(rule_covers("/root/.ssh/", "/root"));
  EXPECT_FALSE(rule_covers("/root/.ssh/", "/home/root/.ssh/id_rsa"));
}

TEST(RuleCovers, PrefixPatternCoversEveryPathStartingWithIt) {
  EXPECT_TRUE(rule_covers("/etc/cron", "/etc/cron"));
  EXPECT_TRUE(rule_covers("/etc/cron", "/etc/crontab"));
  EXPECT_TRUE(rule_covers("/etc/cron", "/etc/cron.d/x"));
  EXPECT_TRUE(rule_covers("/etc/cron", "/etc/cron.daily/logrotate"));
  EXPECT_FALSE(rule_covers("/etc/cron", "/etc/cro"));
  EXPECT_FALSE(rule_covers("/etc/cron", "/etc"));
  EXPECT_FALSE(rule_covers("/etc/cron", "/etc/anacrontab"));
  EXPECT_FALSE(rule_covers("/etc/cron", "/usr/etc/crontab"));
}

TEST(RuleCovers, StarIsOneComponent) {
  EXPECT_TRUE(rule_covers("/home/*/.ssh/", "/home/alice/.ssh"));
  EXPECT_TRUE(rule_covers("/home/*/.ssh/", "/home/alice/.ssh/authorized_keys"));
  EXPECT_FALSE(rule_covers("/home/*/.ssh/", "/home/a/b/.ssh/x"));
  EXPECT_FALSE(rule_covers("/home/*/.ssh/", "/home/.ssh"));
  EXPECT_TRUE(rule_covers("/home/*/.bashrc", "/home/bob/.bashrc"));
  EXPECT_TRUE(rule_covers("/home/*/.bashrc", "/home/bob/.bashrc.swp"));
  EXPECT_FALSE(rule_covers("/home/*/.bashrc", "/home/bob/bashrc"));
}

TEST(RuleCovers, PathWithSpaces) {
  const std::string p = "/home/*/.config/google-chrome/*/Login Data";
  EXPECT_TRUE(rule_covers(p, "/home/u/.config/google-chrome/Default/Login Data"));
  EXPECT_TRUE(rule_covers(p, "/home/u/.config/google-chrome/Profile 1/Login Data-journal"));
  EXPECT_FALSE(rule_covers(p, "/home/u/.config/google-chrome/Login Data"));
  EXPECT_FALSE(rule_covers(p, "/home/u/.config/google-chrome/Default/Login"));
}

TEST(RuleCovers, RootCoversEverything) {
  EXPECT_TRUE(rule_covers("/", "/"));
  EXPECT_TRUE(rule_covers("/", "/etc/passwd"));
}

// ---- match_rules, rule_by_number ----

const char kMatchRules[] =
    "/etc/shadow credentials read\n"
    "/etc/ config,credentials\n"
    "/etc/shadow audit,credentials\n"
    "exclude /etc/shadow-\n"
    "/var/log/ logs\n";

TEST(MatchRules, TagsOfEveryCoveringRuleOnceInRuleOrder) {
  FileRules r = parse_ok(kMatchRules);
  RuleMatch m = match_rules(r, "/etc/shadow");
  EXPECT_EQ(m.tags, (Tags{"credentials", "config", "audit"}));
  EXPECT_TRUE(m.read);
  EXPECT_FALSE(m.excluded);

  m = match_rules(r, "/etc/hosts");
  EXPECT_EQ(m.tags, (Tags{"config", "credentials"}));
  EXPECT_FALSE(m.read);
  EXPECT_FALSE(m.excluded);
}

TEST(MatchRules, Exclude) {
  FileRules r = parse_ok(kMatchRules);
  RuleMatch m = match_rules(r, "/etc/shadow-");
  EXPECT_TRUE(m.excluded);
  EXPECT_EQ(m.tags, (Tags{"credentials", "config", "audit"}));  // /etc/shadow is a prefix of it
  EXPECT_TRUE(m.read);
}

TEST(MatchRules, NothingCovers) {
  FileRules r = parse_ok(kMatchRules);
  RuleMatch m = match_rules(r, "/usr/bin/ls");
  EXPECT_TRUE(m.tags.empty());
  EXPECT_FALSE(m.read);
  EXPECT_FALSE(m.excluded);

  m = match_rules(r, "/var/log/auth.log");
  EXPECT_EQ(m.tags, (Tags{"logs"}));
  EXPECT_FALSE(m.read);
}

TEST(RuleByNumber, OneBased) {
  FileRules r = parse_ok(kMatchRules);
  ASSERT_EQ(r.rules.size(), 5u);
  EXPECT_EQ(rule_by_number(r, 0), nullptr);
  EXPECT_EQ(rule_by_number(r, 1), &r.rules[0]);
  EXPECT_EQ(rule_by_number(r, 4), &r.rules[3]);
  EXPECT_EQ(rule_by_number(r, 5), &r.rules[4]);
  EXPECT_EQ(rule_by_number(r, 6), nullptr);
  EXPECT_EQ(rule_by_number(r, UINT32_MAX), nullptr);
}

// Rules read again are numbered after the set they replace: a number the
// kernel sent under the old set names none of the new one.
TEST(RuleByNumber, ASetReadAgainIsNumberedAfterTheOldOne) {
  FileRules r = parse_ok(kMatchRules);
  r.first_number = 6;
  EXPECT_EQ(rule_by_number(r, 1), nullptr);
  EXPECT_EQ(rule_by_number(r, 5), nullptr);
  EXPECT_EQ(rule_by_number(r, 6), &r.rules[0]);
  EXPECT_EQ(rule_by_number(r, 10), &r.rules[4]);
  EXPECT_EQ(rule_by_number(r, 11), nullptr);
}

// ---- default rules ----

TEST(DefaultFileRules, ParseAndCoverWhatTheyShould) {
  auto parsed = parse_file_rules(default_file_rules_text(), "default rules");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const FileRules& r = default_file_rules();
  ASSERT_EQ(r.rules.size(), parsed->rules.size());
  ASSERT_GE(r.rules.size(), 50u);
  expect_rule(r.rules[0], "/etc/shadow", {"credentials"}, true, false, 2);
  for (const auto& t : r.excluded_fs) EXPECT_NE(fs_magic(t), 0u) << t;
  EXPECT_NE(std::find(r.excluded_fs.begin(), r.excluded_fs.end(), "proc"), r.excluded_fs.end());
  EXPECT_NE(std::find(r.excluded_fs.begin(), r.excluded_fs.end(), "sysfs"), r.excluded_fs.end());

  RuleMatch m = match_rules(r, "/root/.ssh/authorized_keys");
  EXPECT_EQ(m.tags, (Tags{"ssh"}));
  EXPECT_TRUE(m.read);
  m = match_rules(r, "/home/bob/.config/google-chrome/Default/Login Data");
  EXPECT_EQ(m.tags, (Tags{"browser-credentials"}));
  EXPECT_TRUE(m.read);
  m = match_rules(r, "/etc/cron.d/backdoor");
  EXPECT_EQ(m.tags, (Tags{"persistence"}));
  EXPECT_FALSE(m.read);
  m = match_rules(r, "/etc/ssh/ssh_host_ed25519_key");
  EXPECT_EQ(m.tags, (Tags{"credentials"}));
  EXPECT_TRUE(m.read);
  m = match_rules(r, "/usr/share/doc/README");
  EXPECT_TRUE(m.tags.empty());
}

// ---- resolve_watches, watch_for ----

const char kWatchRules[] =
    "/root/.ssh/ ssh read\n"                  // 1: a directory
    "/etc/cron persistence read\n"            // 2: a prefix: every sibling it covers
    "/home/*/.ssh/ ssh read\n"                // 3: a glob
    "/etc/passwd accounts\n"                  // 4: tags only: no watch
    "exclude /var/cache/\n"                   // 5: exclude
    "/missing/ gone read\n"                   // 6: nothing there
    "/home/*/.aws/credentials cloud read\n";  // 7: a file under a glob

struct WatchTree : Tree {
  WatchTree() {
    mkdir("/root/.ssh");
    file("/root/.ssh/id_rsa");
    file("/etc/crontab");
    mkdir("/etc/cron.d");
    mkdir("/etc/cron.daily");
    file("/etc/cro");
    file("/etc/anacrontab");
    file("/etc/passwd");
    mkdir("/home/alice/.ssh");
    mkdir("/home/bob/.ssh");
    mkdir("/home/carol");
    file("/home/carol/.aws/credentials");
    file("/home/carol/.aws/config");
    mkdir("/var/cache");
    mkdir("/var/lib");
  }
};

TEST(ResolveWatches, EveryExistingPathAReadOrExcludeRuleCoversAtItsTop) {
  WatchTree t;
  FileRules r = parse_ok(kWatchRules);
  std::vector<Watch> w = sorted(resolve_watches(r, t.root()));
  std::vector<std::string> paths;
  for (auto& x : w) paths.push_back(x.path);
  ASSERT_EQ(paths,
            (std::vector<std::string>{"/etc/cron.d", "/etc/cron.daily", "/etc/crontab", "/home/alice/.ssh",
                                      "/home/bob/.ssh", "/home/carol/.aws/credentials", "/root/.ssh", "/var/cache"}));
  expect_watch(w[0], t.root(), "/etc/cron.d", 2, NJ_WATCH_READ);
  expect_watch(w[1], t.root(), "/etc/cron.daily", 2, NJ_WATCH_READ);
  expect_watch(w[2], t.root(), "/etc/crontab", 2, NJ_WATCH_READ);
  expect_watch(w[3], t.root(), "/home/alice/.ssh", 3, NJ_WATCH_READ);
  expect_watch(w[4], t.root(), "/home/bob/.ssh", 3, NJ_WATCH_READ);
  expect_watch(w[5], t.root(), "/home/carol/.aws/credentials", 7, NJ_WATCH_READ);
  expect_watch(w[6], t.root(), "/root/.ssh", 1, NJ_WATCH_READ);
  expect_watch(w[7], t.root(), "/var/cache", 5, NJ_WATCH_EXCLUDE);
  EXPECT_NE(w[3].key.ino, w[4].key.ino);
}

TEST(ResolveWatches, RulesWithoutReadOrExcludeGiveNoWatch) {
  WatchTree t;
  FileRules r = parse_ok("/etc/passwd accounts\n/root/.ssh/ ssh\n/etc/cron persistence\n");
  EXPECT_TRUE(resolve_watches(r, t.root()).empty());
}

TEST(ResolveWatches, BothFlags) {
  Tree t;
  t.mkdir("/srv/x");
  FileRules r = parse_ok("/srv/x/ data read\nexclude /srv/x/\n");
  std::vector<Watch> w = resolve_watches(r, t.root());
  ASSERT_EQ(w.size(), 2u);
  expect_watch(w[0], t.root(), "/srv/x", 1, NJ_WATCH_READ);
  expect_watch(w[1], t.root(), "/srv/x", 2, NJ_WATCH_EXCLUDE);
}

TEST(ResolveWatches, NumbersFollowTheSetsFirstNumber) {
  WatchTree t;
  FileRules r = parse_ok(kWatchRules);
  r.first_number = 8;
  std::vector<Watch> w = sorted(resolve_watches(r, t.root()));
  ASSERT_EQ(w.size(), 8u);
  expect_watch(w[0], t.root(), "/etc/cron.d", 9, NJ_WATCH_READ);
  expect_watch(w[7], t.root(), "/var/cache", 12, NJ_WATCH_EXCLUDE);
  t.mkdir("/home/dave/.ssh");
  auto one = watch_for(r, "/home/dave/.ssh", t.root());
  ASSERT_TRUE(one);
  expect_watch(*one, t.root(), "/home/dave/.ssh", 10, NJ_WATCH_READ);
}

// A path a rule covers at its top, created after start.
TEST(WatchFor, PathAtARulesTop) {
  WatchTree t;
  FileRules r = parse_ok(kWatchRules);
  t.mkdir("/home/dave/.ssh");
  auto w = watch_for(r, "/home/dave/.ssh", t.root());
  ASSERT_TRUE(w);
  expect_watch(*w, t.root(), "/home/dave/.ssh", 3, NJ_WATCH_READ);

  t.file("/etc/cron.weekly");
  w = watch_for(r, "/etc/cron.weekly", t.root());
  ASSERT_TRUE(w);
  expect_watch(*w, t.root(), "/etc/cron.weekly", 2, NJ_WATCH_READ);

  w = watch_for(r, "/var/cache", t.root());
  ASSERT_TRUE(w);
  expect_watch(*w, t.root(), "/var/cache", 5, NJ_WATCH_EXCLUDE);
}

TEST(WatchFor, NoWatch) {
  WatchTree t;
  FileRules r = parse_ok(kWatchRules);
  t.file("/home/alice/.ssh/id_ed25519");
  EXPECT_FALSE(watch_for(r, "/home/alice/.ssh/id_ed25519", t.root()));  // below a watched directory
  EXPECT_FALSE(watch_for(r, "/etc/passwd", t.root()));                  // tags only
  EXPECT_FALSE(watch_for(r, "/home/erin/.ssh", t.root()));              // not on disk
  EXPECT_FALSE(watch_for(r, "/var/lib", t.root()));                     // no rule
}

// ---- fs_magic ----

TEST(FsMagic, KnownTypes) {
  EXPECT_EQ(fs_magic("proc"), static_cast<uint32_t>(PROC_SUPER_MAGIC));
  EXPECT_EQ(fs_magic("sysfs"), static_cast<uint32_t>(SYSFS_MAGIC));
  EXPECT_EQ(fs_magic("devpts"), static_cast<uint32_t>(DEVPTS_SUPER_MAGIC));
  EXPECT_EQ(fs_magic("cgroup"), static_cast<uint32_t>(CGROUP_SUPER_MAGIC));
  EXPECT_EQ(fs_magic("cgroup2"), static_cast<uint32_t>(CGROUP2_SUPER_MAGIC));
  EXPECT_EQ(fs_magic("debugfs"), static_cast<uint32_t>(DEBUGFS_MAGIC));
  EXPECT_EQ(fs_magic("tracefs"), static_cast<uint32_t>(TRACEFS_MAGIC));
  EXPECT_EQ(fs_magic("securityfs"), static_cast<uint32_t>(SECURITYFS_MAGIC));
  EXPECT_EQ(fs_magic("bpf"), static_cast<uint32_t>(BPF_FS_MAGIC));
  EXPECT_EQ(fs_magic("pstore"), static_cast<uint32_t>(PSTOREFS_MAGIC));
  EXPECT_EQ(fs_magic("configfs"), 0x62656570u);
  EXPECT_EQ(fs_magic("selinuxfs"), static_cast<uint32_t>(SELINUX_MAGIC));
  EXPECT_EQ(fs_magic("fusectl"), 0x65735543u);
  EXPECT_EQ(fs_magic("tmpfs"), static_cast<uint32_t>(TMPFS_MAGIC));
  EXPECT_EQ(fs_magic("mqueue"), 0x19800202u);
  EXPECT_EQ(fs_magic("binfmt_misc"), static_cast<uint32_t>(BINFMTFS_MAGIC));
  EXPECT_EQ(fs_magic("efivarfs"), static_cast<uint32_t>(EFIVARFS_MAGIC));
}

TEST(FsMagic, UnknownTypes) {
  EXPECT_EQ(fs_magic("ext5"), 0u);
  EXPECT_EQ(fs_magic(""), 0u);
  EXPECT_EQ(fs_magic("PROC"), 0u);
}
