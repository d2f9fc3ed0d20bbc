// The file family's rows of the hook table: syscall pairs (bpf/file/), the
// same programs' bodies on every backend. The first syscall of each row
// exists on every kernel and architecture we support; the others (x86's
// legacy open, mkdir, ...; openat2, fchmodat2 on older kernels) are skipped
// one by one where the kernel lacks them.
#include "families/file/hooks.h"

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
       {"openat", "open", "creat", "openat2"}},
      {"file.mkdir", "directories created", {"mkdirat", "mkdir"}},
      {"file.mknod", "device nodes, FIFOs and sockets created", {"mknodat", "mknod"}},
      {"file.symlink", "symbolic links created, with their target", {"symlinkat", "symlink"}},
      {"file.link", "hard links created, with the existing path", {"linkat", "link"}},
      {"file.unlink", "files and directories deleted", {"unlinkat", "unlink", "rmdir"}},
      {"file.rename", "renames, with both paths and the flags", {"renameat2", "renameat", "rename"}},
      {"file.truncate", "files truncated", {"ftruncate", "truncate"}},
      {"file.chmod", "mode changes (setuid, setgid, sticky)", {"fchmodat", "chmod", "fchmod", "fchmodat2"}},
      {"file.chown", "owner and group changes", {"fchownat", "chown", "lchown", "fchown"}},
      {"file.times", "access and modification times set (timestomping)", {"utimensat", "utime", "utimes", "futimesat"}},
      {"file.xattr",
       "extended attributes set or removed (file capabilities, labels)",
       {"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr"}},
      {"file.memfd", "anonymous memory files created (fileless execution)", {"memfd_create"}},
  };
  return p;
}

}  // namespace

std::vector<Hook> file_hooks() {
  std::vector<Hook> t;
  for (const Pair& p : pairs()) {
    t.push_back(syscall_hook(F, (std::string(p.name) + ".enter").c_str(), "arguments of each call", p.syscalls, true));
    t.push_back(syscall_hook(F, p.name, p.why, p.syscalls, false));
  }
  return t;
}

}  // namespace nj
