#include "families/network/domain_cache.h"

#include <algorithm>
#include <limits>

namespace nj {

namespace {

constexpr uint64_t kMinTtlS = 60;
constexpr uint64_t kMaxTtlS = 24 * 60 * 60;
constexpr uint64_t kNsPerS = 1'000'000'000;

}  // namespace

DomainCache::DomainCache(size_t capacity) : cache_(capacity) {}

bool DomainCache::key_of(std::span<const uint8_t> addr, Key& k) {
  if (addr.size() != 4 && addr.size() != 16) return false;
  std::copy(addr.begin(), addr.end(), k.bytes.begin());
  k.len = static_cast<uint8_t>(addr.size());
  return true;
}

void DomainCache::learn(std::span<const uint8_t> addr, const std::string& name, uint64_t now_ns, uint32_t ttl_s) {
  Key k;
  if (name.empty() || !key_of(addr, k)) return;
  const uint64_t life_ns = std::clamp<uint64_t>(ttl_s, kMinTtlS, kMaxTtlS) * kNsPerS;
  const uint64_t never = std::numeric_limits<uint64_t>::max();
  cache_.put(k, Entry{name, now_ns > never - life_ns ? never : now_ns + life_ns});
}

const std::string* DomainCache::lookup(std::span<const uint8_t> addr, uint64_t now_ns) {
  Key k;
  if (!key_of(addr, k)) return nullptr;
  // An expired entry goes before the counted look, which then counts it as
  // the miss it is.
  if (const Entry* e = cache_.peek(k); e && now_ns >= e->expires_ns) cache_.erase(k);
  const Entry* e = cache_.get(k);
  return e ? &e->name : nullptr;
}

}  // namespace nj
