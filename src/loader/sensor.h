// The BPF side of the sensor as one object: open the skeleton, configure
// it (transport, sizes, one program variant per hook), load, attach.
// Both the daemon and the tests use it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/features.h"
#include "loader/grace_period.h"
#include "loader/kretprobe.h"
#include "loader/program_table.h"
#include "nightjar/abi.h"
#include "util/result.h"

struct nightjar_bpf;  // the generated skeleton
struct bpf_link;
struct bpf_program;

namespace nj {

enum class Transport { ringbuf, perfbuf };
const char* to_string(Transport t);

struct SensorConfig {
  std::vector<Family> families = all_families();
  std::optional<Backend> backend;  // forced backend, or the table's choice
  Transport transport = Transport::ringbuf;
  uint32_t ringbuf_bytes = 8u << 20;   // power of two, >= page size
  uint32_t perf_pages = 128;           // per CPU, power of two
  uint32_t wakeup_bytes = 256u << 10;  // 0: wake the reader per record
  uint32_t argv_max = 65536;
  uint32_t self_pid = 0;  // activity of this pid is not reported
  // File family: dentries looked up per file for watch rules (0: no rules)
  // and the window folding one process's modifications of one file.
  uint32_t watch_depth = 0;
  bool watch_reads = false;  // some rule reports reads
  uint64_t modify_window_ns = 5000000000ull;
  // Network family: report TCP connections' ends, and the window folding
  // one process's datagrams of one UDP flow.
  bool connection_end = true;
  uint32_t connection_table = 16384;  // TCP sockets remembered for their result and end (LRU)
  uint32_t udp_flow_table = 16384;    // UDP flows remembered for their window (LRU)
  uint64_t udp_window_ns = 60000000000ull;
  // Tamper family: the window in which one process's calls making memory
  // executable are one event (the rest counted into its next).
  uint64_t exec_memory_window_ns = 10000000000ull;
  bool attach = true;  // false: load only (verifier check)
  // Load every program of this backend whatever the kernel supports (no
  // attach): proves the verifier accepts them on this kernel.
  std::optional<Backend> load_all_of;
};

struct AttachedProgram {
  std::string hook;
  std::string program;
  Backend backend;
  bool attached = false;
  std::string error;  // why it is not attached
};

struct ProgramStats {
  std::string name;
  uint32_t verified_insns = 0;
  uint32_t xlated_insns = 0;
  uint64_t run_cnt = 0;
  uint64_t run_time_ns = 0;
};

// Kernel-side counters summed over CPUs. The kernel counts records per
// family, so a loss can be blamed on the family whose load caused it; the
// plain sums are what the reports have always carried.
struct KernelCounters {
  uint64_t sent = 0;
  uint64_t lost = 0;
  uint64_t enter_map_full = 0;
  uint64_t read_errors = 0;
  uint64_t scratch_busy = 0;  // events dropped: another program held the CPU's batch (also in lost)
  // Program runs the kernel skipped because the same program was already
  // running on that CPU (a task preempted inside an fentry program, 5.12+).
  uint64_t runs_missed = 0;
  uint64_t file_folded = 0;     // modifications folded into an earlier event (window)
  uint64_t udp_folded = 0;      // UDP datagrams folded into their flow's earlier event (window)
  uint64_t udp_unexamined = 0;  // sendmmsg/recvmmsg datagrams not examined (NJ_MMSG_MAX, busy)
  uint64_t file_excluded = 0;   // file events an exclusion dropped in the kernel
  uint64_t after_stop = 0;      // records held back because the sensor was stopping
  // TCP sockets the kernel side's table evicted before their result or end,
  // and connects whose result could not be awaited (the hand-over table
  // full): each at most one connect_result or close not reported
  uint64_t sock_evicted = 0;
  // UDP flows the kernel side's table evicted (no event lost: at most a
  // folded datagram count and an early report each; most long expired)
  uint64_t udp_flow_evicted = 0;
  std::array<uint64_t, NJ_FAM_MAX> sent_by_family{};
  std::array<uint64_t, NJ_FAM_MAX> lost_by_family{};
};

// Owners of libbpf objects, so that no early return leaks one.
struct SkeletonDeleter {
  void operator()(::nightjar_bpf* skel) const;
};
struct LinkDeleter {
  void operator()(::bpf_link* link) const;
};
using SkeletonPtr = std::unique_ptr<::nightjar_bpf, SkeletonDeleter>;
using LinkPtr = std::unique_ptr<::bpf_link, LinkDeleter>;

class Sensor {
 public:
  static Result<std::unique_ptr<Sensor>> open(const SensorConfig& config, const KernelFeatures& features);
  ~Sensor();
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;

