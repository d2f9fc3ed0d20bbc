// Every family's tracker, for the enrichment stage to run in turn.
#pragma once

#include <memory>
#include <vector>

#include "enrich/tracker.h"

namespace nj {

std::vector<std::unique_ptr<Tracker>> make_trackers(const TrackerContext& ctx);

}  // namespace nj
