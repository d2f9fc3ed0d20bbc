// Host identity, boot-time -> wall-clock conversion and process entity ids.
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <string_view>

namespace nj {

struct HostInfo {
  std::string name;     // hostname
  std::string id;       // /etc/machine-id
  std::string boot_id;  // /proc/sys/kernel/random/boot_id, dashes removed
  std::string kernel;   // uname -r
  std::string arch;
  long clock_ticks = 100;  // sysconf(_SC_CLK_TCK)
};

HostInfo read_host_info();

// Whether a /proc/<pid>/ns/pid link's text names the initial PID namespace,
// whose inode number is fixed (PROC_PID_INIT_INO, include/linux/proc_ns.h).
// BPF helpers report pids of that namespace only.
bool is_initial_pid_ns(std::string_view ns_link);
// Whether this process is in it (/proc/self/ns/pid).
bool in_initial_pid_ns();
// The start time (clock ticks after boot, field 22) of a /proc/<pid>/stat
// text, whose command name may hold spaces and parentheses.
std::optional<uint64_t> stat_start_time(std::string_view stat);

// Converts CLOCK_BOOTTIME nanoseconds (what BPF records carry) to wall
// time. The offset is re-measured by refresh() so clock steps are followed.
class WallClock {
 public:
  WallClock();
  void refresh();
  uint64_t to_wall_ns(uint64_t boot_ns) const { return boot_ns + offset_ns_; }
  static uint64_t boot_now_ns();

 private:
  uint64_t offset_ns_ = 0;
};

// RFC 3339 UTC with nanoseconds: 2026-11-24T23:30:01.123456789Z
std::string format_time(uint64_t wall_ns);

// Stable for a process's whole life, different after pid reuse, and the
// same whether computed from a kernel event or from /proc/<pid>/stat:
// boot id + tgid + start time in clock ticks (what /proc shows).
std::string entity_id(const std::string& boot_id, uint32_t tgid, uint64_t start_boot_ns, long clock_ticks);
// The same from a start time already in clock ticks (the process table's).
std::string entity_id_ticks(const std::string& boot_id, uint32_t tgid, uint64_t start_ticks);

// The same two into a caller's buffer, returning the length: the encoder
// writes several of each per event and this keeps them off the heap.
using TimeBuf = char[32];
size_t format_time(uint64_t wall_ns, TimeBuf& buf);
using EntityIdBuf = char[64];
size_t entity_id_ticks(std::string_view boot_id, uint32_t tgid, uint64_t start_ticks, EntityIdBuf& buf);
uint64_t ns_to_ticks(uint64_t ns, long clock_ticks);

}  // namespace nj
