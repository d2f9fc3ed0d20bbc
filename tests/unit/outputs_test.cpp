// Several outputs at once: each gets every line through its own queue and
// writer, counts its own failures, and is told by its own loss reports what
// it was not yet told; the totals are the sums over the outputs.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/outputs.h"
#include "files.h"
#include "temp_dir.h"

namespace nj {
namespace {

using namespace std::chrono_literals;

LossReport with_outputs(std::vector<std::pair<uint64_t, uint64_t>> dropped_failed) {
  LossReport r;
  for (auto [d, f] : dropped_failed) {
    OutputLoss o;
    o.name = "o" + std::to_string(r.outputs.size());
    o.queue_dropped_total = d;
    o.failed_total = f;
    r.outputs.push_back(o);
    r.queue_dropped_total += d;
    r.output_failed_total += f;
  }
  return r;
}

TEST(OutputLossCounts, EachOutputIsToldWhatItWasNotYetTold) {
  LossReport r = with_outputs({{0, 0}, {2, 10}});
  r.kernel_lost_total = 5;
  r.by_family[0].kernel_lost_total = 5;
  Told nothing;
  count_since(r, nothing);
  EXPECT_EQ(r.kernel_lost, 5u);
  EXPECT_EQ(r.by_family[0].kernel_lost, 5u);
  EXPECT_EQ(r.queue_dropped, 2u);
  EXPECT_EQ(r.output_failed, 10u);
  EXPECT_EQ(r.outputs[1].failed, 10u);
  EXPECT_TRUE(has_news(r));

  // That report was written: the next counts what came after it.
  const Told told = told_by(r);
  LossReport later = with_outputs({{1, 0}, {2, 14}});
  later.kernel_lost_total = 5;
  later.by_family[0].kernel_lost_total = 5;
  count_since(later, told);
  EXPECT_EQ(later.kernel_lost, 0u);
  EXPECT_EQ(later.by_family[0].kernel_lost, 0u);
  EXPECT_EQ(later.outputs[0].queue_dropped, 1u);
  EXPECT_EQ(later.outputs[1].queue_dropped, 0u);
  EXPECT_EQ(later.outputs[1].failed, 4u);
  EXPECT_EQ(later.queue_dropped, 1u);
  EXPECT_EQ(later.output_failed, 4u);

  LossReport same = with_outputs({{1, 0}, {2, 14}});
  same.kernel_lost_total = 5;
  same.by_family[0].kernel_lost_total = 5;
  count_since(same, told_by(later));
  EXPECT_FALSE(has_news(same));
}

TEST(OutputLossCounts, WarningsNameTheOutputOnlyWhenThereAreSeveral) {
  const std::string m = "output: cannot write: No such file or directory; 3 lines dropped";
  EXPECT_EQ(output_warning(m, "journal", false), m);
  EXPECT_EQ(output_warning(m, "journal", true),
            "output journal: cannot write: No such file or directory; 3 lines dropped");
  EXPECT_EQ(output_warning("something else", "file", true), "something else");
}

using njt::slurp;

// A real failing output (/dev/full) beside a real file: the file gets every
// line, /dev/full's losses are its own.
TEST(Outputs, AFailingOutputCostsItsOwnLinesOnly) {
  njt::TempDir dir("outputs");
  const std::string path = (dir.path() / "events.jsonl").string();
  auto file = make_file_sink(path);
  ASSERT_TRUE(file.ok());
  auto full = make_file_sink("/dev/full");
  ASSERT_TRUE(full.ok());
  std::vector<std::string> said;
  std::mutex mu;
  auto warn = [&](const std::string& m) {
    std::lock_guard<std::mutex> lk(mu);
    said.push_back(m);
  };
  Outputs outs;
  outs.add("file", true, std::move(*file), 1000, OutputPolicy{false, warn});
  outs.add("full", false, std::move(*full), 1000, OutputPolicy{false, warn});
  EXPECT_TRUE(outs.several());
  ASSERT_NE(outs.jsonl(), nullptr);
  EXPECT_EQ(outs.jsonl()->name, "file");
  for (int i = 0; i < 50; i++) outs.push("{\"n\":" + std::to_string(i) + "}");
  outs.close();
  std::string expected;
  for (int i = 0; i < 50; i++) expected += "{\"n\":" + std::to_string(i) + "}\n";
  EXPECT_EQ(slurp(path), expected);

  LossReport r;
  outs.fill(r);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].name, "file");
  EXPECT_EQ(r.outputs[0].written_total, 50u);
  EXPECT_EQ(r.outputs[0].failed_total, 0u);
  EXPECT_EQ(r.outputs[1].name, "full");
  EXPECT_EQ(r.outputs[1].written_total, 0u);
  EXPECT_EQ(r.outputs[1].failed_total, 50u);
  EXPECT_EQ(r.output_failed_total, 50u);
  EXPECT_EQ(r.queue_dropped_total, 0u);
  EXPECT_FALSE(outs.stop_requested());
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_FALSE(said.empty());
  EXPECT_EQ(said.front().rfind("output: cannot write: No space left on device", 0), 0u) << said.front();
}

}  // namespace
}  // namespace nj
