// Size rotation of the output file: FILE never grows past the limit with
// more than one line, every file holds whole lines only, the kept files
// read in order are exactly the last lines written, a line larger than a
// whole file gets one of its own, and a rotation that cannot happen costs
// no line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "files.h"
#include "sink/sink.h"
#include "temp_dir.h"

namespace nj {
namespace {

using njt::slurp;

class RotateTest : public ::testing::Test {
 protected:
  std::string line(int i) const {
    // 60..159 bytes: lines of every length, none fitting a file twice.
    return "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(50 + i % 100, 'x') + "\"}";
  }
  njt::TempDir tmp_{"rotate"};
  const std::string path_ = (tmp_.path() / "events.jsonl").string();
};

TEST_F(RotateTest, KeptFilesHoldTheLastLinesWholeAndInOrder) {
  int rotated_calls = 0;
  auto sink = make_file_sink(path_, RotatePolicy{1000, 3, [&](int) { ++rotated_calls; }});
  ASSERT_TRUE(sink);
  std::vector<std::string> written;
  uint32_t rotations = 0;
  // Blocks of 1 to 9 lines, as the queue hands them over.
  for (int i = 0, b = 0; i < 400; b++) {
    std::string block;
    for (int k = 0; k < 1 + b % 9 && i < 400; k++, i++) {
      written.push_back(line(i));
      block += written.back() + "\n";
    }
    WriteResult r = (*sink)->write(block);
    ASSERT_EQ(r.error, 0);
    ASSERT_EQ(r.lines, static_cast<size_t>(std::count(block.begin(), block.end(), '\n')));
    EXPECT_TRUE(r.rotate_error.empty()) << r.rotate_error;
    rotations += r.rotated;
  }
  EXPECT_GT(rotations, 10u);
  EXPECT_EQ(rotated_calls, static_cast<int>(rotations));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".4"));
  std::string kept;
  for (const std::string& f : {path_ + ".3", path_ + ".2", path_ + ".1", path_}) {
    SCOPED_TRACE(f);
    struct stat st {};
    ASSERT_EQ(stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    const std::string text = slurp(f);
    EXPECT_LE(text.size(), 1000u);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    kept += text;
  }
  // The kept files are the written lines' tail, none missing or doubled.
  std::string tail;
  for (auto it = written.rbegin(); it != written.rend() && tail.size() < kept.size(); ++it) tail.insert(0, *it + "\n");
  EXPECT_EQ(kept, tail);
}

TEST_F(RotateTest, ALineLargerThanAFileGetsOneOfItsOwn) {
  auto sink = make_file_sink(path_, RotatePolicy{100, 5, {}});
  ASSERT_TRUE(sink);
  const std::string small = "{\"a\":1}\n", big = "{\"big\":\"" + std::string(300, 'y') + "\"}\n";
  WriteResult r = (*sink)->write(small + big + small);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.lines, 3u);
  EXPECT_EQ(r.rotated, 2u);
  EXPECT_EQ(slurp(path_ + ".2"), small);
  EXPECT_EQ(slurp(path_ + ".1"), big);
  EXPECT_EQ(slurp(path_), small);
}

TEST_F(RotateTest, ARotationThatFailsCostsNoLine) {
  // FILE.1 is a directory with something in it: renaming FILE onto it fails.
  std::filesystem::create_directories(path_ + ".1/x");
  auto sink = make_file_sink(path_, RotatePolicy{200, 1, {}});
  ASSERT_TRUE(sink);
  std::string all;
  for (int i = 0; i < 10; i++) all += line(i) + "\n";
  WriteResult r = (*sink)->write(all);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.lines, 10u);
  EXPECT_EQ(r.rotated, 0u);
  EXPECT_NE(r.rotate_error.find("cannot rotate " + path_ + " to " + path_ + ".1"), std::string::npos) << r.rotate_error;
  EXPECT_EQ(slurp(path_), all);
  // Not tried again on every write: once, until a reopen.
  r = (*sink)->write(line(10) + "\n");
  EXPECT_TRUE(r.rotate_error.empty());
  EXPECT_EQ(r.lines, 1u);
}

TEST_F(RotateTest, TheQueueCountsRotationsAndWritesEveryLine) {
  auto sink = make_file_sink(path_, RotatePolicy{2000, 1000, {}});
  ASSERT_TRUE(sink);
  AsyncSink s(std::move(*sink), 100000);
  for (int i = 0; i < 3000; i++) ASSERT_TRUE(s.push(line(i)));
  s.close();
  const OutputStats st = s.stats();
  EXPECT_EQ(st.lines_written, 3000u);
  EXPECT_EQ(st.lines_failed, 0u);
  EXPECT_GT(st.rotations, 50u);
  EXPECT_EQ(st.rotate_failures, 0u);
  uint64_t lines = 0;
  for (uint64_t k = 0; k <= st.rotations; k++) {
    const std::string text = slurp(k ? path_ + "." + std::to_string(k) : path_);
    lines += static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  }
  EXPECT_EQ(lines, 3000u);
}

TEST(RotateNames, MovesEachUpAndTheOldestOut) {
  njt::TempDir tmp("rotnames");
  const std::string p = (tmp.path() / "f").string();
  for (const char* suffix : {"", ".1", ".2"}) std::ofstream(p + suffix) << suffix;
  EXPECT_EQ(rotate_names(p, 2), "");
  EXPECT_FALSE(std::filesystem::exists(p));
  EXPECT_EQ(slurp(p + ".1"), "");
  EXPECT_EQ(slurp(p + ".2"), ".1");
  EXPECT_FALSE(std::filesystem::exists(p + ".3"));
}

}  // namespace
}  // namespace nj
