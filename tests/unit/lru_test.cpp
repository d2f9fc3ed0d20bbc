#include "util/lru.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nj {
namespace {

std::vector<int> keys(Lru<int, std::string>& c) {
  std::vector<int> out;
  for (auto& [k, v] : c) out.push_back(k);
  return out;
}

TEST(Lru, HitAndMissAreCounted) {
  Lru<int, std::string> c(4);
  c.put(1, "one");
  ASSERT_NE(c.get(1), nullptr);
  EXPECT_EQ(*c.get(1), "one");
  EXPECT_EQ(c.get(2), nullptr);
  EXPECT_EQ(c.hits(), 2u);
  EXPECT_EQ(c.misses(), 1u);
}

TEST(Lru, GetIfHitCountsNoMiss) {
  Lru<int, std::string> c(4);
  EXPECT_EQ(c.get_if_hit(1), nullptr);
  c.put(1, "one");
  EXPECT_NE(c.get_if_hit(1), nullptr);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 0u);
}

TEST(Lru, EvictsLeastRecentlyUsed) {
  Lru<int, std::string> c(3);
  c.put(1, "a");
  c.put(2, "b");
  c.put(3, "c");
  c.get(1);  // 2 is now the oldest
  c.put(4, "d");
  EXPECT_EQ(c.peek(2), nullptr);
  EXPECT_EQ(keys(c), (std::vector<int>{4, 1, 3}));
  EXPECT_EQ(c.evictions(), 1u);
  EXPECT_EQ(c.size(), 3u);
}

TEST(Lru, PeekNeitherCountsNorReorders) {
  Lru<int, std::string> c(2);
  c.put(1, "a");
  c.put(2, "b");
  EXPECT_NE(c.peek(1), nullptr);
  c.put(3, "c");  // 1 stayed the oldest
  EXPECT_EQ(c.peek(1), nullptr);
  EXPECT_EQ(c.hits() + c.misses(), 0u);
}

TEST(Lru, PutReplacesAndPromotes) {
  Lru<int, std::string> c(2);
  c.put(1, "a");
  c.put(2, "b");
  c.put(1, "A");
  c.put(3, "c");
  EXPECT_EQ(keys(c), (std::vector<int>{3, 1}));
  EXPECT_EQ(*c.peek(1), "A");
}

TEST(Lru, EraseIsNoEviction) {
  Lru<int, std::string> c(Lru<int, std::string>::kUnbounded);
  c.put(1, "a");
  EXPECT_TRUE(c.erase(1));
  EXPECT_FALSE(c.erase(1));
  EXPECT_EQ(c.evictions(), 0u);
  c.put(2, "b");
  EXPECT_TRUE(c.evict_oldest());
  EXPECT_FALSE(c.evict_oldest());
  EXPECT_EQ(c.evictions(), 1u);
}

TEST(Lru, ZeroCapacityKeepsNothing) {
  Lru<int, std::string> c(0);
  EXPECT_EQ(c.put(1, "a"), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

}  // namespace
}  // namespace nj
