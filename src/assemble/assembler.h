// Event-id reassembly. The records of one event share an id; the closing
// record says how many parts to expect. Parts may arrive before or after it
// and interleaved with other events (perf buffers are per CPU, and the
// kprobe backend sends script levels from another program). Anything that
// does not complete within the window is flushed, flagged and counted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "decode/decode.h"

namespace nj {

struct Event {
  Record main;
  std::vector<StrPart> parts;  // in arrival order
  bool incomplete = false;     // parts were still missing when flushed
};

struct AssemblerStats {
  uint64_t completed = 0;
  uint64_t incomplete = 0;    // flushed with parts missing
  uint64_t orphan_parts = 0;  // parts whose closing record never came
  uint64_t evicted = 0;       // pending events pushed out by the cap
  uint64_t pending = 0;
};

class Assembler {
 public:
  using EmitFn = std::function<void(Event&&)>;
  // window_ns: how long parts wait for their event; max_pending: cap on
  // events in flight (oldest flushed first when exceeded).
  Assembler(uint64_t window_ns, size_t max_pending, EmitFn emit);

  // now_ns is the caller's clock (CLOCK_BOOTTIME, like record timestamps).
  void push(Record&& rec, uint64_t now_ns);
  // Flush everything older than the window.
  void expire(uint64_t now_ns);
  // Flush everything (shutdown).
  void flush_all();
  const AssemblerStats& stats() const { return stats_; }

 private:
  struct Pending {
    std::optional<Record> main;
    std::vector<StrPart> parts;
    uint64_t first_seen_ns = 0;
  };
  void finish(uint64_t id, Pending& p, bool incomplete);
  void flush(uint64_t id);

  uint64_t window_ns_;
  size_t max_pending_;
  EmitFn emit_;
  std::unordered_map<uint64_t, Pending> pending_;
  std::multimap<uint64_t, uint64_t> by_age_;  // first_seen -> event id
  AssemblerStats stats_;
};

}  // namespace nj
