#include "families/file/encode.h"

#include <cstdio>
#include <ctime>
#include <variant>

#include "families/file/view.h"
#include "util/host.h"

namespace nj {

namespace {

constexpr uint32_t kIfmt = 0170000;
// The open flags whose value differs by architecture (asm/fcntl.h): the
// kernel's, which f_flags holds, not user space's (whose O_LARGEFILE is 0
// on 64-bit).
#if defined(__aarch64__)
constexpr uint64_t kODirectory = 040000, kONofollow = 0100000, kODirect = 0200000, kOLargefile = 0400000;
#else
constexpr uint64_t kODirectory = 0200000, kONofollow = 0400000, kODirect = 040000, kOLargefile = 0100000;
#endif
constexpr uint64_t kODsync = 010000, kOSync = 04000000 | kODsync, kOTmpfile = 020000000 | kODirectory;
constexpr int64_t kUtimeNow = (1l << 30) - 1l;
constexpr int64_t kUtimeOmit = (1l << 30) - 2l;

struct ActionInfo {
  const char* action;
  const char* type;  // ECS event.type
};

ActionInfo action_of(uint16_t type) {
  switch (type) {
    case NJ_REC_FILE_CREATE: return {"create", "creation"};
    case NJ_REC_FILE_MODIFY: return {"modify", "change"};
    case NJ_REC_FILE_DELETE: return {"delete", "deletion"};
    case NJ_REC_FILE_RENAME: return {"rename", "change"};
    case NJ_REC_FILE_CHMOD: return {"chmod", "change"};
    case NJ_REC_FILE_CHOWN: return {"chown", "change"};
    case NJ_REC_FILE_TIMES: return {"times", "change"};
    case NJ_REC_FILE_XATTR: return {"xattr", "change"};
    case NJ_REC_FILE_MEMFD: return {"memfd", "creation"};
    case NJ_REC_FILE_URING: return {"io_uring", "change"};
    case NJ_REC_FILE_CHATTR: return {"chattr", "change"};
    default: return {"read", "access"};
  }
}

std::vector<std::string> bit_names(uint64_t v, std::initializer_list<std::pair<uint64_t, const char*>> names) {
  std::vector<std::string> out;
  for (auto& [bit, name] : names)
    if (v & bit) out.push_back(name);
  return out;
}

// RFC 3339 UTC, also before 1970 (touch -d 1960-01-01 is timestomping too).
std::string epoch_time(int64_t s, int64_t ns) {
  if (ns < 0 || ns > 999999999) ns = 0;
  const time_t t = static_cast<time_t>(s);
  struct tm tm {};
  if (!gmtime_r(&t, &tm)) return std::to_string(s);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns));
  return buf;
}

// mknod's dev as the caller passed it: user space's encoding of a dev_t
// (the kernel's new_decode_dev), not the kernel-internal MAJOR << 20 | MINOR
// dev_string expects.
std::string user_dev_string(uint32_t dev) {
  const uint32_t major = (dev & 0xfff00) >> 8;
  const uint32_t minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  return std::to_string(major) + ":" + std::to_string(minor);
}

// What kind of object, when the kernel did not say: from the syscall.
uint32_t implied_mode(const FileView& v) {
  const nj_file_op& op = v.op;
  switch (op.syscall) {
    case NJ_SYS_MKDIR:
    case NJ_SYS_MKDIRAT:
    case NJ_SYS_RMDIR: return 0040000;
    case NJ_SYS_UNLINKAT: return (op.args[0] & 0x200) ? 0040000 : 0;  // AT_REMOVEDIR
    case NJ_SYS_SYMLINK:
    case NJ_SYS_SYMLINKAT: return 0120000;
    case NJ_SYS_MKNOD:
    case NJ_SYS_MKNODAT: return (op.args[0] & kIfmt) ? op.args[0] & kIfmt : 0100000;
    default: return 0;
  }
}

