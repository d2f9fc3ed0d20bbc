// Network events from real sockets on this machine's kernel (loopback, and
// network namespaces the actions create), asserted field by field, once per
// transport: TCP over IPv4, IPv6 and v4-mapped IPv6 with every result, UDP
// flows and their window, DNS queries and answers, then what attackers'
// tools do.
//
// Events are found by the acting process's pid and its ports, never by
// counting what the machine does meanwhile.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "harness.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kWaitMs = 30000;
// Short, so a test sees a flow's window expire; long enough that the
// datagrams one action sends back to back fall in one window.
constexpr int kUdpWindowMs = 1000;

std::map<std::string, std::unique_ptr<SensorProcess>>& sensors() {
  static std::map<std::string, std::unique_ptr<SensorProcess>> s;
  return s;
}

// What the tests that ran made the sensors count (checked at the end).
std::set<std::string>& ran() {
  static std::set<std::string> r;
  return r;
}

bool is_net(const json& e, const std::string& action, long pid) {
  return e.contains("process") && get(e, "event.category") == json::array({"network"}) &&
         get(e, "event.action") == action && get(e, "process.pid") == pid;
}

long port_of(const json& e, const char* side) {
  json p = get(e, std::string(side) + ".port");
  return p.is_number() ? p.get<long>() : 0;
}

// Runs an action: its JSON, or null when it cannot run here (77).
json net_act(const std::string& action, const std::vector<std::string>& env = {}) { return try_act({action}, env); }

#define ACT(var, ...)                            \
  json var = net_act(__VA_ARGS__);               \
  if (var.is_null()) {                           \
    GTEST_SKIP() << "action not available here"; \
  }

class NetEvents : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [transport, s] : sensors()) {
      const json last = expect_clean_stop(*s, transport);
      if (last.is_null()) continue;
      // The folded datagrams and the malformed DNS message are counted.
      if (ran().count("udp_folded")) {
        EXPECT_GT(get(last, "nightjar.filters.udp_folded_total").get<uint64_t>(), 0u) << transport;
      }
      if (ran().count("udp_mmsg_unexamined")) {
        EXPECT_GE(get(last, "nightjar.filters.udp_mmsg_unexamined_total").get<uint64_t>(), 3u) << transport;
      }
      if (ran().count("dns_malformed")) {
        EXPECT_GT(get(last, "nightjar.filters.dns_malformed_total").get<uint64_t>(), 0u) << transport;
      }
      if (all_passed()) fs::remove_all(fs::path(s->output_path()).parent_path());
    }
    sensors().clear();
  }
  void SetUp() override {
    auto& s = sensors()[GetParam()];
    if (!s)
      s = std::make_unique<SensorProcess>(
          std::vector<std::string>{"--events", "process,file,network", "--transport", GetParam(), "--udp-window-ms",
                                   std::to_string(kUdpWindowMs), "--ringbuf-size", "67108864", "--perf-pages", "1024",
                                   // frequent counts for lost_since_setup
                                   "--health-interval", "2"});
    // Loopback and the actions' namespaces: the suite's addresses.
    s->keep_lines_with({"\"127.", "\"::1\"", "\"10.199.0.", "/nj-actions."});
    lost_at_setup_ = counted_misses(*s);
  }
  SensorProcess& sensor() { return *sensors()[GetParam()]; }
  // Whether `hook` is attached, as sensor-started says.
  bool hooked(const std::string& hook) { return hook_attached(hook_status(sensor(), hook)); }
  bool lost_since_setup() { return counted_misses(sensor()) > lost_at_setup_; }
  // What can explain a missing event besides lost records: a program run
  // the kernel skipped (a connection's end runs in softirq, which a
  // tracepoint program skips while another runs on that CPU) and a socket
  // the connection table evicted. sensor-health carries them.
  static uint64_t counted_misses(SensorProcess& s) {
    return lost_total(s) + loss_counted(s, {"program_runs_missed_total", "connection_table_evicted_total"});
  }

  // The `action` event of `pid` whose local port is `lport` (source for
  // egress, destination for ingress; 0: any), and `extra` holds.
  json find(const std::string& action, long pid, long lport, const std::function<bool(const json&)>& extra = nullptr) {
    return sensor().wait_for(
        [&](const json& x) {
          if (!is_net(x, action, pid)) return false;
          const bool ingress = get(x, "network.direction") == "ingress";
          if (lport && port_of(x, ingress ? "destination" : "source") != lport) return false;
          return !extra || extra(x);
        },
        kWaitMs);
  }
  std::vector<json> all_of(const std::string& action, long pid, long lport, const std::string& direction) {
    return sensor().all(
        [&](const json& x) {
          return is_net(x, action, pid) && get(x, "network.direction") == direction &&
                 port_of(x, direction == "ingress" ? "destination" : "source") == lport;
        },
        500);
  }

  uint64_t lost_at_setup_ = 0;
};

