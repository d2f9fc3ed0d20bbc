// The sinks on a descriptor: stdout, a pipe, a FIFO, a JSONL file with its
// size rotation (sink.h says what each promises).
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "sink/sink.h"

namespace nj {

namespace {

// How long a descriptor someone made non-blocking (a shared stdout) may
// stay full before the lines waiting for it count as failed: long enough
// for a reader that is merely slow, short enough that the queue behind it
// does not fill.
constexpr int kStallMs = 1000;

// A pseudo filesystem whose files are kernel interfaces: writing events
// there stores nothing (and /proc/version answers EIO to every line).
const char* pseudo_fs(unsigned long magic) {
  switch (magic) {
    case PROC_SUPER_MAGIC: return "procfs";
    case SYSFS_MAGIC: return "sysfs";
    case DEBUGFS_MAGIC: return "debugfs";
    case TRACEFS_MAGIC: return "tracefs";
    case SECURITYFS_MAGIC: return "securityfs";
    case CGROUP_SUPER_MAGIC: return "cgroupfs";
    case CGROUP2_SUPER_MAGIC: return "cgroup2";
    case BPF_FS_MAGIC: return "bpffs";
    default: return nullptr;
  }
}

Result<int> open_output_file(const std::string& path);

// Unbuffered: AsyncSink hands it whole blocks of lines, one write(2) each.
//
// A write that stops part-way (ENOSPC or EFBIG after some bytes) must not
// leave half a line that the next successful write would extend into one
// invalid line holding two events. A regular file is cut back to its last
// whole line, so what a reader sees is always whole lines. A pipe, a
// terminal or a device cannot take bytes back; there the fragment is ended
// with a newline before anything else is written, so it stays one invalid
// line of its own (counted as torn) and the lines after it are whole.
// Keeping the rest of the torn line to finish it later was not chosen: the
// output may never come back, and the line would then be lost anyway after
// holding up every line behind it.
class FdSink : public Sink {
 public:
  // A named one (a file) can be opened again by its name.
  FdSink(int fd, bool owned, bool ends_on_epipe, std::string path = {}, RotatePolicy rotate = {})
      : fd_(fd), owned_(owned), ends_on_epipe_(ends_on_epipe), path_(std::move(path)), rotate_(rotate) {
    regular_ = is_regular(fd_);
  }
  ~FdSink() override {
    if (owned_) ::close(fd_);
  }
  // With a size limit, the block goes out in pieces of whole lines, each
  // into a file it fits in; a rotation happens only between pieces.
  WriteResult write(std::string_view lines) override {
    if (!rotate_.max_bytes || !regular_ || path_.empty() || rotate_off_) return write_block(lines);
    WriteResult total;
    while (!lines.empty()) {
      const uint64_t size = end_ >= 0 ? static_cast<uint64_t>(end_) : current_size();
      size_t cut = fitting_prefix(lines, size < rotate_.max_bytes ? rotate_.max_bytes - size : 0);
      if (cut == 0 && size > 0) {
        std::string why = rotate();
        if (why.empty()) {
          total.rotated++;
          continue;
        }
        // The file grows past the limit rather than losing lines; the
        // next reopen (SIGHUP) tries rotating again.
        total.rotate_error = why;
        rotate_off_ = true;
        cut = lines.size();
      }
      if (cut == 0) cut = lines.find('\n') + 1;  // one line larger than a whole file
      WriteResult r = write_block(lines.substr(0, cut));
      total.lines += r.lines;
      total.shrunk |= r.shrunk;
      if (r.error) {
        total.error = r.error;
        total.torn = r.torn;
        return total;
      }
      lines.remove_prefix(cut);
    }
    return total;
  }

