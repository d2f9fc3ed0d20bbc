// Per-CPU streams merged into one, by kernel timestamp. perf buffers are one
// ring per CPU and the reader drains them one after another, so a child's
// first event (on one CPU) can be read before its fork (on another).
//
// Records are held until a read pass proves nothing older can still come:
// a pass that began at T reads every ring to its end, so every record
// committed before T is in. A record leaves once its timestamp is `window`
// older than the start of the last complete pass. The window only has to
// cover the time between a program taking its timestamp and committing the
// record (microseconds, unless the program is preempted in between), not
// how far behind the reader is: a backlog of seconds keeps the order and
// costs no latency once it is read.
//
// A record that comes after younger ones have left is passed on at once and
// counted as late; it widens the window (to half again its delay, up to a
// cap). A minute without a late record halves the window again, down to the
// configured one, so one slow moment does not delay every later event. The
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
  static constexpr uint64_t kCalmNs = 60'000'000'000ull;

  Reorderer(uint64_t window_ns, EmitFn emit, uint64_t max_window_ns = 5'000'000'000ull)
      : base_ns_(window_ns),
        window_ns_(window_ns),
        max_window_ns_(std::max(window_ns, max_window_ns)),
        emit_(std::move(emit)) {
    stats_.window_ns = window_ns_;
  }

  void push(Record&& r);
  // After a complete read pass that began at pass_start_ns (CLOCK_BOOTTIME,
  // the records' clock): lets out every record the window older than it.
  void release(uint64_t pass_start_ns);
  // Lets out everything (shutdown).
  void flush();
  const ReordererStats& stats() const { return stats_; }

 private:
  using Waiting = std::multimap<std::pair<uint64_t, uint64_t>, Record>;
  void leave(Waiting::iterator it);
  void widen(uint64_t delay_ns);

  uint64_t base_ns_;
  uint64_t window_ns_;
  uint64_t max_window_ns_;
  EmitFn emit_;
  // (timestamp, arrival) -> record: equal timestamps keep their arrival
  // order (an event's parts and its closing record share one).
  Waiting waiting_;
  uint64_t arrivals_ = 0;
  uint64_t last_ts_ = 0;        // timestamp of the last record let out
  uint64_t last_arrival_ = 0;   // its arrival number
  uint64_t last_pass_ns_ = 0;   // start of the last complete pass
  uint64_t calm_since_ns_ = 0;  // last late record, or the last narrowing
  ReordererStats stats_;
};

}  // namespace nj