void file_block(Encoder& e, const FileView& v) {
  const nj_file_op& op = v.op;
  const bool known = op.flags & NJ_FILE_OBJ_KNOWN;
  e.w().key("file");
  e.w().begin_object();
  if (!v.object.path.empty()) {
    e.str("path", v.object.path, "file.path");
    PathPieces pp = split_path(v.object.path);
    if (!pp.directory.empty()) e.str("directory", pp.directory, "file.directory");
    e.str("name", pp.name, "file.name");
    if (!pp.extension.empty()) e.str("extension", pp.extension, "file.extension");
  }
  const uint32_t mode = known ? op.obj.mode : implied_mode(v);
  if (const char* t = file_type_name(mode); *t) e.w().kv("type", t);
  if (known) {
    e.w().kv("inode", std::to_string(op.obj.ino));
    e.w().kv("device", dev_string(op.obj.dev));
    e.w().kv("mode", octal_mode(op.obj.mode));
    e.w().kv("uid", std::to_string(op.obj.uid));
    e.w().kv("gid", std::to_string(op.obj.gid));
  }
  if (v.target && !v.target->path.empty()) e.str("target_path", v.target->path, "file.target_path");
  e.w().end_object();
}

// The flags a chattr asked for, by the names of its call's bits, and
// whether the file is immutable or append-only: the inode's own flags after
// a call on an fd that succeeded, else what was asked.
void chattr_fields(Encoder& e, const nj_file_op& op) {
  const uint64_t kind = op.args[1] & NJ_CHATTR_KIND_MASK;
  const bool known = !(op.args[1] & NJ_CHATTR_FLAGS_UNKNOWN), x = kind != NJ_CHATTR_SETFLAGS;
  const auto f = static_cast<uint32_t>(op.args[0]);
  if (kind != NJ_CHATTR_FILE_SETATTR) e.w().kv("ioctl", x ? "FS_IOC_FSSETXATTR" : "FS_IOC_SETFLAGS");
  if (known) e.string_array("inode_flags", x ? xflag_names(f) : inode_flag_names(f));
  if (op.args[3] & NJ_CHATTR_STATE_KNOWN) {
    e.w().kb("immutable", op.args[3] & NJ_S_IMMUTABLE);
    e.w().kb("append_only", op.args[3] & NJ_S_APPEND);
  } else if (known) {
    e.w().kb("immutable", f & (x ? 0x8u : 0x10u));
    e.w().kb("append_only", f & (x ? 0x10u : 0x20u));
  }
}

