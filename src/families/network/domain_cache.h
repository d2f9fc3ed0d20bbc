// Which domain name each address was last resolved from, learned from the
// DNS answers the network family sees, so a connection made right after can
// report destination.domain: the name the process asked for, not just the
// address it got. Bounded: least recently used addresses go first. Not
// thread-safe, like the Lru it is built on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "util/lru.h"

namespace nj {

class DomainCache {
 public:
  explicit DomainCache(size_t capacity = 4096);

  // addr: 4 or 16 bytes in network order (anything else is ignored). name:
  // the question the answer was for, not the CNAME target that held the
  // address. now_ns: when the answer was seen, on the clock lookup() is
  // given.
  void learn(std::span<const uint8_t> addr, const std::string& name, uint64_t now_ns, uint32_t ttl_s);
  // The name most recently learned for addr, unless it has expired; valid
  // until the next learn() or lookup(). An entry lives for its TTL, but at
  // least a minute (a TTL of a few seconds must still name the connect
  // that follows the answer) and at most a day.
  const std::string* lookup(std::span<const uint8_t> addr, uint64_t now_ns);

  size_t size() const { return cache_.size(); }
  uint64_t hits() const { return cache_.hits(); }
  uint64_t misses() const { return cache_.misses(); }        // expired entries included
  uint64_t evictions() const { return cache_.evictions(); }  // for room, not for age

 private:
  // The length is part of the key, so an IPv4 address and an IPv6 one that
  // begins with the same bytes stay apart.
  struct Key {
    std::array<uint8_t, 16> bytes{};
    uint8_t len = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.len));
    }
  };
  struct Entry {
    std::string name;
    uint64_t expires_ns = 0;
  };
  static bool key_of(std::span<const uint8_t> addr, Key& k);

  Lru<Key, Entry, KeyHash> cache_;
};

}  // namespace nj
