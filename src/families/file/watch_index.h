// The paths the file rules' watches were resolved from, by identity: what
// names a file the kernel matched by its identity alone (opened by handle,
// its dentry one no name leads to). Built from resolve_watches' result
// when the watches are installed, so such an event costs a lookup, not a
// glob and a stat per path of its rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "families/file/rules.h"

namespace nj {

class WatchIndex {
 public:
  WatchIndex() = default;
  explicit WatchIndex(const std::vector<Watch>& watches);

  // A watch learned after the install (a watched path created since).
  void add(const Watch& w);
  // The path by which rule number `rule` watches the identity (dev, ino).
  // Keyed by rule too: a file two rules cover by two names (a hard link)
  // is named by the rule the kernel reported. None when that rule watched
  // no such file at the last install and none was learned since.
  std::optional<std::string> path(uint32_t rule, uint32_t dev, uint64_t ino) const;
  size_t size() const { return paths_.size(); }

 private:
  using Key = std::tuple<uint32_t, uint64_t, uint32_t>;  // dev, ino, rule
  std::map<Key, std::string> paths_;
};

}  // namespace nj
