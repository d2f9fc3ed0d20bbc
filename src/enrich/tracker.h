// A tracker follows one event family's state (the process tree, later open
// files or sockets) and says what the enricher's generic steps need about
// each event: whom it is about, what to hash. The enricher runs every
// tracker on every event, in turn, so it never has to know a family's
// record types.
#pragma once

#include <cstdint>
#include <string>

#include "enrich/enrichment.h"
#include "enrich/users.h"
#include "families/options.h"

namespace nj {

class Tracker {
 public:
  virtual ~Tracker() = default;
  // Start-up: state that existed before the sensor did.
  virtual void seed() {}
  // Before the generic steps: update the state from the event, fill in the
  // family's own parts of the enrichment and its Subject / HashRequest.
  virtual void track(const Event& ev, Enrichment& en, uint64_t now_ns) = 0;
  // Periodically, with the pipeline's clock: age the state.
  virtual void poll(uint64_t /*now_ns*/) {}
  // SIGHUP: the family settings read again, on the thread that runs track().
  virtual void reconfigure(const FamilyOptions& /*o*/) {}
  // The tracker's counters, into the stage's.
  virtual void add_stats(EnricherStats& /*s*/) const {}
};

// What trackers may share with the enricher.
struct TrackerContext {
  ProcessTable& table;
  std::string proc_root;
  long clock_ticks;
  uint64_t fold_window_ns;  // how long a foldable event may be held (0: never)
  FamilyOptions families = {};
  UserDb* users = nullptr;  // uid and gid names (the enricher's), or null
};

}  // namespace nj
