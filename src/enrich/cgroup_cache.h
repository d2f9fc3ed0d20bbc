// cgroup id (the cgroup directory's inode on cgroup2) -> container and
// systemd unit, cached: a cgroup's path never changes, and thousands of
// events a second share a handful of cgroups.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "enrich/container.h"
#include "util/lru.h"

namespace nj {

// Where cgroup2 is mounted (/sys/fs/cgroup on most systems, .../unified on
// hybrid v1/v2 hosts), from a mounts table; "" if none.
std::string cgroup2_mount(const std::string& mounts_path = "/proc/self/mounts");
// The same from a mounts table's contents.
std::string cgroup2_mount_from(std::string_view mounts);

struct CgroupInfo {
  std::optional<ContainerInfo> container;
  std::optional<std::string> unit;
};

class CgroupCache {
 public:
  // cgroup_root "": the cgroup2 mount found in /proc/self/mounts.
  CgroupCache(size_t capacity, std::string proc_root, std::string cgroup_root);

  // nullopt when the cgroup cannot be found. pid: a process in it, whose
  // /proc entry names the path if it still lives; event_ns: when that
  // process was seen in it (CLOCK_BOOTTIME, as BPF records carry it).
  std::optional<CgroupInfo> lookup(uint64_t id, pid_t pid, uint64_t event_ns = UINT64_MAX);

  size_t size() const { return cache_.size(); }
  uint64_t hits() const { return cache_.hits(); }
  uint64_t misses() const { return cache_.misses(); }
  uint64_t evictions() const { return cache_.evictions(); }
  uint64_t walks() const { return walks_; }

 private:
  std::string find_path(uint64_t id, pid_t pid, uint64_t event_ns);
  std::string scan(uint64_t wanted, uint64_t event_ns);
  void walk();

  std::string proc_root_;
  std::string cgroup_root_;
  Lru<uint64_t, CgroupInfo> cache_;
  // The last walk of the tree: every directory's id -> path, and when it
  // began (CLOCK_BOOTTIME).
  std::unordered_map<uint64_t, std::string> walked_;
  uint64_t walked_at_ns_ = 0;
  uint64_t walks_ = 0;
  std::chrono::steady_clock::time_point last_walk_{};
};

}  // namespace nj
