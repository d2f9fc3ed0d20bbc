#include "order/reorderer.h"

#include <gtest/gtest.h>

#include <vector>

#include "records.h"

using namespace nj;
using namespace njt;

namespace {

constexpr uint64_t kMs = 1'000'000;

Record exit_at(uint64_t event_id, uint64_t ts) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(x), event_id, ts);
  return decode_ok(bytes_of(x));
}

struct Collect {
  std::vector<uint64_t> ids;
  Reorderer::EmitFn fn() {
    return [this](Record&& r) { ids.push_back(header_of(r).event_id); };
  }
};

}  // namespace

// What two CPUs' buffers hand over one after the other leaves in time order.
TEST(Reorderer, MergesStreamsByTimestampAfterTheWindow) {
  Collect c;
  Reorderer r(100 * kMs, c.fn());
  const uint64_t t0 = 1000 * kMs;
  r.push(exit_at(2, t0 + 20 * kMs), t0 + 30 * kMs);  // CPU 0: the child's event
  r.push(exit_at(3, t0 + 25 * kMs), t0 + 30 * kMs);
  r.push(exit_at(1, t0 + 10 * kMs), t0 + 30 * kMs);  // CPU 1: its fork, read later
  EXPECT_TRUE(c.ids.empty()) << "nothing leaves before the window";
  r.release(t0 + 115 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1}));
  r.release(t0 + 200 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.stats().reordered, 1u);
  EXPECT_EQ(r.stats().late, 0u);
  EXPECT_EQ(r.stats().waiting, 0u);
}

// Records of one sample share a timestamp: they keep their arrival order.
TEST(Reorderer, EqualTimestampsKeepArrivalOrder) {
  Collect c;
  Reorderer r(10 * kMs, c.fn());
  for (uint64_t id = 1; id <= 5; id++) r.push(exit_at(id, 50 * kMs), 50 * kMs);
  r.flush();
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.stats().reordered, 0u);
}

// A record older than one already let out cannot be put in its place: it
// leaves at once and is counted.
TEST(Reorderer, LateRecordsLeaveAtOnceAndAreCounted) {
  Collect c;
  Reorderer r(10 * kMs, c.fn());
  r.push(exit_at(1, 100 * kMs), 100 * kMs);
  r.release(200 * kMs);
  r.push(exit_at(2, 50 * kMs), 200 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(r.stats().late, 1u);
}

// A record that took longer to arrive than the window widens it (to half
// again its delay, up to the cap), so the records after it keep their order.
TEST(Reorderer, WindowWidensToTheSlowestArrival) {
  Collect c;
  Reorderer r(100 * kMs, c.fn(), 2000 * kMs);
  r.push(exit_at(2, 1000 * kMs), 1400 * kMs);  // 400 ms on its way
  EXPECT_EQ(r.stats().window_ns, 600 * kMs);
  r.release(1500 * kMs);
  EXPECT_TRUE(c.ids.empty()) << "held for the wider window";
  r.push(exit_at(1, 900 * kMs), 1550 * kMs);  // older still, and later
  r.release(2000 * kMs);                      // the window is 975 ms now
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(r.stats().late, 0u);
  r.push(exit_at(3, 1000 * kMs), 60000 * kMs);
  EXPECT_EQ(r.stats().window_ns, 2000 * kMs) << "capped";
}

TEST(Reorderer, FlushLetsEverythingOutInOrder) {
  Collect c;
  Reorderer r(1000 * kMs, c.fn());
  r.push(exit_at(3, 30 * kMs), 0);
  r.push(exit_at(1, 10 * kMs), 0);
  r.push(exit_at(2, 20 * kMs), 0);
  r.flush();
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3}));
}