void nightjar_file(Encoder& e, const FileView& v) {
  const nj_file_op& op = v.op;
  e.w().key("file");
  e.w().begin_object();
  if (!v.tags.empty()) e.string_array("tags", v.tags);
  if (!v.object.as_passed.empty() && v.object.as_passed != v.object.path)
    e.str("path_as_passed", v.object.as_passed, "nightjar.file.path_as_passed");
  if (v.object.truncated) e.w().kb("path_truncated", true);
  if (v.object.unresolved) e.w().kb("path_unresolved", true);
  // Reached through an fd after its last name went (deleted while open, an
  // O_TMPFILE or memfd file): the path names nothing one could open now.
  if ((op.flags & NJ_FILE_OBJ_KNOWN) && op.obj.nlink == 0 && v.type != NJ_REC_FILE_DELETE) e.w().kb("unlinked", true);
  if (v.original) {
    e.w().key("original");
    e.w().begin_object();
    if (!v.original->path.empty()) {
      e.str("path", v.original->path, "nightjar.file.original.path");
      PathPieces pp = split_path(v.original->path);
      e.str("directory", pp.directory, "nightjar.file.original.directory");
      e.str("name", pp.name, "nightjar.file.original.name");
    }
    if (!v.original->as_passed.empty() && v.original->as_passed != v.original->path)
      e.str("path_as_passed", v.original->as_passed, "nightjar.file.original.path_as_passed");
    if (v.original->truncated) e.w().kb("path_truncated", true);
    e.w().end_object();
  }
  if (v.type != NJ_REC_FILE_RENAME && v.target && !v.target->as_passed.empty() && v.target->as_passed != v.target->path)
    e.str("target_path_as_passed", v.target->as_passed, "nightjar.file.target_path_as_passed");
  if (v.target && v.target->truncated) e.w().kb("target_path_truncated", true);
  switch (op.syscall) {
    case NJ_SYS_OPEN:
    case NJ_SYS_OPENAT:
    case NJ_SYS_OPENAT2:
    case NJ_SYS_CREAT:
    case NJ_SYS_OPEN_BY_HANDLE_AT:
      e.string_array("open_flags", open_flag_names(op.args[0]));
      // O_CREAT and O_TMPFILE take a mode (not known to an io_uring open's hook).
      if (!(op.flags & NJ_FILE_IO_URING) && ((op.args[0] & 0100) || (op.args[0] & kOTmpfile) == kOTmpfile))
        e.w().kv("requested_mode", octal_mode(static_cast<uint32_t>(op.args[1])));
      break;
    case NJ_SYS_MKDIR:
    case NJ_SYS_MKDIRAT: e.w().kv("requested_mode", octal_mode(static_cast<uint32_t>(op.args[0]))); break;
    case NJ_SYS_MKNOD:
    case NJ_SYS_MKNODAT:
      e.w().kv("requested_mode", octal_mode(static_cast<uint32_t>(op.args[0])));
      if (op.args[1]) e.w().kv("rdev", user_dev_string(static_cast<uint32_t>(op.args[1])));
      break;
    case NJ_SYS_RENAMEAT2: e.string_array("rename_flags", rename_flag_names(op.args[0])); break;
    default: break;
  }
  if (v.type == NJ_REC_FILE_RENAME && op.retval >= 0) {
    // Only a hook inside the rename sees the file a new name replaced
    // (kprobe, fentry); where it ran, no `replaced` means none was.
    if (op.flags & NJ_FILE_REPLACED) {
      e.w().key("replaced");
      e.w().begin_object();
      e.w().kv("inode", std::to_string(op.args[2]));
      e.w().kv("device", dev_string(static_cast<uint32_t>(op.args[3])));
      e.w().kv("mode", octal_mode(static_cast<uint32_t>(op.args[1])));
      if (const char* t = file_type_name(static_cast<uint32_t>(op.args[1])); *t) e.w().kv("type", t);
      e.w().end_object();
    } else if (!(op.flags & NJ_FILE_OBJ_KNOWN)) {
      e.w().kb("replaced_unknown", true);
    }
  }
  switch (op.syscall) {
    case NJ_SYS_TRUNCATE:
    case NJ_SYS_FTRUNCATE: e.w().kn("length", static_cast<int64_t>(op.args[0])); break;
    case NJ_SYS_FALLOCATE:
      e.w().kn("offset", static_cast<int64_t>(op.args[2]));
      e.w().kn("length", static_cast<int64_t>(op.args[0]));
      e.string_array("fallocate_mode", fallocate_mode_names(static_cast<uint32_t>(op.args[1])));
      break;
    case NJ_SYS_CHMOD:
    case NJ_SYS_FCHMOD:
    case NJ_SYS_FCHMODAT:
    case NJ_SYS_FCHMODAT2:
      e.w().kv("new_mode", octal_mode(static_cast<uint32_t>(op.args[0])));
      e.string_array("mode_bits", mode_bit_names(static_cast<uint32_t>(op.args[0])));
      break;
    case NJ_SYS_CHOWN:
    case NJ_SYS_LCHOWN:
    case NJ_SYS_FCHOWN:
    case NJ_SYS_FCHOWNAT:
      if (static_cast<uint32_t>(op.args[0]) != UINT32_MAX) e.w().kn("new_uid", static_cast<uint32_t>(op.args[0]));
      if (static_cast<uint32_t>(op.args[1]) != UINT32_MAX) e.w().kn("new_gid", static_cast<uint32_t>(op.args[1]));
      if (v.new_user) e.str("new_user", *v.new_user, "nightjar.file.new_user");
      if (v.new_group) e.str("new_group", *v.new_group, "nightjar.file.new_group");
      break;
    case NJ_SYS_SETXATTR:
    case NJ_SYS_LSETXATTR:
    case NJ_SYS_FSETXATTR:
    case NJ_SYS_REMOVEXATTR:
    case NJ_SYS_LREMOVEXATTR:
    case NJ_SYS_FREMOVEXATTR:
    case NJ_SYS_SETXATTRAT:
    case NJ_SYS_REMOVEXATTRAT: {
      const bool set = op.syscall <= NJ_SYS_FSETXATTR || op.syscall == NJ_SYS_SETXATTRAT;
      e.w().key("xattr");
      e.w().begin_object();
      if (v.xattr) e.str("name", *v.xattr, "nightjar.file.xattr.name");
      e.w().kv("operation", set ? "set" : "remove");
      if (set) e.w().kn("size", op.args[1]);
      if (v.xattr && *v.xattr == "security.capability") e.w().kb("file_capabilities", true);
      e.w().end_object();
      break;
    }
    case NJ_SYS_MEMFD_CREATE: e.string_array("memfd_flags", memfd_flag_names(op.args[0])); break;
    default: break;
  }
  if (v.type == NJ_REC_FILE_URING) {
    e.w().key("io_uring");
    e.w().begin_object();
    e.w().kv("opcode", io_uring_op_name(op.args[0]));
    e.w().kb("sq_thread", op.args[1] != 0);
    e.w().end_object();
  } else if (op.flags & NJ_FILE_IO_URING) {
    e.w().key("io_uring");
    e.w().begin_object();
    e.w().kb("worker", op.flags & NJ_FILE_IO_WORKER);
    e.w().end_object();
  }
  if (v.type == NJ_REC_FILE_CHATTR) chattr_fields(e, op);
  if (v.type == NJ_REC_FILE_TIMES) {
    auto when = [&](const char* key, int64_t s, int64_t ns) {
      if (ns == kUtimeNow) {
        e.w().kv(key, "now");
      } else if (ns == kUtimeOmit) {
        e.w().kv(key, "unchanged");
      } else {
        e.w().kv(key, epoch_time(s, ns));
      }
    };
    when("atime", static_cast<int64_t>(op.args[0]), static_cast<int64_t>(op.args[1]));
    when("mtime", static_cast<int64_t>(op.args[2]), static_cast<int64_t>(op.args[3]));
  }
  if (op.flags & NJ_FILE_NO_ENTER) e.w().kb("entry_unseen", true);
  if (op.flags & NJ_FILE_PARTS_LOST) e.w().kb("parts_lost", true);
  e.w().end_object();
}

