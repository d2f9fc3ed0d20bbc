#include "util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nj {

std::optional<std::string> read_file(const std::string& path, size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[8192];
  while (out.size() < max) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (out.size() > max) out.resize(max);
  return out;
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

}  // namespace nj
