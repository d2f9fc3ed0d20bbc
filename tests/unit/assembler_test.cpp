#include "assemble/assembler.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "records.h"

using namespace nj;
using namespace njt;

namespace {

constexpr uint64_t kWindow = 1000;

// A part, as (field, index, data), to compare what came out.
using PartKey = std::tuple<uint16_t, uint16_t, std::string>;

std::vector<PartKey> keys(const Event& ev) {
  std::vector<PartKey> out;
  for (const StrPart& p : ev.parts) out.emplace_back(p.field, p.index, p.data);
  return out;
}

Record str(uint64_t id, uint16_t field, uint16_t index, const std::string& data) {
  return decode_ok(str_bytes(id, field, index, data));
}

Record fork_record(uint64_t id) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), id);
  f.task = make_task(10, "p");
  f.child_pid = 11;
  return decode_ok(bytes_of(f));
}

Record exit_record(uint64_t id) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), id);
  x.task = make_task(11, "c");
  return decode_ok(bytes_of(x));
}

uint64_t id_of(const Event& ev) { return header_of(ev.main).event_id; }

struct AssemblerTest : ::testing::Test {
  std::vector<Event> out;
  Assembler a{kWindow, 16, [this](Event&& e) { out.push_back(std::move(e)); }};
};

}  // namespace

TEST_F(AssemblerTest, SingleRecordEventsEmittedAtOnce) {
  a.push(fork_record(1), 10);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<nj_fork>(out[0].main));
  EXPECT_FALSE(out[0].incomplete);
  EXPECT_TRUE(out[0].parts.empty());

  a.push(exit_record(2), 11);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<nj_exit>(out[1].main));
  EXPECT_EQ(a.stats().completed, 2u);
  EXPECT_EQ(a.stats().pending, 0u);
}

TEST_F(AssemblerTest, ExecWithoutPartsEmittedAtOnce) {
  a.push(exec_record(3, 0), 10);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].incomplete);
}

TEST_F(AssemblerTest, PartsBeforeClosingRecord) {
  a.push(str(7, NJ_F_FILENAME, 0, "/bin/ls"), 100);
  a.push(str(7, NJ_F_EXE, 0, std::string("ls\0bin\0", 7)), 101);
  a.push(str(7, NJ_F_ARGV, 0, std::string("ls\0-l\0", 6)), 102);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(a.stats().pending, 1u);

  a.push(exec_record(7, 3), 103);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].incomplete);
  EXPECT_EQ(id_of(out[0]), 7u);
  EXPECT_TRUE(std::holds_alternative<nj_exec>(out[0].main));
  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/bin/ls"},
                                                {NJ_F_EXE, 0, std::string("ls\0bin\0", 7)},
                                                {NJ_F_ARGV, 0, std::string("ls\0-l\0", 6)}}));
  EXPECT_EQ(a.stats().completed, 1u);
  EXPECT_EQ(a.stats().pending, 0u);
  EXPECT_EQ(a.stats().incomplete, 0u);
}

TEST_F(AssemblerTest, ClosingRecordBeforeParts) {
  a.push(exec_record(8, 3), 100);
  EXPECT_TRUE(out.empty());
  a.push(str(8, NJ_F_ARGV, 1, "b"), 101);
  a.push(str(8, NJ_F_ARGV, 0, "a"), 102);
  EXPECT_TRUE(out.empty()) << "emitted before its last part";
  a.push(str(8, NJ_F_CWD, 0, "tmp"), 103);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].incomplete);
  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_ARGV, 1, "b"}, {NJ_F_ARGV, 0, "a"}, {NJ_F_CWD, 0, "tmp"}}));
  EXPECT_EQ(a.stats().pending, 0u);
}

