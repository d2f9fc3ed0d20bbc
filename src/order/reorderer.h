// Per-CPU streams merged into one, by kernel timestamp. perf buffers are one
// ring per CPU and the reader drains them one after another, so a child's
// first event (on one CPU) can be read before its fork (on another). Every
// record waits here until it is `window` old, then leaves in timestamp
// order: a consumer building the process tree never sees an effect before
// its cause, as long as no record reaches the reader later than the window
// (those are passed on at once and counted as late). The window widens by
// itself, up to a cap, to half again the longest a record took to arrive:
// a slow or overloaded machine keeps its order at the cost of latency. The
// BPF ring buffer is one stream in commit order and needs none of this.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "decode/decode.h"

namespace nj {

struct ReordererStats {
  uint64_t reordered = 0;  // records that left before one read earlier
  uint64_t late = 0;       // records older than what had already left
  uint64_t waiting = 0;
  uint64_t window_ns = 0;  // the window now
};

class Reorderer {
 public:
  using EmitFn = std::function<void(Record&&)>;
  Reorderer(uint64_t window_ns, EmitFn emit, uint64_t max_window_ns = 5'000'000'000ull)
      : window_ns_(window_ns), max_window_ns_(std::max(window_ns, max_window_ns)), emit_(std::move(emit)) {
    stats_.window_ns = window_ns_;
  }

  // now_ns: CLOCK_BOOTTIME, the clock of the records' timestamps.
  void push(Record&& r, uint64_t now_ns);
  // Lets out every record at least the window old.
  void release(uint64_t now_ns);
  // Lets out everything (shutdown).
  void flush();
  const ReordererStats& stats() const { return stats_; }

 private:
  void leave(std::multimap<std::pair<uint64_t, uint64_t>, Record>::iterator it);

  uint64_t window_ns_;
  uint64_t max_window_ns_;
  EmitFn emit_;
  // (timestamp, arrival) -> record: equal timestamps keep their arrival
  // order (an event's parts and its closing record share one).
  std::multimap<std::pair<uint64_t, uint64_t>, Record> waiting_;
  uint64_t arrivals_ = 0;
  uint64_t last_ts_ = 0;       // timestamp of the last record let out
  uint64_t last_arrival_ = 0;  // its arrival number
  ReordererStats stats_;
};

}  // namespace nj
