// The file family's rows of the hook table: syscall pairs (bpf/file/), the
// same programs' bodies on every backend. The first syscall of each row
// exists on every kernel and architecture we support; the others (openat2,
// fchmodat2 on older kernels) are skipped one by one where the kernel lacks
// them. x86's legacy path syscalls (open, mkdir, ...) are not in arm64's
// table at all (see native_syscalls).
#include "families/file/hooks.h"

#include <initializer_list>

namespace nj {

namespace {

constexpr Family F = Family::file;

struct Pair {
  const char* name;
  const char* why;
  std::vector<const char*> syscalls;
};

const std::vector<Pair>& pairs() {
  static const std::vector<Pair> p = {
      {"file.open",
       "files created, opened for writing, and watched files read",
       {"openat", "open", "creat", "openat2", "open_by_handle_at"}},
      {"file.mkdir", "directories created", {"mkdirat", "mkdir"}},
      {"file.mknod", "device nodes, FIFOs and sockets created", {"mknodat", "mknod"}},
      {"file.symlink", "symbolic links created, with their target", {"symlinkat", "symlink"}},
      {"file.link", "hard links created, with the existing path", {"linkat", "link"}},
      {"file.unlink", "files and directories deleted", {"unlinkat", "unlink", "rmdir"}},
      {"file.rename", "renames, with both paths and the flags", {"renameat2", "renameat", "rename"}},
      {"file.truncate",
       "files truncated, their space allocated or ranges punched out",
       {"ftruncate", "truncate", "fallocate"}},
      {"file.chmod", "mode changes (setuid, setgid, sticky)", {"fchmodat", "chmod", "fchmod", "fchmodat2"}},
      {"file.chown", "owner and group changes", {"fchownat", "chown", "lchown", "fchown"}},
      {"file.times", "access and modification times set (timestomping)", {"utimensat", "utime", "utimes", "futimesat"}},
      {"file.xattr",
       "extended attributes set or removed (file capabilities, labels)",
       {"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "setxattrat",
        "removexattrat"}},
      {"file.memfd", "anonymous memory files created (fileless execution)", {"memfd_create"}},
      {"file.chattr", "inode flags set (immutable, append-only: chattr)", {"ioctl", "file_setattr"}},
  };
  return p;
}

}  // namespace

std::vector<Hook> file_hooks() {
  std::vector<Hook> t;
  for (const Pair& p : pairs()) {
    const std::vector<const char*> syscalls = native_syscalls(p.syscalls);
    t.push_back(syscall_hook(F, (std::string(p.name) + ".enter").c_str(), "arguments of each call", syscalls, true));
    t.push_back(syscall_hook(F, p.name, p.why, syscalls, false));
  }
  t.push_back(Hook{"file.io_uring", F, false, "file operations submitted through io_uring (opcode only)",
                   tracepoint_everywhere("io_uring", {{"io_uring_submit_req", "tp__io_uring_submit_req"},
                                                      {"io_uring_submit_sqe", "tp__io_uring_submit_sqe"}})});
  // kprobe/fentry only: the identity of what a path-based call works on.
  struct Id {
    const char* fn;
    const char* why;
  };
  for (const Id& id : std::initializer_list<Id>{
           {"security_path_unlink", "identity and mode of a deleted file; io_uring UNLINKAT"},
           {"security_path_rmdir", "identity of a deleted directory; io_uring UNLINKAT"},
           {"security_path_rename",
            "identity of a renamed file and of the file its new name replaced; io_uring RENAMEAT"},
           {"security_path_chmod", "identity of a file whose mode changes (mode before the change)"},
           {"security_path_link", "identity of a hard-linked file; io_uring LINKAT"},
           {"vfs_utimes", "identity of a file whose times are set"},
           {"vfs_truncate", "identity of a file truncated by path"},
           {"security_inode_setxattr", "identity of a file whose extended attribute is set"},
           {"security_inode_removexattr", "identity of a file whose extended attribute is removed"},
       })
    t.push_back(Hook{std::string("file.id.") + id.fn, F, false, id.why, function_hook(id.fn, nullptr, nullptr)});
  // kprobe/fentry only: what io_uring requests do, which run no syscall.
  for (const Id& id : std::initializer_list<Id>{
           {"security_file_open", "files created, opened for writing or watched files read by io_uring OPENAT"},
           {"security_path_mkdir", "directories created by io_uring MKDIRAT"},
           {"security_path_symlink", "symbolic links created by io_uring SYMLINKAT"},
       })
    t.push_back(Hook{std::string("file.uring.") + id.fn, F, false, id.why, function_hook(id.fn, nullptr, nullptr)});
  // kprobe only: fentry cannot attach to it before v6.1 (struct arguments).
  std::vector<Variant> chown = function_hook("security_path_chown", nullptr, nullptr);
  chown.erase(chown.begin());  // the fentry variant
  t.push_back(Hook{"file.id.security_path_chown", F, false, "identity of a file whose owner changes", chown});
  return t;
}

}  // namespace nj