#define END_UNLESS_FOUND(var, what)                                                                           \
  if ((var).is_null()) {                                                                                      \
    if (lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile; no " << (what); \
    FAIL() << "no " << (what);                                                                                \
  }
#define FIND(var, what, ...)    \
  json var = find(__VA_ARGS__); \
  END_UNLESS_FOUND(var, what)

// What every network event carries.
void expect_common(const json& e, long pid, const std::string& transport, const std::string& type) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.module"), "nightjar");
  EXPECT_EQ(get(e, "process.pid"), pid);
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
  EXPECT_EQ(get(e, "network.transport"), transport);
  EXPECT_EQ(get(e, "network.iana_number"), transport == "tcp" ? "6" : "17");
  EXPECT_EQ(get(e, "network.type"), type);
  // What the tracepoints every backend shares report (a connection's end, a
  // result settled in softirq, calls no syscall pair sees) says so.
  EXPECT_EQ(get(e, "nightjar.backend"), has(e, "nightjar.syscall") ? backend() : "tracepoint");
  EXPECT_TRUE(get(e, "nightjar.cgroup_id").is_number());
  EXPECT_FALSE(has(e, "nightjar.network.parts_lost"));
}

void expect_endpoint(const json& e, const char* side, const std::string& ip, long port) {
  EXPECT_EQ(get(e, std::string(side) + ".ip"), ip) << e.dump();
  EXPECT_EQ(get(e, std::string(side) + ".port"), port) << e.dump();
}

bool tracepoint_exists(const std::string& group, const std::string& name) {
  for (const char* root : {"/sys/kernel/tracing/events/", "/sys/kernel/debug/tracing/events/"})
    if (fs::exists(std::string(root) + group + "/" + name)) return true;
  return false;
}

// Whether the running kernel is at least major.minor.
bool kernel_at_least(int major, int minor) {
  utsname u{};
  int ma = 0, mi = 0;
  if (uname(&u) || std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace

TEST_P(NetEvents, Tcp4ListenConnectAcceptAndBothEnds) {
  ACT(a, "net-tcp4");
  const long pid = a["pid"], sport = a["server_port"], cport = a["client_port"];
  FIND(listen, "listen", "listen", pid, sport);
  expect_common(listen, pid, "tcp", "ipv4");
  EXPECT_EQ(get(listen, "event.type"), json::array({"start"}));
  expect_endpoint(listen, "source", "127.0.0.1", sport);
  EXPECT_FALSE(has(listen, "destination"));
  EXPECT_FALSE(has(listen, "network.direction"));
  EXPECT_EQ(get(listen, "nightjar.network.backlog"), a["backlog"]);
  EXPECT_EQ(get(listen, "nightjar.syscall"), "listen");

  FIND(conn, "connect", "connect", pid, cport);
  expect_common(conn, pid, "tcp", "ipv4");
  EXPECT_EQ(get(conn, "event.type"), json::array({"connection", "start"}));
  EXPECT_EQ(get(conn, "event.outcome"), "success");
  expect_endpoint(conn, "source", "127.0.0.1", cport);
  expect_endpoint(conn, "destination", "127.0.0.1", sport);
  EXPECT_EQ(get(conn, "network.direction"), "egress");
  EXPECT_EQ(get(conn, "nightjar.network.result"), "established");
  EXPECT_EQ(get(conn, "nightjar.syscall"), "connect");
  EXPECT_FALSE(has(conn, "error"));
  ASSERT_TRUE(get(conn, "network.community_id").is_string());
  EXPECT_EQ(get(conn, "network.community_id").get<std::string>().rfind("1:", 0), 0u);

  FIND(acc, "accept", "accept", pid, sport, [&](const json& x) { return port_of(x, "source") == cport; });
  expect_common(acc, pid, "tcp", "ipv4");
  expect_endpoint(acc, "source", "127.0.0.1", cport);
  expect_endpoint(acc, "destination", "127.0.0.1", sport);
  EXPECT_EQ(get(acc, "network.direction"), "ingress");
  EXPECT_TRUE(get(acc, "nightjar.syscall") == "accept" || get(acc, "nightjar.syscall") == "accept4");
  // Both ends of one flow: one Community ID.
  EXPECT_EQ(get(acc, "network.community_id"), get(conn, "network.community_id"));

  // The client's end: what it sent and received, linked to its connect.
  FIND(cend, "client close", "close", pid, cport,
       [&](const json& x) { return get(x, "network.direction") == "egress"; });
  expect_common(cend, pid, "tcp", "ipv4");
  EXPECT_EQ(get(cend, "event.type"), json::array({"connection", "end"}));
  EXPECT_EQ(get(cend, "nightjar.network.connection_id"), get(conn, "event.id"));
  EXPECT_EQ(get(cend, "nightjar.network.bytes_sent"), a["sent"]);
  EXPECT_EQ(get(cend, "nightjar.network.bytes_received"), a["received"]);
  EXPECT_GT(get(cend, "nightjar.network.duration_ns").get<uint64_t>(), 0u);
  EXPECT_EQ(get(cend, "nightjar.network.attributed_to_opener"), true);
  EXPECT_EQ(get(cend, "network.community_id"), get(conn, "network.community_id"));
  // The server's end, linked to its accept.
  FIND(send, "server close", "close", pid, sport,
       [&](const json& x) { return get(x, "network.direction") == "ingress" && port_of(x, "source") == cport; });
  EXPECT_EQ(get(send, "nightjar.network.connection_id"), get(acc, "event.id"));
  EXPECT_EQ(get(send, "nightjar.network.bytes_sent"), a["received"]);
  EXPECT_EQ(get(send, "nightjar.network.bytes_received"), a["sent"]);
}

TEST_P(NetEvents, Tcp6ConnectAndAccept) {
  ACT(a, "net-tcp6");
  const long pid = a["pid"], sport = a["server_port"], cport = a["client_port"];
  FIND(conn, "connect", "connect", pid, cport);
  expect_common(conn, pid, "tcp", "ipv6");
  expect_endpoint(conn, "source", "::1", cport);
  expect_endpoint(conn, "destination", "::1", sport);
  EXPECT_EQ(get(conn, "nightjar.network.result"), "established");
  EXPECT_FALSE(has(conn, "nightjar.network.ipv4_mapped"));
  FIND(acc, "accept", "accept", pid, sport, [&](const json& x) { return port_of(x, "source") == cport; });
  expect_common(acc, pid, "tcp", "ipv6");
  EXPECT_EQ(get(acc, "network.community_id"), get(conn, "network.community_id"));
  FIND(cend, "client close", "close", pid, cport,
       [&](const json& x) { return get(x, "network.direction") == "egress"; });
  EXPECT_EQ(get(cend, "nightjar.network.bytes_sent"), a["sent"]);
  EXPECT_EQ(get(cend, "nightjar.network.bytes_received"), a["received"]);
}

TEST_P(NetEvents, V4MappedConnectIsReportedAsIpv4) {
  ACT(a, "net-tcp-mapped");
  const long pid = a["pid"], sport = a["server_port"], cport = a["client_port"];
  FIND(conn, "connect", "connect", pid, cport);
  expect_common(conn, pid, "tcp", "ipv4");
  expect_endpoint(conn, "destination", "127.0.0.1", sport);
  expect_endpoint(conn, "source", "127.0.0.1", cport);
  EXPECT_EQ(get(conn, "nightjar.network.ipv4_mapped"), true);
  EXPECT_EQ(get(conn, "nightjar.network.result"), "established");
}

// A connect no connect(2) made: reported from the socket's state change,
// in progress, then its result.
TEST_P(NetEvents, IoUringConnect) {
  ACT(a, "io_uring_connect");
  const long pid = a["pid"], sport = a["server_port"];
  FIND(conn, "connect", "connect", pid, 0, [&](const json& x) { return port_of(x, "destination") == sport; });
  expect_common(conn, pid, "tcp", "ipv4");
  EXPECT_EQ(get(conn, "nightjar.network.result"), "in_progress");
  EXPECT_EQ(get(conn, "nightjar.network.other_call"), true);
  EXPECT_FALSE(has(conn, "nightjar.syscall"));
  expect_endpoint(conn, "destination", "127.0.0.1", sport);
  FIND(res, "connect_result", "connect_result", pid, 0,
       [&](const json& x) { return get(x, "nightjar.network.connection_id") == get(conn, "event.id"); });
  EXPECT_EQ(get(res, "nightjar.network.result"), "established");
  expect_endpoint(res, "source", "127.0.0.1", a["client_port"]);
  FIND(end, "close", "close", pid, a["client_port"].get<long>(),
       [&](const json& x) { return get(x, "network.direction") == "egress"; });
  EXPECT_EQ(get(end, "nightjar.network.connection_id"), get(conn, "event.id"));
}

// Accepts no accept(2) made: io_uring ACCEPT requests, one single-shot and
// (5.19+) one multishot taking two connections, each reported from its
// completion, in the process, with its connection's end.
TEST_P(NetEvents, IoUringAccept) {
  ACT(a, "io_uring_accept");
  if (!hooked("network.uring_accept")) FAIL() << "io_uring ran, but its completion tracepoint is not hooked";
  const long pid = a["pid"], sport = a["server_port"];
  const int accepted = a["accepted"];
  ASSERT_GE(accepted, 1);
  // Multishot accepts (5.19+): their interim completions name no request.
  if (kernel_at_least(5, 19)) {
    EXPECT_EQ(accepted, 3) << "the multishot accept did not run";
  }
  for (int i = 0; i < accepted; i++) {
    const long cport = a["client_port" + std::to_string(i)];
    SCOPED_TRACE("connection " + std::to_string(i));
    FIND(acc, "accept", "accept", pid, sport, [&](const json& x) { return port_of(x, "source") == cport; });
    expect_common(acc, pid, "tcp", "ipv4");
    EXPECT_EQ(get(acc, "event.type"), json::array({"connection", "start"}));
    EXPECT_EQ(get(acc, "network.direction"), "ingress");
    EXPECT_EQ(get(acc, "nightjar.network.other_call"), true);
    EXPECT_FALSE(has(acc, "nightjar.syscall"));
    expect_endpoint(acc, "source", "127.0.0.1", cport);
    expect_endpoint(acc, "destination", "127.0.0.1", sport);
    EXPECT_EQ(all_of("accept", pid, sport, "ingress").size(), static_cast<size_t>(accepted));
    FIND(end, "close", "close", pid, sport,
         [&](const json& x) { return get(x, "network.direction") == "ingress" && port_of(x, "source") == cport; });
    EXPECT_EQ(get(end, "nightjar.network.connection_id"), get(acc, "event.id"));
  }
}

TEST_P(NetEvents, RefusedConnect) {
  ACT(a, "net-refused");
  const long pid = a["pid"], port = a["port"];
  FIND(conn, "connect", "connect", pid, 0, [&](const json& x) { return port_of(x, "destination") == port; });
  expect_common(conn, pid, "tcp", "ipv4");
  EXPECT_EQ(get(conn, "event.outcome"), "failure");
  EXPECT_EQ(get(conn, "nightjar.network.result"), "refused");
  EXPECT_EQ(get(conn, "error.code"), "ECONNREFUSED");
  expect_endpoint(conn, "destination", "127.0.0.1", port);
}

TEST_P(NetEvents, NonBlockingConnectInProgressThenEstablished) {
  ACT(a, "net-nonblock");
  const long pid = a["pid"], sport = a["server_port"], cport = a["client_port"];
  FIND(conn, "connect", "connect", pid, cport);
  EXPECT_EQ(get(conn, "nightjar.network.result"), "in_progress");
  EXPECT_EQ(get(conn, "event.outcome"), "unknown");
  EXPECT_FALSE(has(conn, "error"));
  expect_endpoint(conn, "destination", "127.0.0.1", sport);
  FIND(res, "connect_result", "connect_result", pid, cport);
  expect_common(res, pid, "tcp", "ipv4");
  EXPECT_EQ(get(res, "nightjar.network.result"), "established");
  EXPECT_EQ(get(res, "event.outcome"), "success");
  EXPECT_EQ(get(res, "nightjar.network.connection_id"), get(conn, "event.id"));
  EXPECT_EQ(get(res, "nightjar.network.tcp_state"), "SYN_SENT");
  EXPECT_EQ(get(res, "network.community_id"), get(conn, "network.community_id"));
  // Cause before effect in the stream.
  const auto lines = sensor().lines();
  size_t ic = lines.size(), ir = lines.size();
  for (size_t i = 0; i < lines.size(); i++) {
    if (lines[i].find(get(conn, "event.id").get<std::string>()) == std::string::npos) continue;
    if (ic == lines.size()) ic = i;
    else if (ir == lines.size()) ir = i;
  }
  EXPECT_LT(ic, ir) << "the result came before its connect";
}

TEST_P(NetEvents, NonBlockingConnectRefused) {
  ACT(a, "net-nonblock-refused");
  const long pid = a["pid"], port = a["port"];
  auto to_port = [&](const json& x) { return port_of(x, "destination") == port; };
  FIND(conn, "connect", "connect", pid, 0, to_port);
  if (a["connect_errno"] == 115) {
    EXPECT_EQ(get(conn, "nightjar.network.result"), "in_progress");
    FIND(res, "connect_result", "connect_result", pid, 0, to_port);
    EXPECT_EQ(get(res, "nightjar.network.result"), "refused");
    EXPECT_EQ(get(res, "event.outcome"), "failure");
    EXPECT_EQ(get(res, "error.code"), "ECONNREFUSED");
    EXPECT_EQ(get(res, "nightjar.network.connection_id"), get(conn, "event.id"));
  } else {
    EXPECT_EQ(get(conn, "nightjar.network.result"), "refused");
  }
}

TEST_P(NetEvents, UdpUnconnectedFlowsAreFoldedPerWindow) {
  ACT(a, "net-udp4");
  ran().insert("udp_folded");
  const long pid = a["pid"], sp = a["sender_port"], rp = a["receiver_port"];
  FIND(out, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  expect_common(out, pid, "udp", "ipv4");
  EXPECT_EQ(get(out, "event.type"), json::array({"connection"}));
  expect_endpoint(out, "source", "127.0.0.1", sp);
  expect_endpoint(out, "destination", "127.0.0.1", rp);
  EXPECT_EQ(get(out, "nightjar.syscall"), "sendto");
  EXPECT_EQ(get(out, "nightjar.network.bytes"), a["bytes"]);
  EXPECT_EQ(get(out, "nightjar.network.datagrams_folded_before"), 0);
  EXPECT_TRUE(get(out, "network.community_id").is_string());
  FIND(in, "udp receive", "udp", pid, rp, [](const json& x) { return get(x, "network.direction") == "ingress"; });
  expect_endpoint(in, "source", "127.0.0.1", sp);
  expect_endpoint(in, "destination", "127.0.0.1", rp);
  EXPECT_EQ(get(in, "nightjar.syscall"), "recvfrom");
  EXPECT_EQ(get(in, "network.community_id"), get(out, "network.community_id"));
  // Three datagrams each way, one window: one event each way.
  EXPECT_EQ(all_of("udp", pid, sp, "egress").size(), 1u);
  EXPECT_EQ(all_of("udp", pid, rp, "ingress").size(), 1u);
}

TEST_P(NetEvents, UdpConnected) {
  ACT(a, "net-udp4-connected");
  const long pid = a["pid"], sp = a["sender_port"], rp = a["receiver_port"];
  FIND(out, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  expect_endpoint(out, "destination", "127.0.0.1", rp);
  FIND(in, "udp receive", "udp", pid, rp, [](const json& x) { return get(x, "network.direction") == "ingress"; });
  expect_endpoint(in, "source", "127.0.0.1", sp);
  EXPECT_FALSE(has(in, "nightjar.network.remote_unknown"));
}

// write(2)/read(2) on connected UDP sockets: seen where the kernel has
// sock:sock_send_length / sock_recv_length (v6.3), with no syscall named.
TEST_P(NetEvents, UdpWriteAndReadOnConnectedSockets) {
  ACT(a, "net-udp-write");
  const long pid = a["pid"], sp = a["sender_port"], rp = a["receiver_port"];
  if (!hooked("network.udp_other")) {
    EXPECT_TRUE(all_of("udp", pid, sp, "egress").empty());
    GTEST_SKIP() << "sock:sock_send_length is not available on this kernel";
  }
  FIND(out, "udp write", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  expect_common(out, pid, "udp", "ipv4");
  expect_endpoint(out, "destination", "127.0.0.1", rp);
  EXPECT_EQ(get(out, "nightjar.network.other_call"), true);
  EXPECT_FALSE(has(out, "nightjar.syscall"));
  EXPECT_EQ(get(out, "nightjar.network.bytes"), a["bytes"]);
  FIND(in, "udp read", "udp", pid, rp, [](const json& x) { return get(x, "network.direction") == "ingress"; });
  expect_endpoint(in, "source", "127.0.0.1", sp);
  EXPECT_EQ(get(in, "nightjar.network.other_call"), true);
  EXPECT_EQ(all_of("udp", pid, sp, "egress").size(), 1u);
}

TEST_P(NetEvents, Udp6) {
  ACT(a, "net-udp6");
  const long pid = a["pid"], sp = a["sender_port"], rp = a["receiver_port"];
  FIND(out, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  expect_common(out, pid, "udp", "ipv6");
  expect_endpoint(out, "destination", "::1", rp);
  FIND(in, "udp receive", "udp", pid, rp, [](const json& x) { return get(x, "network.direction") == "ingress"; });
  expect_endpoint(in, "source", "::1", sp);
}

TEST_P(NetEvents, UdpSendmsgAndRecvmsg) {
  ACT(a, "net-udp-msg");
  const long pid = a["pid"], sp = a["sender_port"], rp = a["receiver_port"];
  FIND(out, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  EXPECT_EQ(get(out, "nightjar.syscall"), "sendmsg");
  expect_endpoint(out, "destination", "127.0.0.1", rp);
  FIND(in, "udp receive", "udp", pid, rp, [](const json& x) { return get(x, "network.direction") == "ingress"; });
  EXPECT_EQ(get(in, "nightjar.syscall"), "recvmsg");
  expect_endpoint(in, "source", "127.0.0.1", sp);
}

TEST_P(NetEvents, UdpFlowIsReportedAgainAfterItsWindow) {
  ACT(a, "net-udp-again", {"NJ_UDP_GAP_MS=" + std::to_string(kUdpWindowMs + 700)});
  const long pid = a["pid"], sp = a["sender_port"];
  FIND(first, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  FIND(second, "second udp send", "udp", pid, sp, [&](const json& x) {
    return get(x, "network.direction") == "egress" && get(x, "event.id") != get(first, "event.id");
  });
  EXPECT_EQ(get(second, "nightjar.network.datagrams_folded_before"), 0);
}

TEST_P(NetEvents, DnsQueryAndAnswerNameTheNextConnect) {
  ACT(a, "net-dns");
  const long pid = a["client_pid"], cport = a["client_port"];
  const std::string name = a["name"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  expect_common(q, pid, "udp", "ipv4");
  EXPECT_EQ(get(q, "event.type"), json::array({"protocol"}));
  EXPECT_EQ(get(q, "network.protocol"), "dns");
  expect_endpoint(q, "destination", "127.0.0.1", 53);
  EXPECT_EQ(get(q, "dns.type"), "query");
  EXPECT_EQ(get(q, "dns.id"), std::to_string(a["query_id"].get<long>()));
  EXPECT_EQ(get(q, "dns.question.name"), name);
  EXPECT_EQ(get(q, "dns.question.type"), "A");
  EXPECT_EQ(get(q, "dns.question.class"), "IN");
  EXPECT_FALSE(has(q, "nightjar.network.dns.malformed"));

  FIND(r, "dns_answer", "dns_answer", pid, cport);
  expect_common(r, pid, "udp", "ipv4");
  expect_endpoint(r, "source", "127.0.0.1", 53);
  EXPECT_EQ(get(r, "dns.type"), "answer");
  EXPECT_EQ(get(r, "dns.response_code"), "NOERROR");
  EXPECT_EQ(get(r, "dns.question.name"), name);
  EXPECT_EQ(get(r, "dns.resolved_ip"), json::array({a["answer_ip"]}));
  const json answers = get(r, "dns.answers");
  ASSERT_EQ(answers.size(), 2u) << r.dump();
  EXPECT_EQ(answers[0]["type"], "CNAME");
  EXPECT_EQ(answers[0]["name"], name);
  EXPECT_EQ(answers[0]["data"], "edge.nightjar-test.example");
  EXPECT_EQ(answers[0]["ttl"], 300);
  EXPECT_EQ(answers[1]["type"], "A");
  EXPECT_EQ(answers[1]["data"], a["answer_ip"]);
  EXPECT_EQ(answers[1]["ttl"], 60);
  const json flags = get(r, "dns.header_flags");
  EXPECT_NE(std::find(flags.begin(), flags.end(), "RD"), flags.end()) << flags.dump();
  EXPECT_NE(std::find(flags.begin(), flags.end(), "RA"), flags.end()) << flags.dump();

  // The process then connects to the address the answer gave.
  FIND(conn, "connect", "connect", pid, 0,
       [&](const json& x) { return port_of(x, "destination") == a["tcp_port"].get<long>(); });
  expect_endpoint(conn, "destination", a["answer_ip"], a["tcp_port"]);
  EXPECT_EQ(get(conn, "destination.domain"), name);
}

TEST_P(NetEvents, DnsNxdomainOverAnUnconnectedSocket) {
  ACT(a, "net-dns-unconnected");
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  EXPECT_EQ(get(q, "dns.question.type"), "AAAA");
  EXPECT_EQ(get(q, "nightjar.syscall"), "sendto");
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  EXPECT_EQ(get(r, "dns.response_code"), "NXDOMAIN");
  EXPECT_EQ(get(r, "dns.question.name"), a["name"]);
  EXPECT_EQ(get(r, "dns.answers"), json::array());
  EXPECT_FALSE(has(r, "dns.resolved_ip"));
  EXPECT_EQ(get(r, "nightjar.syscall"), "recvfrom");
}

TEST_P(NetEvents, MalformedDnsIsReportedNotParsed) {
  ACT(a, "net-dns-malformed");
  ran().insert("dns_malformed");
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  EXPECT_EQ(get(q, "nightjar.network.dns.malformed"), true);
  EXPECT_TRUE(get(q, "nightjar.network.dns.error").is_string());
  EXPECT_FALSE(has(q, "dns"));
  EXPECT_EQ(get(q, "nightjar.network.dns.payload_bytes"), 40);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  EXPECT_EQ(get(r, "nightjar.network.dns.payload_bytes"), 30);
}

TEST_P(NetEvents, DnsAcrossAVethPair) {
  ACT(a, "net-dns-veth");
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  expect_endpoint(q, "source", a["client_ip"], cport);
  expect_endpoint(q, "destination", a["server_ip"], 53);
  EXPECT_EQ(get(q, "dns.question.name"), a["name"]);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  EXPECT_EQ(get(r, "dns.resolved_ip"), json::array({a["answer_ip"]}));
  EXPECT_EQ(get(r, "network.community_id"), get(q, "network.community_id"));
}

// DNS through calls the UDP syscall pairs do not hook is found by
// sock:sock_send_length / sock_recv_length (6.3+), its bytes through the
// syscall's registers. Without them, only the connection is seen.
#define NEED_SOCK_LENGTH()                                                                                   \
  if (!hooked("network.udp_other")) {                                                                        \
    if (tracepoint_exists("sock", "sock_send_length")) FAIL() << "sock:sock_send_length is there, unhooked"; \
    GTEST_SKIP() << "no sock:sock_send_length here (Linux 6.3+): this DNS is not parsed (documented)";       \
  }

void expect_dns_pair(const json& q, const json& r, const json& a) {
  expect_endpoint(q, "destination", "127.0.0.1", 53);
  EXPECT_EQ(get(q, "network.direction"), "egress");
  EXPECT_EQ(get(q, "dns.type"), "query");
  EXPECT_EQ(get(q, "dns.id"), std::to_string(a["query_id"].get<long>()));
  EXPECT_EQ(get(q, "dns.question.name"), a["name"]);
  EXPECT_EQ(get(q, "dns.question.type"), "A");
  EXPECT_EQ(get(q, "nightjar.network.dns.payload_bytes"), a["query_len"]);
  EXPECT_FALSE(has(q, "nightjar.syscall"));
  expect_endpoint(r, "source", "127.0.0.1", 53);
  EXPECT_EQ(get(r, "network.direction"), "ingress");
  EXPECT_EQ(get(r, "dns.response_code"), "NOERROR");
  EXPECT_EQ(get(r, "dns.question.name"), a["name"]);
  EXPECT_EQ(get(r, "dns.resolved_ip"), json::array({a["answer_ip"]}));
  EXPECT_EQ(get(r, "nightjar.network.dns.payload_bytes"), a["answer_len"]);
  EXPECT_FALSE(has(r, "nightjar.syscall"));
  EXPECT_EQ(get(r, "network.community_id"), get(q, "network.community_id"));
}

// Go's resolver: write(2) and read(2) on a connected UDP socket.
TEST_P(NetEvents, DnsThroughWriteAndRead) {
  ACT(a, "net-dns-rw");
  NEED_SOCK_LENGTH();
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  for (const json* e : {&q, &r}) {
    expect_common(*e, pid, "udp", "ipv4");
    EXPECT_EQ(get(*e, "nightjar.network.other_call"), true);
  }
  expect_dns_pair(q, r, a);
  EXPECT_EQ(get(q, "nightjar.network.bytes"), a["query_len"]);
  EXPECT_EQ(get(r, "nightjar.network.bytes"), a["answer_len"]);
  FIND(flow, "udp send", "udp", pid, cport, [](const json& x) { return get(x, "network.direction") == "egress"; });
  EXPECT_EQ(get(flow, "nightjar.network.other_call"), true);
  expect_endpoint(flow, "destination", "127.0.0.1", 53);
}

// glibc's resolver over TCP: one writev of the length and the query; the
// answer's length read alone (not a message: no event), then the answer.
TEST_P(NetEvents, DnsOverTcpWithTheLengthApart) {
  ACT(a, "net-dns-tcp");
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(conn, "connect", "connect", pid, cport);
  expect_endpoint(conn, "destination", "127.0.0.1", 53);
  NEED_SOCK_LENGTH();
  FIND(q, "dns_query", "dns_query", pid, cport);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  for (const json* e : {&q, &r}) {
    expect_common(*e, pid, "tcp", "ipv4");
    EXPECT_FALSE(has(*e, "nightjar.network.other_call"));
    EXPECT_FALSE(has(*e, "nightjar.network.dns.malformed"));
  }
  expect_dns_pair(q, r, a);
  EXPECT_EQ(get(q, "nightjar.network.bytes"), a["query_len"].get<long>() + 2);
  EXPECT_EQ(get(r, "nightjar.network.bytes"), a["answer_len"]);
  EXPECT_EQ(all_of("dns_answer", pid, cport, "ingress").size(), 1u);
  EXPECT_EQ(all_of("dns_query", pid, cport, "egress").size(), 1u);
}

// An answer read in two calls after its length: the first is the message's
// start (parsed, and said to be cut), the second no message at all.
TEST_P(NetEvents, DnsOverTcpReadInPieces) {
  ACT(a, "net-dns-tcp-pieces");
  NEED_SOCK_LENGTH();
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  EXPECT_EQ(get(q, "dns.question.name"), a["name"]);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  expect_common(r, pid, "tcp", "ipv4");
  EXPECT_EQ(get(r, "nightjar.network.bytes"), a["first_piece"]);
  EXPECT_EQ(get(r, "nightjar.network.dns.payload_bytes"), a["first_piece"]);
  EXPECT_EQ(get(r, "nightjar.network.dns.payload_cut"), true);
  EXPECT_EQ(all_of("dns_answer", pid, cport, "ingress").size(), 1u);
}

// glibc's parallel A and AAAA queries over TCP: one writev of four buffers
// (length, query, length, query) is two queries; their answers, two.
TEST_P(NetEvents, DnsOverTcpParallelQueriesInOneWritev) {
  ACT(a, "net-dns-tcp-pair");
  NEED_SOCK_LENGTH();
  const long pid = a["client_pid"], cport = a["client_port"], id = a["query_id"];
  auto of_type = [](const std::string& t) { return [t](const json& x) { return get(x, "dns.question.type") == t; }; };
  FIND(qa, "A query", "dns_query", pid, cport, of_type("A"));
  FIND(qaaaa, "AAAA query", "dns_query", pid, cport, of_type("AAAA"));
  EXPECT_EQ(get(qa, "dns.id"), std::to_string(id));
  EXPECT_EQ(get(qaaaa, "dns.id"), std::to_string(id + 1));
  for (const json* q : {&qa, &qaaaa}) {
    expect_common(*q, pid, "tcp", "ipv4");
    EXPECT_EQ(get(*q, "dns.question.name"), a["name"]);
    EXPECT_EQ(get(*q, "nightjar.network.dns.payload_bytes"), a["query_len"]);
  }
  FIND(ra, "A answer", "dns_answer", pid, cport, of_type("A"));
  FIND(raaaa, "AAAA answer", "dns_answer", pid, cport, of_type("AAAA"));
  EXPECT_EQ(get(ra, "dns.resolved_ip"), json::array({a["answer_ip"]}));
  EXPECT_EQ(all_of("dns_query", pid, cport, "egress").size(), 2u);
  EXPECT_EQ(all_of("dns_answer", pid, cport, "ingress").size(), 2u);
}

// Go's and dig's way: the length and the message in one buffer, both ways.
TEST_P(NetEvents, DnsOverTcpInOneBuffer) {
  ACT(a, "net-dns-tcp-one");
  NEED_SOCK_LENGTH();
  const long pid = a["client_pid"], cport = a["client_port"];
  FIND(q, "dns_query", "dns_query", pid, cport);
  FIND(r, "dns_answer", "dns_answer", pid, cport);
  expect_common(q, pid, "tcp", "ipv4");
  expect_dns_pair(q, r, a);
  EXPECT_EQ(get(q, "nightjar.network.bytes"), a["query_len"].get<long>() + 2);
  EXPECT_EQ(get(r, "nightjar.network.bytes"), a["answer_len"].get<long>() + 2);
}

// glibc's resolver sends its A and AAAA queries in one sendmmsg: each
// message is its own datagram (peer, payload), both queries are parsed,
// and so are both answers read by one recvmmsg.
TEST_P(NetEvents, DnsParallelQueriesInOneSendmmsg) {
  ACT(a, "net-dns-mmsg");
  const long pid = a["client_pid"], cport = a["client_port"], id = a["query_id"];
  auto of_type = [](const std::string& t) { return [t](const json& x) { return get(x, "dns.question.type") == t; }; };
  FIND(qa, "A query", "dns_query", pid, cport, of_type("A"));
  FIND(qaaaa, "AAAA query", "dns_query", pid, cport, of_type("AAAA"));
  for (const json* q : {&qa, &qaaaa}) {
    expect_common(*q, pid, "udp", "ipv4");
    expect_endpoint(*q, "destination", "127.0.0.1", 53);
    EXPECT_EQ(get(*q, "network.direction"), "egress");
    EXPECT_EQ(get(*q, "nightjar.syscall"), "sendmmsg");
    EXPECT_EQ(get(*q, "dns.question.name"), a["name"]);
    EXPECT_FALSE(has(*q, "nightjar.network.datagrams_unexamined"));
  }
  EXPECT_EQ(get(qa, "dns.id"), std::to_string(id));
  EXPECT_EQ(get(qaaaa, "dns.id"), std::to_string(id + 1));
  EXPECT_NE(get(qa, "event.id"), get(qaaaa, "event.id"));
  // Message by message, as if each were sent alone: the A query, then the
  // udp event of the resolver's flow it opened, then the AAAA query (which
  // folds into that flow).
  FIND(u53, "udp to the resolver", "udp", pid, cport,
       [](const json& x) { return get(x, "network.direction") == "egress" && port_of(x, "destination") == 53; });
  EXPECT_EQ(get(u53, "nightjar.network.bytes"), get(qa, "nightjar.network.bytes"));
  const auto lines = sensor().lines();
  auto line_of = [&](const json& e) {
    const std::string eid = get(e, "event.id");
    for (size_t i = 0; i < lines.size(); i++)
      if (lines[i].find(eid) != std::string::npos) return i;
    return lines.size();
  };
  EXPECT_LT(line_of(qa), line_of(u53)) << "the udp event came before its message's DNS event";
  EXPECT_LT(line_of(u53), line_of(qaaaa)) << "the second message's event came before the first's";
  // The batch's other two peers, each a flow of its own.
  for (const auto& [ip, port] : {std::pair<std::string, long>{"127.0.0.2", a["peer2_port"]},
                                 std::pair<std::string, long>{"127.0.0.3", a["peer3_port"]}}) {
    FIND(u, "udp to " + ip, "udp", pid, cport,
         [&](const json& x) { return get(x, "network.direction") == "egress" && port_of(x, "destination") == port; });
    expect_endpoint(u, "destination", ip, port);
    EXPECT_EQ(get(u, "nightjar.syscall"), "sendmmsg");
    EXPECT_EQ(get(u, "nightjar.network.bytes"), 16);
    EXPECT_EQ(get(u, "nightjar.network.datagrams_folded_before"), 0);
    EXPECT_FALSE(has(u, "nightjar.network.datagrams_unexamined"));
  }
  FIND(ra, "A answer", "dns_answer", pid, cport, of_type("A"));
  FIND(raaaa, "AAAA answer", "dns_answer", pid, cport, of_type("AAAA"));
  for (const json* r : {&ra, &raaaa}) {
    expect_endpoint(*r, "source", "127.0.0.1", 53);
    EXPECT_EQ(get(*r, "network.direction"), "ingress");
    EXPECT_EQ(get(*r, "nightjar.syscall"), "recvmmsg");
    EXPECT_EQ(get(*r, "dns.resolved_ip"), json::array({a["answer_ip"]}));
  }
  EXPECT_EQ(get(ra, "dns.id"), std::to_string(id));
  EXPECT_EQ(get(raaaa, "dns.id"), std::to_string(id + 1));
}

// A batch longer than the exit programs examine: its first 8 datagrams
// are seen (8 peers, 8 flows), the other 3 counted on each event and in
// the filters.
TEST_P(NetEvents, SendmmsgPastTheLimitIsCounted) {
  ACT(a, "net-udp-mmsg-long");
  ran().insert("udp_mmsg_unexamined");
  const long pid = a["pid"], sp = a["sender_port"];
  const long past = a["datagrams"].get<long>() - 8;
  for (int i = 0; i < 8; i++) {
    const long port = a["port" + std::to_string(i)];
    FIND(u, "udp to port" + std::to_string(i), "udp", pid, sp,
         [&](const json& x) { return get(x, "network.direction") == "egress" && port_of(x, "destination") == port; });
    expect_common(u, pid, "udp", "ipv4");
    expect_endpoint(u, "destination", "127.0.0.1", port);
    EXPECT_EQ(get(u, "nightjar.syscall"), "sendmmsg");
    EXPECT_EQ(get(u, "nightjar.network.bytes"), a["bytes"]);
    EXPECT_EQ(get(u, "nightjar.network.datagrams_unexamined"), past) << "port" << i;
  }
  EXPECT_EQ(all_of("udp", pid, sp, "egress").size(), 8u);
}

TEST_P(NetEvents, AttackBashDevTcpReverseShell) {
  ACT(a, "net-revshell");
  const long shell = a["shell_pid"], sport = a["server_port"];
  FIND(conn, "bash's connect", "connect", shell, 0, [&](const json& x) { return port_of(x, "destination") == sport; });
  EXPECT_EQ(get(conn, "process.name"), "bash");
  EXPECT_EQ(get(conn, "nightjar.network.result"), "established");
  expect_endpoint(conn, "destination", "127.0.0.1", sport);
  FIND(acc, "listener's accept", "accept", a["pid"].get<long>(), sport);
  EXPECT_EQ(get(acc, "network.community_id"), get(conn, "network.community_id"));
}

TEST_P(NetEvents, AttackPortScan) {
  ACT(a, "net-portscan");
  const long pid = a["pid"], first = a["closed_first"];
  FIND(open, "connect to the open port", "connect", pid, 0,
       [&](const json& x) { return port_of(x, "destination") == a["open_port"].get<long>(); });
  EXPECT_EQ(get(open, "nightjar.network.result"), "established");
  FIND(one, "refused connect", "connect", pid, 0, [&](const json& x) { return port_of(x, "destination") == first; });
  auto refused = sensor().all(
      [&](const json& x) { return is_net(x, "connect", pid) && get(x, "nightjar.network.result") == "refused"; }, 500);
  EXPECT_EQ(refused.size(), a["closed_count"].get<size_t>());
}

TEST_P(NetEvents, AttackUdpExfiltrationIsOneFlowEvent) {
  ACT(a, "net-udp-exfil");
  const long pid = a["pid"], sp = a["sender_port"];
  FIND(out, "udp send", "udp", pid, sp, [](const json& x) { return get(x, "network.direction") == "egress"; });
  EXPECT_EQ(get(out, "nightjar.network.bytes"), 512);
  EXPECT_EQ(all_of("udp", pid, sp, "egress").size(), 1u);
}

TEST_P(NetEvents, AttackDownloadWithCurlOrWget) {
  ACT(a, "net-http-download");
  const long tool = a["client_pid"], sport = a["server_port"];
  FIND(conn, "the download's connect", "connect", tool, 0,
       [&](const json& x) { return port_of(x, "destination") == sport; });
  EXPECT_EQ(get(conn, "process.name"), a["tool"]);
  // curl connects without blocking: the result follows.
  if (get(conn, "nightjar.network.result") == "in_progress") {
    FIND(res, "the download's connect result", "connect_result", tool, 0,
         [&](const json& x) { return get(x, "nightjar.network.connection_id") == get(conn, "event.id"); });
    EXPECT_EQ(get(res, "nightjar.network.result"), "established");
  } else {
    EXPECT_EQ(get(conn, "nightjar.network.result"), "established");
  }
  FIND(end, "the download's end", "close", tool, 0, [&](const json& x) { return port_of(x, "destination") == sport; });
  EXPECT_GT(get(end, "nightjar.network.bytes_received").get<uint64_t>(), 0u);
  // ... made executable ...
  json chmod = sensor().wait_for(
      [&](const json& x) {
        return get(x, "event.action") == "chmod" && get(x, "process.pid") == a["pid"] &&
               get(x, "file.path") == a["path"];
      },
      kWaitMs);
  END_UNLESS_FOUND(chmod, "chmod of the download");
  EXPECT_EQ(get(chmod, "nightjar.file.new_mode"), "0755");
  // ... and the file it fetched is what runs next.
  json exec = sensor().wait_for([&](const json& x) { return is_exec(x, a["exec_pid"].get<long>()); }, kWaitMs);
  END_UNLESS_FOUND(exec, "exec of the download");
  EXPECT_EQ(get(exec, "nightjar.filename"), a["path"]);
  EXPECT_EQ(get(exec, "nightjar.script.path"), a["path"]);
}

// More threads asleep inside accept4 at once than a return probe has by
// default (a few per CPU; the kprobe backend makes its own with more,
// src/loader/kretprobe.h): each accept is reported.
TEST_P(NetEvents, EveryThreadWaitingInAcceptIsReported) {
  ACT(a, "net-accept-waiting");
  const long pid = a["pid"], sport = a["server_port"];
  std::set<long> want;
  std::stringstream ports(a["client_ports"].get<std::string>());
  for (std::string p; std::getline(ports, p, ',');) want.insert(std::stol(p));
  ASSERT_EQ(want.size(), a["waiters"].get<size_t>());
  std::set<long> got;
  sensor().wait_for(
      [&](const json& x) {
        if (is_net(x, "accept", pid) && port_of(x, "destination") == sport) got.insert(port_of(x, "source"));
        return got.size() >= want.size();
      },
      kWaitMs);
  if (got != want && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  // fexit has no instances to run out of, but on a preemptible kernel a
  // task preempted inside the program makes the others on that CPU skip it
  // (counted in program_runs_missed_total at the stop; 36 of 40 once on 7.2).
  if (got != want && backend() == "fentry")
    GTEST_SKIP() << "inconclusive on fentry: " << got.size() << " of " << want.size()
                 << " accepts reported, runs skipped while another was preempted are counted at the stop";
  EXPECT_EQ(got, want) << got.size() << " of " << want.size() << " accepts reported";
}

INSTANTIATE_TEST_SUITE_P(NetTransports, NetEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

TEST(NetConnectionEnd, CanBeTurnedOff) {
  SensorProcess s({"--events", "network", "--no-connection-end"});
  json a = act("net-tcp4");
  ASSERT_FALSE(a.is_null());
  const long pid = a["pid"];
  json conn = s.wait_for([&](const json& x) { return is_net(x, "connect", pid); }, kWaitMs);
  ASSERT_FALSE(conn.is_null());
  EXPECT_TRUE(s.all([&](const json& x) { return is_net(x, "close", pid); }, 1000).empty());
  EXPECT_EQ(s.stop(), 0);
}

}  // namespace nj::e2e
