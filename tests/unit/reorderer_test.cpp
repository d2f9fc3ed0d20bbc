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
  r.push(exit_at(2, t0 + 20 * kMs));  // CPU 0: the child's event
  r.push(exit_at(3, t0 + 25 * kMs));
  r.push(exit_at(1, t0 + 10 * kMs));  // CPU 1: its fork, read later
  EXPECT_TRUE(c.ids.empty()) << "nothing leaves before a pass ends";
  r.release(t0 + 115 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1}));
  r.release(t0 + 200 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.stats().reordered, 1u);
  EXPECT_EQ(r.stats().late, 0u);
  EXPECT_EQ(r.stats().waiting, 0u);
}

// A reader seconds behind (a burst on a slow machine) hands over records far
// older than the window, one CPU's after the other's. Nothing leaves until
// the pass has read every CPU: the order holds, and the window stays what it
// was (it is not how far behind the reader is that it has to cover).
TEST(Reorderer, ABacklogKeepsItsOrderAndTheWindow) {
  Collect c;
  Reorderer r(100 * kMs, c.fn());
  const uint64_t pass = 10'000 * kMs;
  for (uint64_t i = 0; i < 50; i++) r.push(exit_at(100 + i, 1000 * kMs + (2 * i + 1) * kMs));  // CPU 0
  for (uint64_t i = 0; i < 50; i++) r.push(exit_at(i, 1000 * kMs + 2 * i * kMs));              // CPU 1
  r.release(pass);
  ASSERT_EQ(c.ids.size(), 100u);
  for (uint64_t i = 0; i < 50; i++) {
    EXPECT_EQ(c.ids[2 * i], i);
    EXPECT_EQ(c.ids[2 * i + 1], 100 + i);
  }
  EXPECT_EQ(r.stats().late, 0u);
  EXPECT_EQ(r.stats().window_ns, 100 * kMs);
  // The next event is let out as soon as a pass after it is the window old.
  r.push(exit_at(7, pass + 10 * kMs));
  r.release(pass + 120 * kMs);
  EXPECT_EQ(c.ids.back(), 7u);
}

TEST(Reorderer, EqualTimestampsKeepArrivalOrder) {
  Collect c;
  Reorderer r(10 * kMs, c.fn());
  for (uint64_t id = 1; id <= 5; id++) r.push(exit_at(id, 50 * kMs));
  r.flush();
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.stats().reordered, 0u);
}

// A record older than one already let out cannot be put in its place: it
// leaves at once and is counted. It was not in its ring when the last pass
// began, so it took at least that long from its timestamp to its ring: the
// window widens to half again that (up to the cap).
TEST(Reorderer, LateRecordsLeaveAtOnceAndWidenTheWindow) {
  Collect c;
  Reorderer r(10 * kMs, c.fn(), 2000 * kMs);
  r.push(exit_at(1, 100 * kMs));
  r.release(200 * kMs);
  r.push(exit_at(2, 50 * kMs));
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(r.stats().late, 1u);
  EXPECT_EQ(r.stats().window_ns, 225 * kMs);
  r.push(exit_at(3, 150 * kMs));
  r.release(300 * kMs);
  EXPECT_EQ(c.ids.size(), 2u) << "held for the wider window";
  r.release(400 * kMs);
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3}));
  r.release(3000 * kMs);
  r.push(exit_at(4, 10 * kMs));
  EXPECT_EQ(r.stats().window_ns, 2000 * kMs) << "capped";
}

// A minute without a late record halves the window, down to the one asked
// for: one slow moment does not delay every later event for good.
TEST(Reorderer, TheWindowNarrowsAfterACalmMinute) {
  Collect c;
  Reorderer r(100 * kMs, c.fn(), 5000 * kMs);
  const uint64_t s = 1000 * kMs;
  r.push(exit_at(1, 19 * s));
  r.release(20 * s);
  r.push(exit_at(2, 18 * s));  // 2 s on its way
  EXPECT_EQ(r.stats().window_ns, 3000 * kMs);
  r.release(50 * s);
  EXPECT_EQ(r.stats().window_ns, 3000 * kMs);
  r.release(80 * s);
  EXPECT_EQ(r.stats().window_ns, 1500 * kMs);
  for (uint64_t t = 81; t < 400; t++) r.release(t * s);
  EXPECT_EQ(r.stats().window_ns, 100 * kMs);
}

TEST(Reorderer, FlushLetsEverythingOutInOrder) {
  Collect c;
  Reorderer r(1000 * kMs, c.fn());
  r.push(exit_at(3, 30 * kMs));
  r.push(exit_at(1, 10 * kMs));
  r.push(exit_at(2, 20 * kMs));
  r.flush();
  EXPECT_EQ(c.ids, (std::vector<uint64_t>{1, 2, 3}));
}
