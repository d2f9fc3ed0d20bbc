// An output that fails costs whole lines, each counted; it never leaves a
// torn line that the next write would merge with another; it is tried again
// and recovers; a reader that left stops the sensor (stdout) or is counted
// like any failure (a FIFO). Every failure here is a real one: /dev/full, a
// file over RLIMIT_FSIZE, a pipe whose reader closed or is full.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "files.h"
#include "sink/sink.h"
#include "temp_dir.h"

namespace nj {
namespace {

using namespace std::chrono_literals;

// What the writer thread told the operator.
struct Said {
  std::mutex mu;
  std::vector<std::string> lines;
  OutputPolicy policy(bool stop = false) {
    return OutputPolicy{stop, [this](const std::string& m) {
                          std::lock_guard<std::mutex> lk(mu);
                          lines.push_back(m);
                        }};
  }
  std::string all() {
    std::lock_guard<std::mutex> lk(mu);
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
  }
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

using njt::slurp;

TEST(SinkFailure, DevFullCountsEveryLineAndKeepsGoing) {
  auto f = make_file_sink("/dev/full");
  ASSERT_TRUE(f) << f.error().message;
  Said said;
  AsyncSink s(std::move(*f), 100, said.policy());
  for (int i = 0; i < 10; i++) ASSERT_TRUE(s.push("{\"n\":1}"));
  s.kick();
  ASSERT_TRUE(eventually([&] { return s.stats().lines_failed == 10; }));
  for (int i = 0; i < 5; i++) ASSERT_TRUE(s.push("{\"n\":2}"));
  s.close();
  const OutputStats st = s.stats();
  EXPECT_EQ(st.lines_failed, 15u) << "a later batch is tried (and counted) again";
  EXPECT_EQ(st.lines_written, 0u);
  EXPECT_EQ(st.torn, 0u);
  EXPECT_TRUE(st.failing);
  EXPECT_EQ(st.last_error, ENOSPC);
  EXPECT_FALSE(s.stop_requested()) << "the default policy keeps going";
  const std::string text = said.all();
  EXPECT_NE(text.find("output: cannot write: No space left on device; 10 lines dropped"), std::string::npos) << text;
  // The second batch came within the rate limit: said at close, not before.
  EXPECT_NE(text.find("output: 5 more lines dropped (No space left on device)"), std::string::npos) << text;
}

TEST(SinkFailure, StopPolicyAsksTheSensorToStop) {
  auto f = make_file_sink("/dev/full");
  ASSERT_TRUE(f);
  Said said;
  AsyncSink s(std::move(*f), 100, said.policy(true));
  EXPECT_FALSE(s.stop_requested());
  s.push("x");
  s.kick();
  ASSERT_TRUE(eventually([&] { return s.stop_requested().has_value(); }));
  EXPECT_EQ(s.stop_requested()->error, ENOSPC);
  EXPECT_TRUE(s.stop_requested()->failure);
}

// stdout's reader left (`nightjar run | head -1`): nothing will ever be
// read again, so the sensor is asked to stop, as a normal end.
TEST(SinkFailure, AClosedPipeEndsStdout) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  Said said;
  AsyncSink s(make_fd_sink(p[1], true, true), 100, said.policy());
  s.push("a");
  s.push("b");
  s.kick();
  ASSERT_TRUE(eventually([&] { return s.stop_requested().has_value(); }));
  EXPECT_EQ(s.stop_requested()->error, EPIPE);
  EXPECT_FALSE(s.stop_requested()->failure);
  s.close();
  EXPECT_EQ(s.stats().lines_failed, 2u);
  EXPECT_NE(said.all().find("Broken pipe"), std::string::npos) << said.all();
}

// A quiet machine has nothing to write: the pipe itself says its reader
// left, and nothing is counted lost.
TEST(SinkFailure, AReaderLeavingStdoutIsSeenWithoutAWrite) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  Said said;
  AsyncSink s(make_fd_sink(p[1], true, true), 100, said.policy());
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(s.stop_requested()) << "the reader is still there";
  ::close(p[0]);
  ASSERT_TRUE(eventually([&] { return s.stop_requested().has_value(); }));
  EXPECT_EQ(s.stop_requested()->error, EPIPE);
  EXPECT_FALSE(s.stop_requested()->failure);
  EXPECT_EQ(s.stats().lines_failed, 0u);
  EXPECT_NE(said.all().find("output: the reader went away (Broken pipe)"), std::string::npos) << said.all();
}

// A named FIFO can be opened again by a new reader: counted, not an end.
TEST(SinkFailure, AClosedPipeIsCountedForAFifo) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  AsyncSink s(make_fd_sink(p[1], true, false), 100);
  s.push("a");
  s.close();
  EXPECT_EQ(s.stats().lines_failed, 1u);
  EXPECT_EQ(s.stats().last_error, EPIPE);
  EXPECT_FALSE(s.stop_requested());
}

