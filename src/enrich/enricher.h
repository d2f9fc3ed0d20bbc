// The enrichment stage: between reassembly and encoding. Its trackers (one
// per event family, see tracker.h) keep the process table and their own
// state current from the events; the stage then attaches to each event what
// an analyst needs to read it alone: the parent's executable and arguments,
// the ancestry, user and group names, the container, the systemd unit and
// the executable's hash.
//
// Hashing never runs on the pipeline thread: an event whose file (a
// tracker's HashRequest: today an exec's executable) is not in the hash
// cache waits while a worker hashes it, and leaves when the hash is ready
// or after a bounded wait (then without a hash, saying why). Events leave
// in the order they came: the ones behind a waiting exec wait with it, so
// its exit, its children and their events are never written before it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "enrich/cgroup_cache.h"
#include "enrich/enrichment.h"
#include "enrich/hasher.h"
#include "enrich/table.h"
#include "enrich/tracker.h"
#include "enrich/users.h"

namespace nj {

struct EnricherOptions {
  ProcessTableOptions table;
  size_t ancestry_depth = 8;
  bool ancestry_on_every_event = false;  // default: when a tracker asks (execs)
  bool hash = true;
  uint64_t hash_max_bytes = 64ull << 20;
  size_t hash_cache_entries = 4096;
  uint64_t hash_wait_ns = 500ull * 1000000ull;
  size_t parked_max = 4096;  // events waiting for a hash at once
  size_t held_max = 65536;   // events held in order behind them
  // A failed exec waits this long for a successful one of the same process
  // to be folded into (a PATH search); 0 reports every failure alone.
  uint64_t fold_window_ns = 100ull * 1000000ull;
  size_t cgroup_cache_entries = 4096;
  std::string proc_root = "/proc";
  std::string cgroup_root;  // empty: the cgroup2 mount found in /proc/self/mounts
  std::string passwd = "/etc/passwd";
  std::string group = "/etc/group";
  long clock_ticks = 100;
  FamilyOptions families;
};

class Enricher {
 public:
  using Out = std::function<void(EnrichedEvent&&)>;
  explicit Enricher(EnricherOptions opts);
  ~Enricher();
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // Start-up: what existed before the sensor (processes already running).
  void seed();
  // The family settings read again (SIGHUP): events handled from now on
  // follow them.
  void reconfigure(const FamilyOptions& f);
  void submit(Event&& ev, uint64_t now_ns, const Out& out);
  // Releases parked events whose hash is ready or whose wait is over, and
  // lets the trackers age their state.
  void poll(uint64_t now_ns, const Out& out);
  // Shutdown: waits (bounded) for pending hashes, releases everything.
  void flush(const Out& out);
  EnricherStats stats();

 private:
  struct HashJob {
    uint64_t id;
    HashRequest req;
  };
  // An event in the order it came: ready, or waiting for hash job `job`
  // until deadline_ns.
  struct Held {
    EnrichedEvent e;
    uint64_t job = 0;  // 0: ready
    uint64_t deadline_ns = 0;
    std::optional<Hold> hold;  // waiting to be absorbed until hold->until_ns
    bool gone = false;         // absorbed by a later event
  };

  void enrich_task(const nj_task& t, uint64_t event_ns, Enrichment& en);
  void names(Enrichment& en, const nj_task& t);
  void cgroup(Enrichment& en, const nj_task& t, uint64_t event_ns);
  ProcKey key_of(uint32_t pid, uint64_t start_ns) const;
  void hash_or_out(EnrichedEvent&& e, const HashRequest& req, uint64_t now_ns, const Out& out);
  // Out at once when nothing is held, else in order behind what is.
  void ready(EnrichedEvent&& e, const Out& out);
  void release_front(const Out& out, const char* reason);
  void take_in(uint64_t key, Enrichment& en);
  void hasher_loop();
  void release_ready(uint64_t now_ns, const Out& out, bool all);

  EnricherOptions opts_;
  ProcessTable table_;
  UserDb users_;
  ExecutableHasher hasher_;
  CgroupCache cgroups_;
  std::vector<std::unique_ptr<Tracker>> trackers_;

  // Every event after the first one waiting for a hash, in arrival order
  // (a deque keeps references to its elements valid as it grows and
  // shrinks at its ends), and the waiting ones by job.
  std::deque<Held> held_;
  std::unordered_map<uint64_t, Held*> waiting_;
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
