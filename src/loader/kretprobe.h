// Return probes of the kprobe backend, made through tracefs rather than
// perf_event_open's kprobe PMU.
//
// Why: a kretprobe has a fixed number of instances, one per task inside the
// function at once. The PMU path gives it the kernel's default (a few per
// CPU: on 2 CPUs, 2 on Debian's 5.10, 10 on 6.12) and no way to ask for
// more; a task entering with none free is skipped, and the kernel's count of
// those (nmissed) is out of reach of a BPF link before v6.7. On a 2-CPU
// machine an exec storm of 16 processes lost failed execs that way,
// uncounted, and 40 threads waiting in accept4 were 2 (5.10) or 10 (6.12)
// accept events. A tracefs definition (`r<MAXACTIVE>:group/event func`,
// v4.12) sets the instances, and kprobe_profile reports what it missed
// (a return probe's own misses there since "tracing/kprobes: nmissed not
// showed correctly for kretprobe", v5.17, sent to the stable kernels: on a
// kernel without it, only what the entry itself missed is counted).
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

// Instances for the return probe of a syscall, for `cpus` possible CPUs:
// never fewer than the kernel's own default (2 per CPU, at least 64 here);
// the syscalls that wait on something outside the caller (a peer, a disk, a
// child, a reader) get up to the kernel's most (KRETPROBE_MAXACTIVE_MAX,
// 4096) within a budget. Why a budget: since 6.7 the instances sit in an
// objpool whose ring is allocated on every possible CPU (8 bytes per
// instance each), so 4096 for all of them would be about 8 MiB per probe on
// a 256-CPU machine; the waiting syscalls' rings share 16 MiB.
unsigned kretprobe_maxactive(std::string_view syscall, int cpus);

// Who made an event: the sensor's pid and start time (clock ticks after
// boot, /proc/<pid>/stat), so a later sensor can tell one that died from a
// live process that reuses its pid, and a number per sensor in the process.
struct KretprobeOwner {
  pid_t pid;
  uint64_t start;
  unsigned n;
  bool operator==(const KretprobeOwner&) const = default;
};
// "nj<pid>_<start>_<n>_<name>", name the program's (less its kret__): two
// programs on one syscall (the file family's openat and tamper's) are two
// events.
std::string kretprobe_event_name(const KretprobeOwner& owner, std::string_view name);
// The owner an event name carries, or nothing for a name not of that form.
std::optional<KretprobeOwner> kretprobe_event_owner(std::string_view event);
// A process's start time, or nothing when it is gone.
std::optional<uint64_t> process_start_time(pid_t pid);

// The line kprobe_events takes to define one.
std::string kretprobe_definition(unsigned maxactive, std::string_view event, std::string_view function);

// Of kprobe_events' text, nightjar's events whose sensor is gone (`alive`
// false for its owner): "group/event" to remove.
std::vector<std::string> stale_kretprobe_events(std::string_view kprobe_events,
                                                const std::function<bool(const KretprobeOwner&)>& alive);

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
