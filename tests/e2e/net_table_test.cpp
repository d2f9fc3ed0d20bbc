// The kernel side's table of TCP connections (--connection-table) is an
// LRU: with more connections open at once than it holds, the evicted ones'
// ends cannot be reported. Each eviction is counted instead
// (connection_table_evicted_total), so the closes that went missing are
// all accounted for.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace nj::e2e {
namespace {

constexpr int kTable = 64;
constexpr int kConnections = 200;

bool tcp_event(const json& e, const std::string& action) {
  return e.contains("process") && get(e, "event.category") == json::array({"network"}) &&
         get(e, "event.action") == action && get(e, "network.transport") == "tcp";
}

// TCP connects and accepts the sensor reported, whoever made them: read
// from the file, not parsed (a busy machine writes gigabytes).
uint64_t tcp_opens_in(const std::string& path) {
  uint64_t n = 0;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);)
    if (l.find("\"transport\":\"tcp\"") != std::string::npos &&
        (l.find("\"action\":\"connect\"") != std::string::npos || l.find("\"action\":\"accept\"") != std::string::npos))
      n++;
  return n;
}

// kConnections connections to a listener on loopback, all open at once (both
// ends: 2 * kConnections sockets to follow), then all closed. The
// listener's port.
int open_then_close_connections() {
  const int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (l < 0 || bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(l, kConnections) != 0 ||
      getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return -1;
  std::vector<int> fds;
  for (int i = 0; i < kConnections; i++) {
    const int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return -1;
    const int s = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    if (s < 0) return -1;
    fds.push_back(c);
    fds.push_back(s);
  }
  for (int fd : fds) close(fd);
  close(l);
  return ntohs(a.sin_port);
}

TEST(NetConnectionTable, EvictedConnectionsAreCountedNotLostSilently) {
  SensorProcess s({"--events", "network", "--connection-table", std::to_string(kTable)});
  const int port = open_then_close_connections();
  ASSERT_GT(port, 0) << "connections on loopback: " << strerror(errno);
  const long pid = getpid();
  // Both ends of ours name the listener's port as the destination.
  s.keep_lines_with({"\"port\":" + std::to_string(port) + "}"});
  auto ours = [&](const json& x) { return get(x, "process.pid") == pid && get(x, "destination.port") == port; };
  const auto opened =
      s.all([&](const json& x) { return (tcp_event(x, "connect") || tcp_event(x, "accept")) && ours(x); }, 2000);
  const auto closed = s.all([&](const json& x) { return tcp_event(x, "close") && ours(x); }, 2000);
  const json last = expect_clean_stop(s, "connection table");
  ASSERT_FALSE(last.is_null());
  if (lost_total(s)) GTEST_SKIP() << "inconclusive: the sensor lost records";
  ASSERT_EQ(opened.size(), 2u * kConnections);
  // Other processes' connections share the table: evictions may be theirs.
  const uint64_t others = tcp_opens_in(s.output_path()) - opened.size();
  // The table never held more than kTable: most ends went unreported.
  const uint64_t missing = 2 * kConnections - closed.size();
  ASSERT_GE(missing, 2u * kConnections - kTable);
  const uint64_t evicted = get(last, "nightjar.loss.connection_table_evicted_total").get<uint64_t>();
  EXPECT_GE(evicted, missing) << closed.size() << " closes reported";
  EXPECT_LE(evicted, missing + others) << closed.size() << " closes reported";
  RecordProperty("evicted", static_cast<int>(evicted));
  RecordProperty("missing", static_cast<int>(missing));
  RecordProperty("others", static_cast<int>(others));
}

// The default table holds them all: nothing evicted, every end reported.
TEST(NetConnectionTable, TheDefaultTableHoldsThemAll) {
  SensorProcess s({"--events", "network"});
  const int port = open_then_close_connections();
  ASSERT_GT(port, 0) << "connections on loopback: " << strerror(errno);
  const long pid = getpid();
  s.keep_lines_with({"\"port\":" + std::to_string(port) + "}"});
  auto ours = [&](const json& x) { return get(x, "process.pid") == pid && get(x, "destination.port") == port; };
  const auto closed = s.all([&](const json& x) { return tcp_event(x, "close") && ours(x); }, 2000);
  const json last = expect_clean_stop(s, "default connection table");
  ASSERT_FALSE(last.is_null());
  if (lost_total(s)) GTEST_SKIP() << "inconclusive: the sensor lost records";
  EXPECT_EQ(closed.size(), 2u * kConnections);
  EXPECT_EQ(get(last, "nightjar.loss.connection_table_evicted_total"), 0);
}

}  // namespace
}  // namespace nj::e2e
