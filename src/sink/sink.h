// Where JSON lines go. The pipeline hands lines to an AsyncSink: a bounded
// queue drained by one writer thread, so a slow disk or terminal never
// stalls the reader; what the queue refuses is counted and reported.
//
// A line reaches the output whole or not at all, and every line that does
// not is counted: a full disk, /dev/full or a reader that left costs lines,
// never the validity of the lines around them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "encode/line_fields.h"
#include "util/result.h"

namespace nj {

// What one Sink::write achieved.
struct WriteResult {
  size_t lines = 0;               // whole lines written, from the front of the block
  int error = 0;                  // 0: the whole block was written; else why the rest was not
  bool torn = false;              // part of the next line stayed in the output (it could not be taken back)
  bool shrunk = false;            // a regular file was shorter than our last write left it: someone truncated it
  uint32_t rotated = 0;           // times the file was rotated before or between these lines
  std::string rotate_error = {};  // why a rotation due did not happen ("" when none failed)
};

class Sink {
 public:
  virtual ~Sink() = default;
  // One or more complete lines, each ending in '\n'.
  virtual WriteResult write(std::string_view lines) = 0;
  // An output that builds its own form of each event from the line's
  // fields (the journal) says so: AsyncSink then queues each line's fields
  // beside it and hands them over, packed (pack_fields) in the lines' order.
  virtual bool wants_fields() const { return false; }
  virtual WriteResult write_with_fields(std::string_view lines, std::string_view /*fields*/) { return write(lines); }
  // Opens the output again by its name (logrotate renamed it away). An
  // output without a name (stdout) has nothing to reopen. On failure the
  // sink keeps what it had open.
  virtual Result<void> reopen() { return {}; }
  // An error after which nothing written here can ever be read: the sensor
  // should end (stdout's reader left).
  virtual bool ends_output(int /*err*/) const { return false; }
  // Such an end seen without writing (a pipe's reader closed it): the
  // errno a write would get, else 0. Asked while there is nothing to write.
  virtual int ended() const { return 0; }
  // The sensor is stopping and the output did not take its lines in time
  // (a pipe whose reader stopped reading): a write waiting for room gives
  // up when interrupted, and every later one at once. Called from another
  // thread than write().
  virtual void abandon() {}
};

// stdout (the CLI's debug mode, or a pipe to another program).
std::unique_ptr<Sink> make_stdout_sink();
// The same on any descriptor (owned: closed with the sink).
std::unique_ptr<Sink> make_fd_sink(int fd, bool owned, bool ends_on_epipe);
// Size rotation of a file output: before a line would take the file past
// max_bytes, FILE becomes FILE.1 (FILE.1 FILE.2, ... up to FILE.<keep>, the
// oldest dropped) and a new FILE is created. Rotation happens only between
// lines: a line larger than max_bytes gets a file of its own.
struct RotatePolicy {
  uint64_t max_bytes = 0;  // 0: never
  uint32_t keep = 5;       // rotated files kept
  // Called on the writer's thread with the new FILE's descriptor (the
  // sink's: dup it to keep it) once it is open, before any line goes in.
  std::function<void(int)> rotated;
};

// A JSONL file, appended to, created 0640. Fails now if it cannot be opened
// or is on a kernel interface (/proc, /sys, ...) that stores nothing.
Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path, RotatePolicy rotate = {});

// The names FILE.1 .. FILE.<keep> are moved up by one (the last one
// replaced) and FILE becomes FILE.1. A name missing is skipped; another
// error stops it ("" when done). Pure file system work, for the sink and
// its tests.
std::string rotate_names(const std::string& path, uint32_t keep);

// What the operator reads on stderr about a failing output: the first
// failure at once, then at most one line per `every` with the count since,
// and a line when writing works again. Pure (the caller passes the time) so
// its timing is tested without waiting.
class OutputWarnings {
 public:
  using Clock = std::chrono::steady_clock;
  explicit OutputWarnings(std::chrono::seconds every = std::chrono::seconds(10)) : every_(every) {}
  // A write failed with `err`, costing `lines`; "" when it is not time to say so.
  std::string failed(int err, uint64_t lines, bool torn, Clock::time_point now);
  // A write succeeded; "" unless it ends a failure.
  std::string succeeded();
  // At close: what was lost since the last line said, "" when nothing.
  std::string flush();

 private:
  std::chrono::seconds every_;
  bool failing_ = false;
  int err_ = 0;
  Clock::time_point last_said_{};
  uint64_t unsaid_ = 0;  // lines lost since the last warning
  uint64_t outage_ = 0;  // lines lost since writing last worked
  uint64_t torn_ = 0;    // partial lines left since the last warning
};

