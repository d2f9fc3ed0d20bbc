#include "process/host.h"

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "util/files.h"

namespace nj {

HostInfo read_host_info() {
  HostInfo h;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) == 0) h.name = name;
  h.id = read_line("/etc/machine-id").value_or("");
  std::string boot = read_line("/proc/sys/kernel/random/boot_id").value_or("");
  for (char c : boot)
    if (c != '-') h.boot_id += c;
  struct utsname u;
  if (uname(&u) == 0) {
    h.kernel = u.release;
    h.arch = u.machine;
  }
  long t = sysconf(_SC_CLK_TCK);
  if (t > 0) h.clock_ticks = t;
  return h;
}

static uint64_t now_ns(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

WallClock::WallClock() { refresh(); }

void WallClock::refresh() {
  // Bracket the realtime read with two boottime reads to halve the error.
  uint64_t b1 = now_ns(CLOCK_BOOTTIME);
  uint64_t r = now_ns(CLOCK_REALTIME);
  uint64_t b2 = now_ns(CLOCK_BOOTTIME);
  offset_ns_ = r - (b1 + (b2 - b1) / 2);
}

uint64_t WallClock::boot_now_ns() { return now_ns(CLOCK_BOOTTIME); }

std::string format_time(uint64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1000000000ull);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<unsigned>(wall_ns % 1000000000ull));
  return buf;
}

uint64_t ns_to_ticks(uint64_t ns, long clock_ticks) {
  // The kernel's nsec_to_clock_t for USER_HZ dividing NSEC_PER_SEC.
  return ns / (1000000000ull / static_cast<uint64_t>(clock_ticks));
}

std::string entity_id_ticks(const std::string& boot_id, uint32_t tgid, uint64_t start_ticks) {
  char buf[96];
  snprintf(buf, sizeof(buf), "%.16s-%u-%llu", boot_id.c_str(), tgid, static_cast<unsigned long long>(start_ticks));
  return buf;
}

std::string entity_id(const std::string& boot_id, uint32_t tgid, uint64_t start_boot_ns, long clock_ticks) {
  return entity_id_ticks(boot_id, tgid, ns_to_ticks(start_boot_ns, clock_ticks));
}

}  // namespace nj
