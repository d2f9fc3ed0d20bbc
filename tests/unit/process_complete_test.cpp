// Completing paths the kernel's walk cut short, against real files.
#include "families/process/complete.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
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

// A /proc of symbolic links: the namespace links are read, never followed.
void ns_link(const std::string& proc, const std::string& who, const std::string& ns) {
  std::filesystem::create_directories(proc + "/" + who + "/ns");
  ASSERT_EQ(::symlink(ns.c_str(), (proc + "/" + who + "/ns/mnt").c_str()), 0);
}

TEST(HostMountNs, PidOnesNotTheSensorsOwn) {
  njt::TempDir d("hostns");
  const std::string proc = d.path().string();
  const PathProbe probe = system_path_probe();
  EXPECT_FALSE(host_mount_ns(proc, probe));
  // PID 1 unreadable (hidepid, a more privileged PID 1): the sensor's own.
  ns_link(proc, "self", "mnt:[4026532300]");
  EXPECT_EQ(host_mount_ns(proc, probe), "mnt:[4026532300]");
  // Under ProtectSystem= the sensor's own is a private copy: PID 1's wins.
  ns_link(proc, "1", "mnt:[4026531841]");
  EXPECT_EQ(host_mount_ns(proc, probe), "mnt:[4026531841]");
}

TEST(LinksComparable, OnlyInTheHostsNamespace) {
  EXPECT_TRUE(links_comparable("mnt:[1]", "mnt:[1]", "mnt:[3]"));
  EXPECT_TRUE(links_comparable("mnt:[3]", "mnt:[1]", "mnt:[3]"));      // the sensor's own
  EXPECT_FALSE(links_comparable("mnt:[2]", "mnt:[1]", "mnt:[3]"));     // a container's
  EXPECT_FALSE(links_comparable(std::nullopt, "mnt:[1]", "mnt:[1]"));  // gone, or not ours to read
  EXPECT_FALSE(links_comparable("mnt:[1]", std::nullopt, std::nullopt));
  EXPECT_TRUE(links_comparable("mnt:[1]", std::nullopt, "mnt:[1]"));
  EXPECT_FALSE(links_comparable(std::nullopt, std::nullopt, std::nullopt));
}

}  // namespace
}  // namespace nj
