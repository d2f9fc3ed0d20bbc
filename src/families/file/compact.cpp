// What the terminal view shows of file events: the path, and what changed.
#include "families/file/compact.h"

namespace nj {

std::vector<CompactAction> file_compact() {
  return {
      {"create", Tone::plain, {{"file.path", ""}, {"file.target_path", "->"}, {"nightjar.file.tags", "tags"}}},
      {"modify", Tone::plain, {{"file.path", ""}, {"nightjar.file.tags", "tags"}}},
      {"delete", Tone::plain, {{"file.path", ""}, {"nightjar.file.tags", "tags"}}},
      {"rename",
       Tone::plain,
       {{"nightjar.file.original.path", ""}, {"file.path", "->"}, {"nightjar.file.tags", "tags"}}},
      {"chmod", Tone::plain, {{"file.path", ""}, {"nightjar.file.new_mode", "mode"}, {"nightjar.file.tags", "tags"}}},
      {"chown",
       Tone::plain,
       {{"file.path", ""},
        {"nightjar.file.new_uid", "uid"},
        {"nightjar.file.new_gid", "gid"},
        {"nightjar.file.tags", "tags"}}},
      {"times", Tone::plain, {{"file.path", ""}, {"nightjar.file.mtime", "mtime"}}},
      {"xattr",
       Tone::plain,
       {{"file.path", ""}, {"nightjar.file.xattr.operation", "op"}, {"nightjar.file.xattr.name", "name"}}},
      {"chattr",
       Tone::plain,
       {{"file.path", ""}, {"nightjar.file.inode_flags", "flags"}, {"nightjar.file.tags", "tags"}}},
      {"memfd", Tone::plain, {{"file.path", ""}, {"nightjar.file.memfd_flags", "flags"}}},
      {"read", Tone::plain, {{"file.path", ""}, {"nightjar.file.tags", "tags"}}},
      {"io_uring", Tone::plain, {{"nightjar.file.io_uring.opcode", "opcode"}}},
  };
}

}  // namespace nj
