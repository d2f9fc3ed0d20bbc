#include "families/process/complete.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nj {

bool has_tail(const std::string& full, const std::string& tail) {
  if (full.empty() || full[0] != '/' || tail.empty() || tail[0] != '/') return false;
  return full.size() >= tail.size() && full.compare(full.size() - tail.size(), tail.size(), tail) == 0;
}

PathProbe system_path_probe() {
  PathProbe p;
  p.identity = [](const std::string& path) -> std::optional<FileId> {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  };
  p.readlink = [](const std::string& path) -> std::optional<std::string> {
    // The kernel refuses (ENAMETOOLONG) a link whose text would not fit
    // PATH_MAX: such a path stays cut.
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
    if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  };
  return p;
}

std::optional<std::string> host_mount_ns(const std::string& proc_root, const PathProbe& probe) {
  if (auto pid1 = probe.readlink(proc_root + "/1/ns/mnt")) return pid1;
  return probe.readlink(proc_root + "/self/ns/mnt");
}

bool links_comparable(const std::optional<std::string>& process_ns, const std::optional<std::string>& host_ns,
                      const std::optional<std::string>& own_ns) {
  return process_ns && ((host_ns && *process_ns == *host_ns) || (own_ns && *process_ns == *own_ns));
}

std::optional<std::string> complete_file(const std::string& tail, const std::vector<std::string>& candidates, FileId id,
                                         const PathProbe& probe) {
  for (const std::string& c : candidates) {
    if (!has_tail(c, tail)) continue;
    // The same text may name another file by now (renamed, replaced): only
    // the file that ran completes its own path.
    auto got = probe.identity(c);
    if (got && got->dev == id.dev && got->ino == id.ino) return c;
  }
  return std::nullopt;
}

std::optional<std::string> complete_from_link(const std::string& tail, const std::string& link,
                                              const PathProbe& probe) {
  auto text = probe.readlink(link);
  if (!text) return std::nullopt;
  static const std::string kDeleted = " (deleted)";
  if (text->size() > kDeleted.size() && text->compare(text->size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0 &&
      !has_tail(*text, tail))
    text->resize(text->size() - kDeleted.size());
  if (!has_tail(*text, tail)) return std::nullopt;
  return text;
}

}  // namespace nj
