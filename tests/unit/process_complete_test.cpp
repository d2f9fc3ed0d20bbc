// Completing paths the kernel's walk cut short, against real files.
#include "families/process/complete.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "decode/decode.h"
#include "temp_dir.h"

using namespace std::string_literals;

namespace nj {
namespace {

FileId id_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

void touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST(HasTail, WholeSegmentsOfAnAbsolutePath) {
  EXPECT_TRUE(has_tail("/a/b/c", "/b/c"));
  EXPECT_TRUE(has_tail("/a/b/c", "/a/b/c"));
  EXPECT_FALSE(has_tail("/a/xb/c", "/yb/c"));
  EXPECT_FALSE(has_tail("a/b/c", "/b/c"));    // relative: never a completion
  EXPECT_FALSE(has_tail("/b/c", "/a/b/c"));   // shorter than the tail
  EXPECT_FALSE(has_tail(".../b/c", "/b/c"));  // still cut
  EXPECT_FALSE(has_tail("/a/b/c", ""));
}

TEST(CutPath, MarkedSoThatNoAbsolutePathLooksLikeIt) {
  EXPECT_EQ(cut_path("/b/c"), ".../b/c");
  EXPECT_EQ(walked_path("c\0b\0"s, true), ".../b/c");
  EXPECT_EQ(walked_path("c\0b\0"s, false), "/b/c");
}

TEST(CompleteFile, TheCandidateThatIsTheFileWithTheTail) {
  njt::TempDir d("complete");
  const std::string dir = d.path().string();
  ASSERT_EQ(::mkdir((dir + "/deep").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir + "/other").c_str(), 0755), 0);
  touch(dir + "/deep/tool");
  touch(dir + "/other/tool");
  const FileId id = id_of(dir + "/deep/tool");
  const PathProbe probe = system_path_probe();
  // Same tail, another file (replaced or a namesake): refused.
  EXPECT_EQ(complete_file("/tool", {dir + "/other/tool", dir + "/deep/tool"}, id, probe), dir + "/deep/tool");
  EXPECT_FALSE(complete_file("/tool", {dir + "/other/tool"}, id, probe));
  // The right file under a path without the tail (a symlink's name): refused.
  ASSERT_EQ(::symlink((dir + "/deep/tool").c_str(), (dir + "/alias").c_str()), 0);
  EXPECT_FALSE(complete_file("/tool", {dir + "/alias"}, id, probe));
  EXPECT_FALSE(complete_file("/tool", {"deep/tool"}, id, probe));
  EXPECT_FALSE(complete_file("/tool", {dir + "/gone/tool"}, id, probe));
}

TEST(CompleteFromLink, LinkTextWithTheTail) {
  njt::TempDir d("complete");
  const std::string dir = d.path().string();
  const PathProbe probe = system_path_probe();
  ASSERT_EQ(::symlink("/srv/a/b/c", (dir + "/cwd").c_str()), 0);
  EXPECT_EQ(complete_from_link("/b/c", dir + "/cwd", probe), "/srv/a/b/c");
  EXPECT_FALSE(complete_from_link("/x/c", dir + "/cwd", probe));
  EXPECT_FALSE(complete_from_link("/b/c", dir + "/missing", probe));
  // The kernel's mark for an unlinked file is not part of the path.
  ASSERT_EQ(::symlink("/srv/a/b/c (deleted)", (dir + "/exe").c_str()), 0);
  EXPECT_EQ(complete_from_link("/b/c", dir + "/exe", probe), "/srv/a/b/c");
  // ...unless the file's own name ends that way.
  ASSERT_EQ(::symlink("/srv/x (deleted)", (dir + "/odd").c_str()), 0);
  EXPECT_EQ(complete_from_link("/x (deleted)", dir + "/odd", probe), "/srv/x (deleted)");
}

}  // namespace
}  // namespace nj
