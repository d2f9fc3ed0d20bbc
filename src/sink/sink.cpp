// AsyncSink (the queue and the writer thread every output has) and the
// operator's warnings about a failing output.
#include "sink/sink.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace nj {

std::string OutputWarnings::failed(int err, uint64_t lines, bool torn, Clock::time_point now) {
  unsaid_ += lines;
  outage_ += lines;
  torn_ += torn;
  const std::string torn_note =
      torn_ ? ", " + std::to_string(torn_) + " partial line(s) left in the output, each ended by a newline" : "";
  std::string msg;
  if (!failing_ || err != err_) {
    msg = "output: cannot write: " + std::string(std::strerror(err)) + "; " + std::to_string(unsaid_) +
          " lines dropped" + torn_note + "; each later batch is tried again";
  } else if (now - last_said_ >= every_) {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - last_said_).count();
    msg = "output: still cannot write: " + std::string(std::strerror(err)) + "; " + std::to_string(unsaid_) +
          " more lines dropped in the last " + std::to_string(secs) + " s" + torn_note;
  } else {
    return "";
  }
  failing_ = true;
  err_ = err;
  last_said_ = now;
  unsaid_ = torn_ = 0;
  return msg;
}

std::string OutputWarnings::succeeded() {
  if (!failing_) return "";
  std::string msg = "output: writing works again; " + std::to_string(outage_) +
                    " lines were dropped while it failed (" + std::strerror(err_) + ")";
  failing_ = false;
  unsaid_ = outage_ = torn_ = 0;
  return msg;
}

std::string OutputWarnings::flush() {
  if (!unsaid_ && !torn_) return "";
  std::string msg = "output: " + std::to_string(unsaid_) + " more lines dropped (" + std::strerror(err_) + ")" +
                    (torn_ ? ", " + std::to_string(torn_) + " partial line(s) left" : "");
  unsaid_ = torn_ = 0;
  return msg;
}

namespace {

// Queued bytes that wake the writer without a kick, so a burst is written
// while it is being encoded instead of piling up in memory.
constexpr size_t kWakeBytes = 256 << 10;
// Both buffers start this large so that appending never reallocates (and
// copies) in the common case.
constexpr size_t kReserveBytes = 2 * kWakeBytes;
// A writer buffer grown past this by a burst is given back afterwards.
constexpr size_t kKeepBytes = 4 << 20;

}  // namespace

namespace {

// Interrupts a write blocked in the kernel: no SA_RESTART, so write(2)
// returns (EINTR, or the bytes it took). Installed only at a stop that an
// output holds up; from then on a SIGURG sent to the process (ignored by
// default) interrupts whatever blocking call it lands in, which at a stop
// is harmless.
constexpr int kInterruptSignal = SIGURG;

void install_interrupt_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sigaction(kInterruptSignal, &sa, nullptr);
  });
}

}  // namespace

AsyncSink::AsyncSink(std::unique_ptr<Sink> inner, size_t max_lines, OutputPolicy policy)
    : inner_(std::move(inner)), fields_(inner_->wants_fields()), max_lines_(max_lines), policy_(std::move(policy)) {
  queue_.reserve(kReserveBytes);
  worker_ = std::thread([this] { run(); });
}

AsyncSink::~AsyncSink() { close(); }

bool AsyncSink::push(std::string_view line, const LineFields* fields) { return queue_line(line, fields, false); }

bool AsyncSink::push_report(std::string_view line, const LineFields* fields) { return queue_line(line, fields, true); }

// A report's number is taken with the line, under the same lock: the writer
// may take the batch the moment the lock is released.
bool AsyncSink::queue_line(std::string_view line, const LineFields* fields, bool report) {
  static const LineFields kNone;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_lines_ >= max_lines_) {
      stats_.queue_dropped++;
      if (report) report_fate_ = ReportFate::failed;
      return false;
    }
    queue_.append(line);
    queue_.push_back('\n');
    if (fields_) pack_fields(fields ? *fields : kNone, queue_fields_);
    queue_lines_++;
    accepted_++;
    if (report) {
      report_line_ = accepted_;
      report_fate_ = ReportFate::pending;
    }
    if (queue_.size() >= kWakeBytes && !kicked_) wake = kicked_ = true;
  }
  if (wake) cv_.notify_one();
  return true;
}

ReportFate AsyncSink::report_fate() const {
  std::lock_guard<std::mutex> lk(mu_);
  return report_fate_;
}

void AsyncSink::kick() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_.empty() || kicked_) return;
    kicked_ = true;
  }
  cv_.notify_one();
}

