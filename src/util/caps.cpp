#include "util/caps.h"

#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "util/files.h"

// Older uapi headers lack the 5.8 capabilities; their numbers are ABI.
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

namespace nj {

std::vector<CapNeed> sensor_cap_needs(const PrivilegeContext& c, CapUse use) {
  std::vector<CapNeed> needs;
  if (c.last_cap >= CAP_BPF) {
    needs.push_back({{CAP_BPF, CAP_SYS_ADMIN}, "load BPF programs and create maps"});
    needs.push_back({{CAP_PERFMON, CAP_SYS_ADMIN}, "tracing programs, reading kernel memory, perf events"});
  } else {
    needs.push_back({{CAP_SYS_ADMIN}, "load BPF programs (kernels before 5.8)"});
  }
  // tracefs is 0700 root: the tracepoints' ids are read there. The same
  // capability reads executables of every mode for hashing.
  needs.push_back({{CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE}, "read tracefs and every user's executables"});
  // /proc/<pid>/exe of other users' processes (seeding, hashing) is behind
  // a ptrace access check.
  if (use == CapUse::run) needs.push_back({{CAP_SYS_PTRACE}, "read /proc/<pid>/exe of every user's processes"});
  if (!c.tracefs_mounted) needs.push_back({{CAP_SYS_ADMIN}, "mount tracefs"});
  if (c.perf_pages_mapped > c.perf_lock_allowance)
    needs.push_back({{CAP_IPC_LOCK}, "lock perf buffers larger than perf_event_mlock_kb and RLIMIT_MEMLOCK allow"});
  if (!c.memcg_charges_bpf && !c.memlock_unlimited)
    needs.push_back({{CAP_SYS_RESOURCE}, "raise RLIMIT_MEMLOCK for BPF maps (kernels before 5.11)"});
  return needs;
}

std::vector<CapNeed> unmet_needs(const std::vector<CapNeed>& needs, uint64_t effective) {
  std::vector<CapNeed> out;
  for (const CapNeed& n : needs) {
    bool met = false;
    for (int cap : n.any_of) met |= cap < 64 && (effective >> cap & 1);
    if (!met) out.push_back(n);
  }
  return out;
}

std::string cap_name(int cap) {
  switch (cap) {
    case CAP_DAC_OVERRIDE: return "CAP_DAC_OVERRIDE";
    case CAP_DAC_READ_SEARCH: return "CAP_DAC_READ_SEARCH";
    case CAP_IPC_LOCK: return "CAP_IPC_LOCK";
    case CAP_SYS_PTRACE: return "CAP_SYS_PTRACE";
    case CAP_SYS_ADMIN: return "CAP_SYS_ADMIN";
    case CAP_SYS_RESOURCE: return "CAP_SYS_RESOURCE";
    case CAP_PERFMON: return "CAP_PERFMON";
    case CAP_BPF: return "CAP_BPF";
    default: return "cap " + std::to_string(cap);
  }
}

std::string describe_needs(const std::vector<CapNeed>& needs) {
  std::string out;
  for (const CapNeed& n : needs) {
    if (!out.empty()) out += ", ";
    for (size_t i = 0; i < n.any_of.size(); i++) {
      if (i == 1) out += " (or ";
      else if (i > 1) out += " or ";
      out += cap_name(n.any_of[i]);
    }
    if (n.any_of.size() > 1) out += ")";
  }
  return out;
}

int cap_last_cap() {
  auto l = read_line("/proc/sys/kernel/cap_last_cap");
  return l ? std::atoi(l->c_str()) : 40;
}

uint64_t effective_caps() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return 0;
  return uint64_t{data[0].effective} | uint64_t{data[1].effective} << 32;
}

namespace {

// 5.11 and later: the first release that charges BPF memory to the cgroup.
bool release_at_least(const char* release, int major, int minor) {
  int ma = 0, mi = 0;
  if (std::sscanf(release, "%d.%d", &ma, &mi) != 2) return true;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace

PrivilegeContext read_privilege_context(uint64_t perf_pages_per_cpu) {
  PrivilegeContext c;
  c.last_cap = cap_last_cap();
  // The mount point's file system type, which needs no privileges: what is
  // inside it does (tracefs is 0700).
  struct statfs fs;
  c.tracefs_mounted = statfs("/sys/kernel/tracing", &fs) == 0 && fs.f_type == TRACEFS_MAGIC;
  struct utsname u;
  c.memcg_charges_bpf = uname(&u) != 0 || release_at_least(u.release, 5, 11);
  struct rlimit rl = {0, 0};
  c.memlock_unlimited = getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY;
  if (perf_pages_per_cpu) {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN), page = sysconf(_SC_PAGESIZE);
    auto paranoid = read_line("/proc/sys/kernel/perf_event_paranoid");
    auto mlock_kb = read_line("/proc/sys/kernel/perf_event_mlock_kb");
    c.perf_pages_mapped = static_cast<uint64_t>(cpus) * (perf_pages_per_cpu + 1);
    // perf_event_paranoid -1: the kernel checks no limit.
    if (cpus > 0 && page > 0 && mlock_kb && !(paranoid && std::atoi(paranoid->c_str()) < 0) && !c.memlock_unlimited)
      c.perf_lock_allowance = std::strtoull(mlock_kb->c_str(), nullptr, 10) * 1024 / page * cpus + rl.rlim_cur / page;
  }
  return c;
}

}  // namespace nj
