// The sensor under a systemd unit of Type=notify, as systemd sees it: the
// test binds the notification socket systemd would (a unix datagram socket
// named by NOTIFY_SOCKET), reads what the real sensor sends there, with the
// sender's pid as the kernel reports it (NotifyAccess=main), and checks
// READY=1 against the output and WATCHDOG=1 against WATCHDOG_USEC.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace nj::e2e {
namespace {

using Clock = std::chrono::steady_clock;

struct Notification {
  std::string text;
  pid_t pid = -1;  // the sender, from SCM_CREDENTIALS
  Clock::time_point at;
};

// The service manager's end: a bound datagram socket asking for senders'
// credentials.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    const int one = 1;
    ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
          setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool ok() const { return ok_; }

  // The next datagram, or nothing within timeout_ms.
  std::optional<Notification> next(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    char buf[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buf, sizeof(buf)};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof(control);
    const ssize_t n = recvmsg(fd_, &m, 0);
    if (n < 0) return std::nullopt;
    Notification out{std::string(buf, static_cast<size_t>(n)), -1, Clock::now()};
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cr;
        std::memcpy(&cr, CMSG_DATA(c), sizeof(cr));
        out.pid = cr.pid;
      }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

// `nightjar run` started as systemd would start the unit's ExecStart: with
// NOTIFY_SOCKET (and WATCHDOG_USEC when given) in its environment, writing
// to a file, or to `stdout_fd` when one is given. Killed if the test ends
// early.
class NotifiedSensor {
 public:
  NotifiedSensor(const std::string& dir, const std::string& socket, const std::string& watchdog_usec,
                 int stdout_fd = -1)
      : out_(dir + "/events.jsonl"), err_(dir + "/stderr") {
    pid_ = fork();
    if (pid_ == 0) {
      setenv("NOTIFY_SOCKET", socket.c_str(), 1);
      unsetenv("WATCHDOG_PID");
      if (watchdog_usec.empty()) unsetenv("WATCHDOG_USEC");
      else setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
      const int e = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(stdout_fd >= 0 ? stdout_fd : null, 1);
      dup2(e, 2);
      if (stdout_fd >= 0) execl(NJ_BINARY, NJ_BINARY, "run", "--events", "process", nullptr);
      else execl(NJ_BINARY, NJ_BINARY, "run", "--output", out_.c_str(), "--events", "process", nullptr);
      _exit(127);
    }
  }
  ~NotifiedSensor() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  std::string err() const {
    std::ifstream f(err_);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  // SIGTERM, then the exit status (-1 after 60 s).
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 6000; i++) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      usleep(10000);
    }
    return -1;
  }

 private:
  std::string out_, err_;
  pid_t pid_ = -1;
};

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

// Waits for READY=1 (attaching takes seconds; a minute in the matrix's VMs),
// keeping what came before it.
std::optional<Notification> wait_ready(NotifySocket& sock, std::vector<Notification>& before) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    auto n = sock.next(1000);
    if (!n) continue;
    if (has_line(n->text, "READY=1")) return n;
    before.push_back(*n);
  }
  return std::nullopt;
}

// A pipe already full: the sensor's first write (sensor-started) blocks
// until the test reads. Returns {read end, write end}.
std::array<int, 2> full_pipe() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return {-1, -1};
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  const std::string filler(4096, '\n');
  while (write(p[1], filler.data(), filler.size()) > 0) {
  }
  while (write(p[1], "\n", 1) > 0) {
  }
  fcntl(p[1], F_SETFL, 0);  // the sensor's stdout blocks, as a real pipe's does
  return {p[0], p[1]};
}

