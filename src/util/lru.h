// A least-recently-used cache: a map whose entries are kept in use order, so
// the one unused longest can be dropped when the cache is full. Counts its
// hits, misses and evictions for the health report. Not thread-safe: the
// owner locks if it shares the cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <list>
#include <unordered_map>
#include <utility>

namespace nj {

template <typename K, typename V, typename Hash = std::hash<K>>
class Lru {
 public:
  using Entry = std::pair<K, V>;
  static constexpr size_t kUnbounded = std::numeric_limits<size_t>::max();

  // kUnbounded: the owner applies its own policy with evict_oldest().
  explicit Lru(size_t capacity) : capacity_(capacity) {}

  // A counted look: a hit becomes the most recently used.
  V* get(const K& k) {
    V* v = get_if_hit(k);
    if (!v) ++misses_;
    return v;
  }
  // Counts a hit only: for a look whose miss is counted by a later get().
  V* get_if_hit(const K& k) {
    V* v = touch(k);
    if (v) ++hits_;
    return v;
  }
  // The owner's own bookkeeping, not a lookup: uncounted, order kept.
  V* peek(const K& k) {
    auto it = index_.find(k);
    return it == index_.end() ? nullptr : &it->second->second;
  }
  // Uncounted, but marks the entry used.
  V* touch(const K& k) {
    auto it = index_.find(k);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  // Inserts or replaces as the most recently used, then evicts down to the
  // capacity. Null when the capacity is 0 (the entry went straight out).
  V* put(const K& k, V v) {
    if (V* old = touch(k)) {
      *old = std::move(v);
      return old;
    }
    order_.emplace_front(k, std::move(v));
    index_.emplace(k, order_.begin());
    while (order_.size() > capacity_) evict_oldest();
    return peek(k);
  }

  bool erase(const K& k) {
    auto it = index_.find(k);
    if (it == index_.end()) return false;
    order_.erase(it->second);
    index_.erase(it);
    return true;
  }

  // Drops the least recently used entry, counted as an eviction.
  bool evict_oldest() {
    if (order_.empty()) return false;
    index_.erase(order_.back().first);
    order_.pop_back();
    ++evictions_;
    return true;
  }

  size_t size() const { return order_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }

  // Most recently used first. Keys must not be changed through these.
  auto begin() { return order_.begin(); }
  auto end() { return order_.end(); }

 private:
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index_;
  uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace nj
