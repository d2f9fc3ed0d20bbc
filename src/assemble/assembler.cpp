#include "assemble/assembler.h"

namespace nj {

Assembler::Assembler(uint64_t window_ns, size_t max_pending, EmitFn emit)
    : window_ns_(window_ns), max_pending_(max_pending), emit_(std::move(emit)) {}

void Assembler::push(Record&& rec, uint64_t now_ns) {
  const nj_hdr& h = header_of(rec);
  const uint64_t id = h.event_id;
  const bool part = is_part(rec);

  auto it = pending_.find(id);
  if (it != pending_.end() && !part && it->second.main) {
    // A second closing record with a pending event's id (ids come from
    // per-CPU counters that two programs on one CPU can both draw from):
    // the first event leaves now, as incomplete, rather than be replaced
    // unseen; the new record starts its own event.
    flush(id);
    it = pending_.end();
  }
  if (it == pending_.end()) {
    // The common case: a single-record event, or a closing record whose
    // parts all arrived already (handled below) -- no bookkeeping at all.
    if (!part && expected_parts(rec) == 0) {
      stats_.completed++;
      emit_(Event{std::move(rec), {}, false});
      return;
    }
    if (pending_.size() >= max_pending_ && !by_age_.empty()) {
      stats_.evicted++;
      flush(by_age_.begin()->second);
    }
    it = pending_.emplace(id, Pending{}).first;
    it->second.first_seen_ns = now_ns;
    by_age_.emplace(now_ns, id);
  }
  Pending& p = it->second;
  if (part) p.parts.push_back(std::get<StrPart>(std::move(rec)));
  else p.main = std::move(rec);
  if (p.main && p.parts.size() >= expected_parts(*p.main)) {
    finish(id, p, false);
  }
  stats_.pending = pending_.size();
}

void Assembler::finish(uint64_t id, Pending& p, bool incomplete) {
  auto range = by_age_.equal_range(p.first_seen_ns);
  for (auto a = range.first; a != range.second; ++a) {
    if (a->second == id) {
      by_age_.erase(a);
      break;
    }
  }
  if (incomplete) stats_.incomplete++;
  else stats_.completed++;
  Event ev{std::move(*p.main), std::move(p.parts), incomplete};
  pending_.erase(id);
  stats_.pending = pending_.size();
  emit_(std::move(ev));
}

void Assembler::flush(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  if (it->second.main) {
    finish(id, it->second, true);
    return;
  }
  stats_.orphan_parts += it->second.parts.size();
  auto range = by_age_.equal_range(it->second.first_seen_ns);
  for (auto a = range.first; a != range.second; ++a) {
    if (a->second == id) {
      by_age_.erase(a);
      break;
    }
  }
  pending_.erase(it);
  stats_.pending = pending_.size();
}

void Assembler::expire(uint64_t now_ns) {
  while (!by_age_.empty()) {
    auto oldest = by_age_.begin();
    if (now_ns < oldest->first + window_ns_) break;
    flush(oldest->second);
  }
}

void Assembler::flush_all() {
  while (!by_age_.empty()) flush(by_age_.begin()->second);
}

}  // namespace nj
