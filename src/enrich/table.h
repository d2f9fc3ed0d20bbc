// The process table: who each process is, so that one event can say who
// ran what, from what, without a join. Seeded from /proc at start-up (for
// processes older than the sensor), kept current from fork/exec/exit
// events.
//
// The kernel is the source of truth for parentage: every event carries the
// caller's real_parent (pid and start time) as the kernel sees it at that
// moment, after any reparenting to a subreaper or init. The table records
// it from each event rather than re-implementing the kernel's reaper rules,
// so it cannot drift from them.
//
// Entries are shared with the events that name them (parent, ancestors)
// instead of copied into each one.
//
// Memory is bounded: a cap on entries, exited processes kept only for a
// grace period (late events still resolve), least recently used evicted
// first, everything counted.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/lru.h"

namespace nj {

// A process: its pid and its start time (clock ticks since boot, as
// /proc/<pid>/stat field 22). The pair survives pid reuse.
struct ProcKey {
  uint32_t pid = 0;
  uint64_t start = 0;
  bool operator==(const ProcKey& o) const { return pid == o.pid && start == o.start; }
};

struct ProcKeyHash {
  size_t operator()(const ProcKey& k) const { return std::hash<uint64_t>{}(k.start * 0x9e3779b97f4a7c15ull ^ k.pid); }
};

struct ProcInfo {
  ProcKey key;
  ProcKey parent;
  std::string name;        // comm
  std::string executable;  // empty when unknown
  std::vector<std::string> args;
  bool args_truncated = false;
  uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
  bool exited = false;
  uint64_t exited_at_ns = 0;  // CLOCK_BOOTTIME
  bool from_procfs = false;   // seeded, not seen being created
};

struct ProcessTableOptions {
  size_t max_entries = 32768;
  uint64_t exited_grace_ns = 5ull * 1000000000ull;
  size_t args_bytes_max = 1024;  // of argv kept per process (for parent/ancestry fields)
};

struct ProcessTableStats {
  uint64_t size = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;  // live entries pushed out by the cap
  uint64_t expired = 0;    // exited entries past their grace period
  uint64_t seeded = 0;     // entries read from /proc
};

// Reads /proc (or a fake tree with the same layout, for tests).
class ProcFs {
 public:
  explicit ProcFs(std::string root = "/proc") : root_(std::move(root)) {}
  std::vector<uint32_t> pids() const;
  // nullopt when the process is gone or its files cannot be read.
  std::optional<ProcInfo> read(uint32_t pid, size_t args_bytes_max) const;

 private:
  std::string root_;
};

class ProcessTable {
 public:
  explicit ProcessTable(ProcessTableOptions opts = {});

  // Start-up: every process /proc lists. Entries already created by events
  // win (they are newer), and a process whose exit was already seen is not
  // brought back.
  void seed(const ProcFs& fs);
  void seed_one(const ProcInfo& p);

  // Events. `parent` is what the kernel said at that moment.
  void on_fork(const ProcKey& child, const ProcKey& parent, const std::string& name, uint32_t uid, uint32_t euid,
               uint32_t gid, uint32_t egid);
  void on_exec(const ProcInfo& p);
  // Any other event of a process: its parent as the kernel said; a process
  // the table does not know (its fork unseen, or evicted) is learned from
  // the event, by its comm and ids (its image stays unknown).
  void on_event(const ProcKey& key, const ProcKey& parent, const std::string& name, uint32_t uid, uint32_t euid,
                uint32_t gid, uint32_t egid);
  void on_exit(const ProcKey& key, const ProcKey& parent, uint64_t now_ns);
  // Any other event: the kernel's view of the parent is recorded.
  void observe(const ProcKey& key, const ProcKey& parent);
  // A credential change (setuid and kin) of a known process: its ids as
  // the kernel holds them now, so its next exec compares with these, not
  // with the ids it forked with.
  void on_creds(const ProcKey& key, uint32_t uid, uint32_t euid, uint32_t gid, uint32_t egid);

  const ProcInfo* find(const ProcKey& key);
  // The entry as it is now, shared rather than copied: the table copies an
  // entry before changing it while a snapshot of it is held, so a snapshot
  // never changes. Null when unknown.
  std::shared_ptr<const ProcInfo> snapshot(const ProcKey& key);
  // From the process up through its parents: [parent, grandparent, ...],
  // at most `depth` entries, stopping at the first unknown one.
  std::vector<std::shared_ptr<const ProcInfo>> ancestors(const ProcKey& key, size_t depth);
  // The live process that has `pid` now, for actions that name their target
  // only by number (process_vm_writev, a refused ptrace attach): the one the
  // table last saw start with it (fork, exec, a first event, /proc). Null
  // when it has exited, was evicted, or was never seen.
  std::shared_ptr<const ProcInfo> live(uint32_t pid);

  void expire(uint64_t now_ns);
  ProcessTableStats stats() const;

 private:
  ProcInfo& identify(const ProcKey& key, const ProcKey& parent, const std::string& name, uint32_t uid, uint32_t euid,
                     uint32_t gid, uint32_t egid);
  using Slot = std::shared_ptr<ProcInfo>;  // never null
  Slot& upsert(const ProcKey& key);
  ProcInfo& edit(Slot& s);
  void enforce_cap();
  bool expire_front();
  void trim_args(ProcInfo& p) const;
  void index_live(const ProcKey& key) { live_[key.pid] = key.start; }

  ProcessTableOptions opts_;
  // Unbounded as a cache: enforce_cap() drops exited entries before the
  // least recently used live one.
  Lru<ProcKey, Slot, ProcKeyHash> entries_{Lru<ProcKey, Slot, ProcKeyHash>::kUnbounded};
  std::list<std::pair<uint64_t, ProcKey>> exited_;  // in exit order
  // pid -> start of the live process with it. An entry whose process left
  // the table (evicted) is dropped when looked up, so it holds at most one
  // entry per pid in use.
  std::unordered_map<uint32_t, uint64_t> live_;
  uint64_t seeded_ = 0, expired_ = 0;
};

}  // namespace nj
