// The file family's view: paths made absolute and split, and each action's
// parts (as the kernel sends them) put back together.
#include "families/file/view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "file_records.h"
#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;

namespace {

constexpr uint64_t kId = 0x0040000000000123ull;

FileView view_of(uint16_t type, uint32_t syscall, const std::vector<Bytes>& parts, const std::string& cwd = "",
                 int64_t retval = 0) {
  const nj_file_create r = file_rec(type, kId, static_cast<uint16_t>(parts.size()), syscall, retval);
  return make_file_view(type, r.op, file_event(r, parts), cwd);
}

void expect_path(const FilePath& f, const std::string& path, const std::string& as_passed, bool truncated = false,
                 bool unresolved = false) {
  EXPECT_EQ(f.path, path);
  EXPECT_EQ(f.as_passed, as_passed);
  EXPECT_EQ(f.truncated, truncated);
  EXPECT_EQ(f.unresolved, unresolved);
}

void expect_pieces(const std::string& path, const std::string& directory, const std::string& name,
                   const std::string& extension) {
  const PathPieces p = split_path(path);
  EXPECT_EQ(p.directory, directory) << path;
  EXPECT_EQ(p.name, name) << path;
  EXPECT_EQ(p.extension, extension) << path;
}

}  // namespace

// ---- normalize_path ----

TEST(NormalizePath, FoldsDotsAndRepeatedSlashes) {
  EXPECT_EQ(normalize_path("//a/./b/../c"), "/a/c");
  EXPECT_EQ(normalize_path("/a//b///c"), "/a/b/c");
  EXPECT_EQ(normalize_path("/a/./././b"), "/a/b");
  EXPECT_EQ(normalize_path("/a/b/c/../../d"), "/a/d");
  EXPECT_EQ(normalize_path("/etc/passwd"), "/etc/passwd");
}

TEST(NormalizePath, DotDotAtTheRootStaysAtTheRoot) {
  EXPECT_EQ(normalize_path("/.."), "/");
  EXPECT_EQ(normalize_path("/../../etc/shadow"), "/etc/shadow");
  EXPECT_EQ(normalize_path("/a/../../b"), "/b");
  EXPECT_EQ(normalize_path("/a/.."), "/");
}

TEST(NormalizePath, TrailingSlashAndRoot) {
  EXPECT_EQ(normalize_path("/a/b/"), "/a/b");
  EXPECT_EQ(normalize_path("/a/b/."), "/a/b");
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path("///"), "/");
  EXPECT_EQ(normalize_path("/."), "/");
}

// Only "." and ".." themselves are special: names that start with dots are names.
TEST(NormalizePath, DottedNamesAreKept) {
  EXPECT_EQ(normalize_path("/a/..b/.c/..."), "/a/..b/.c/...");
  EXPECT_EQ(normalize_path("/home/u/.ssh/"), "/home/u/.ssh");
}

// ---- resolve_path ----

