#include "enrich/hasher.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "enrich/sha256.h"
#include "temp_dir.h"

using namespace nj;

namespace {

class HasherTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& data) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
    return p.string();
  }
  static std::string sha(const std::string& data) { return to_hex(Sha256::of(data)); }
  static FileId id_of(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return FileId{st.st_dev, st.st_ino};
  }

  njt::TempDir tmp_{"hasher"};
  const std::filesystem::path dir_ = tmp_.path();
};

TEST_F(HasherTest, HashesAFile) {
  ExecutableHasher h;
  auto p = write("a", "hello world\n");
  auto r = h.hash(p);
  ASSERT_TRUE(r.sha256) << r.reason;
  EXPECT_EQ(*r.sha256, sha("hello world\n"));
  EXPECT_EQ(r.reason, "");
  // An empty file has a hash too.
  auto e = h.hash(write("empty", ""));
  ASSERT_TRUE(e.sha256);
  EXPECT_EQ(*e.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(HasherTest, LargerThanOneReadBuffer) {
  std::string big;
  for (int i = 0; i < 300000; ++i) big += static_cast<char>(i * 31);
  ExecutableHasher h;
  auto r = h.hash(write("big", big));
  ASSERT_TRUE(r.sha256);
  EXPECT_EQ(*r.sha256, sha(big));
}

TEST_F(HasherTest, SecondCallIsACacheHit) {
  ExecutableHasher h;
  auto p = write("a", "one");
  auto r1 = h.hash(p);
  auto r2 = h.hash(p);
  ASSERT_TRUE(r1.sha256 && r2.sha256);
  EXPECT_EQ(*r1.sha256, *r2.sha256);
  auto s = h.stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.size, 1u);
  EXPECT_EQ(s.errors, 0u);
}

TEST_F(HasherTest, ModifiedFileIsRehashed) {
  ExecutableHasher h;
  auto p = write("a", "one");
  ASSERT_EQ(*h.hash(p).sha256, sha("one"));
  // New size (same inode: ofstream truncates in place).
  write("a", "three");
  EXPECT_EQ(*h.hash(p).sha256, sha("three"));
  EXPECT_EQ(h.stats().misses, 2u);

  // Same size, only the mtime differs.
  write("a", "THREE");
  struct timespec ts[2] = {{0, UTIME_OMIT}, {1000000, 123}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), ts, 0), 0);
  EXPECT_EQ(*h.hash(p).sha256, sha("THREE"));
  EXPECT_EQ(h.stats().misses, 3u);
  EXPECT_EQ(h.stats().hits, 0u);
}

TEST_F(HasherTest, ExpectedIdentity) {
  ExecutableHasher h;
  auto p = write("a", "x");
  FileId id = id_of(p);
  auto ok = h.hash(p, id);
  ASSERT_TRUE(ok.sha256) << ok.reason;

  auto wrong_ino = h.hash(p, FileId{id.dev, id.ino + 1});
  EXPECT_FALSE(wrong_ino.sha256);
  EXPECT_EQ(wrong_ino.reason, "changed");
  auto wrong_dev = h.hash(p, FileId{id.dev + 1, id.ino});
  EXPECT_FALSE(wrong_dev.sha256);
  EXPECT_EQ(wrong_dev.reason, "changed");

  // Replaced by another file at the same path (what a package upgrade does).
  auto q = write("b", "y");
  std::filesystem::rename(q, p);
  auto replaced = h.hash(p, id);
  EXPECT_FALSE(replaced.sha256);
  EXPECT_EQ(replaced.reason, "changed");
  EXPECT_EQ(h.stats().errors, 3u);
}

TEST_F(HasherTest, DeletedPathVanished) {
  ExecutableHasher h;
  auto p = write("a", "x");
  std::filesystem::remove(p);
  auto r = h.hash(p);
  EXPECT_FALSE(r.sha256);
  EXPECT_EQ(r.reason, "vanished");
  EXPECT_EQ(h.hash((dir_ / "a" / "b").string()).reason, "vanished");  // ENOTDIR-style miss
  EXPECT_EQ(h.stats().errors, 2u);
}

TEST_F(HasherTest, SizeCap) {
  ExecutableHasher h(HasherOptions{.capacity = 16, .max_size = 10});
  auto at_cap = h.hash(write("ten", std::string(10, 'a')));
  EXPECT_TRUE(at_cap.sha256);
  auto over = h.hash(write("eleven", std::string(11, 'a')));
  EXPECT_FALSE(over.sha256);
  EXPECT_EQ(over.reason, "too-large");
  auto s = h.stats();
  EXPECT_EQ(s.too_large, 1u);
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(s.misses, 1u);
}

TEST_F(HasherTest, LruEviction) {
  ExecutableHasher h(HasherOptions{.capacity = 2});
  auto a = write("a", "A"), b = write("b", "B"), c = write("c", "C");
  h.hash(a);
  h.hash(b);
  h.hash(a);  // hit: a is now more recent than b
  h.hash(c);  // evicts b
  auto s = h.stats();
  EXPECT_EQ(s.size, 2u);
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 3u);
  h.hash(a);  // still cached
  EXPECT_EQ(h.stats().hits, 2u);
  h.hash(b);  // was evicted: read again, evicts c
  s = h.stats();
  EXPECT_EQ(s.misses, 4u);
  EXPECT_EQ(s.evictions, 2u);
  EXPECT_EQ(s.size, 2u);
  h.hash(c);
  EXPECT_EQ(h.stats().misses, 5u);
}

