#include "enrich/hasher.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <exception>
#include <vector>

#include "enrich/sha256.h"
#include "util/fd.h"

namespace nj {

namespace {

uint64_t mtime_ns(const struct stat& st) {
  return static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
}

HashResult fail(const char* reason) { return HashResult{std::nullopt, reason}; }

}  // namespace

size_t ExecutableHasher::KeyHash::operator()(const Key& k) const {
  // boost::hash_combine's mixing; the fields are already well spread.
  size_t h = std::hash<uint64_t>{}(k.ino);
  for (uint64_t v : {k.dev, k.mtime_ns, k.size})
    h ^= std::hash<uint64_t>{}(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

ExecutableHasher::ExecutableHasher(HasherOptions opts) : opts_(opts), cache_(opts.capacity) {}

std::optional<HashResult> ExecutableHasher::cached_executable(const std::string& proc_exe, const std::string& path,
                                                              FileId expected) {
  // The path is tried first: most processes are gone by the time their exec
  // is handled, and while the inode matches, it is the same file that
  // /proc/<pid>/exe would show (same identity, mtime and size, so the same
  // cache key). /proc/<pid>/exe is needed only when the path now names
  // another file or nothing.
  struct stat st;
  auto is_expected = [&](const std::string& p) {
    return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && expected.dev == st.st_dev &&
           expected.ino == st.st_ino;
  };
  if (!is_expected(path) && !is_expected(proc_exe)) return std::nullopt;
  if (static_cast<uint64_t>(st.st_size) > opts_.max_size) return std::nullopt;
  Key key{st.st_dev, st.st_ino, mtime_ns(st), static_cast<uint64_t>(st.st_size)};
  // Not a miss yet: hash_executable() looks again and counts it if it reads.
  if (auto hit = lookup(key, false)) return HashResult{std::move(hit), ""};
  return std::nullopt;
}

HashResult ExecutableHasher::hash_executable(const std::string& proc_exe, const std::string& path, FileId expected) {
  HashResult res = hash(proc_exe, expected);
  // The process may be gone already: its executable's path, if it still is
  // the same file, gives the same hash.
  if (!res.sha256 && res.reason == "vanished" && !path.empty()) res = hash(path, expected);
  return res;
}

HashResult ExecutableHasher::hash(const std::string& path, std::optional<FileId> expected) {
  // No O_NOFOLLOW: /proc/<pid>/exe is a symlink that must be followed.
  // O_NONBLOCK: opening a FIFO planted at the path must not hang the worker;
  // it has no effect on reads of regular files.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    int err = errno;
    count_error();
    // ESRCH: /proc/<pid>/exe of a process that is being torn down.
    return fail(err == ENOENT || err == ENOTDIR || err == ESRCH ? "vanished" : "unreadable");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    count_error();
    return fail("unreadable");
  }
  if (expected && (expected->dev != st.st_dev || expected->ino != st.st_ino)) {
    count_error();
    return fail("changed");
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > opts_.max_size) {
    std::lock_guard lock(mu_);
    ++too_large_;
    return fail("too-large");
  }
  Key key{st.st_dev, st.st_ino, mtime_ns(st), size};
  if (auto hit = lookup(key, true)) return HashResult{std::move(hit), ""};

  // Sha256 throws if libcrypto fails (not expected; sha256.h): that file has
  // no hash, with its own reason, and the sensor goes on.
  std::string hex;
  try {
    Sha256 h;
    std::vector<uint8_t> buf(1 << 16);
    uint64_t total = 0;
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        count_error();
        return fail("unreadable");
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      // Grown past what fstat said: it is being written; stop reading.
      if (total > size) break;
      h.update(buf.data(), static_cast<size_t>(n));
    }
    // A writer that raced with us leaves a different size or mtime (or a read
    // count that disagrees with the size). Better no hash than a wrong one.
    struct stat after;
    if (total != size || ::fstat(fd.get(), &after) != 0 || static_cast<uint64_t>(after.st_size) != size ||
        mtime_ns(after) != key.mtime_ns) {
      count_error();
      return fail("changed");
    }
    hex = to_hex(h.final());
  } catch (const std::exception& e) {
    count_error();
    // Once per process: if libcrypto fails it will likely fail for every file.
    static std::atomic<bool> logged{false};
    if (!logged.exchange(true)) spdlog::error("hashing {}: {} (further hash errors are not logged)", path, e.what());
    return fail("hash-error");
  }
  insert(key, hex);
  return HashResult{std::move(hex), ""};
}

std::optional<std::string> ExecutableHasher::lookup(const Key& k, bool count_miss) {
  std::lock_guard lock(mu_);
  const std::string* hit = count_miss ? cache_.get(k) : cache_.get_if_hit(k);
  if (!hit) return std::nullopt;
  return *hit;
}

void ExecutableHasher::insert(const Key& k, const std::string& sha256) {
  if (opts_.capacity == 0) return;
  std::lock_guard lock(mu_);
  // Another thread may have hashed the same file meanwhile: same digest.
  cache_.put(k, sha256);
}

void ExecutableHasher::count_error() {
  std::lock_guard lock(mu_);
  ++errors_;
}

HasherStats ExecutableHasher::stats() const {
  std::lock_guard lock(mu_);
  HasherStats s;
  s.size = cache_.size();
  s.hits = cache_.hits();
  s.misses = cache_.misses();
  s.evictions = cache_.evictions();
  s.too_large = too_large_;
  s.errors = errors_;
  return s;
}

}  // namespace nj
