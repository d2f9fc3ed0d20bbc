// Giving up capabilities once the programs are attached: what the daemon
// still needs afterwards is reading other users' /proc/<pid>/exe and
// files (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) and bpf() on its own maps and
// links (CAP_BPF, see caps_kept_after_attach); attaching tracing programs
// (CAP_PERFMON), mounting, raising limits and everything else is over. A flaw in a
// parser after that point can no longer load a program or a module.
//
// Capabilities, the bounding set, the ambient set and no_new_privs are
// per thread in Linux, and the daemon's writer and hash threads exist
// before the programs are attached (they must: events wait for them from
// the first instant). So every thread of the process drops its own, on a
// signal the dropping thread sends it (what glibc does for setuid), and
// the result is read back from /proc/self/task/*/status.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.h"

namespace nj {

// The capabilities kept after attaching: a bit per capability.
uint64_t caps_kept_after_attach();

// Drops every capability but `keep` (and those the process does not hold)
// from the effective, permitted, inheritable, ambient and bounding sets of
// every thread, and sets no_new_privs. The error names the thread and set
// that did not follow.
Result<void> drop_capabilities_all_threads(uint64_t keep);

// "CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE" for a set.
std::string cap_names(uint64_t set);

}  // namespace nj