TEST(ServiceNotify, ReadyOnlyOnceSensorStartedIsWrittenThenStoppingAndNoWatchdogUnasked) {
  const std::string dir = temp_dir();
  NotifySocket sock(dir + "/notify");
  ASSERT_TRUE(sock.ok()) << std::strerror(errno);
  const auto [rd, wr] = full_pipe();
  ASSERT_GE(rd, 0);
  NotifiedSensor s(dir, dir + "/notify", "", wr);
  close(wr);
  // Attached, sensor-started pushed (the log line comes after the push), but
  // not written: the pipe is full. No READY=1 then, however long it waits.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (s.err().find(" running: transport ") == std::string::npos && Clock::now() < deadline) usleep(20000);
  ASSERT_NE(s.err().find(" running: transport "), std::string::npos) << s.err();
  if (auto early = sock.next(1500)) FAIL() << "sent while sensor-started could not be written: " << early->text;

  // The reader drains the pipe: sensor-started goes out, READY=1 follows.
  std::string out;
  std::thread reader([fd = rd, &out] {
    char buf[65536];
    for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
    close(fd);
  });
  struct Join {
    std::thread& t;
    NotifiedSensor& s;
    ~Join() {
      if (!t.joinable()) return;
      s.stop();  // the reader ends at the sensor's end (EOF)
      t.join();
    }
  } join{reader, s};
  auto ready = sock.next(5000);
  ASSERT_TRUE(ready) << "no READY=1 once the output was drained: " << s.err();
  EXPECT_TRUE(has_line(ready->text, "READY=1")) << ready->text;
  EXPECT_TRUE(has_line(ready->text, "STATUS=attached, writing events")) << ready->text;
  EXPECT_EQ(ready->pid, s.pid()) << "READY=1 must come from the main process (NotifyAccess=main)";

  // No WATCHDOG_USEC, no pings.
  while (auto n = sock.next(1500)) ADD_FAILURE() << "unexpected notification without a watchdog: " << n->text;

  EXPECT_EQ(s.stop(), 0) << s.err();
  reader.join();
  std::vector<std::string> after;
  while (auto n = sock.next(200)) after.push_back(n->text);
  ASSERT_EQ(after.size(), 1u) << "expected one STOPPING=1";
  EXPECT_TRUE(has_line(after[0], "STOPPING=1")) << after[0];
  const size_t first = out.find_first_not_of('\n');
  ASSERT_NE(first, std::string::npos);
  const json started = json::parse(out.substr(first, out.find('\n', first) - first));
  EXPECT_EQ(started["event"]["action"], "sensor-started");
}

TEST(ServiceNotify, WatchdogPingsTwicePerIntervalWhenAsked) {
  const std::string dir = temp_dir();
  NotifySocket sock(dir + "/notify");
  ASSERT_TRUE(sock.ok()) << std::strerror(errno);
  constexpr auto kWatchdog = std::chrono::milliseconds(1200);  // WatchdogSec=1.2s
  NotifiedSensor s(dir, dir + "/notify", std::to_string(kWatchdog.count() * 1000));
  std::vector<Notification> before;
  const auto ready = wait_ready(sock, before);
  ASSERT_TRUE(ready) << "no READY=1 within 60 s: " << s.err();

  std::vector<Clock::time_point> pings;
  const auto until = ready->at + std::chrono::seconds(4);
  while (Clock::now() < until)
    if (auto n = sock.next(100)) {
      EXPECT_EQ(n->text, "WATCHDOG=1");
      EXPECT_EQ(n->pid, s.pid());
      pings.push_back(n->at);
    }
  // Every 600 ms: about 6 in 4 s. Each gap (and the first, from READY=1) is
  // under the watchdog's interval, or systemd would have killed the sensor;
  // none much under the period: pinged at the interval, not every loop turn
  // (50 ms).
  EXPECT_GE(pings.size(), 5u);
  EXPECT_LE(pings.size(), 8u);
  auto last = ready->at;
  for (const auto& p : pings) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(p - last);
    EXPECT_LT(gap, kWatchdog) << "a watchdog of " << kWatchdog.count() << " ms would have fired";
    if (&p != &pings.front()) {
      EXPECT_GE(gap.count(), 500) << "pinged faster than twice per interval";
    }
    last = p;
  }
  EXPECT_EQ(s.stop(), 0) << s.err();
}

}  // namespace
}  // namespace nj::e2e
