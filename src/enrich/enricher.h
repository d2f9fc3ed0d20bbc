// The enrichment stage: between reassembly and encoding. It keeps the
// process table current from the events, and attaches to each event what an
// analyst needs to read it alone: the parent's executable and arguments,
// the ancestry, user and group names, the container, the systemd unit and
// the executable's hash.
//
// Hashing never runs on the pipeline thread: an exec whose executable is not
// in the hash cache is parked while a worker hashes it, and leaves when the
// hash is ready or after a bounded wait (then without a hash, saying why).
// Other events are not held back, so an exec may be written a little after
// events that followed it; @timestamp orders them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "assemble/assembler.h"
#include "enrich/container.h"
#include "families/process/exec_view.h"
#include "enrich/hasher.h"
#include "util/host.h"
#include "enrich/table.h"
#include "enrich/users.h"

namespace nj {

// Where cgroup2 is mounted (/sys/fs/cgroup on most systems, .../unified on
// hybrid v1/v2 hosts), from a mounts table; "" if none.
std::string cgroup2_mount(const std::string& mounts_path = "/proc/self/mounts");

struct Enrichment {
  // Snapshots of the process table's entries (shared, never changed).
  std::shared_ptr<const ProcInfo> self;    // the process itself (exit, unshare, fork's caller image)
  std::shared_ptr<const ProcInfo> parent;  // the event's parent
  std::vector<std::shared_ptr<const ProcInfo>> ancestors;  // parent first
  std::optional<std::string> user, real_user, group, real_group;  // names
  std::optional<ContainerInfo> container;
  std::optional<std::string> systemd_unit;
  std::optional<std::string> sha256;
  std::string hash_reason;  // why there is no hash ("" when hashed or not attempted)
  bool seeded_parent = false;
  std::optional<ExecView> exec;  // an exec's parts, decoded once for table and encoder
};

struct EnrichedEvent {
  Event ev;
  Enrichment en;
};

struct EnricherOptions {
  ProcessTableOptions table;
  size_t ancestry_depth = 8;
  bool ancestry_on_every_event = false;  // default: exec events only
  bool hash = true;
  uint64_t hash_max_bytes = 64ull << 20;
  size_t hash_cache_entries = 4096;
  uint64_t hash_wait_ns = 500ull * 1000000ull;
  size_t parked_max = 4096;  // execs waiting for a hash at once
  size_t cgroup_cache_entries = 4096;
  std::string proc_root = "/proc";
  std::string cgroup_root;  // empty: the cgroup2 mount found in /proc/self/mounts
  std::string passwd = "/etc/passwd";
  std::string group = "/etc/group";
  long clock_ticks = 100;
};

struct EnricherStats {
  ProcessTableStats table;
  HasherStats hasher;
  uint64_t users_reloads = 0;
  uint64_t cgroup_cache_size = 0, cgroup_cache_hits = 0, cgroup_cache_misses = 0, cgroup_cache_evictions = 0;
  uint64_t parked = 0;
  uint64_t hash_timeouts = 0;
  uint64_t hash_queue_full = 0;
};

class Enricher {
 public:
  using Out = std::function<void(EnrichedEvent&&)>;
  explicit Enricher(EnricherOptions opts);
  ~Enricher();
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // Start-up: processes already running.
  void seed();
  void submit(Event&& ev, uint64_t now_ns, const Out& out);
  // Releases parked execs whose hash is ready or whose wait is over, and
  // ages the process table.
  void poll(uint64_t now_ns, const Out& out);
  // Shutdown: waits (bounded) for pending hashes, releases everything.
  void flush(const Out& out);
  EnricherStats stats();
  ProcessTable& table() { return table_; }

 private:
  struct HashJob {
    uint64_t id;
    std::string proc_exe;  // /proc/<pid>/exe
    std::string path;      // the executable's path ("" if it has none)
    FileId expected;
  };
  struct Parked {
    EnrichedEvent e;
    uint64_t deadline_ns;
  };
  struct CgroupEntry {
    std::optional<ContainerInfo> container;
    std::optional<std::string> unit;
    std::list<uint64_t>::iterator lru;
  };

  void update_table(const Event& ev, const ExecView* exec, uint64_t now_ns);
  Enrichment enrich(const Event& ev, const nj_task& t, const ProcKey& self);
  void names(Enrichment& en, const nj_task& t);
  void cgroup(Enrichment& en, const nj_task& t);
  void cache_cgroup(uint64_t id, const std::string& path);
  std::string scan_cgroups(uint64_t wanted);
  ProcKey key_of(uint32_t pid, uint64_t start_ns) const;
  void hasher_loop();
  void release_ready(uint64_t now_ns, const Out& out, bool all);

  EnricherOptions opts_;
  ProcessTable table_;
  UserDb users_;
  ExecutableHasher hasher_;

  std::unordered_map<uint64_t, CgroupEntry> cgroups_;
  std::list<uint64_t> cgroup_lru_;
  uint64_t cg_hits_ = 0, cg_misses_ = 0, cg_evictions_ = 0;
  std::chrono::steady_clock::time_point last_cgroup_scan_{};

  std::map<uint64_t, Parked> parked_;
  uint64_t next_job_ = 1;
  uint64_t hash_timeouts_ = 0, hash_queue_full_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HashJob> jobs_;
  std::deque<std::pair<uint64_t, HashResult>> done_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace nj