struct OutputPolicy {
  bool stop_on_error = false;  // --on-output-error stop: the first failure ends the sensor
  // Where OutputWarnings' lines go (the writer thread calls it); none: nowhere.
  std::function<void(const std::string&)> warn;
};

// Counts of the output's fate, since it was opened.
struct OutputStats {
  uint64_t lines_written = 0;
  uint64_t shrunk = 0;     // writes that found the file shorter than the previous one left it (truncated by another)
  uint64_t rotations = 0;  // size rotations done (--output-max-size)
  uint64_t rotate_failures = 0;  // rotations due that failed (the file grew on)
  uint64_t lines_failed = 0;     // whole lines the output refused (disk full, reader gone, ...)
  uint64_t torn = 0;             // partial lines left in an output that cannot be rolled back
  uint64_t queue_dropped = 0;    // lines the queue refused (the writer was behind)
  uint64_t queued = 0;           // lines waiting for the writer now
  bool failing = false;          // the last write failed
  int last_error = 0;            // errno of the last failure (0: none yet)
};

// Why the output asks the sensor to stop.
struct OutputStop {
  int error = 0;         // errno of the write that decided it
  bool failure = false;  // true: --on-output-error stop; false: the reader left (a normal end)
};

// The fate of the last report line (push_report).
enum class ReportFate { none, pending, written, failed };

class AsyncSink {
 public:
  AsyncSink(std::unique_ptr<Sink> inner, size_t max_lines, OutputPolicy policy = {});
  ~AsyncSink();
  // Queues a copy of one line (no newline), and of its fields where the
  // output wants them (none given: all ""). false: the queue was full and
  // the line was dropped (counted).
  bool push(std::string_view line, const LineFields* fields = nullptr);
  // The same for a line whose delivery the caller needs to know (a loss
  // report: what it counts must be counted again by the next one if it was
  // lost); report_fate() then follows it.
  bool push_report(std::string_view line, const LineFields* fields = nullptr);
  ReportFate report_fate() const;
  // Has the writer write what is queued. The pipeline calls it once per
  // batch of events it handled: waking the writer per line cost a context
  // switch per event. Lines nobody kicks for are written within 100 ms,
  // or sooner once enough of them wait.
  void kick();
  // Blocks until everything queued was attempted; then the writer stops.
  // An output that has not taken it all within `limit` is abandoned: its
  // writer is interrupted and what it did not write is counted as failed.
  void close(std::chrono::milliseconds limit = kNoLimit);
  static constexpr std::chrono::milliseconds kNoLimit = std::chrono::hours(24 * 365);
  OutputStats stats() const;
  uint64_t dropped() const { return stats().queue_dropped; }
  // Set once the output asks the sensor to stop; cheap, for the main loop.
  std::optional<OutputStop> stop_requested() const;
  // Has the writer reopen the output once the lines queued so far are
  // written; `done` gets the result, on the writer's thread. With
  // `replacement` (settings read again: another path, rotation, format),
  // the writer makes a new sink with it instead, and keeps the one it has
  // if that fails.
  using ReopenDone = std::function<void(const Result<void>&)>;
  using Replacement = std::function<Result<std::unique_ptr<Sink>>()>;
  void reopen(ReopenDone done, Replacement replacement = {});

 private:
  bool queue_line(std::string_view line, const LineFields* fields, bool report);
  void run();
  void account(const WriteResult& r, size_t batch_lines, uint64_t batch_first);
  Result<void> reopen_inner(const Replacement& replacement);
  std::unique_ptr<Sink> inner_;
  const bool fields_;  // the output wants each line's fields
  size_t max_lines_;
  OutputPolicy policy_;
  OutputWarnings warnings_;  // the writer thread's
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // The queued lines, newline-terminated, back to back: one block the
  // writer takes whole (by swapping buffers) and writes with one call.
  std::string queue_;
  std::string queue_fields_;  // the queued lines' fields, when the output wants them
  size_t queue_lines_ = 0;
  uint64_t accepted_ = 0;     // lines queued so far: the last one's number
  uint64_t report_line_ = 0;  // the number of the last report line
  ReportFate report_fate_ = ReportFate::none;
  bool kicked_ = false;
  bool closing_ = false;
  bool finished_ = false;   // the writer left its loop
  bool abandoned_ = false;  // close() gave up waiting: so is any sink swapped in later
  std::condition_variable finished_cv_;
  ReopenDone reopen_;  // asked for, not done yet
  Replacement replacement_;
  OutputStats stats_;
  std::atomic<int> stop_error_{0};
  std::atomic<bool> stop_failure_{false};
  std::thread worker_;
};

}  // namespace nj
