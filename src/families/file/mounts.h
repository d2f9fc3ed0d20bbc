// Which filesystem type a path lies on, from a mountinfo table: how an
// `exclude-fs` rule reaches the syscalls that name their object only by
// path (mkdir in a cgroup filesystem), whose filesystem the kernel side
// does not see.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nj {

class MountTable {
 public:
  // /proc/<pid>/mountinfo's text.
  static MountTable parse(const std::string& mountinfo);
  // The type of the filesystem mounted deepest above `path` ("" if none).
  const std::string& fs_type(const std::string& path) const;
  size_t size() const { return mounts_.size(); }

 private:
  struct Mount {
    std::string point;  // unescaped
    std::string type;
  };
  std::vector<Mount> mounts_;  // later mounts first: they hide earlier ones
};

}  // namespace nj
