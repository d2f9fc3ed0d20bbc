#include "order/reorderer.h"

namespace nj {

void Reorderer::push(Record&& r) {
  const uint64_t ts = header_of(r).ts_ns;
  const uint64_t arrival = ++arrivals_;
  if (ts < last_ts_) {
    // Older than what already left: too late to put in its place. It was
    // not committed when the last pass began, so it took at least that long
    // from its timestamp to its ring.
    stats_.late++;
    if (last_pass_ns_ > ts) widen(last_pass_ns_ - ts);
    emit_(std::move(r));
    return;
  }
  waiting_.emplace(std::make_pair(ts, arrival), std::move(r));
  stats_.waiting = waiting_.size();
}

void Reorderer::widen(uint64_t delay_ns) {
  calm_since_ns_ = last_pass_ns_;
  const uint64_t want = std::min(max_window_ns_, delay_ns + delay_ns / 2);
  if (want > window_ns_) window_ns_ = want;
  stats_.window_ns = window_ns_;
}

void Reorderer::leave(Waiting::iterator it) {
  if (it->first.second < last_arrival_) stats_.reordered++;
  last_ts_ = it->first.first;
  last_arrival_ = it->first.second;
  Record r = std::move(it->second);
  waiting_.erase(it);
  stats_.waiting = waiting_.size();
  emit_(std::move(r));
}

void Reorderer::release(uint64_t pass_start_ns) {
  last_pass_ns_ = pass_start_ns;
  if (calm_since_ns_ == 0) calm_since_ns_ = pass_start_ns;
  if (window_ns_ > base_ns_ && pass_start_ns - calm_since_ns_ >= kCalmNs) {
    window_ns_ = std::max(base_ns_, window_ns_ / 2);
    stats_.window_ns = window_ns_;
    calm_since_ns_ = pass_start_ns;
  }
  if (pass_start_ns < window_ns_) return;
  const uint64_t horizon = pass_start_ns - window_ns_;
  while (!waiting_.empty() && waiting_.begin()->first.first <= horizon) leave(waiting_.begin());
}

void Reorderer::flush() {
  while (!waiting_.empty()) leave(waiting_.begin());
}

}  // namespace nj