// Two CPUs' perf buffers read in turn: the parts of two execs interleave.
TEST_F(AssemblerTest, InterleavedEventsKeepTheirOwnParts) {
  const uint64_t A = (1ull << NJ_EVENT_ID_CPU_SHIFT) | 1;
  const uint64_t B = (2ull << NJ_EVENT_ID_CPU_SHIFT) | 1;
  a.push(str(A, NJ_F_FILENAME, 0, "/a"), 1);
  a.push(str(B, NJ_F_FILENAME, 0, "/b"), 2);
  a.push(str(B, NJ_F_ARGV, 0, "b0"), 3);
  a.push(str(A, NJ_F_ARGV, 0, "a0"), 4);
  a.push(exec_record(B, 3), 5);
  a.push(str(A, NJ_F_ARGV, 1, "a1"), 6);
  EXPECT_TRUE(out.empty());
  a.push(exec_record(A, 3), 7);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(id_of(out[0]), A);
  a.push(str(B, NJ_F_CWD, 0, "b-cwd"), 8);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(id_of(out[1]), B);

  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/a"}, {NJ_F_ARGV, 0, "a0"}, {NJ_F_ARGV, 1, "a1"}}));
  EXPECT_EQ(keys(out[1]),
            (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/b"}, {NJ_F_ARGV, 0, "b0"}, {NJ_F_CWD, 0, "b-cwd"}}));
  for (const Event& ev : out) {
    EXPECT_FALSE(ev.incomplete);
    for (const StrPart& p : ev.parts) EXPECT_EQ(p.hdr.event_id, id_of(ev));
  }
  EXPECT_EQ(a.stats().completed, 2u);
  EXPECT_EQ(a.stats().pending, 0u);
}

TEST_F(AssemblerTest, MissingPartsFlushedAfterWindowAsIncomplete) {
  a.push(str(9, NJ_F_FILENAME, 0, "/x"), 5000);
  a.push(exec_record(9, 3), 5100);
  a.expire(5000 + kWindow - 1);
  EXPECT_TRUE(out.empty()) << "flushed before the window passed";
  EXPECT_EQ(a.stats().pending, 1u);

  a.expire(5000 + kWindow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_EQ(id_of(out[0]), 9u);
  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/x"}}));
  EXPECT_EQ(a.stats().incomplete, 1u);
  EXPECT_EQ(a.stats().completed, 0u);
  EXPECT_EQ(a.stats().pending, 0u);

  // A straggler arriving after the flush joins nothing: it is an orphan.
  a.push(str(9, NJ_F_ARGV, 0, "late"), 6100);
  a.expire(6100 + kWindow);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(a.stats().orphan_parts, 1u);
}

TEST_F(AssemblerTest, ClosingRecordWhosePartsNeverComeIsEmittedOnlyOnce) {
  a.push(exec_record(10, 2), 0);
  a.expire(kWindow - 1);
  EXPECT_TRUE(out.empty());
  a.expire(kWindow);
  a.expire(10 * kWindow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_TRUE(out[0].parts.empty());
  EXPECT_EQ(a.stats().incomplete, 1u);
}

// Two closing records with one id (per-CPU id counters are not atomic, so
// two programs on one CPU can draw the same id): the first, still waiting
// for parts, leaves as incomplete instead of being overwritten unseen.
// Found by fuzz/assemble_fuzz.cpp.
TEST_F(AssemblerTest, SecondClosingRecordWithTheSameIdDoesNotEraseTheFirst) {
  a.push(exec_record(30, 2, 0), 100);
  a.push(str(30, NJ_F_FILENAME, 0, "/bin/a"), 101);
  a.push(exec_record(30, 1, -2), 102);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_EQ(std::get<nj_exec>(out[0].main).retval, 0);
  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/bin/a"}}));
  a.push(str(30, NJ_F_FILENAME, 0, "/bin/b"), 103);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].incomplete);
  EXPECT_EQ(std::get<nj_exec>(out[1].main).retval, -2);
  EXPECT_EQ(keys(out[1]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/bin/b"}}));
  EXPECT_EQ(a.stats().incomplete, 1u);
  EXPECT_EQ(a.stats().completed, 1u);
  EXPECT_EQ(a.stats().pending, 0u);
}

TEST_F(AssemblerTest, OrphanPartsDroppedAndCountedExactly) {
  a.push(str(20, NJ_F_FILENAME, 0, "/o"), 100);
  a.push(str(20, NJ_F_ARGV, 0, "o"), 150);
  a.push(str(20, NJ_F_CWD, 0, "c"), 200);
  a.push(str(21, NJ_F_FILENAME, 0, "/p"), 600);
  a.push(str(21, NJ_F_ARGV, 0, "p"), 700);

  a.expire(100 + kWindow - 1);
  EXPECT_EQ(a.stats().orphan_parts, 0u);
  EXPECT_EQ(a.stats().pending, 2u);

  a.expire(100 + kWindow);  // the event of id 20 was first seen at 100
  EXPECT_EQ(a.stats().orphan_parts, 3u);
  EXPECT_EQ(a.stats().pending, 1u);

  a.expire(600 + kWindow);
  EXPECT_EQ(a.stats().orphan_parts, 5u);
  EXPECT_EQ(a.stats().pending, 0u);
  EXPECT_TRUE(out.empty()) << "parts without a closing record are never emitted";
  EXPECT_EQ(a.stats().incomplete, 0u);

  // The closing record arriving after its parts were dropped: emitted as
  // incomplete after its own window, without the dropped parts.
  a.push(exec_record(20, 3), 5000);
  EXPECT_TRUE(out.empty());
  a.expire(5000 + kWindow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_TRUE(out[0].parts.empty());
}

TEST(Assembler, MaxPendingEvictsOldest) {
  std::vector<Event> out;
  Assembler a(kWindow, 2, [&](Event&& e) { out.push_back(std::move(e)); });
  a.push(exec_record(1, 1), 10);
  a.push(exec_record(2, 1), 20);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(a.stats().pending, 2u);

  a.push(exec_record(3, 1), 30);  // over the cap: event 1 (oldest) goes
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(id_of(out[0]), 1u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_EQ(a.stats().evicted, 1u);
  EXPECT_EQ(a.stats().incomplete, 1u);
  EXPECT_EQ(a.stats().pending, 2u);

  // Parts of the two still pending complete them normally.
  a.push(str(3, NJ_F_ARGV, 0, "three"), 31);
  a.push(str(2, NJ_F_ARGV, 0, "two"), 32);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(id_of(out[1]), 3u);
  EXPECT_EQ(id_of(out[2]), 2u);
  EXPECT_FALSE(out[1].incomplete);
  EXPECT_FALSE(out[2].incomplete);
  EXPECT_EQ(keys(out[2]), (std::vector<PartKey>{{NJ_F_ARGV, 0, "two"}}));

  // Evicting a group of orphan parts counts them as orphans.
  a.push(str(4, NJ_F_ARGV, 0, "x"), 40);
  a.push(str(4, NJ_F_ARGV, 1, "y"), 41);
  a.push(str(5, NJ_F_ARGV, 0, "z"), 42);
  a.push(str(6, NJ_F_ARGV, 0, "w"), 43);  // evicts id 4 (2 parts)
  EXPECT_EQ(a.stats().evicted, 2u);
  EXPECT_EQ(a.stats().orphan_parts, 2u);
  EXPECT_EQ(out.size(), 3u);

  // Single-record events never wait, so the cap does not touch them.
  a.push(fork_record(7), 50);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(a.stats().evicted, 2u);
}

TEST_F(AssemblerTest, FlushAllEmitsPendingAsIncomplete) {
  a.push(exec_record(30, 2), 1);
  a.push(str(30, NJ_F_FILENAME, 0, "/f"), 2);
  a.push(str(31, NJ_F_ARGV, 0, "o1"), 3);
  a.push(str(31, NJ_F_ARGV, 1, "o2"), 4);
  a.push(str(32, NJ_F_ARGV, 0, "p"), 5);
  a.push(exec_record(32, 2), 6);
  EXPECT_TRUE(out.empty());

  a.flush_all();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(id_of(out[0]), 30u);
  EXPECT_EQ(id_of(out[1]), 32u);
  EXPECT_TRUE(out[0].incomplete);
  EXPECT_TRUE(out[1].incomplete);
  EXPECT_EQ(keys(out[0]), (std::vector<PartKey>{{NJ_F_FILENAME, 0, "/f"}}));
  EXPECT_EQ(keys(out[1]), (std::vector<PartKey>{{NJ_F_ARGV, 0, "p"}}));
  EXPECT_EQ(a.stats().incomplete, 2u);
  EXPECT_EQ(a.stats().orphan_parts, 2u);
  EXPECT_EQ(a.stats().pending, 0u);

  a.flush_all();
  EXPECT_EQ(out.size(), 2u);
}

// Pending events with the same first-seen time are all tracked.
TEST_F(AssemblerTest, SameTimestampEventsAllExpire) {
  for (uint64_t id = 40; id < 45; id++) a.push(exec_record(id, 1), 500);
  a.push(str(42, NJ_F_ARGV, 0, "done"), 500);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(id_of(out[0]), 42u);
  a.expire(500 + kWindow);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(a.stats().incomplete, 4u);
  EXPECT_EQ(a.stats().pending, 0u);
}
