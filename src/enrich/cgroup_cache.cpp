#include "enrich/cgroup_cache.h"

#include <sys/stat.h>

#include <filesystem>
#include <string_view>

#include "util/files.h"
#include "util/host.h"

namespace nj {

namespace {

bool is_inode(const std::string& path, uint64_t ino) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && st.st_ino == ino;
}

// Fields 2 and 3 of a mounts line: "dev dir type options ...".
bool cgroup2_line(std::string_view line, std::string& dir) {
  std::string_view f[3];
  for (auto& field : f) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    line.remove_prefix(start);
    size_t end = line.find_first_of(" \t");
    field = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  }
  if (f[2] != "cgroup2") return false;
  dir = std::string(f[1]);
  return true;
}

}  // namespace

std::string cgroup2_mount(const std::string& mounts_path) {
  // Hosts with thousands of mounts exist; this is read once.
  auto text = read_file(mounts_path, 64 << 20);
  return text ? cgroup2_mount_from(*text) : "";
}

std::string cgroup2_mount_from(std::string_view mounts) {
  std::string_view rest(mounts);
  std::string dir;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (cgroup2_line(rest.substr(0, nl), dir)) return dir;
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  return "";
}

CgroupCache::CgroupCache(size_t capacity, std::string proc_root, std::string cgroup_root)
    : proc_root_(std::move(proc_root)), cgroup_root_(std::move(cgroup_root)), cache_(capacity) {
  if (cgroup_root_.empty()) cgroup_root_ = cgroup2_mount();
}

std::optional<CgroupInfo> CgroupCache::lookup(uint64_t id, pid_t pid, uint64_t event_ns) {
  if (const CgroupInfo* hit = cache_.get(id)) return *hit;
  std::string path = find_path(id, pid, event_ns);
  if (path.empty()) return std::nullopt;
  CgroupInfo info;
  info.container = container_from_cgroup(path);
  if (!info.container) info.unit = systemd_unit_from_cgroup(path);
  cache_.put(id, info);
  return info;
}

// /proc/<pid>/cgroup names the path (confirmed by the directory's inode); a
// process already gone is found by walking the cgroup2 tree instead.
std::string CgroupCache::find_path(uint64_t id, pid_t pid, uint64_t event_ns) {
  std::string path = read_cgroup_path(pid, proc_root_);
  if (!path.empty() && is_inode(cgroup_root_ + path, id)) return path;
  return scan(id, event_ns);
}

// One walk records every directory, so the processes of many short-lived
// cgroups cost one walk, not one each. Walking again only helps when the
// last walk began before the event: a cgroup its process was in then, and
// that a later walk did not see, was already removed. At most one walk
// per 10 ms all the same, against storms of new cgroups.
std::string CgroupCache::scan(uint64_t wanted, uint64_t event_ns) {
  if (cgroup_root_.empty()) return "";
  if (auto it = walked_.find(wanted); it != walked_.end()) return it->second;
  if (walked_at_ns_ > event_ns) return "";
  const auto now = std::chrono::steady_clock::now();
  if (now - last_walk_ < std::chrono::milliseconds(10)) return "";
  last_walk_ = now;
  walk();
  auto it = walked_.find(wanted);
  return it == walked_.end() ? "" : it->second;
}

void CgroupCache::walk() {
  walked_.clear();
  walks_++;
  walked_at_ns_ = WallClock::boot_now_ns();
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator it(cgroup_root_, fs::directory_options::skip_permission_denied, ec), end;
       it != end; it.increment(ec)) {
    if (ec) break;
    struct stat st;
    if (!it->is_directory(ec) || stat(it->path().c_str(), &st) != 0) continue;
    walked_.emplace(st.st_ino, it->path().string().substr(cgroup_root_.size()));
  }
}

}  // namespace nj
