// The network family's tracker: decodes each event's endpoints and DNS
// payload once (view), learns names from DNS answers and puts them on the
// connections that follow (destination.domain), and counts what did not
// parse.
#pragma once

#include <cstdint>

#include "enrich/tracker.h"
#include "families/network/domain_cache.h"

namespace nj {

class NetworkTracker final : public Tracker {
 public:
  explicit NetworkTracker(const TrackerContext& ctx);

  void track(const Event& ev, Enrichment& en, uint64_t now_ns) override;
  void add_stats(EnricherStats& s) const override;

 private:
  void on(uint16_t type, const nj_net_op& op, const Event& ev, Enrichment& en, uint64_t now_ns);

  DomainCache names_;
  uint64_t malformed_ = 0;
};

}  // namespace nj
