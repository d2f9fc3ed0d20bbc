#include "families/trackers.h"

#include "families/file/tracker.h"
#include "families/network/tracker.h"
#include "families/process/tracker.h"
#include "families/tamper/tracker.h"

namespace nj {

std::vector<std::unique_ptr<Tracker>> make_trackers(const TrackerContext& ctx) {
  std::vector<std::unique_ptr<Tracker>> out;
  out.push_back(std::make_unique<ProcessTracker>(ctx));
  out.push_back(std::make_unique<FileTracker>(ctx));
  out.push_back(std::make_unique<NetworkTracker>(ctx));
  out.push_back(std::make_unique<TamperTracker>(ctx));
  return out;
}

}  // namespace nj