template <typename R>
void encode_file(Encoder& e, const Event& ev, const R& r) {
  FileView local;
  const FileView* v = nullptr;
  if (e.en()) v = std::get_if<FileView>(&e.en()->view);
  if (!v) {
    local = make_file_view(r.hdr.type, r.op, ev, "");
    v = &local;
  }
  const nj_file_op& op = r.op;
  const ActionInfo a = action_of(r.hdr.type);
  const bool ok = op.retval >= 0;
  // An io_uring request's result is in its completion, which is not read.
  const bool uring = op.flags & NJ_FILE_IO_URING;
  e.begin(r.hdr.ts_ns, "event", "file", a.type, a.action,
          uring ? "unknown"
          : ok  ? "success"
                : "failure",
          r.hdr.event_id);
  e.acting_process(op.task);
  if (r.hdr.type != NJ_REC_FILE_URING) file_block(e, *v);  // what an io_uring request acts on is not known
  e.context_fields(op.task);
  if (!ok) e.error_block(errno_of(op.retval));
  e.nightjar_begin(r.hdr);
  if (const char* s = syscall_name(op.syscall); s && !uring) e.w().kv("syscall", s);
  nightjar_file(e, *v);
  e.w().kn("cgroup_id", op.task.cgroup_id);
  e.nightjar_context();
  e.nightjar_end();
}

}  // namespace