TEST(ResolvePath, AbsoluteNameIgnoresDir) {
  EXPECT_EQ(resolve_path("/tmp", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(resolve_path("/tmp", "//etc/../etc/./shadow"), "/etc/shadow");
}

TEST(ResolvePath, EmptyNameIsTheDirectory) {  // AT_EMPTY_PATH: the dirfd is the object
  EXPECT_EQ(resolve_path("/home/u/f.txt", ""), "/home/u/f.txt");
  EXPECT_EQ(resolve_path("/home/u/", ""), "/home/u");
  EXPECT_EQ(resolve_path("/", ""), "/");
}

TEST(ResolvePath, RelativeNameJoinsTheDirectory) {
  EXPECT_EQ(resolve_path("/home/u", "notes.txt"), "/home/u/notes.txt");
  EXPECT_EQ(resolve_path("/home/u/src", "../v/./f"), "/home/u/v/f");
  EXPECT_EQ(resolve_path("/home/u", "../../../../etc/shadow"), "/etc/shadow");
  EXPECT_EQ(resolve_path("/", "x"), "/x");
  EXPECT_EQ(resolve_path("/a", "b/"), "/a/b");
  EXPECT_EQ(resolve_path("/a", "."), "/a");
}

// ---- split_path ----

TEST(SplitPath, DirectoryNameExtension) {
  expect_pieces("/etc/passwd", "/etc", "passwd", "");
  expect_pieces("/var/log/syslog.1", "/var/log", "syslog.1", "1");
  expect_pieces("/home/u/report.PDF", "/home/u", "report.PDF", "PDF");
  expect_pieces("/a", "/", "a", "");
}

TEST(SplitPath, LastDotOnlyCounts) { expect_pieces("/srv/a.tar.gz", "/srv", "a.tar.gz", "gz"); }

TEST(SplitPath, DotfilesHaveNoExtension) {
  expect_pieces("/root/.bashrc", "/root", ".bashrc", "");
  expect_pieces("/home/u/.config.bak", "/home/u", ".config.bak", "bak");
}

TEST(SplitPath, TrailingDotIsNoExtension) {
  expect_pieces("/tmp/file.", "/tmp", "file.", "");
  expect_pieces("/tmp/..", "/tmp", "..", "");
}

TEST(SplitPath, DotInADirectoryIsNotTheFilesExtension) { expect_pieces("/etc/cron.d/job", "/etc/cron.d", "job", ""); }

TEST(SplitPath, Root) { expect_pieces("/", "/", "", ""); }

TEST(SplitPath, NoSlash) { expect_pieces("memo.txt", "", "memo.txt", "txt"); }

// ---- make_file_view ----

// An open's exit walks the opened file: PATH, leaf first, is the path.
TEST(FileView, WalkedPath) {
  const nj_file_create r = file_rec(NJ_REC_FILE_MODIFY, kId, 1, NJ_SYS_OPENAT, 3);
  Event ev = file_event(r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"})});
  FileView v = make_file_view(NJ_REC_FILE_MODIFY, r.op, ev, "");
  EXPECT_EQ(v.type, NJ_REC_FILE_MODIFY);
  EXPECT_EQ(v.op.syscall, static_cast<uint32_t>(NJ_SYS_OPENAT));
  EXPECT_EQ(v.op.retval, 3);
  EXPECT_EQ(v.op.task.pid, 300u);
  expect_path(v.object, "/home/u/notes.txt", "");
  EXPECT_FALSE(v.original);
  EXPECT_FALSE(v.target);
  EXPECT_FALSE(v.xattr);
  EXPECT_TRUE(v.tags.empty());
}

TEST(FileView, WalkedPathWinsOverCwd) {
  FileView v = view_of(NJ_REC_FILE_CHMOD, NJ_SYS_FCHMOD, {walked(kId, NJ_FF_PATH, {"etc", "sudoers"})}, "/tmp");
  expect_path(v.object, "/etc/sudoers", "");
}

TEST(FileView, AbsoluteNameIgnoresDir) {
  FileView v = view_of(NJ_REC_FILE_DELETE, NJ_SYS_UNLINKAT,
                       {str_bytes(kId, NJ_FF_NAME, 0, "/etc//cron.d/../cron.d/job"), walked(kId, NJ_FF_DIR, {"tmp"})});
  expect_path(v.object, "/etc/cron.d/job", "/etc//cron.d/../cron.d/job");
}

TEST(FileView, RelativeNameResolvedAgainstDir) {
  FileView v =
      view_of(NJ_REC_FILE_CREATE, NJ_SYS_MKDIRAT,
              {str_bytes(kId, NJ_FF_NAME, 0, "../x/./y.d"), walked(kId, NJ_FF_DIR, {"home", "u", "src"})}, "/ignored");
  expect_path(v.object, "/home/u/x/y.d", "../x/./y.d");
}

// utimensat(fd, "", ..., AT_EMPTY_PATH): the directory part is the object.
TEST(FileView, EmptyNameIsTheDir) {
  FileView v = view_of(NJ_REC_FILE_TIMES, NJ_SYS_UTIMENSAT,
                       {str_bytes(kId, NJ_FF_NAME, 0, ""), walked(kId, NJ_FF_DIR, {"var", "log", "wtmp"})});
  expect_path(v.object, "/var/log/wtmp", "");
}

TEST(FileView, RelativeNameWithoutDirIsUnresolved) {
  FileView v = view_of(NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {str_bytes(kId, NJ_FF_NAME, 0, "evidence.log")});
  expect_path(v.object, "", "evidence.log", false, true);
}

TEST(FileView, RelativeNameWithoutDirUsesTheCwdGiven) {
  FileView v =
      view_of(NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {str_bytes(kId, NJ_FF_NAME, 0, "../evidence.log")}, "/srv/app");
  expect_path(v.object, "/srv/evidence.log", "../evidence.log");
}

TEST(FileView, NoPathAtAll) {
  FileView v = view_of(NJ_REC_FILE_CHMOD, NJ_SYS_FCHMOD, {});
  expect_path(v.object, "", "", false, true);
}

// rename(old, new): NAME/DIR the old path, NAME2/DIR2 the new one; the
// object is where the file is now.
TEST(FileView, RenameObjectIsTheNewPathOriginalTheOld) {
  FileView v = view_of(NJ_REC_FILE_RENAME, NJ_SYS_RENAMEAT2,
                       {str_bytes(kId, NJ_FF_NAME, 0, "payload.tmp"), walked(kId, NJ_FF_DIR, {"tmp"}),
                        str_bytes(kId, NJ_FF_NAME2, 0, "../etc/cron.d/./job"), walked(kId, NJ_FF_DIR2, {"srv"})});
  expect_path(v.object, "/etc/cron.d/job", "../etc/cron.d/./job");
  ASSERT_TRUE(v.original);
  expect_path(*v.original, "/tmp/payload.tmp", "payload.tmp");
  EXPECT_FALSE(v.target);
}

TEST(FileView, RenameAbsolutePaths) {
  FileView v = view_of(NJ_REC_FILE_RENAME, NJ_SYS_RENAME,
                       {str_bytes(kId, NJ_FF_NAME, 0, "/a/old"), str_bytes(kId, NJ_FF_NAME2, 0, "/b/new")});
  expect_path(v.object, "/b/new", "/b/new");
  ASSERT_TRUE(v.original);
  expect_path(*v.original, "/a/old", "/a/old");
}

// symlink(target, linkpath): the object is the link; the target is kept as
// written (it is resolved when the link is followed, not now).
TEST(FileView, SymlinkTargetKeptAsWritten) {
  FileView v = view_of(NJ_REC_FILE_CREATE, NJ_SYS_SYMLINKAT,
                       {str_bytes(kId, NJ_FF_NAME, 0, "hosts"), walked(kId, NJ_FF_DIR, {"tmp"}),
                        str_bytes(kId, NJ_FF_TARGET, 0, "../etc/./shadow")});
  expect_path(v.object, "/tmp/hosts", "hosts");
  ASSERT_TRUE(v.target);
  expect_path(*v.target, "../etc/./shadow", "../etc/./shadow");
  EXPECT_FALSE(v.original);
}

// link(oldpath, newpath): the object is the new link; NAME2 (the existing
// file) is resolved against its own directory.
TEST(FileView, LinkExistingPathResolved) {
  FileView v = view_of(NJ_REC_FILE_CREATE, NJ_SYS_LINKAT,
                       {str_bytes(kId, NJ_FF_NAME, 0, "copy"), walked(kId, NJ_FF_DIR, {"tmp"}),
                        str_bytes(kId, NJ_FF_NAME2, 0, "../../etc/shadow"), walked(kId, NJ_FF_DIR2, {"var", "x"})});
  expect_path(v.object, "/tmp/copy", "copy");
  ASSERT_TRUE(v.target);
  expect_path(*v.target, "/etc/shadow", "../../etc/shadow");
  EXPECT_FALSE(v.original);
}

TEST(FileView, LinkExistingPathWithoutDirIsUnresolved) {
  FileView v = view_of(NJ_REC_FILE_CREATE, NJ_SYS_LINK,
                       {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/copy"), str_bytes(kId, NJ_FF_NAME2, 0, "shadow")});
  expect_path(v.object, "/tmp/copy", "/tmp/copy");
  ASSERT_TRUE(v.target);
  expect_path(*v.target, "", "shadow", false, true);
}

TEST(FileView, XattrName) {
  FileView v =
      view_of(NJ_REC_FILE_XATTR, NJ_SYS_SETXATTR,
              {str_bytes(kId, NJ_FF_NAME, 0, "/usr/bin/ping"), str_bytes(kId, NJ_FF_XATTR, 0, "security.capability")});
  expect_path(v.object, "/usr/bin/ping", "/usr/bin/ping");
  ASSERT_TRUE(v.xattr);
  EXPECT_EQ(*v.xattr, "security.capability");
  EXPECT_FALSE(v.target);
}

TEST(FileView, TruncatedWalkedPath) {
  FileView v = view_of(NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT,
                       {str_bytes(kId, NJ_FF_PATH, 0, segments({"deep", "f"}), NJ_STR_TRUNCATED)});
  expect_path(v.object, ".../deep/f", "", true);
}

TEST(FileView, TruncatedName) {
  FileView v =
      view_of(NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, {str_bytes(kId, NJ_FF_NAME, 0, "/very/long/na", NJ_STR_TRUNCATED)});
  expect_path(v.object, "/very/long/na", "/very/long/na", true);
}

// A directory walk cut short is missing the path's top: the path made from
// it is not the whole path either, and is shown as the tail it is.
TEST(FileView, TruncatedDirTruncatesThePath) {
  FileView v = view_of(
      NJ_REC_FILE_DELETE, NJ_SYS_UNLINKAT,
      {str_bytes(kId, NJ_FF_NAME, 0, "f"), str_bytes(kId, NJ_FF_DIR, 0, segments({"d9", "d10"}), NJ_STR_TRUNCATED)});
  expect_path(v.object, ".../d9/d10/f", "f", true);
}

// Each of a rename's two paths says whether it was cut short.
TEST(FileView, RenameTruncationFollowsEachPath) {
  FileView v = view_of(
      NJ_REC_FILE_RENAME, NJ_SYS_RENAME,
      {str_bytes(kId, NJ_FF_NAME, 0, "/a/old"), str_bytes(kId, NJ_FF_NAME2, 0, "/b/very-long-ne", NJ_STR_TRUNCATED)});
  expect_path(v.object, "/b/very-long-ne", "/b/very-long-ne", true);
  ASSERT_TRUE(v.original);
  expect_path(*v.original, "/a/old", "/a/old", false);

  v = view_of(
      NJ_REC_FILE_RENAME, NJ_SYS_RENAME,
      {str_bytes(kId, NJ_FF_NAME, 0, "/a/very-long-ol", NJ_STR_TRUNCATED), str_bytes(kId, NJ_FF_NAME2, 0, "/b/new")});
  expect_path(v.object, "/b/new", "/b/new", false);
  ASSERT_TRUE(v.original);
  expect_path(*v.original, "/a/very-long-ol", "/a/very-long-ol", true);
}

TEST(FileView, TruncatedLinkTarget) {
  FileView v =
      view_of(NJ_REC_FILE_CREATE, NJ_SYS_SYMLINK,
              {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/l"), str_bytes(kId, NJ_FF_TARGET, 0, "/x/y", NJ_STR_TRUNCATED)});
  expect_path(v.object, "/tmp/l", "/tmp/l", false);
  ASSERT_TRUE(v.target);
  expect_path(*v.target, "/x/y", "/x/y", true);
}

// memfd_create's new file is walked like any open file: a disconnected
// dentry named "memfd:<name>".
TEST(FileView, MemfdWalked) {
  FileView v =
      view_of(NJ_REC_FILE_MEMFD, NJ_SYS_MEMFD_CREATE, {str_bytes(kId, NJ_FF_PATH, 0, "memfd:payload\0"s)}, "", 4);
  expect_path(v.object, "/memfd:payload", "");
}

// A refused memfd_create has no file: its NAME is the memfd's name, not a
// path relative to the cwd.
TEST(FileView, MemfdRefusedNameIsNotAPath) {
  FileView v =
      view_of(NJ_REC_FILE_MEMFD, NJ_SYS_MEMFD_CREATE,
              {str_bytes(kId, NJ_FF_NAME, 0, "payload"), walked(kId, NJ_FF_DIR, {"home", "u"})}, "/home/u", -13);
  expect_path(v.object, "/memfd:payload", "payload");
}
