#include "sink/sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "util/fd.h"

namespace nj {

namespace {

// Buffered writes to an fd: one write(2) per batch, not per line.
class FdSink : public Sink {
 public:
  FdSink(int fd, bool owned) : fd_(fd), owned_(owned) { buf_.reserve(1 << 16); }
  ~FdSink() override {
    (void)flush();
    if (owned_) ::close(fd_);
  }
  Result<void> write(std::string_view line) override {
    buf_.append(line);
    buf_.push_back('\n');
    if (buf_.size() >= (1 << 16)) return flush();
    return {};
  }
  Result<void> flush() override {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        buf_.clear();
        return os_error(err, "writing events");
      }
      off += static_cast<size_t>(n);
    }
    buf_.clear();
    return {};
  }

 private:
  int fd_;
  bool owned_;
  std::string buf_;
};

}  // namespace

std::unique_ptr<Sink> make_stdout_sink() { return std::make_unique<FdSink>(STDOUT_FILENO, false); }

Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path) {
  // Created exactly 0640 whatever the umask (events name users' commands);
  // an existing file keeps its mode and is appended to.
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
  return std::unique_ptr<Sink>(std::make_unique<FdSink>(fd, true));
}

AsyncSink::AsyncSink(std::unique_ptr<Sink> inner, size_t max_lines)
    : inner_(std::move(inner)), max_lines_(max_lines), worker_([this] { run(); }) {}

AsyncSink::~AsyncSink() { close(); }

bool AsyncSink::push(std::string line) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (queue_.size() >= max_lines_) {
      dropped_++;
      return false;
    }
    queue_.push_back(std::move(line));
  }
  cv_.notify_one();
  return true;
}

void AsyncSink::run() {
  std::vector<std::string> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty() && closing_) break;
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    uint64_t errors = 0;
    for (auto& l : batch)
      if (!inner_->write(l)) errors++;
    if (!inner_->flush()) errors++;
    batch.clear();
    if (errors) {
      std::lock_guard<std::mutex> lk(mu_);
      write_errors_ += errors;
    }
  }
  (void)inner_->flush();
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

uint64_t AsyncSink::dropped() const {
  std::lock_guard<std::mutex> lk(mu_);
  return dropped_;
}

uint64_t AsyncSink::write_errors() const {
  std::lock_guard<std::mutex> lk(mu_);
  return write_errors_;
}

}  // namespace nj
