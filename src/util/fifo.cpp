#include "util/fifo.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace nj {

Result<FifoReader> wait_for_fifo_reader(const std::string& path, const std::function<void()>& on_wait) {
  // The stop signals are blocked and taken with sigtimedwait, whatever
  // handlers are installed: a signal that arrives between two tries is
  // pending, not lost, and no handler needs to know about this wait.
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &old);
  Result<FifoReader> r = FifoReader{};
  for (bool waited = false;; waited = true) {
    // O_NONBLOCK: ENXIO instead of blocking while nobody reads.
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
      r->writer = Fd(fd);
      break;
    }
    if (errno != ENXIO) {
      r = os_error(errno, "cannot open output FIFO " + path);
      break;
    }
    if (!waited) on_wait();
    // A FIFO says nothing when a reader arrives: try again every 100 ms.
    const struct timespec tick = {0, 100 * 1000 * 1000};
    const int sig = sigtimedwait(&stop, nullptr, &tick);
    if (sig > 0) {
      r->signal = sig;
      break;
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return r;
}

bool is_fifo(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace nj
