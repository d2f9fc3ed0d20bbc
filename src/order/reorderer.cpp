#include "order/reorderer.h"

namespace nj {

void Reorderer::push(Record&& r, uint64_t now_ns) {
  const uint64_t ts = header_of(r).ts_ns;
  const uint64_t arrival = ++arrivals_;
  const uint64_t lag = now_ns > ts ? now_ns - ts : 0;
  if (lag + lag / 2 > window_ns_ && window_ns_ < max_window_ns_) {
    window_ns_ = std::min(max_window_ns_, lag + lag / 2);
    stats_.window_ns = window_ns_;
  }
  if (ts < last_ts_) {
    // Older than what already left: too late to put in its place.
    stats_.late++;
    emit_(std::move(r));
    return;
  }
  waiting_.emplace(std::make_pair(ts, arrival), std::move(r));
  stats_.waiting = waiting_.size();
  release(now_ns);
}

void Reorderer::leave(std::multimap<std::pair<uint64_t, uint64_t>, Record>::iterator it) {
  if (it->first.second < last_arrival_) stats_.reordered++;
  last_ts_ = it->first.first;
  last_arrival_ = it->first.second;
  Record r = std::move(it->second);
  waiting_.erase(it);
  stats_.waiting = waiting_.size();
  emit_(std::move(r));
}

void Reorderer::release(uint64_t now_ns) {
  while (!waiting_.empty() && waiting_.begin()->first.first + window_ns_ <= now_ns) leave(waiting_.begin());
}

void Reorderer::flush() {
  while (!waiting_.empty()) leave(waiting_.begin());
}

}  // namespace nj
