// A file event's parts, put back together: every path made absolute (a
// name as passed joined to the directory it was relative to, "." and ".."
// folded), split the way ECS wants it, and the watch tags that apply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "nightjar/abi.h"

namespace nj {

struct FilePath {
  std::string path;       // absolute, or "" when it could not be made so
  std::string as_passed;  // the caller's string, when the path came from one
  bool truncated = false;
  bool unresolved = false;    // relative name whose directory is unknown, or disconnected
  bool disconnected = false;  // walked from a dentry no name leads to: the path is not known
};

struct FileView {
  uint16_t type = 0;                               // NJ_REC_FILE_*
  nj_file_op op{};                                 // a copy: the view outlives moves of its Event
  FilePath object;                                 // the file the event is about (rename: its new path)
  std::optional<FilePath> original;                // rename: the old path
  std::optional<FilePath> target;                  // symlink: target as passed; link: the existing path
  std::optional<std::string> xattr;                // the attribute's name
  std::vector<std::string> tags;                   // from the watch rules
  std::optional<std::string> new_user, new_group;  // chown: names of the new owner and group
};

// "." and ".." folded, repeated '/' collapsed; ".." at the root stays at the
// root, as the kernel resolves it. Expects an absolute path.
std::string normalize_path(const std::string& path);
// `name` resolved against `dir` (already absolute): name itself when it is
// absolute, dir when it is empty (AT_EMPTY_PATH).
std::string resolve_path(const std::string& dir, const std::string& name);

struct PathPieces {
  std::string directory, name, extension;  // extension: without the dot, "" if none
};
PathPieces split_path(const std::string& path);

// The parts of a file event of any type (the view's type and op from its
// closing record). `cwd` is the caller's working directory when the event
// did not carry the directory itself (kernel walk failed), "" if unknown.
FileView make_file_view(uint16_t type, const nj_file_op& op, const Event& ev, const std::string& cwd);

}  // namespace nj
