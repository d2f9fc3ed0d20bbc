// The LRU tables' evictions, from the programs' add and delete counts and
// the entries counted between them (src/loader/lru_evictions.h).
#include "loader/lru_evictions.h"

#include <gtest/gtest.h>

namespace nj {
namespace {

TEST(LruEvictions, WhatIsNeitherDeletedNorThereWasEvicted) {
  EXPECT_EQ(lru_evictions(0, 0, 0, 0), 0u);
  EXPECT_EQ(lru_evictions(100, 60, 40, 0), 0u);
  EXPECT_EQ(lru_evictions(300, 100, 64, 0), 136u);
}

// The UDP flow table has no deletes: what is not there was evicted.
TEST(LruEvictions, ATableWithoutDeletes) {
  EXPECT_EQ(lru_evictions(50, 0, 50, 0), 0u);
  EXPECT_EQ(lru_evictions(400, 0, 64, 0), 336u);
}

// Adds read before the count, deletes after: a connection opened and
// closed while the entries were counted is in the deletes but not in the
// adds. The result is then too small, never below zero.
TEST(LruEvictions, ChurnDuringTheCountOnlyLowersIt) {
  EXPECT_EQ(lru_evictions(100, 90, 20, 0), 0u);
  EXPECT_EQ(lru_evictions(500, 450, 20, 0), 30u);
}

// A count that came out lower than the one before (churn, as above) does
// not take back evictions already reported.
TEST(LruEvictions, NeverGoesBack) {
  EXPECT_EQ(lru_evictions(300, 100, 64, 136), 136u);
  EXPECT_EQ(lru_evictions(310, 200, 64, 136), 136u);
  EXPECT_EQ(lru_evictions(400, 200, 60, 136), 140u);
}

}  // namespace
}  // namespace nj