// RLIMIT_FSIZE makes a real short write on a real file: the bytes up to the
// limit are written, the rest refused (EFBIG), as a full disk does.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_sig_ = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_);
    struct rlimit r = old_;
    r.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &r);
  }
  void lift() { setrlimit(RLIMIT_FSIZE, &old_); }
  ~FileSizeLimit() {
    lift();
    signal(SIGXFSZ, old_sig_);
  }

 private:
  struct rlimit old_;
  sighandler_t old_sig_;
};

TEST(SinkFailure, AShortWriteToAFileIsRolledBackToTheLastWholeLine) {
  njt::TempDir tmp("sinkfail");
  const std::string path = (tmp.path() / "out.jsonl").string();
  auto f = make_file_sink(path);
  ASSERT_TRUE(f);
  const std::string line(699, 'x');  // 700 bytes with its newline
  Said said;
  AsyncSink s(std::move(*f), 100, said.policy());
  {
    FileSizeLimit limit(5000);  // 7 lines and 100 bytes of the 8th
    for (int i = 0; i < 10; i++) s.push(line);
    s.kick();
    ASSERT_TRUE(eventually([&] { return s.stats().lines_failed > 0; }));
    EXPECT_EQ(s.stats().lines_written, 7u);
    EXPECT_EQ(s.stats().lines_failed, 3u);
    EXPECT_EQ(s.stats().torn, 0u) << "a file can be cut back";
    EXPECT_EQ(s.stats().last_error, EFBIG);
    EXPECT_EQ(slurp(path).size(), 7u * 700) << "the 8th line's beginning was taken back";
    limit.lift();
    // The output works again: the next batch is written, after the last
    // whole line, not glued to a fragment.
    s.push("after");
    s.close();
  }
  std::string want;
  for (int i = 0; i < 7; i++) want += line + "\n";
  EXPECT_EQ(slurp(path), want + "after\n");
  EXPECT_EQ(s.stats().lines_written, 8u);
  EXPECT_FALSE(s.stats().failing);
  const std::string text = said.all();
  EXPECT_NE(text.find("output: cannot write: File too large; 3 lines dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("output: writing works again; 3 lines were dropped while it failed (File too large)"),
            std::string::npos)
      << text;
}

// A full pipe whose writer is non-blocking (a shared stdout): the write
// stops part-way and a pipe cannot take bytes back. The fragment is ended
// by a newline before the next line, so that line stays whole.
TEST(SinkFailure, ATornLineInAPipeStaysALineOfItsOwn) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::fcntl(p[1], F_SETPIPE_SZ, 4096);
  const int cap = ::fcntl(p[1], F_GETPIPE_SZ);
  ASSERT_GT(cap, 0);
  ASSERT_EQ(::fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
  const std::string line(999, 'y');  // 1000 bytes with its newline
  const size_t n = static_cast<size_t>(cap) / 1000 + 3;
  ASSERT_NE(cap % 1000, 0);
  AsyncSink s(make_fd_sink(p[1], true, false), 1000);
  for (size_t i = 0; i < n; i++) s.push(line);
  s.kick();
  // Nobody reads: the writer gives up after its stall limit.
  ASSERT_TRUE(eventually([&] { return s.stats().lines_failed > 0; }, 5s));
  const size_t whole = static_cast<size_t>(cap) / 1000;
  EXPECT_EQ(s.stats().lines_written, whole);
  EXPECT_EQ(s.stats().lines_failed, n - whole);
  EXPECT_EQ(s.stats().torn, 1u);
  EXPECT_EQ(s.stats().last_error, EAGAIN);
  // The reader catches up; the next line comes after a newline.
  std::string got(static_cast<size_t>(cap), '\0');
  ASSERT_EQ(::read(p[0], got.data(), got.size()), cap);
  s.push("next");
  s.close();
  char buf[64];
  const ssize_t more = ::read(p[0], buf, sizeof buf);
  ASSERT_GT(more, 0);
  got.append(buf, static_cast<size_t>(more));
  ::close(p[0]);
  std::string want;
  for (size_t i = 0; i < whole; i++) want += line + "\n";
  want += std::string(static_cast<size_t>(cap) % 1000, 'y') + "\n" + "next\n";
  EXPECT_EQ(got, want);
}

TEST(SinkFailure, AReportsFateIsKnown) {
  njt::TempDir tmp("sinkfail");
  auto f = make_file_sink((tmp.path() / "out.jsonl").string());
  ASSERT_TRUE(f);
  AsyncSink ok(std::move(*f), 100);
  EXPECT_EQ(ok.report_fate(), ReportFate::none);
  ok.push("before");
  ok.push_report("report");
  ok.push("after");
  ok.kick();
  EXPECT_TRUE(eventually([&] { return ok.report_fate() == ReportFate::written; }));

  auto full = make_file_sink("/dev/full");
  ASSERT_TRUE(full);
  AsyncSink lost(std::move(*full), 2);
  lost.push("a");
  lost.push_report("report");
  lost.kick();
  EXPECT_TRUE(eventually([&] { return lost.report_fate() == ReportFate::failed; }));

  njt::TempDir tmp2("sinkfail");
  auto f2 = make_file_sink((tmp2.path() / "out.jsonl").string());
  ASSERT_TRUE(f2);
  AsyncSink queue_full(std::move(*f2), 1);
  queue_full.push("fills the queue");
  EXPECT_FALSE(queue_full.push_report("report"));
  EXPECT_EQ(queue_full.report_fate(), ReportFate::failed);
}

TEST(SinkFailure, AKernelInterfaceIsRefusedAtOpen) {
  auto f = make_file_sink("/proc/version");
  ASSERT_FALSE(f);
  // root opens it (and every write would fail with EIO); others cannot.
  if (geteuid() == 0) {
    EXPECT_NE(f.error().message.find("is on procfs"), std::string::npos) << f.error().message;
  }
}

TEST(OutputWarnings, FirstAtOnceThenRateLimitedThenRecovered) {
  OutputWarnings w(std::chrono::seconds(10));
  const auto t0 = OutputWarnings::Clock::now();
  EXPECT_EQ(w.succeeded(), "") << "nothing to say while it works";
  EXPECT_EQ(w.failed(ENOSPC, 3, false, t0),
            "output: cannot write: No space left on device; 3 lines dropped; each later batch is tried again");
  EXPECT_EQ(w.failed(ENOSPC, 4, false, t0 + 5s), "");
  EXPECT_EQ(w.failed(ENOSPC, 5, true, t0 + 11s),
            "output: still cannot write: No space left on device; 9 more lines dropped in the last 11 s, 1 partial "
            "line(s) left in the output, each ended by a newline");
  EXPECT_EQ(w.failed(ENOSPC, 2, false, t0 + 12s), "");
  EXPECT_EQ(w.succeeded(),
            "output: writing works again; 14 lines were dropped while it failed (No space left on device)");
  EXPECT_EQ(w.flush(), "") << "the recovery line said it all";
  // Another error is news at once.
  EXPECT_NE(w.failed(EPIPE, 1, false, t0 + 13s), "");
  EXPECT_NE(w.failed(EIO, 1, false, t0 + 13s), "");
  EXPECT_EQ(w.failed(EIO, 6, false, t0 + 14s), "");
  EXPECT_EQ(w.flush(), "output: 6 more lines dropped (Input/output error)");
}

}  // namespace
}  // namespace nj
