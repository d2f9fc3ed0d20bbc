// The output path: lines queued by the pipeline reach the file whole, in
// order, newline-terminated, whether written on a kick, on the writer's own
// timer, or at close; a full queue drops and counts.
#include "sink/sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

#include "encode/compact.h"
#include "temp_dir.h"

namespace nj {
namespace {

class SinkTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = (dir_ / "out.jsonl").string(); }
  std::string contents() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::unique_ptr<Sink> file() {
    auto s = make_file_sink(path_);
    EXPECT_TRUE(s);
    return std::move(*s);
  }
  // Polls: the writer is another thread.
  bool eventually(const std::string& want, std::chrono::milliseconds limit) const {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (contents() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return contents() == want;
  }

  njt::TempDir tmp_{"sink"};
  const std::filesystem::path dir_ = tmp_.path();
  std::string path_;
};

TEST_F(SinkTest, LinesInOrderAtClose) {
  AsyncSink s(file(), 100);
  std::string want;
  for (int i = 0; i < 50; i++) {
    std::string line = "{\"n\":" + std::to_string(i) + "}";
    EXPECT_TRUE(s.push(line));
    want += line + "\n";
  }
  s.close();
  EXPECT_EQ(contents(), want);
  EXPECT_EQ(s.dropped(), 0u);
  EXPECT_EQ(s.stats().lines_written, 50u);
  EXPECT_EQ(s.stats().lines_failed, 0u);
}

TEST_F(SinkTest, AKickWritesWithoutWaiting) {
  AsyncSink s(file(), 100);
  s.push("a");
  s.push("b");
  s.kick();
  EXPECT_TRUE(eventually("a\nb\n", std::chrono::milliseconds(50)));
  s.push("c");
  s.kick();
  EXPECT_TRUE(eventually("a\nb\nc\n", std::chrono::milliseconds(50)));
}

TEST_F(SinkTest, UnkickedLinesAreWrittenSoonAnyway) {
  AsyncSink s(file(), 100);
  s.push("late");
  EXPECT_TRUE(eventually("late\n", std::chrono::seconds(2)));
}

TEST_F(SinkTest, AFullQueueDropsAndCounts) {
  AsyncSink s(file(), 3);
  // Nothing is kicked and the writer's timer is far: the queue fills.
  EXPECT_TRUE(s.push("1"));
  EXPECT_TRUE(s.push("2"));
  EXPECT_TRUE(s.push("3"));
  EXPECT_FALSE(s.push("4"));
  EXPECT_EQ(s.dropped(), 1u);
  s.kick();
  ASSERT_TRUE(eventually("1\n2\n3\n", std::chrono::milliseconds(500)));
  EXPECT_TRUE(s.push("5")) << "room again once written";
  s.close();
  EXPECT_EQ(contents(), "1\n2\n3\n5\n");
}

TEST_F(SinkTest, ABurstLargerThanOneWrite) {
  AsyncSink s(file(), 1 << 20);
  std::string line(999, 'x');
  for (int i = 0; i < 5000; i++) ASSERT_TRUE(s.push(line));
  s.close();
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5000 * 1000);
}

TEST_F(SinkTest, AppendsToAnExistingFile) {
  { std::ofstream(path_) << "old\n"; }
  AsyncSink s(file(), 10);
  s.push("new");
  s.close();
  EXPECT_EQ(contents(), "old\nnew\n");
}

