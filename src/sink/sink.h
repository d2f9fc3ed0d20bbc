// Where JSON lines go. The pipeline hands lines to an AsyncSink: a bounded
// queue drained by one writer thread, so a slow disk or terminal never
// stalls the reader; what the queue refuses is counted and reported.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "util/result.h"

namespace nj {

class Sink {
 public:
  virtual ~Sink() = default;
  // One or more complete lines, each ending in '\n'.
  virtual Result<void> write(std::string_view lines) = 0;
  // Opens the output again by its name (logrotate renamed it away). An
  // output without a name (stdout) has nothing to reopen. On failure the
  // sink keeps what it had open.
  virtual Result<void> reopen() { return {}; }
};

// stdout (the CLI's debug mode)
std::unique_ptr<Sink> make_stdout_sink();
// A JSONL file, appended to, created 0640. Fails now if it cannot be opened.
Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path);

class AsyncSink {
 public:
  AsyncSink(std::unique_ptr<Sink> inner, size_t max_lines);
  ~AsyncSink();
  // Queues a copy of one line (no newline). false: the queue was full and
  // the line was dropped (counted).
  bool push(std::string_view line);
  // Has the writer write what is queued. The pipeline calls it once per
  // batch of events it handled: waking the writer per line cost a context
  // switch per event. Lines nobody kicks for are written within 100 ms,
  // or sooner once enough of them wait.
  void kick();
  // Blocks until everything queued is written; then the writer stops.
  void close();
  // Has the writer reopen the output once the lines queued so far are
  // written; `done` gets the result, on the writer's thread.
  using ReopenDone = std::function<void(const Result<void>&)>;
  void reopen(ReopenDone done);
  uint64_t dropped() const;
  uint64_t write_errors() const;

 private:
  void run();
  std::unique_ptr<Sink> inner_;
  size_t max_lines_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // The queued lines, newline-terminated, back to back: one block the
  // writer takes whole (by swapping buffers) and writes with one call.
  std::string queue_;
  size_t queue_lines_ = 0;
  bool kicked_ = false;
  bool closing_ = false;
  ReopenDone reopen_;  // asked for, not done yet
  uint64_t dropped_ = 0;
  uint64_t write_errors_ = 0;
  std::thread worker_;
};

}  // namespace nj
