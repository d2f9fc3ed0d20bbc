#include "families/file/watch_index.h"

namespace nj {

// Of several paths by which one rule covers an identity (hard links), the
// first the glob found names it.
WatchIndex::WatchIndex(const std::vector<Watch>& watches) {
  for (const Watch& w : watches) paths_.emplace(Key{w.key.dev, w.key.ino, w.value.rule}, w.path);
}

// Newer than what the install found: a deleted watched file's inode number
// may have been given to this one.
void WatchIndex::add(const Watch& w) { paths_.insert_or_assign(Key{w.key.dev, w.key.ino, w.value.rule}, w.path); }

std::optional<std::string> WatchIndex::path(uint32_t rule, uint32_t dev, uint64_t ino) const {
  auto it = paths_.find(Key{dev, ino, rule});
  if (it == paths_.end()) return std::nullopt;
  return it->second;
}

}  // namespace nj
