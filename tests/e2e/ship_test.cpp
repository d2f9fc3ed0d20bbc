// Shipping a fleet's events through rsyslog, as packaging/README.md tells
// an administrator to: on the sensor host rsyslog reads nightjar's JSONL
// file (imfile) and sends it over RELP to a second rsyslog, the collector,
// which writes one JSONL file per host. Both are Debian's rsyslogd, started
// here on loopback with the shipped drop-ins (packaging/rsyslog/), only
// the collector's address, the port and the paths changed. What arrives
// must be the sensor's file, byte for byte: every line complete (a 30 KB
// command line too) and in order, even when the collector comes up only
// after the events were written.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

std::string replaced(std::string text, const std::vector<std::pair<std::string, std::string>>& subs) {
  for (const auto& [from, to] : subs) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "the shipped file no longer has " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

// A TCP port nothing listens on now (the kernel's pick, released).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// One rsyslogd in the foreground with its own configuration, work
// directory and pid file; stopped (SIGTERM, it drains its queues) at the
// end.
class Rsyslog {
 public:
  Rsyslog(const std::string& dir, const std::string& name, const std::string& dropin) : dir_(dir) {
    const std::string work = dir + "/" + name + "-work";
    std::filesystem::create_directories(work);
    conf_ = dir + "/" + name + ".conf";
    // What packaging/README.md says belongs at the top of rsyslog.conf.
    std::ofstream(conf_) << "global(maxMessageSize=\"256k\" workDirectory=\"" << work << "\")\n" << dropin;
    const Command check = run_command({"/usr/sbin/rsyslogd", "-N1", "-f", conf_});
    EXPECT_EQ(check.status, 0) << check.err;
    log_ = dir + "/" + name + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
      execl("/usr/sbin/rsyslogd", "rsyslogd", "-n", "-f", conf_.c_str(), "-i", (dir + "/" + name + ".pid").c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Rsyslog() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }
  std::string log() const { return slurp(log_); }

 private:
  std::string dir_, conf_, log_;
  pid_t pid_ = -1;
};

TEST(Shipping, RsyslogCarriesEveryLineWholeAndInOrderOverRelp) {
  ASSERT_TRUE(std::filesystem::exists("/usr/sbin/rsyslogd")) << "rsyslog is missing: scripts/deps.sh installs it";
  const std::string dir = temp_dir(), fleet = dir + "/fleet";
  const int port = free_port();
  SensorProcess s({"--events", "process"});
  Rsyslog collector(
      dir, "collector",
      replaced(slurp(NJ_SOURCE_DIR "/packaging/rsyslog/nightjar-collector.conf"),
               {{"port=\"2514\"", "port=\"" + std::to_string(port) + "\""}, {"/var/log/nightjar-fleet", fleet}}));
  // The sensor host's rsyslog first: the collector is not up yet, so the
  // lines wait in the forwarder's queue.
  Rsyslog forwarder(dir, "forwarder",
                    replaced(slurp(NJ_SOURCE_DIR "/packaging/rsyslog/nightjar-forward.conf"),
                             {{"/var/log/nightjar/events.jsonl", s.output_path()},
                              {"collector.example.com", "127.0.0.1"},
                              {"port=\"2514\"", "port=\"" + std::to_string(port) + "\""}}));
  const json a = act("exec");
  const Command big = run_command({"/bin/true", "nj-ship-" + std::string(30000, 'x')});
  ASSERT_EQ(big.status, 0);
  const json b = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, b["pid"]); }).is_null());
  ASSERT_EQ(s.stop(), 0) << s.stderr_text();
  const std::string sent = slurp(s.output_path());
  ASSERT_NE(sent.find("nj-ship-xxxx"), std::string::npos);

  // One file, named after this host, equal to the sensor's file.
  std::string got, file;
  wait_until(
      [&] {
        if (std::filesystem::exists(fleet))
          for (const auto& f : std::filesystem::directory_iterator(fleet)) file = f.path().string();
        return !file.empty() && (got = slurp(file)).size() >= sent.size();
      },
      60000, 200);
  ASSERT_FALSE(file.empty()) << "nothing arrived\nforwarder: " << forwarder.log() << "\ncollector: " << collector.log();
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  EXPECT_EQ(std::filesystem::path(file).filename().string(), std::string(host) + ".jsonl");
  EXPECT_EQ(got.size(), sent.size());
  const auto diff = std::mismatch(got.begin(), got.end(), sent.begin(), sent.end());
  EXPECT_TRUE(got == sent) << "the collector's file differs from the sensor's at byte " << (diff.first - got.begin())
                           << ": " << std::string(diff.first, got.end()).substr(0, 300);
  const std::vector<json> events = s.events();
  EXPECT_EQ(static_cast<size_t>(std::count(got.begin(), got.end(), '\n')), events.size());
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const json& e) { return is_exec(e, a["pid"]); }));
  expect_schema_valid(file);
  std::filesystem::remove_all(dir);
}