void AsyncSink::run() {
  // close() interrupts a write blocked on a reader that stopped reading with
  // this signal: a parent may have left it blocked (threads inherit masks).
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, kInterruptSignal);
  pthread_sigmask(SIG_UNBLOCK, &interrupt, nullptr);
  std::string batch, batch_fields;
  batch.reserve(kReserveBytes);
  for (;;) {
    size_t lines = 0;
    uint64_t first = 0;  // the batch's first line's number
    bool idle = false;
    ReopenDone reopen;
    Replacement replacement;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return closing_ || kicked_ || reopen_; });
      kicked_ = false;
      reopen.swap(reopen_);
      replacement.swap(replacement_);
      if (queue_.empty()) {
        if (closing_ && !reopen) break;
        idle = true;
      }
    }
    if (idle && reopen) {
      reopen(reopen_inner(replacement));
      continue;
    }
    if (idle) {
      if (int err = inner_->ended(); err && !stop_error_.load()) {
        if (policy_.warn) policy_.warn("output: the reader went away (" + std::string(std::strerror(err)) + ")");
        stop_error_.store(err);
      }
      continue;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      batch.swap(queue_);
      batch_fields.swap(queue_fields_);
      lines = queue_lines_;
      first = accepted_ - lines + 1;
      queue_lines_ = 0;
    }
    account(fields_ ? inner_->write_with_fields(batch, batch_fields) : inner_->write(batch), lines, first);
    // What was queued before the reopen went to the old file, what follows
    // goes to the new one.
    if (reopen) reopen(reopen_inner(replacement));
    if (batch.capacity() > kKeepBytes) {
      std::string().swap(batch);
      batch.reserve(kReserveBytes);
    } else {
      batch.clear();
    }
    if (batch_fields.capacity() > kKeepBytes) std::string().swap(batch_fields);
    else batch_fields.clear();
  }
  if (policy_.warn)
    if (std::string msg = warnings_.flush(); !msg.empty()) policy_.warn(msg);
  {
    std::lock_guard<std::mutex> lk(mu_);
    finished_ = true;
  }
  finished_cv_.notify_all();
}

// The writer thread's bookkeeping of one batch: counts, the report line's
// fate, the operator's warning and whether the sensor should stop.
void AsyncSink::account(const WriteResult& r, size_t batch_lines, uint64_t batch_first) {
  const uint64_t failed = batch_lines - std::min(r.lines, batch_lines);
  {
    std::lock_guard<std::mutex> lk(mu_);
    stats_.lines_written += batch_lines - failed;
    stats_.lines_failed += failed;
    stats_.torn += r.torn;
    stats_.shrunk += r.shrunk;
    stats_.rotations += r.rotated;
    stats_.rotate_failures += !r.rotate_error.empty();
    stats_.failing = r.error != 0;
    if (r.error) stats_.last_error = r.error;
    if (report_fate_ == ReportFate::pending && report_line_ >= batch_first && report_line_ < batch_first + batch_lines)
      report_fate_ = report_line_ < batch_first + r.lines ? ReportFate::written : ReportFate::failed;
  }
  if (!r.rotate_error.empty() && policy_.warn)
    policy_.warn("output: " + r.rotate_error + "; the file grows past --output-max-size until the next SIGHUP");
  std::string msg =
      r.error ? warnings_.failed(r.error, failed, r.torn, OutputWarnings::Clock::now()) : warnings_.succeeded();
  if (!msg.empty() && policy_.warn) policy_.warn(msg);
  if (!r.error || stop_error_.load()) return;
  const bool ends = inner_->ends_output(r.error);
  if (ends || policy_.stop_on_error) {
    stop_failure_.store(!ends);
    stop_error_.store(r.error);
  }
}

void AsyncSink::close(std::chrono::milliseconds limit) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closing_ && !worker_.joinable()) return;
    closing_ = true;
  }
  cv_.notify_one();
  if (!worker_.joinable()) return;
  std::unique_lock<std::mutex> lk(mu_);
  if (!finished_cv_.wait_for(lk, limit, [this] { return finished_; })) {
    const uint64_t failed_before = stats_.lines_failed;
    abandoned_ = true;
    inner_->abandon();
    install_interrupt_handler();
    // Until the writer is out of its loop: a write interrupted after it
    // took some bytes is restarted for the rest, and blocks again.
    while (!finished_cv_.wait_for(lk, std::chrono::milliseconds(50), [this] { return finished_; }))
      pthread_kill(worker_.native_handle(), kInterruptSignal);
    const uint64_t given_up = stats_.lines_failed - failed_before;
    lk.unlock();
    if (policy_.warn && given_up)
      policy_.warn("output: lines still not taken at the stop (is its reader reading?): " + std::to_string(given_up) +
                   " given up");
  } else {
    lk.unlock();
  }
  worker_.join();
}

// A request that comes while another waits keeps what the first asked for:
// both are told, and a plain reopen does not cancel a replacement (the
// output would stay where the settings say it left).
void AsyncSink::reopen(ReopenDone done, Replacement replacement) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (reopen_) {
      done = [first = std::move(reopen_), then = std::move(done)](const Result<void>& r) {
        first(r);
        then(r);
      };
    }
    reopen_ = std::move(done);
    if (replacement) replacement_ = std::move(replacement);
  }
  cv_.notify_one();
}

Result<void> AsyncSink::reopen_inner(const Replacement& replacement) {
  if (!replacement) return inner_->reopen();
  auto next = replacement();
  if (!next) return next.error();
  {
    std::lock_guard<std::mutex> lk(mu_);  // close() may be abandoning it
    std::swap(inner_, *next);
    if (abandoned_) inner_->abandon();
  }
  return {};
}

OutputStats AsyncSink::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  OutputStats s = stats_;
  s.queued = queue_lines_;
  return s;
}

std::optional<OutputStop> AsyncSink::stop_requested() const {
  const int err = stop_error_.load();
  if (!err) return std::nullopt;
  return OutputStop{err, stop_failure_.load()};
}

}  // namespace nj
