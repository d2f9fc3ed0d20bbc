#include "app/output_watch.h"

#include <fcntl.h>
#include <sys/stat.h>

namespace nj {

void OutputWatch::watch(const std::string& path, int fd) {
  fd_.reset();
  reported_ = false;
  // A descriptor of our own: the writer's may be swapped by a reopen
  // while this one keeps naming the file it was opened on.
  Fd mine(path.empty() ? ::fcntl(fd, F_DUPFD_CLOEXEC, 3) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  struct stat st;
  if (!mine.valid() || ::fstat(mine.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  fd_ = std::move(mine);
  name_ = path.empty() ? "stdout's file" : path;
}

void OutputWatch::adopt(Fd fd, const std::string& path) {
  fd_ = std::move(fd);
  reported_ = false;
  name_ = path;
}

std::optional<std::string> OutputWatch::removed() {
  struct stat st;
  if (!fd_.valid() || reported_ || ::fstat(fd_.get(), &st) != 0 || st.st_nlink != 0) return std::nullopt;
  reported_ = true;
  return name_ + " was removed (the " + std::to_string(st.st_size) + " bytes written to it are gone with it)";
}

}  // namespace nj
