#include "families/process/privilege.h"

#include <sys/stat.h>

namespace nj {

std::optional<PrivilegeChange> privilege_change(const ExecIds& before, const ExecIds& after,
                                                std::optional<uint32_t> mode) {
  if (before.uid != after.uid || before.gid != after.gid) return std::nullopt;
  if (before.euid == after.euid && before.egid == after.egid) return std::nullopt;
  PrivilegeChange c{before.euid, after.euid, before.egid, after.egid, std::nullopt, std::nullopt};
  if (mode) {
    c.setuid = (*mode & S_ISUID) != 0;
    c.setgid = (*mode & S_ISGID) != 0;
  }
  return c;
}

}  // namespace nj
