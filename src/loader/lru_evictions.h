// Evictions from the kernel side's LRU tables: nj_net_sock_map (TCP
// sockets awaiting their result or end: each eviction a connect result or
// a close not reported) and nj_udp_flow_map (UDP flows, kept after their
// window: an eviction costs at most the flow's folded datagram count and
// an early report; one long expired costs nothing).
// An LRU hash evicts without a word. The programs count the entries they
// add under a new key and those they delete; every other entry added is
// either still there or was evicted.
#pragma once

#include <algorithm>
#include <cstdint>

namespace nj {

// `added` is read before the map's entries are counted (`live`), `removed`
// after: an entry added or deleted meanwhile can then only make the result
// smaller, never an eviction that did not happen; `previous` (the last
// result) keeps it from going back. With the programs stopped (the final
// count) it is exact. A table the programs never delete from has
// `removed` 0.
inline uint64_t lru_evictions(uint64_t added, uint64_t removed, uint64_t live, uint64_t previous) {
  const uint64_t accounted = removed + live;
  const uint64_t now = added > accounted ? added - accounted : 0;
  return std::max(now, previous);
}

}  // namespace nj
