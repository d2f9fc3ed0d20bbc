// Capabilities: which ones the sensor needs on this system, which ones this
// process holds, and the line that names what is missing. Root is not
// required: a user holding the needed capabilities (systemd's
// AmbientCapabilities=, setpriv, a container's cap_add) is as good.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nj {

// What decides which capabilities are needed, read once from the system.
struct PrivilegeContext {
  // /proc/sys/kernel/cap_last_cap: CAP_BPF (39) exists from 5.8 on; before
  // that CAP_SYS_ADMIN is the only way to load BPF programs.
  int last_cap = 40;
  // tracefs is mounted: otherwise the sensor mounts it (CAP_SYS_ADMIN).
  bool tracefs_mounted = true;
  // BPF memory is charged to the memory cgroup (5.11 on); before that to
  // RLIMIT_MEMLOCK, which libbpf raises (CAP_SYS_RESOURCE) unless it is
  // unlimited already.
  bool memcg_charges_bpf = true;
  bool memlock_unlimited = false;
  // Perf buffers: the pages they map (data and header page, every CPU),
  // and how many a user may lock without CAP_IPC_LOCK: perf_event_mlock_kb
  // per CPU, then RLIMIT_MEMLOCK. The kernel counts other processes of
  // the same user too, so this is the best case.
  uint64_t perf_pages_mapped = 0;
  uint64_t perf_lock_allowance = UINT64_MAX;
};

// One need: any one of these capabilities meets it (CAP_SYS_ADMIN stands
// in for CAP_BPF and CAP_PERFMON in the kernel's own checks).
struct CapNeed {
  std::vector<int> any_of;
  const char* why;
};

// `run` needs them all; `probe` loads no program that reads other
// processes' /proc entries.
enum class CapUse { run, probe };
std::vector<CapNeed> sensor_cap_needs(const PrivilegeContext& c, CapUse use = CapUse::run);
// The needs `effective` (a bit per capability) does not meet.
std::vector<CapNeed> unmet_needs(const std::vector<CapNeed>& needs, uint64_t effective);
// "CAP_BPF", "cap 45" for one this build does not know.
std::string cap_name(int cap);
// "CAP_BPF (or CAP_SYS_ADMIN), CAP_DAC_READ_SEARCH"
std::string describe_needs(const std::vector<CapNeed>& needs);

// /proc/sys/kernel/cap_last_cap (40 when it cannot be read).
int cap_last_cap();

// The effective set of this process (capget(2)); 0 when it cannot be read.
uint64_t effective_caps();
// The system as it is now, for a sensor with perf buffers of this many
// pages per CPU (0: the ring buffer).
PrivilegeContext read_privilege_context(uint64_t perf_pages_per_cpu = 0);

}  // namespace nj
