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

// The mount namespace whose paths events name (the text of an ns/mnt link):
// PID 1's, the host's view. Not the sensor's own: under systemd's
// ProtectSystem= or PrivateTmp= the sensor has a namespace of its own, a
// copy in which no other process lives. Where PID 1's link cannot be read (a
// /proc mounted hidepid=, a PID 1 holding capabilities the sensor lacks), the
// sensor's own: right whenever the sensor runs in the host's namespace.
std::optional<std::string> host_mount_ns(const std::string& proc_root, const PathProbe& probe);

// Whether a process's /proc links (cwd, exe) name paths from the same root as
// the kernel's walk: when it lives in the host's mount namespace (read from
// another namespace, such a link is still walked up to the host's root),
// or in the sensor's own (the same root as the reader's).
bool links_comparable(const std::optional<std::string>& process_ns, const std::optional<std::string>& host_ns,
                      const std::optional<std::string>& own_ns);

// A link in /proc/<pid> (exe, cwd) read back: its text without the
// " (deleted)" the kernel adds for an unlinked file, if it ends with `tail`.
std::optional<std::string> complete_from_link(const std::string& tail, const std::string& link, const PathProbe& probe);

}  // namespace nj
