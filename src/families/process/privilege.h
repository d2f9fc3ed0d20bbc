// An exec that changed the effective ids: a set-user-ID or set-group-ID
// executable (a setuid-root binary run by an ordinary user gains root).
// The kernel's exec record carries the ids after the exec only; before
// them is what the process table knew (the fork's, the previous exec's, or
// the last credential_change event's), so this is pure user space and the
// exec record's layout is unchanged.
#pragma once

#include <cstdint>
#include <optional>

namespace nj {

struct ExecIds {
  uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
};

struct PrivilegeChange {
  uint32_t from_euid = 0, to_euid = 0, from_egid = 0, to_egid = 0;
  // The executable's set-id bits, when the sensor could read them from the
  // file the kernel ran (same device and inode); unknown otherwise.
  std::optional<bool> setuid, setgid;
};

// The change an exec made, or nullopt: none, or `before` is not the state
// the exec started from. execve never changes the real ids, so real ids
// that differ mean the table missed a change (a setuid() whose event the
// sensor was not asked for) and the effective ones cannot be compared.
// `mode`: the executable's st_mode, when known.
std::optional<PrivilegeChange> privilege_change(const ExecIds& before, const ExecIds& after,
                                                std::optional<uint32_t> mode);

}  // namespace nj
