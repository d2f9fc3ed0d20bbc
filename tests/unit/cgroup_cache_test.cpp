#include "enrich/cgroup_cache.h"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include "util/host.h"

#include "temp_dir.h"

namespace nj {
namespace {

namespace fs = std::filesystem;

TEST(Cgroup2Mount, FindsTheUnifiedHierarchy) {
  njt::TempDir dir("mounts");
  std::string p = (dir.path() / "mounts").string();
  std::ofstream(p) << "proc /proc proc rw 0 0\n"
                      "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
                      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n";
  EXPECT_EQ(cgroup2_mount(p), "/sys/fs/cgroup/unified");
}

TEST(Cgroup2Mount, NoneOrUnreadable) {
  njt::TempDir dir("mounts");
  std::string p = (dir.path() / "mounts").string();
  std::ofstream(p) << "proc /proc proc rw 0 0\nshort line\n";
  EXPECT_EQ(cgroup2_mount(p), "");
  EXPECT_EQ(cgroup2_mount((dir.path() / "none").string()), "");
}

// A fake /proc and cgroup tree: pid 42 lives in a docker scope, pid 43 in a
// service.
class CgroupCacheTest : public ::testing::Test {
 protected:
  njt::TempDir dir{"cgcache"};
  const std::string docker = "/system.slice/docker-" + std::string(64, 'a') + ".scope";
  uint64_t docker_id = 0, service_id = 0;

  void SetUp() override {
    docker_id = add(42, docker);
    service_id = add(43, "/system.slice/sshd.service");
  }
  uint64_t add(int pid, const std::string& cg) {
    fs::create_directories(root() + cg);
    fs::create_directories(proc() + "/" + std::to_string(pid));
    std::ofstream(proc() + "/" + std::to_string(pid) + "/cgroup") << "0::" << cg << "\n";
    struct stat st;
    ::stat((root() + cg).c_str(), &st);
    return st.st_ino;
  }
  std::string proc() const { return (dir.path() / "proc").string(); }
  std::string root() const { return (dir.path() / "cg").string(); }
};

TEST_F(CgroupCacheTest, ResolvesOnceThenHits) {
  CgroupCache c(8, proc(), root());
  auto a = c.lookup(docker_id, 42);
  ASSERT_TRUE(a && a->container);
  EXPECT_EQ(a->container->runtime, "docker");
  EXPECT_FALSE(a->unit);
  auto b = c.lookup(docker_id, 42);
  ASSERT_TRUE(b && b->container);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
  EXPECT_EQ(c.size(), 1u);
}

TEST_F(CgroupCacheTest, GoneProcessIsFoundByWalkingTheTree) {
  CgroupCache c(8, proc(), root());
  auto s = c.lookup(service_id, 999);  // no /proc entry
  ASSERT_TRUE(s);
  EXPECT_EQ(s->unit, "sshd.service");
}

// A walk finds every cgroup at once; another walk happens only for an
// event newer than the last walk (its cgroup may have been created since).
TEST_F(CgroupCacheTest, WalksAgainOnlyForEventsNewerThanTheLastWalk) {
  CgroupCache c(8, proc(), root());
  ASSERT_TRUE(c.lookup(service_id, 999, WallClock::boot_now_ns()));
  EXPECT_EQ(c.walks(), 1u);
  EXPECT_TRUE(c.lookup(docker_id, 998, WallClock::boot_now_ns())) << "found by the same walk";
  EXPECT_EQ(c.walks(), 1u);

  const uint64_t before = WallClock::boot_now_ns() - 1'000'000'000ull;
  EXPECT_FALSE(c.lookup(123456789, 997, before)) << "gone before the last walk";
  EXPECT_EQ(c.walks(), 1u);

  std::this_thread::sleep_for(std::chrono::milliseconds(15));
  fs::create_directories(root() + "/system.slice/late.service");
  struct stat st;
  ::stat((root() + "/system.slice/late.service").c_str(), &st);
  auto late = c.lookup(st.st_ino, 996, WallClock::boot_now_ns());
  ASSERT_TRUE(late) << "created after the last walk: walked again";
  EXPECT_EQ(late->unit, "late.service");
  EXPECT_EQ(c.walks(), 2u);
}

TEST_F(CgroupCacheTest, EvictsBeyondItsCapacity) {
  CgroupCache c(1, proc(), root());
  c.lookup(docker_id, 42);
  c.lookup(service_id, 43);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.evictions(), 1u);
}

}  // namespace
}  // namespace nj
