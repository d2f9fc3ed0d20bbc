// Return probes of the kprobe backend, made through tracefs rather than
// perf_event_open's kprobe PMU.
//
// Why: a kretprobe has a fixed number of instances, one per task inside the
// function at once. The PMU path gives it the kernel's default,
// max(10, 2 * CPUs), and no way to ask for more; a task entering with none
// free is skipped, and the kernel's count of those (nmissed) is out of reach
// of a BPF link before v6.7. On a 2-CPU machine an exec storm of 16
// processes lost failed execs that way, uncounted. A tracefs definition
// (`r<MAXACTIVE>:group/event func`, v4.12) sets the instances, and
// kprobe_profile reports its misses on every kernel.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nj {

// The tracefs group nightjar's return probes are made in.
inline constexpr std::string_view kKretprobeGroup = "nightjar";

// Instances for the return probe of a syscall: the syscalls that wait on
// something outside the caller (a peer, a disk, a child, a reader) get the
// kernel's most (KRETPROBE_MAXACTIVE_MAX, 4096), the rest a few per CPU. An
// instance is a few dozen bytes.
unsigned kretprobe_maxactive(std::string_view syscall, int cpus);

// "nj<pid>_<n>_<syscall>": the pid tells a sensor's probes from another's
// and lets a later sensor remove those of one that died; n, those of two
// sensors in one process.
std::string kretprobe_event_name(pid_t pid, unsigned n, std::string_view syscall);
// The pid and n an event name carries, or nothing for a name not of that
// form.
struct KretprobeOwner {
  pid_t pid;
  unsigned n;
  bool operator==(const KretprobeOwner&) const = default;
};
std::optional<KretprobeOwner> kretprobe_event_owner(std::string_view event);

// The line kprobe_events takes to define one.
std::string kretprobe_definition(unsigned maxactive, std::string_view event, std::string_view function);

// Of kprobe_events' text, nightjar's events whose sensor is gone
// (`alive(pid)` false), or named as `self`'s are about to be (left by an
// earlier process of the same pid): "group/event" to remove.
std::vector<std::string> stale_kretprobe_events(std::string_view kprobe_events, KretprobeOwner self,
                                                const std::function<bool(pid_t)>& alive);

// Of kprobe_profile's text ("event hits misses" per line), the misses of
// the events named.
uint64_t kprobe_misses(std::string_view profile, const std::vector<std::string>& events);

// The tracefs directory that has kprobe_events, if any.
std::optional<std::string> kprobe_events_dir();

// One return probe defined in tracefs; removed when destroyed (after the
// perf events opened on it are closed: tracefs refuses to remove one in use).
class KretprobeEvent {
 public:
  static Result<KretprobeEvent> create(const std::string& tracing, std::string event, const std::string& function,
                                       unsigned maxactive);
  KretprobeEvent(KretprobeEvent&& o) noexcept;
  KretprobeEvent& operator=(KretprobeEvent&&) = delete;
  KretprobeEvent(const KretprobeEvent&) = delete;
  ~KretprobeEvent();

  // A perf event on it (a tracepoint event on CPU 0, as libbpf opens
  // tracepoints for BPF): the caller attaches a program and owns the fd.
  Result<int> open_perf_event() const;
  const std::string& event() const { return event_; }

 private:
  KretprobeEvent(std::string tracing, std::string event) : tracing_(std::move(tracing)), event_(std::move(event)) {}
  std::string tracing_;
  std::string event_;  // empty once moved from
};

// A return probe on syscall `syscall`'s function (the arch's wrapper, else
// the plain sys_ name, as libbpf's kretsyscall chooses) and a perf event on
// it, for BPF_PROG_TYPE_KPROBE programs written for kretsyscall/.
struct SyscallKretprobe {
  KretprobeEvent event;
  int perf_fd;
};
Result<SyscallKretprobe> open_syscall_kretprobe(const std::string& tracing, const std::string& event,
                                                std::string_view syscall, unsigned maxactive);

// Removes the given "group/event" definitions; the count removed.
size_t remove_kprobe_events(const std::string& tracing, const std::vector<std::string>& events);

}  // namespace nj
