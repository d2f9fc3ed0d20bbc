// The process family's tracker: keeps the process table current from exec,
// fork, exit and every other event's view of the parent, and says whom each
// process event is about and which executable to hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "enrich/tracker.h"
#include "families/process/complete.h"
#include "families/process/exec_view.h"

namespace nj {

class ProcessTracker final : public Tracker {
 public:
  explicit ProcessTracker(const TrackerContext& ctx);

  void seed() override;
  void track(const Event& ev, Enrichment& en, uint64_t now_ns) override;
  void poll(uint64_t now_ns) override;
  void add_stats(EnricherStats& s) const override;

 private:
  ProcKey key_of(uint32_t pid, uint64_t start_ns) const;
  ProcKey self_of(const nj_task& t) const { return key_of(t.pid, t.start_ns); }
  ProcKey parent_of(const nj_task& t) const { return key_of(t.ppid, t.parent_start_ns); }

  // One handler per process record (track's visitor picks by overload).
  void handle(const Event& ev, const nj_exec& r, Enrichment& en, uint64_t now_ns) { on(ev, r, en, now_ns); }
  void handle(const Event&, const nj_fork& r, Enrichment& en, uint64_t) { on(r, en); }
  void handle(const Event&, const nj_exit& r, Enrichment&, uint64_t now_ns) { on(r, now_ns); }
  void handle(const Event&, const nj_unshare& r, Enrichment&, uint64_t) { on(r); }
  template <typename R>
  void handle(const Event& ev, const R& r, Enrichment& en, uint64_t now_ns);

  void on(const Event& ev, const nj_exec& r, Enrichment& en, uint64_t now_ns);
  void on(const nj_fork& r, Enrichment& en);
  void on(const nj_exit& r, uint64_t now_ns);
  void on(const nj_unshare& r);
  // Any record with a task: the kernel's view of its parent.
  void observe(const nj_task& t);
  HashRequest hash_request(const nj_exec& r, const ExecView& v) const;
  std::optional<PrivilegeChange> privilege_of(const nj_exec& r, const ExecView& v);
  // Paths the kernel's walk cut short, completed where they can be.
  void complete_paths(const nj_exec& r, ExecView& v) const;

  ProcessTable& table_;
  std::string proc_root_;
  long clock_ticks_;
  uint64_t fold_window_ns_;
  PathProbe probe_ = system_path_probe();
  // The host's mount namespace (complete.h): /proc links of processes in
  // another one name paths under another root than the walk's.
  std::optional<std::string> host_mnt_ns_;
  std::optional<std::string> own_mnt_ns_;
};

}  // namespace nj