std::vector<std::string> open_flag_names(uint64_t f) {
  std::vector<std::string> out;
  switch (f & 3) {
    case 0: out.push_back("O_RDONLY"); break;
    case 1: out.push_back("O_WRONLY"); break;
    case 2: out.push_back("O_RDWR"); break;
    default: break;
  }
  // O_TMPFILE includes O_DIRECTORY's bit, O_SYNC O_DSYNC's: each named
  // once, as itself.
  if ((f & kOTmpfile) == kOTmpfile) f &= ~kODirectory;
  if ((f & kOSync) == kOSync) f &= ~kODsync;
  for (auto& n : bit_names(f, {{0100, "O_CREAT"},
                               {0200, "O_EXCL"},
                               {0400, "O_NOCTTY"},
                               {01000, "O_TRUNC"},
                               {02000, "O_APPEND"},
                               {04000, "O_NONBLOCK"},
                               {kODsync, "O_DSYNC"},
                               {kODirect, "O_DIRECT"},
                               {kOLargefile, "O_LARGEFILE"},
                               {kODirectory, "O_DIRECTORY"},
                               {kONofollow, "O_NOFOLLOW"},
                               {01000000, "O_NOATIME"},
                               {02000000, "O_CLOEXEC"},
                               {kOSync & ~kODsync, "O_SYNC"},
                               {010000000, "O_PATH"},
                               {kOTmpfile & ~kODirectory, "O_TMPFILE"}}))
    out.push_back(n);
  return out;
}

std::vector<std::string> rename_flag_names(uint64_t f) {
  return bit_names(f, {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}});
}

std::vector<std::string> memfd_flag_names(uint64_t f) {
  return bit_names(
      f,
      {{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"}, {8, "MFD_NOEXEC_SEAL"}, {0x10, "MFD_EXEC"}});
}

// Mode 0 allocates (linux/falloc.h names it too); a flag newer than these
// is named unknown: the array is never empty.
std::vector<std::string> fallocate_mode_names(uint32_t mode) {
  if (mode == 0) return {"FALLOC_FL_ALLOCATE_RANGE"};
  auto names = bit_names(mode, {{0x01, "FALLOC_FL_KEEP_SIZE"},
                                {0x02, "FALLOC_FL_PUNCH_HOLE"},
                                {0x04, "FALLOC_FL_NO_HIDE_STALE"},
                                {0x08, "FALLOC_FL_COLLAPSE_RANGE"},
                                {0x10, "FALLOC_FL_ZERO_RANGE"},
                                {0x20, "FALLOC_FL_INSERT_RANGE"},
                                {0x40, "FALLOC_FL_UNSHARE_RANGE"},
                                {0x80, "FALLOC_FL_WRITE_ZEROES"}});
  if (mode & ~0xffu) names.push_back("FALLOC_FL_UNKNOWN");
  return names;
}

std::vector<std::string> mode_bit_names(uint32_t mode) {
  return bit_names(mode, {{04000, "setuid"}, {02000, "setgid"}, {01000, "sticky"}});
}

std::string io_uring_op_name(uint64_t op) {
  switch (op) {
    case 2: return "WRITEV";
    case 5: return "WRITE_FIXED";
    case 17: return "FALLOCATE";
    case 18: return "OPENAT";
    case 23: return "WRITE";
    case 28: return "OPENAT2";
    case 35: return "RENAMEAT";
    case 36: return "UNLINKAT";
    case 37: return "MKDIRAT";
    case 38: return "SYMLINKAT";
    case 39: return "LINKAT";
    case 41: return "FSETXATTR";
    case 42: return "SETXATTR";
    case 55: return "FTRUNCATE";
    default: return std::to_string(op);
  }
}

std::string octal_mode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 07777);
  return buf;
}

const char* file_type_name(uint32_t mode) {
  switch (mode & kIfmt) {
    case 0100000: return "file";
    case 0040000: return "dir";
    case 0120000: return "symlink";
    case 0020000: return "char_device";
    case 0060000: return "block_device";
    case 0010000: return "fifo";
    case 0140000: return "socket";
    default: return "";
  }
}

void encode_record(Encoder& e, const Event& ev, const nj_file_create& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_modify& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_delete& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_rename& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_chmod& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_chown& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_times& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_xattr& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_memfd& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_read& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_uring& r) { encode_file(e, ev, r); }
void encode_record(Encoder& e, const Event& ev, const nj_file_chattr& r) { encode_file(e, ev, r); }

}  // namespace nj
