#include "loader/kretprobe.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <utility>

#include "util/fd.h"
#include "util/files.h"
#include "util/host.h"

namespace nj {

namespace {

// The kernel's ceiling for a tracefs return probe's instances.
constexpr unsigned kMaxActiveMax = 4096;
// What the waiting syscalls' probes may take of per-CPU rings (6.7+).
constexpr uint64_t kWaitingRingBudget = 16u << 20;

// Syscalls a task can stay inside for long, waiting on something outside it.
// Path syscalls on a slow network filesystem, and mmap or mprotect waiting
// for the memory map's lock, can too: they get the default, and what they
// miss is counted.
constexpr std::array<std::string_view, 28> kWaiting = {
    "execve", "execveat", "accept", "accept4", "connect", "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg",
    "sendmmsg", "open", "openat", "openat2", "creat", "unshare", "setns", "mount", "umount", "move_mount", "fsmount",
    "fsconfig", "ptrace", "init_module", "finit_module", "delete_module",
    // a device's ioctl (KVM_RUN, a terminal's) can block for as long as it likes
    "ioctl", "open_by_handle_at"};

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) i++;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') j++;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

Result<void> write_kprobe_events(const std::string& tracing, const std::string& line) {
  // Never O_TRUNC: opening kprobe_events truncated removes every probe.
  Fd fd(::open((tracing + "/kprobe_events").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd.valid()) return os_error(errno, "opening " + tracing + "/kprobe_events");
  const std::string text = line + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return os_error(errno, "'" + line + "' in kprobe_events");
  return {};
}

}  // namespace

unsigned kretprobe_maxactive(std::string_view syscall, int cpus) {
  const uint64_t possible = static_cast<uint64_t>(std::max(cpus, 1));
  const unsigned others = static_cast<unsigned>(std::clamp<uint64_t>(2 * possible, 64, kMaxActiveMax));
  if (std::find(kWaiting.begin(), kWaiting.end(), syscall) == kWaiting.end()) return others;
  uint64_t share = kWaitingRingBudget / (possible * 8 * kWaiting.size());
  unsigned waiting = 64;
  while (waiting * 2 <= std::min<uint64_t>(share, kMaxActiveMax)) waiting *= 2;
  return std::max(waiting, others);
}

std::string kretprobe_event_name(const KretprobeOwner& o, std::string_view name) {
  return "nj" + std::to_string(o.pid) + "_" + std::to_string(o.start) + "_" + std::to_string(o.n) + "_" +
         std::string(name);
}

std::optional<KretprobeOwner> kretprobe_event_owner(std::string_view event) {
  if (event.substr(0, 2) != "nj") return std::nullopt;
  KretprobeOwner o{0, 0, 0};
  const char* p = event.data() + 2;
  const char* last = event.data() + event.size();
  // Each number is followed by '_' and something after it.
  auto number = [&](auto& out) {
    auto [end, ec] = std::from_chars(p, last, out);
    if (ec != std::errc{} || end == p || end == last || *end != '_' || end + 1 == last) return false;
    p = end + 1;
    return true;
  };
  if (!number(o.pid) || o.pid <= 0 || !number(o.start) || !number(o.n)) return std::nullopt;
  return o;
}

std::optional<uint64_t> process_start_time(pid_t pid) {
  const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  return stat ? stat_start_time(*stat) : std::nullopt;
}

std::string kretprobe_definition(unsigned maxactive, std::string_view event, std::string_view function) {
  return "r" + std::to_string(maxactive) + ":" + std::string(kKretprobeGroup) + "/" + std::string(event) + " " +
         std::string(function);
}

std::vector<std::string> stale_kretprobe_events(std::string_view kprobe_events,
                                                const std::function<bool(const KretprobeOwner&)>& alive) {
  std::vector<std::string> out;
  const std::string prefix = std::string(kKretprobeGroup) + "/";
  for (std::string_view line : lines_of(kprobe_events)) {
    const auto f = fields_of(line);
    if (f.empty()) continue;
    const size_t colon = f[0].find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = f[0].substr(colon + 1);
    if (name.substr(0, prefix.size()) != prefix) continue;
    const auto owner = kretprobe_event_owner(name.substr(prefix.size()));
    if (owner && !alive(*owner)) out.emplace_back(name);
  }
  return out;
}

uint64_t kprobe_misses(std::string_view profile, const std::vector<std::string>& events) {
  uint64_t sum = 0;
  for (std::string_view line : lines_of(profile)) {
    const auto f = fields_of(line);
    if (f.size() < 3 || std::find(events.begin(), events.end(), f[0]) == events.end()) continue;
    uint64_t missed = 0;
    auto [end, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), missed);
    if (ec == std::errc{} && end == f[2].data() + f[2].size()) sum += missed;
  }
  return sum;
}

std::optional<std::string> kprobe_events_dir() {
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (::access((std::string(dir) + "/kprobe_events").c_str(), W_OK) == 0) return dir;
  return std::nullopt;
}

Result<KretprobeEvent> KretprobeEvent::create(const std::string& tracing, std::string event,
                                              const std::string& function, unsigned maxactive) {
  if (auto r = write_kprobe_events(tracing, kretprobe_definition(maxactive, event, function)); !r) return r.error();
  return KretprobeEvent(tracing, std::move(event));
}

KretprobeEvent::KretprobeEvent(KretprobeEvent&& o) noexcept
    : tracing_(std::move(o.tracing_)), event_(std::exchange(o.event_, {})) {}

KretprobeEvent::~KretprobeEvent() {
  if (!event_.empty()) remove_kprobe_events(tracing_, {std::string(kKretprobeGroup) + "/" + event_});
}

Result<int> KretprobeEvent::open_perf_event() const {
  const std::string path = tracing_ + "/events/" + std::string(kKretprobeGroup) + "/" + event_ + "/id";
  const auto text = read_file(path, 64);
  uint64_t id = 0;
  if (!text || std::from_chars(text->data(), text->data() + text->size(), id).ec != std::errc{})
    return Error{ENOENT, "reading " + path};
  struct perf_event_attr attr {};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = id;
  const long fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) return os_error(errno, "opening a perf event on " + event_);
  return static_cast<int>(fd);
}

Result<SyscallKretprobe> open_syscall_kretprobe(const std::string& tracing, const std::string& event,
                                                std::string_view syscall, unsigned maxactive) {
  const std::string sys(syscall);
#if defined(__x86_64__)
  const std::array<std::string, 2> functions = {"__x64_sys_" + sys, "sys_" + sys};
#elif defined(__aarch64__)
  const std::array<std::string, 2> functions = {"__arm64_sys_" + sys, "sys_" + sys};
#else
  const std::array<std::string, 1> functions = {"sys_" + sys};
#endif
  // The first refusal says most (the plain name is only a fallback for
  // kernels without the wrappers).
  std::optional<Error> first;
  for (const std::string& f : functions) {
    auto e = KretprobeEvent::create(tracing, event, f, maxactive);
    if (!e) {
      if (!first) first = e.error();
      continue;
    }
    auto fd = e->open_perf_event();
    if (!fd) return fd.error();
    return SyscallKretprobe{std::move(*e), *fd};
  }
  return first.value_or(Error{ENOENT, "no function for syscall " + sys});
}

size_t remove_kprobe_events(const std::string& tracing, const std::vector<std::string>& events) {
  size_t n = 0;
  for (const std::string& e : events)
    if (write_kprobe_events(tracing, "-:" + e)) n++;
  return n;
}

}  // namespace nj