TEST_F(HasherTest, ZeroCapacityDisablesCache) {
  ExecutableHasher h(HasherOptions{.capacity = 0});
  auto a = write("a", "A");
  EXPECT_TRUE(h.hash(a).sha256);
  EXPECT_TRUE(h.hash(a).sha256);
  auto s = h.stats();
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.size, 0u);
  EXPECT_EQ(s.evictions, 0u);
}

TEST_F(HasherTest, FollowsSymlinksLikeProcExe) {
  // The test binary (a Debug build) may exceed the default size cap.
  HasherOptions opts;
  opts.max_size = 1ull << 30;
  ExecutableHasher h(opts);
  auto target = write("real", "binary");
  auto link = (dir_ / "link").string();
  std::filesystem::create_symlink(target, link);
  auto r = h.hash(link, id_of(target));
  ASSERT_TRUE(r.sha256) << r.reason;
  EXPECT_EQ(*r.sha256, sha("binary"));

  // /proc/self/exe is the test binary itself.
  auto self = h.hash("/proc/self/exe");
  auto direct = h.hash(std::filesystem::read_symlink("/proc/self/exe").string());
  ASSERT_TRUE(self.sha256) << self.reason;
  ASSERT_TRUE(direct.sha256) << direct.reason;
  EXPECT_EQ(*self.sha256, *direct.sha256);
}

TEST_F(HasherTest, NonRegularFilesAreUnreadable) {
  ExecutableHasher h;
  // A FIFO must not block the caller (nobody ever writes to it).
  auto fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(h.hash(fifo).reason, "unreadable");
  EXPECT_EQ(h.hash(dir_.string()).reason, "unreadable");
}

TEST_F(HasherTest, PermissionDenied) {
  ExecutableHasher h;
  auto p = write("secret", "x");
  ASSERT_EQ(::chmod(p.c_str(), 0), 0);
  // Root reads any file: check from a child that dropped to nobody.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
    pid_t child = ::fork();
    if (child == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
      ::_exit(h.hash(p).reason == "unreadable" ? 0 : 1);
    }
    int st = 0;
    ::waitpid(child, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
    return;
  }
  EXPECT_EQ(h.hash(p).reason, "unreadable");
}

// The executable of an exec: /proc/<pid>/exe while the process lives, its
// path once it is gone, and only ever the inode that was executed.
TEST_F(HasherTest, ExecutableThroughProcExeOrPath) {
  ExecutableHasher h;
  auto p = write("tool", "tool v1");
  const FileId id = id_of(p);
  const std::string gone = (dir_ / "no-such-pid-exe").string();

  EXPECT_FALSE(h.cached_executable(gone, p, id)) << "nothing cached yet";
  EXPECT_EQ(h.stats().misses, 0u) << "a look into the cache is not a read";
  auto r = h.hash_executable(gone, p, id);
  ASSERT_TRUE(r.sha256) << r.reason;
  EXPECT_EQ(*r.sha256, sha("tool v1"));
  EXPECT_EQ(h.stats().misses, 1u);

  auto c = h.cached_executable(gone, p, id);
  ASSERT_TRUE(c && c->sha256);
  EXPECT_EQ(*c->sha256, sha("tool v1"));
  // A live process: /proc/<pid>/exe (a symlink to the file) is enough.
  auto link = (dir_ / "exe-link").string();
  std::filesystem::create_symlink(p, link);
  c = h.cached_executable(link, "", id);
  ASSERT_TRUE(c && c->sha256);
  EXPECT_EQ(*c->sha256, sha("tool v1"));
  EXPECT_TRUE(h.hash_executable(link, "", id).sha256);

  // The path now names another file: only the process's own link may answer.
  auto old = (dir_ / "tool.old").string();
  std::filesystem::rename(p, old);
  write("tool", "tool v2");
  EXPECT_FALSE(h.cached_executable(gone, p, id)) << "the path is another inode";
  EXPECT_EQ(h.hash_executable(gone, p, id).reason, "changed");
  c = h.cached_executable(link, p, id);  // the link still points at "tool": v2
  EXPECT_FALSE(c);
  auto moved = (dir_ / "exe-link-old").string();
  std::filesystem::create_symlink(old, moved);
  c = h.cached_executable(moved, p, id);
  ASSERT_TRUE(c && c->sha256) << "found through /proc/<pid>/exe when the path fails";
  EXPECT_EQ(*c->sha256, sha("tool v1"));

  // No path (a memfd) and the process gone: nothing to read.
  EXPECT_FALSE(h.cached_executable(gone, "", id));
  EXPECT_EQ(h.hash_executable(gone, "", id).reason, "vanished");
}

TEST_F(HasherTest, ConcurrentUse) {
  ExecutableHasher h(HasherOptions{.capacity = 4});
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) paths.push_back(write("f" + std::to_string(i), std::string(1000 + i, 'x')));
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto& p = paths[(i * 3 + t) % paths.size()];
        auto r = h.hash(p);
        if (!r.sha256 || *r.sha256 != sha(std::string(1000 + (&p - paths.data()), 'x'))) bad = true;
        (void)h.stats();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_FALSE(bad);
  auto s = h.stats();
  EXPECT_EQ(s.hits + s.misses, 800u);
  EXPECT_LE(s.size, 4u);
}

}  // namespace