  Result<void> reopen() override {
    if (path_.empty()) return {};
    auto fd = open_output_file(path_);
    if (!fd) return fd.error();
    if (owned_) ::close(fd_);
    fd_ = *fd;
    owned_ = true;
    regular_ = is_regular(fd_);
    unterminated_ = false;  // a torn fragment stays in the old file, ended or not
    end_ = -1;
    rotate_off_ = false;
    return {};
  }
  bool ends_output(int err) const override { return ends_on_epipe_ && err == EPIPE; }
  // A file is never given up: its writes make progress however slow the
  // disk, and a write interrupted there is no reader's refusal.
  void abandon() override {
    if (!regular_) abandoned_.store(true);
  }
  // A pipe reports its last reader gone as POLLERR on the write end: a
  // quiet machine's sensor learns it without an event to write.
  int ended() const override {
    if (!ends_on_epipe_) return 0;
    struct pollfd p = {fd_, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? EPIPE : 0;
  }

 private:
  // One block of whole lines into the file as it is.
  WriteResult write_block(std::string_view lines) {
    const bool shrunk = shrunk_since_last_write();
    if (unterminated_) {
      if (int err = write_all("\n", nullptr)) return {.error = err, .shrunk = shrunk};
      unterminated_ = false;
    }
    size_t off = 0;
    const int err = write_all(lines, &off);
    // Bytes [0, whole) are whole lines; [whole, off) a line's beginning.
    const size_t whole = err == 0 ? lines.size() : off == 0 ? 0 : lines.rfind('\n', off - 1) + 1;
    WriteResult r{.lines = count_lines(lines.substr(0, whole)), .error = err, .shrunk = shrunk};
    if (off > whole && !take_back(off - whole)) {
      unterminated_ = true;
      r.torn = true;
    }
    remember_end();
    return r;
  }
  // memchr jumps a line at a time where a byte loop (std::count) took a
  // twelfth of the daemon's CPU in a file storm.
  static size_t count_lines(std::string_view s) {
    size_t n = 0;
    if (s.empty()) return 0;  // memchr wants a pointer even for 0 bytes
    for (const char* p = s.data(); (p = static_cast<const char*>(std::memchr(p, '\n', s.data() + s.size() - p))); p++)
      n++;
    return n;
  }
  // The longest run of whole lines at the front of `lines` that fits in
  // `room` bytes.
  static size_t fitting_prefix(std::string_view lines, uint64_t room) {
    if (room >= lines.size()) return lines.size();
    if (room == 0) return 0;
    const size_t nl = lines.rfind('\n', room - 1);
    return nl == std::string_view::npos ? 0 : nl + 1;
  }

  uint64_t current_size() const {
    struct stat st;
    return ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }

  // FILE -> FILE.1 (and older ones up), then a new FILE; "" when done.
  std::string rotate() {
    std::string why = rotate_names(path_, rotate_.keep);
    if (!why.empty()) return why;
    auto fd = open_output_file(path_);
    if (!fd) return fd.error().message + " (after moving it to " + path_ + ".1; still writing there)";
    if (owned_) ::close(fd_);
    fd_ = *fd;
    owned_ = true;
    unterminated_ = false;
    end_ = 0;
    if (rotate_.rotated) rotate_.rotated(fd_);
    return {};
  }

  // A regular file shorter than our last write left it: someone else cut
  // it (truncate, `> file`). Only this sensor appends to it and only this
  // writer takes bytes back (take_back, which moves end_ with it).
  bool shrunk_since_last_write() const {
    struct stat st;
    return regular_ && end_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_size < end_;
  }
  void remember_end() {
    struct stat st;
    if (regular_) end_ = ::fstat(fd_, &st) == 0 ? st.st_size : -1;
  }

  // 0 once all of `data` is written, else the errno that stopped it;
  // `*done` says how far it got.
  int write_all(std::string_view data, size_t* done) {
    size_t off = 0;
    int err = 0;
    while (off < data.size()) {
      if (abandoned_.load() && !writable_now()) {
        err = EINTR;
        break;
      }
      ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
      if (n > 0) {
        off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR && !abandoned_.load()) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        struct pollfd p = {fd_, POLLOUT, 0};
        if (::poll(&p, 1, kStallMs) > 0) continue;
        err = EAGAIN;
        break;
      }
      err = n < 0 ? errno : EIO;  // 0 bytes for a non-empty write: nothing will ever go
      break;
    }
    if (done) *done = off;
    return err;
  }

  // Cuts the last `bytes` written off a regular file, if they are still its
  // end (another writer appending to the same file would lose its bytes).
  bool take_back(size_t bytes) {
    if (!regular_) return false;
    const off_t pos = ::lseek(fd_, 0, SEEK_CUR);
    struct stat st;
    if (pos < static_cast<off_t>(bytes) || ::fstat(fd_, &st) != 0 || st.st_size != pos) return false;
    const off_t end = pos - static_cast<off_t>(bytes);
    // The offset too: a descriptor without O_APPEND (a shell's `>`) would
    // otherwise write past a hole.
    return ::ftruncate(fd_, end) == 0 && ::lseek(fd_, end, SEEK_SET) == end;
  }

  bool writable_now() const {
    struct pollfd p = {fd_, POLLOUT, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
  }

  static bool is_regular(int fd) {
    struct stat st;
    return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  }

  int fd_;
  bool owned_;
  bool ends_on_epipe_;
  std::string path_;  // empty: not reopened
  RotatePolicy rotate_;
  bool rotate_off_ = false;  // a rotation failed: not tried again before a reopen
  bool regular_ = false;
  bool unterminated_ = false;  // a torn fragment waits for its newline
  off_t end_ = -1;             // a regular file's size after our last write (-1: unknown)
  std::atomic<bool> abandoned_{false};
};

}  // namespace

std::unique_ptr<Sink> make_fd_sink(int fd, bool owned, bool ends_on_epipe) {
  return std::make_unique<FdSink>(fd, owned, ends_on_epipe);
}

// The reader of stdout leaving is the end of the output: nobody can open
// that pipe again (a named FIFO can be reopened, so --output keeps trying).
std::unique_ptr<Sink> make_stdout_sink() { return make_fd_sink(STDOUT_FILENO, false, true); }

namespace {

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
  struct statfs fs;
  if (S_ISREG(st.st_mode) && fstatfs(fd, &fs) == 0) {
    if (const char* kind = pseudo_fs(static_cast<unsigned long>(fs.f_type))) {
      ::close(fd);
      return Error{EINVAL, "output " + path + " is on " + kind + ", a kernel interface that stores no events"};
    }
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<Sink>> make_file_sink(const std::string& path, RotatePolicy rotate) {
  auto fd = open_output_file(path);
  if (!fd) return fd.error();
  return std::unique_ptr<Sink>(std::make_unique<FdSink>(*fd, true, false, path, rotate));
}

std::string rotate_names(const std::string& path, uint32_t keep) {
  // FILE gone (removed by someone): the older names stay as they are, with
  // no gap at FILE.1.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "cannot rotate " + path + ": " + std::strerror(errno);
  for (uint32_t i = keep; i >= 2; --i) {
    const std::string from = path + "." + std::to_string(i - 1), to = path + "." + std::to_string(i);
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
      return "cannot rotate " + from + " to " + to + ": " + std::strerror(errno);
  }
  const std::string first = path + ".1";
  if (::rename(path.c_str(), first.c_str()) != 0)
    return "cannot rotate " + path + " to " + first + ": " + std::strerror(errno);
  return {};
}

}  // namespace nj
