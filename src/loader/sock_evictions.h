// Evictions from nj_net_sock_map, the kernel side's table of TCP sockets
// awaiting their result or end. It is an LRU hash, which evicts without a
// word; each entry evicted is a connect result or a close that will not be
// reported. The programs count the entries they add under a new key and
// those they delete; every other entry added is either still there or was
// evicted.
#pragma once

#include <algorithm>
#include <cstdint>

namespace nj {

// `added` is read before the map's entries are counted (`live`), `removed`
// after: an entry added or deleted meanwhile can then only make the result
// smaller, never an eviction that did not happen; `previous` (the last
// result) keeps it from going back. With the programs stopped (the final
// count) it is exact.
inline uint64_t sock_evictions(uint64_t added, uint64_t removed, uint64_t live, uint64_t previous) {
  const uint64_t accounted = removed + live;
  const uint64_t now = added > accounted ? added - accounted : 0;
  return std::max(now, previous);
}

}  // namespace nj
