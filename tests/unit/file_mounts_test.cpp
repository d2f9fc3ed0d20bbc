// The mount table that lets exclude-fs reach path-based file events.
#include <gtest/gtest.h>

#include "families/file/mounts.h"

namespace nj {
namespace {

const char kInfo[] =
    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "24 22 0:22 / /sys rw,nosuid shared:2 - sysfs sysfs rw\n"
    "25 24 0:23 / /sys/fs/cgroup rw,nosuid shared:3 - cgroup2 cgroup2 rw\n"
    "26 22 0:24 / /tmp rw shared:4 - tmpfs tmpfs rw\n"
    "27 22 0:25 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
    "28 22 0:26 / /tmp rw - ext4 /dev/vdb rw\n"
    "garbage line\n";

TEST(FileMounts, DeepestMountWins) {
  MountTable t = MountTable::parse(kInfo);
  EXPECT_EQ(t.size(), 7u);
  EXPECT_EQ(t.fs_type("/etc/passwd"), "ext4");
  EXPECT_EQ(t.fs_type("/sys/fs/cgroup/system.slice/x"), "cgroup2");
  EXPECT_EQ(t.fs_type("/sys/fs/cgroupx"), "sysfs");
  EXPECT_EQ(t.fs_type("/proc"), "proc");
  EXPECT_EQ(t.fs_type("/mnt/with space/f"), "tmpfs");
}

TEST(FileMounts, LaterMountHidesEarlierOnTheSamePoint) {
  MountTable t = MountTable::parse(kInfo);
  EXPECT_EQ(t.fs_type("/tmp/x"), "ext4");
}

TEST(FileMounts, EmptyTableKnowsNothing) {
  MountTable t = MountTable::parse("");
  EXPECT_EQ(t.fs_type("/tmp"), "");
}

}  // namespace
}  // namespace nj
