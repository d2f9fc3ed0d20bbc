// Paths the kernel's dentry walk cut short (deeper than NJ_PATH_DEPTH, or
// longer than NJ_PATH_MAX), completed from what user space can still see.
// A candidate counts only when it ends with the walked tail -- and, for an
// executable, names the same file -- so a completion is never a guess; what
// cannot be completed keeps the "..." mark (decode.h, kCutPathMark).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "enrich/hasher.h"

namespace nj {

// Whether `full` is an absolute path that ends with `tail` (a walked tail:
// "/" and whole segments).
bool has_tail(const std::string& full, const std::string& tail);

// How completion looks at the system: the identity of a path (nullopt when
// it cannot be stat'ed) and a symlink's text (nullopt when unreadable).
struct PathProbe {
  std::function<std::optional<FileId>(const std::string&)> identity;
  std::function<std::optional<std::string>(const std::string&)> readlink;
};
// The real file system.
PathProbe system_path_probe();

// The first candidate that ends with `tail` and is the file `id`.
std::optional<std::string> complete_file(const std::string& tail, const std::vector<std::string>& candidates, FileId id,
                                         const PathProbe& probe);

// A link in /proc/<pid> (exe, cwd) read back: its text without the
// " (deleted)" the kernel adds for an unlinked file, if it ends with `tail`.
std::optional<std::string> complete_from_link(const std::string& tail, const std::string& link, const PathProbe& probe);

}  // namespace nj