// The collector goes away for a while: the sensor host's rsyslog keeps
// the lines (RELP waits for each acknowledgement) and delivers them when a
// collector is back. RELP is at-least-once: a line in flight when the
// connection broke may come twice; none is lost, and the lines keep their
// order apart from such a repeat.
TEST(Shipping, ACollectorOutageLosesNoLine) {
  const std::string dir = temp_dir(), fleet = dir + "/fleet";
  const int port = free_port();
  const std::string collector_conf =
      replaced(slurp(NJ_SOURCE_DIR "/packaging/rsyslog/nightjar-collector.conf"),
               {{"port=\"2514\"", "port=\"" + std::to_string(port) + "\""}, {"/var/log/nightjar-fleet", fleet}});
  SensorProcess s({"--events", "process"});
  auto collector = std::make_unique<Rsyslog>(dir, "collector", collector_conf);
  Rsyslog forwarder(dir, "forwarder",
                    replaced(slurp(NJ_SOURCE_DIR "/packaging/rsyslog/nightjar-forward.conf"),
                             {{"/var/log/nightjar/events.jsonl", s.output_path()},
                              {"collector.example.com", "127.0.0.1"},
                              {"port=\"2514\"", "port=\"" + std::to_string(port) + "\""}}));
  const json a = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, a["pid"]); }).is_null());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  collector.reset();
  const json b = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, b["pid"]); }).is_null());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  collector = std::make_unique<Rsyslog>(dir, "collector2", collector_conf);
  ASSERT_EQ(s.stop(), 0) << s.stderr_text();
  const std::vector<std::string> sent = lines_of(slurp(s.output_path()));
  std::vector<std::string> got;
  wait_until(
      [&] {
        got.clear();
        if (std::filesystem::exists(fleet))
          for (const auto& f : std::filesystem::directory_iterator(fleet))
            for (std::string& l : lines_of(slurp(f.path().string()))) got.push_back(std::move(l));
        return std::all_of(sent.begin(), sent.end(),
                           [&](const std::string& l) { return std::find(got.begin(), got.end(), l) != got.end(); });
      },
      60000, 200);
  for (const std::string& l : sent)
    EXPECT_NE(std::find(got.begin(), got.end(), l), got.end()) << "never arrived: " << l.substr(0, 200);
  // With repeats removed (first arrival kept), the order is the sensor's.
  std::vector<std::string> firsts;
  for (const std::string& l : got)
    if (std::find(firsts.begin(), firsts.end(), l) == firsts.end()) firsts.push_back(l);
  EXPECT_EQ(firsts.size(), sent.size());
  std::cerr << "collector outage: " << sent.size() << " lines sent, " << got.size() << " arrived ("
            << got.size() - firsts.size() << " repeats)\n";
  EXPECT_TRUE(firsts == sent) << "out of order";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nj::e2e
