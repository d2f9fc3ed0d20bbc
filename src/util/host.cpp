#include "util/host.h"

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

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

namespace {

// n digits of v, zero-padded, at p.
char* digits(char* p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

}  // namespace

size_t format_time(uint64_t wall_ns, TimeBuf& buf) {
  // Civil date from days since the epoch (H. Hinnant's days_to_civil): pure
  // arithmetic, where gmtime_r would take glibc's time zone lock per call.
  const uint64_t secs = wall_ns / 1000000000ull;
  const uint64_t sod = secs % 86400;
  const int64_t z = static_cast<int64_t>(secs / 86400) + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char* p = buf;
  p = digits(p, static_cast<uint64_t>(year), 4);
  *p++ = '-';
  p = digits(p, static_cast<uint64_t>(month), 2);
  *p++ = '-';
  p = digits(p, static_cast<uint64_t>(day), 2);
  *p++ = 'T';
  p = digits(p, sod / 3600, 2);
  *p++ = ':';
  p = digits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = digits(p, sod % 60, 2);
  *p++ = '.';
  p = digits(p, wall_ns % 1000000000ull, 9);
  *p++ = 'Z';
  return static_cast<size_t>(p - buf);
}

std::string format_time(uint64_t wall_ns) {
  TimeBuf buf;
  return std::string(buf, format_time(wall_ns, buf));
}

uint64_t ns_to_ticks(uint64_t ns, long clock_ticks) {
  // The kernel's nsec_to_clock_t for USER_HZ dividing NSEC_PER_SEC.
  return ns / (1000000000ull / static_cast<uint64_t>(clock_ticks));
}

size_t entity_id_ticks(std::string_view boot_id, uint32_t tgid, uint64_t start_ticks, EntityIdBuf& buf) {
  // Each number is formatted into a buffer exactly as wide as its largest
  // value, so the bound on every copy is visible to the compiler (GCC's
  // -Wstringop-overflow at -O3 cannot see through to_chars' result).
  char pid[10], ticks[20];
  const size_t npid = static_cast<size_t>(std::to_chars(pid, pid + sizeof(pid), tgid).ptr - pid);
  const size_t nticks = static_cast<size_t>(std::to_chars(ticks, ticks + sizeof(ticks), start_ticks).ptr - ticks);
  static_assert(sizeof(EntityIdBuf) >= 16 + 1 + sizeof(pid) + 1 + sizeof(ticks));
  size_t n = std::min<size_t>(boot_id.size(), 16);
  std::memcpy(buf, boot_id.data(), n);
  buf[n++] = '-';
  std::memcpy(buf + n, pid, std::min(npid, sizeof(pid)));
  n += std::min(npid, sizeof(pid));
  buf[n++] = '-';
  std::memcpy(buf + n, ticks, std::min(nticks, sizeof(ticks)));
  return n + std::min(nticks, sizeof(ticks));
}

std::string entity_id_ticks(const std::string& boot_id, uint32_t tgid, uint64_t start_ticks) {
  EntityIdBuf buf;
  return std::string(buf, entity_id_ticks(boot_id, tgid, start_ticks, buf));
}

bool is_initial_pid_ns(std::string_view ns_link) { return ns_link == "pid:[4026531836]"; }

std::optional<uint64_t> stat_start_time(std::string_view stat) {
  const size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After the name: state (field 3) ... starttime (field 22), the 20th.
  std::string_view rest = stat.substr(paren + 1);
  for (int field = 3; field < 22; field++) {
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    rest.remove_prefix(std::min(rest.find(' '), rest.size()));
  }
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  uint64_t start = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), start);
  if (ec != std::errc{} || end == rest.data()) return std::nullopt;
  return start;
}

bool in_initial_pid_ns() {
  char link[64];
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof(link));
  return n > 0 && is_initial_pid_ns(std::string_view(link, static_cast<size_t>(n)));
}

std::string entity_id(const std::string& boot_id, uint32_t tgid, uint64_t start_boot_ns, long clock_ticks) {
  return entity_id_ticks(boot_id, tgid, ns_to_ticks(start_boot_ns, clock_ticks));
}

}  // namespace nj
