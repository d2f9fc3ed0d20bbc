#include "util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "util/fd.h"

namespace nj {

FileText read_fd(int fd, size_t max) {
  FileText out;
  char buf[16384];
  // One byte past the cap tells a file of exactly max bytes from a longer one.
  while (out.text.size() <= max) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.error = true;
      break;
    }
    if (n == 0) break;
    out.text.append(buf, static_cast<size_t>(n));
  }
  if (out.text.size() > max) {
    out.text.resize(max);
    out.capped = true;
  }
  return out;
}

std::optional<std::string> read_file(const std::string& path, size_t max) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return std::nullopt;
  FileText f = read_fd(fd.get(), max);
  if (f.error) return std::nullopt;
  return std::move(f.text);
}

std::optional<std::string> read_line(const std::string& path) {
  auto s = read_file(path, 4096);
  if (!s) return std::nullopt;
  auto nl = s->find('\n');
  if (nl != std::string::npos) s->resize(nl);
  return s;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

HeadReader file_head_reader() {
  return [](const std::string& path) { return read_file(path, 256); };
}

}  // namespace nj
