// The address -> domain cache that DNS answers fill and connections read.
#include "families/network/domain_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace nj;

namespace {

constexpr uint64_t kS = 1'000'000'000;
using Bytes = std::vector<uint8_t>;

std::string name_of(DomainCache& c, const Bytes& addr, uint64_t now) {
  const std::string* n = c.lookup(addr, now);
  return n ? *n : "";
}

const Bytes kV4{93, 184, 215, 14};
const Bytes kV6{0x26, 0x06, 0x28, 0x00, 0x02, 0x1f, 0xcb, 0x07, 0x68, 0x20, 0x80, 0xda, 0xaf, 0x6b, 0x8b, 0x2c};

TEST(NetworkDomainCache, LearnThenLookup) {
  DomainCache c;
  c.learn(kV4, "www.example.com", 100 * kS, 300);
  EXPECT_EQ(name_of(c, kV4, 101 * kS), "www.example.com");
  EXPECT_EQ(name_of(c, Bytes{93, 184, 215, 15}, 101 * kS), "");
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
}

TEST(NetworkDomainCache, V4AndV6KeysAreDistinct) {
  DomainCache c;
  // An IPv6 address that begins with the IPv4 one's bytes, then zeros.
  Bytes v6(16, 0);
  std::copy(kV4.begin(), kV4.end(), v6.begin());
  c.learn(kV4, "four.example", 0, 300);
  EXPECT_EQ(name_of(c, v6, 0), "");
  c.learn(v6, "six.example", 0, 300);
  c.learn(kV6, "other.example", 0, 300);
  EXPECT_EQ(name_of(c, kV4, 0), "four.example");
  EXPECT_EQ(name_of(c, v6, 0), "six.example");
  EXPECT_EQ(name_of(c, kV6, 0), "other.example");
  EXPECT_EQ(c.size(), 3u);
}

TEST(NetworkDomainCache, ExpiresAfterTheTtlButNotBeforeAMinute) {
  DomainCache c;
  c.learn(kV4, "long.example", 0, 300);
  c.learn(kV6, "short.example", 0, 5);
  EXPECT_EQ(name_of(c, kV6, 59 * kS), "short.example");
  EXPECT_EQ(name_of(c, kV6, 60 * kS), "");
  EXPECT_EQ(name_of(c, kV4, 299 * kS), "long.example");
  EXPECT_EQ(name_of(c, kV4, 300 * kS), "");
  EXPECT_EQ(c.size(), 0u);  // looking at an expired entry drops it
  EXPECT_EQ(c.misses(), 2u);
  EXPECT_EQ(c.evictions(), 0u);
}

TEST(NetworkDomainCache, LifeIsCappedAtADay) {
  DomainCache c;
  c.learn(kV4, "forever.example", 10 * kS, 0xffffffff);
  EXPECT_EQ(name_of(c, kV4, (10 + 86399) * kS), "forever.example");
  EXPECT_EQ(name_of(c, kV4, (10 + 86400) * kS), "");
  // Nor does a clock near its end wrap around.
  c.learn(kV4, "late.example", UINT64_MAX - kS, 300);
  EXPECT_EQ(name_of(c, kV4, UINT64_MAX - 1), "late.example");
}

TEST(NetworkDomainCache, MostRecentNameWins) {
  DomainCache c;
  c.learn(kV4, "a.example", 0, 300);
  c.learn(kV4, "b.example", 1 * kS, 60);
  EXPECT_EQ(name_of(c, kV4, 2 * kS), "b.example");
  // The later answer's shorter life counts, not the first one's.
  EXPECT_EQ(name_of(c, kV4, 61 * kS), "");
}

TEST(NetworkDomainCache, EvictsTheLeastRecentlyUsed) {
  DomainCache c(2);
  const Bytes a{10, 0, 0, 1}, b{10, 0, 0, 2}, d{10, 0, 0, 3};
  c.learn(a, "a.example", 0, 300);
  c.learn(b, "b.example", 0, 300);
  EXPECT_EQ(name_of(c, a, 0), "a.example");  // b is now the oldest
  c.learn(d, "d.example", 0, 300);
  EXPECT_EQ(name_of(c, b, 0), "");
  EXPECT_EQ(name_of(c, a, 0), "a.example");
  EXPECT_EQ(name_of(c, d, 0), "d.example");
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.evictions(), 1u);
}

TEST(NetworkDomainCache, IgnoresWhatIsNoAddressOrName) {
  DomainCache c;
  c.learn(Bytes{1, 2, 3}, "x.example", 0, 300);
  c.learn(kV4, "", 0, 300);
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.lookup(Bytes{1, 2, 3}, 0), nullptr);
  EXPECT_EQ(c.lookup(Bytes{}, 0), nullptr);
}

}  // namespace