  // Attaches every chosen program (open() does too unless config.attach is
  // false). The daemon opens its reader first: a perf buffer has no ring on
  // a CPU until its reader opens one, and what a program sends before that
  // is lost.
  Result<void> attach() { return attach_all(); }
  // File family: a watched file or directory (nj_watch_map), a filesystem
  // whose writes are not reported (nj_fs_exclude_map).
  Result<void> add_watch(const nj_watch_key& key, const nj_watch& value);
  Result<void> exclude_fs(uint32_t magic);
  // Rules read again (SIGHUP): the new entries are added first, then these
  // remove every entry `keep` refuses; the count removed.
  Result<size_t> retain_watches(const std::function<bool(const nj_watch_key&)>& keep);
  Result<size_t> retain_excluded_fs(const std::function<bool(uint32_t)>& keep);
  // Stops every program from producing at one instant: the stop flag every
  // program checks before it sends is set, programs already past that check
  // are waited for, then the links are destroyed (maps stay). A final drain
  // then sees everything that was sent, and what each process did is
  // reported up to the same instant on every hook.
  void stop();
  const std::vector<Choice>& choices() const { return choices_; }
  const std::vector<AttachedProgram>& programs() const { return programs_; }
  std::vector<ProgramStats> program_stats() const;
  Result<KernelCounters> counters() const;
  Transport transport() const { return config_.transport; }
  // The programs whose link no longer holds them, as the kernel reports it
  // (bpf_link_info): detached or replaced by someone. Links that are perf
  // events rather than BPF links (tracepoints attached through perf_event
  // ioctls before v5.15's bpf_perf_link) cannot be asked and are skipped.
  std::vector<std::string> detached_programs() const;
  int ringbuf_fd() const;
  int perf_fd() const;
  const SensorConfig& config() const { return config_; }

 private:
  Sensor() = default;
  Result<void> configure(const KernelFeatures& features);
  Result<void> attach_all();
  void wait_for_running_programs() const;
  LinkPtr attach_program(::bpf_program* p);
  void prepare_kretprobes();
  uint64_t kretprobe_misses() const;

  SensorConfig config_;
  // Declared before the links: members are destroyed in reverse order, and
  // a link must go before the programs and maps of the skeleton it uses.
  SkeletonPtr skel_;
  std::vector<Choice> choices_;
  std::vector<AttachedProgram> programs_;
  std::optional<GracePeriod> grace_;
  // The kprobe backend's return probes made in tracefs (kretprobe.h): before
  // the links, which must be closed before tracefs lets one be removed.
  std::optional<std::string> tracing_;
  std::optional<KretprobeOwner> kretprobe_owner_;
  std::vector<KretprobeEvent> kretprobes_;
  uint64_t kretprobe_missed_ = 0;  // their misses when they were removed
  std::vector<LinkPtr> links_;
  // Per link: its program's name and id at attach time (0: not a BPF link).
  std::vector<std::pair<std::string, uint32_t>> link_progs_;
  // The last count of evictions from the socket table (lru_evictions.h):
  // each count is at least the one before.
  mutable uint64_t sock_evicted_ = 0;
  mutable uint64_t udp_evicted_ = 0;  // the same for the UDP flow table
};

// Route libbpf's own log lines into spdlog (debug lines only at -v).
void route_libbpf_logs();

}  // namespace nj