// logrotate's way: the file is renamed away, then a reopen. What was queued
// before lands in the old file, what follows in a new file at the path,
// created with the sensor's mode.
TEST_F(SinkTest, ReopenAfterARenameWritesANewFile) {
  const std::string rotated = path_ + ".1";
  AsyncSink s(file(), 100);
  s.push("before");
  ASSERT_EQ(::rename(path_.c_str(), rotated.c_str()), 0);
  std::promise<Result<void>> done;
  s.reopen([&](const Result<void>& r) { done.set_value(r); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  s.push("after");
  s.close();
  EXPECT_EQ(contents(), "after\n");
  std::ifstream old(rotated);
  std::string text((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "before\n");
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

// A path that can no longer be opened: the error is reported and the lines
// go on to the file already open.
TEST_F(SinkTest, AFailedReopenKeepsTheOpenFile) {
  const std::filesystem::path sub = dir_ / "sub";
  std::filesystem::create_directory(sub);
  path_ = (sub / "out.jsonl").string();
  AsyncSink s(file(), 100);
  std::filesystem::rename(sub, dir_ / "gone");
  std::promise<Result<void>> done;
  s.reopen([&](const Result<void>& r) { done.set_value(r); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  const Result<void> r = f.get();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot open output file " + path_), std::string::npos) << r.error().message;
  s.push("still");
  s.close();
  path_ = (dir_ / "gone" / "out.jsonl").string();
  EXPECT_EQ(contents(), "still\n");
  EXPECT_EQ(s.stats().lines_failed, 0u);
}

// Settings read again: the writer takes the new sink between two lines, the
// lines queued before it went to the old one, and the counts go on.
TEST_F(SinkTest, AReplacementTakesOverBetweenLines) {
  AsyncSink s(file(), 100);
  s.push("one");
  s.push("two");
  const std::string old = path_;
  path_ = (dir_ / "moved.jsonl").string();
  auto next = std::make_shared<std::unique_ptr<Sink>>(file());
  std::promise<Result<void>> done;
  s.reopen([&](const Result<void>& r) { done.set_value(r); },
           [next]() -> Result<std::unique_ptr<Sink>> { return std::move(*next); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  s.push("three");
  s.close();
  EXPECT_EQ(contents(), "three\n");
  std::ifstream in(old);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), "one\ntwo\n");
  EXPECT_EQ(s.stats().lines_written, 3u);
}

// A replacement that cannot be made: said, and the sink it had goes on.
TEST_F(SinkTest, AFailedReplacementKeepsTheSink) {
  AsyncSink s(file(), 100);
  std::promise<Result<void>> done;
  s.reopen([&](const Result<void>& r) { done.set_value(r); },
           []() -> Result<std::unique_ptr<Sink>> {
             return Error{ENOENT, "no such output"};
           });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  const Result<void> r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "no such output");
  s.push("still");
  s.close();
  EXPECT_EQ(contents(), "still\n");
}

// A pipe whose reader never reads: close() waits its limit, then gives the
// rest up, counted and said, instead of waiting for the reader forever.
// `lines` pushed to an AsyncSink over `make(pipe's write end)` whose reader
// never reads, then closed with a short limit: it must return, having given
// the rest up, counted and said. (A close that hangs is failed after 10 s
// and unblocked by closing the read end.)
void expect_given_up(const std::function<std::unique_ptr<Sink>(int)>& make, const std::string& line, int lines) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  std::vector<std::string> said;
  std::mutex mu;
  AsyncSink s(make(p[1]), 100000, OutputPolicy{false, [&](const std::string& m) {
                                                 std::lock_guard<std::mutex> lk(mu);
                                                 said.push_back(m);
                                               }});
  for (int i = 0; i < lines; i++) ASSERT_TRUE(s.push(line));
  s.kick();
  auto closed = std::async(std::launch::async, [&] { s.close(std::chrono::milliseconds(300)); });
  if (closed.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "close() still waits for the reader 10 s after its 300 ms limit";
    ::close(p[0]);
    closed.wait();
    return;
  }
  const OutputStats st = s.stats();
  EXPECT_GT(st.lines_failed, 0u);
  EXPECT_EQ(st.lines_written + st.lines_failed, static_cast<uint64_t>(lines));
  std::lock_guard<std::mutex> lk(mu);
  ASSERT_FALSE(said.empty());
  EXPECT_EQ(said.back(), "output: lines still not taken at the stop (is its reader reading?): " +
                             std::to_string(st.lines_failed) + " given up");
  ::close(p[0]);
}

TEST(AsyncSinkClose, AReaderThatDoesNotReadIsGivenUpAfterTheLimit) {
  // 200 KB: three times what the pipe holds.
  expect_given_up([](int fd) { return make_fd_sink(fd, true, true); }, std::string(999, 'x'), 200);
}

// The terminal view wraps the same descriptor: it is given up too (a
// terminal that stopped taking output, Ctrl-S, a stalled ssh).
TEST(AsyncSinkClose, TheCompactViewIsGivenUpToo) {
  const std::string line = R"({"event":{"action":"exec","category":["process"]},"process":{"pid":1,"name":")" +
                           std::string(200, 'n') + R"("}})";
  expect_given_up([](int fd) { return make_compact_sink(make_fd_sink(fd, true, true), CompactStyle{false}); }, line,
                  2000);
}

// Another process cutting the file is seen by the next write, once; the
// sink's own appends (and a file that only grew) are not.
TEST_F(SinkTest, ATruncationByAnotherIsSeenByTheNextWrite) {
  auto s = file();
  EXPECT_FALSE(s->write("{\"n\":1}\n").shrunk);
  EXPECT_FALSE(s->write("{\"n\":2}\n").shrunk);
  {
    std::ofstream other(path_, std::ios::app);
    other << "{\"other\":1}\n";
  }
  EXPECT_FALSE(s->write("{\"n\":3}\n").shrunk);
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  EXPECT_TRUE(s->write("{\"n\":4}\n").shrunk);
  EXPECT_FALSE(s->write("{\"n\":5}\n").shrunk);
  EXPECT_EQ(contents(), "{\"n\":4}\n{\"n\":5}\n");
}

// stdout has no name to open again: a reopen does nothing and succeeds.
TEST(StdoutSink, ReopenIsANoOp) { EXPECT_TRUE(make_stdout_sink()->reopen()); }

}  // namespace
}  // namespace nj
