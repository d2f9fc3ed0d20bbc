// The kernel side's table of UDP flows (--udp-flow-table) is an LRU: with
// more flows in their windows at once than it holds, the least recently
// used are forgotten. No event is lost, but a forgotten flow is reported
// again before its window ended, and the datagrams it had folded are never
// attributed to it. Each eviction is counted instead
// (udp_flow_table_evicted_total).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace nj::e2e {
namespace {

constexpr int kTable = 64;
constexpr int kFlows = 300;

// UDP flow events the sensor reported, whoever caused them: read from the
// file, not parsed (a busy machine writes gigabytes).
uint64_t udp_flows_in(const std::string& path) {
  uint64_t n = 0;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);)
    if (l.find("\"action\":\"udp\"") != std::string::npos) n++;
  return n;
}

// One sender and kFlows receivers on loopback (never read: no receive
// events). Each round sends two datagrams to every receiver, one reported
// or folded, the other folded.
class Flows {
 public:
  Flows() {
    sender_ = bound_socket();
    for (int i = 0; i < kFlows && sender_ >= 0; i++) {
      const int r = bound_socket();
      if (r < 0) return;
      receivers_.push_back(r);
    }
  }
  ~Flows() {
    for (int fd : receivers_) close(fd);
    if (sender_ >= 0) close(sender_);
  }
  bool ok() const { return sender_ >= 0 && receivers_.size() == kFlows; }
  long sender_port() const { return port(sender_); }

  bool round() const {
    const char payload[32] = "nightjar udp flow table";
    for (int r : receivers_) {
      sockaddr_in to{};
      socklen_t len = sizeof(to);
      if (getsockname(r, reinterpret_cast<sockaddr*>(&to), &len) != 0) return false;
      for (int k = 0; k < 2; k++)
        if (sendto(sender_, payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&to), len) !=
            static_cast<ssize_t>(sizeof(payload)))
          return false;
    }
    return true;
  }

 private:
  static int bound_socket() {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      if (fd >= 0) close(fd);
      return -1;
    }
    return fd;
  }
  static long port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof(a);
    return getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0 ? ntohs(a.sin_port) : -1;
  }

  int sender_ = -1;
  std::vector<int> receivers_;
};

// Our sender's flow events: its port is the source of each.
std::vector<json> our_flows(SensorProcess& s, long sender_port) {
  const long pid = getpid();
  s.keep_lines_with({"\"port\":" + std::to_string(sender_port) + "}"});
  return s.all(
      [&](const json& x) {
        return x.contains("process") && get(x, "event.action") == "udp" && get(x, "process.pid") == pid &&
               get(x, "source.port") == sender_port && get(x, "network.direction") == "egress";
      },
      2000);
}

// Two rounds over kFlows flows through a 64-entry table, in one window:
// without evictions the second round would be folded whole. Every flow
// reported twice lost its state; every one reported at all was added.
TEST(NetUdpFlowTable, EvictedFlowsAreCountedNotLostSilently) {
  SensorProcess s({"--events", "network", "--udp-flow-table", std::to_string(kTable), "--udp-window-ms", "600000"});
  Flows f;
  ASSERT_TRUE(f.ok()) << "sockets on loopback: " << strerror(errno);
  ASSERT_TRUE(f.round() && f.round()) << "sendto: " << strerror(errno);
  const auto ours = our_flows(s, f.sender_port());
  const json last = expect_clean_stop(s, "udp flow table");
  ASSERT_FALSE(last.is_null());
  if (lost_total(s)) GTEST_SKIP() << "inconclusive: the sensor lost records";
  // Each event is a flow added under a new key; the table kept at most
  // kTable of them, so the rest were evicted.
  const uint64_t added = ours.size();
  ASSERT_GE(added, uint64_t{kFlows}) << "each flow's first datagram is reported";
  const uint64_t repeated = added - kFlows;
  ASSERT_GE(repeated, uint64_t{kFlows - kTable}) << added << " flow events";
  // Flows reported a second time had lost their folded datagram with their
  // state: the one carried before is 0, where a window's end would say 1.
  for (const json& e : ours) EXPECT_EQ(get(e, "nightjar.network.datagrams_folded_before"), 0) << e.dump();
  // Other processes' flows share the table: evictions may be theirs.
  const uint64_t others = udp_flows_in(s.output_path()) - added;
  const uint64_t evicted = get(last, "nightjar.loss.udp_flow_table_evicted_total").get<uint64_t>();
  EXPECT_GE(evicted, added - kTable) << repeated << " flows reported again";
  EXPECT_GE(evicted, repeated);
  EXPECT_LE(evicted, added + others) << repeated << " flows reported again";
  RecordProperty("evicted", static_cast<int>(evicted));
  RecordProperty("added", static_cast<int>(added));
  RecordProperty("others", static_cast<int>(others));
}

// The default table holds them all: nothing evicted, each flow reported
// once per window, the second report carrying the datagram folded before.
TEST(NetUdpFlowTable, TheDefaultTableHoldsThemAll) {
  SensorProcess s({"--events", "network", "--udp-window-ms", "1000"});
  Flows f;
  ASSERT_TRUE(f.ok()) << "sockets on loopback: " << strerror(errno);
  ASSERT_TRUE(f.round()) << "sendto: " << strerror(errno);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(f.round()) << "sendto: " << strerror(errno);
  const auto ours = our_flows(s, f.sender_port());
  const json last = expect_clean_stop(s, "default udp flow table");
  ASSERT_FALSE(last.is_null());
  if (lost_total(s)) GTEST_SKIP() << "inconclusive: the sensor lost records";
  ASSERT_EQ(ours.size(), 2u * kFlows);
  size_t carried = 0;
  for (const json& e : ours) carried += get(e, "nightjar.network.datagrams_folded_before") == 1;
  EXPECT_EQ(carried, size_t{kFlows});
  EXPECT_EQ(get(last, "nightjar.loss.udp_flow_table_evicted_total"), 0);
}

}  // namespace
}  // namespace nj::e2e
