#include "sink/sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "util/fd.h"

namespace nj {

namespace {

Result<int> open_output_file(const std::string& path);

// Unbuffered: AsyncSink hands it whole blocks of lines, one write(2) each.
// A named one (a file) can be opened again by its name.
class FdSink : public Sink {
 public:
  FdSink(int fd, bool owned, std::string path = {}) : fd_(fd), owned_(owned), path_(std::move(path)) {}
  ~FdSink() override {
    if (owned_) ::close(fd_);
  }
  Result<void> write(std::string_view lines) override {
    size_t off = 0;
    while (off < lines.size()) {
      ssize_t n = ::write(fd_, lines.data() + off, lines.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error(errno, "writing events");
      }
      off += static_cast<size_t>(n);
    }
    return {};
  }
  Result<void> reopen() override {
    if (path_.empty()) return {};
    auto fd = open_output_file(path_);
    if (!fd) return fd.error();
    if (owned_) ::close(fd_);
    fd_ = *fd;
    owned_ = true;
    return {};
  }

 private:
  int fd_;
  bool owned_;
  std::string path_;  // empty: not reopened
};

// Created exactly 0640 whatever the umask (events name users' commands);
// an existing file keeps its mode and is appended to.
Result<int> open_output_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd >= 0) {
    if (fchmod(fd, 0640) != 0) {
      int err = errno;
      ::close(fd);
      return os_error(err, "cannot set the mode of output file " + path);
    }
  } else if (errno == EEXIST) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
  }
  if (fd < 0) return os_error(errno, "cannot open output file " + path);
  struct stat st;
  if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    ::close(fd);
    return Error{EINVAL, "output " + path + " is not a regular file"};
  }
  return fd;
}

}  // namespace

std::unique_ptr<Sink> make_stdout_sink() { return std::make_unique<FdSink>(STDOUT_FILENO, false); }

Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path) {
  auto fd = open_output_file(path);
  if (!fd) return fd.error();
  return std::unique_ptr<Sink>(std::make_unique<FdSink>(*fd, true, path));
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

AsyncSink::AsyncSink(std::unique_ptr<Sink> inner, size_t max_lines) : inner_(std::move(inner)), max_lines_(max_lines) {
  queue_.reserve(kReserveBytes);
  worker_ = std::thread([this] { run(); });
}

AsyncSink::~AsyncSink() { close(); }

bool AsyncSink::push(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_lines_ >= max_lines_) {
      dropped_++;
      return false;
    }
    queue_.append(line);
    queue_.push_back('\n');
    queue_lines_++;
    if (queue_.size() >= kWakeBytes && !kicked_) wake = kicked_ = true;
  }
  if (wake) cv_.notify_one();
  return true;
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
  std::string batch;
  batch.reserve(kReserveBytes);
  for (;;) {
    ReopenDone reopen;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return closing_ || kicked_ || reopen_; });
      kicked_ = false;
      reopen.swap(reopen_);
      if (queue_.empty() && !reopen) {
        if (closing_) break;
        continue;
      }
      batch.swap(queue_);
      queue_lines_ = 0;
    }
    // What is queued now goes to the old file, what follows to the new one.
    bool failed = !batch.empty() && !inner_->write(batch);
    if (reopen) reopen(inner_->reopen());
    if (batch.capacity() > kKeepBytes) {
      std::string().swap(batch);
      batch.reserve(kReserveBytes);
    } else {
      batch.clear();
    }
    if (failed) {
      std::lock_guard<std::mutex> lk(mu_);
      write_errors_++;
    }
  }
}

void AsyncSink::close() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (closing_ && !worker_.joinable()) return;
    closing_ = true;
  }
  cv_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void AsyncSink::reopen(ReopenDone done) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    reopen_ = std::move(done);
  }
  cv_.notify_one();
}

uint64_t AsyncSink::dropped() const {
  std::lock_guard<std::mutex> lk(mu_);
  return dropped_;
}

uint64_t AsyncSink::write_errors() const {
  std::lock_guard<std::mutex> lk(mu_);
  return write_errors_;
}

}  // namespace nj
