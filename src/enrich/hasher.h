// SHA-256 of executed files, cached by file identity so a binary that runs
// thousands of times a minute is read once.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "util/lru.h"

namespace nj {

struct HashResult {
  std::optional<std::string> sha256;  // lowercase hex
  // Empty when hashed, else why not: "too-large", "changed" (not the file
  // that was executed, or modified while being read), "vanished" (path gone),
  // "unreadable" (permissions, not a regular file, I/O error), "hash-error"
  // (libcrypto failed; logged once).
  std::string reason;
};

// The executed file's identity as the kernel reported it. dev is in the
// st_dev (makedev) encoding that stat() returns, not the kernel's internal
// dev_t: callers holding the in-kernel form must convert it first.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
};

struct HasherOptions {
  size_t capacity = 4096;           // cache entries; 0 disables caching
  uint64_t max_size = 64ull << 20;  // larger files are not hashed
};

struct HasherStats {
  uint64_t size = 0;  // entries in the cache now
  uint64_t hits = 0;
  uint64_t misses = 0;  // files actually read
  uint64_t evictions = 0;
  uint64_t too_large = 0;
  uint64_t errors = 0;  // "changed", "vanished", "unreadable" and "hash-error" results
};

class ExecutableHasher {
 public:
  explicit ExecutableHasher(HasherOptions opts = {});

  // path is followed if it is a symlink (so /proc/<pid>/exe works, even for
  // a deleted binary). When expected is given the opened file must be that
  // inode, else the result is "changed".
  HashResult hash(const std::string& path, std::optional<FileId> expected = std::nullopt);

  // An executed file, found through /proc/<pid>/exe (proc_exe: the very file
  // that was executed, even if replaced or unlinked since) or, once the
  // process is gone, through its path (empty when it has none, e.g. a
  // memfd); either must be the expected inode.
  HashResult hash_executable(const std::string& proc_exe, const std::string& path, FileId expected);
  // The same answer when the digest is cached, without reading the file
  // (a stat() or two: cheap enough for the pipeline thread). nullopt: not
  // cached, call hash_executable() off the pipeline thread.
  std::optional<HashResult> cached_executable(const std::string& proc_exe, const std::string& path, FileId expected);

  HasherStats stats() const;

 private:
  // Identity plus version: a rewrite in place keeps (dev, ino) but changes
  // mtime or size, and must not be served the old digest.
  struct Key {
    uint64_t dev, ino, mtime_ns, size;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  std::optional<std::string> lookup(const Key& k, bool count_miss);
  void insert(const Key& k, const std::string& sha256);
  void count_error();

  const HasherOptions opts_;
  // Guards everything below. Never held while reading a file, so a slow read
  // does not stall stats() or hits from other threads.
  mutable std::mutex mu_;
  Lru<Key, std::string, KeyHash> cache_;
  uint64_t too_large_ = 0, errors_ = 0;
};

}  // namespace nj
