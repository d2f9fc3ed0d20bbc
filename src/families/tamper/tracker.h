// The tamper family's tracker: decodes each event's parts once (view) and
// finds its target in the process table, so the encoder can name the
// target's executable and say when the target is this sensor.
#pragma once

#include <cstdint>

#include "enrich/tracker.h"

namespace nj {

class TamperTracker final : public Tracker {
 public:
  explicit TamperTracker(const TrackerContext& ctx);

  void track(const Event& ev, Enrichment& en, uint64_t now_ns) override;

 private:
  void on(uint16_t type, const nj_tamper_op& op, const Event& ev, Enrichment& en);

  ProcessTable& table_;
  long clock_ticks_;
  uint32_t self_pid_;
  UserDb* users_;
};

}  // namespace nj
