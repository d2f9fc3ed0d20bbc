// The network family's events through the real encoder, one action at a
// time, and the helpers that name results and TCP states. Expected
// Community IDs are the spec's own baseline where its flows fit, else
// computed outside nightjar from the spec: never by the code under test.
#include "families/network/encode.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "encoder_fixture.h"
#include "families/network/view.h"
#include "network_dns_packets.h"
#include "network_records.h"
#include "records.h"

using namespace nj;
using namespace njt;
using json = nlohmann::json;

namespace {

constexpr uint64_t kId = 0x0010000000000123ull;
constexpr uint64_t kConnId = 0x0010000000000065ull;

// community-id-spec's baseline_deflt.json, seed 0.
const char* const kTcpFlowId = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";  // 128.232.110.120:34855 -> 66.35.250.204:80
const char* const kDnsFlowId = "1:d/FP5EW3wiY1vCndhwleRRKHowQ=";  // 192.168.1.52:54585 -> 8.8.8.8:53 (UDP)
const char* const kTcp6FlowId = "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=";
// 10.0.0.5:40000 -> 10.0.0.9:123 over UDP.
const char* const kNtpFlowId = "1:gOqg5ikGDBaT8OqXk91LjOYpwYY=";

// A network record as the BPF side sends it: the full test task, the fixture's time.
nj_net_connect rec(uint16_t type, uint32_t syscall) {
  nj_net_connect r = net_rec(type, kId, syscall, kTs);
  r.op.task = full_task();
  return r;
}

// The client's side of the spec's TCP flow; the server's with `server`.
nj_net_connect tcp_rec(uint16_t type, uint32_t syscall, bool server = false) {
  nj_net_connect r = rec(type, syscall);
  if (server) {
    endpoints(r.op, IPPROTO_TCP, "66.35.250.204", 80, "128.232.110.120", 34855);
    r.op.flags |= NJ_NET_INGRESS;
  } else {
    endpoints(r.op, IPPROTO_TCP, "128.232.110.120", 34855, "66.35.250.204", 80);
  }
  return r;
}

// A resolver's client: 192.168.1.52:54585 and 8.8.8.8:53, the query sent or
// the answer received.
nj_net_connect dns_rec(uint16_t type, const std::vector<uint8_t>& msg) {
  const bool answer = type == NJ_REC_NET_DNS_ANSWER;
  nj_net_connect r = rec(type, answer ? NJ_SYS_RECVFROM : NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "192.168.1.52", 54585, "8.8.8.8", 53);
  if (answer) r.op.flags |= NJ_NET_INGRESS;
  r.op.retval = static_cast<int64_t>(msg.size());
  r.op.bytes_out = msg.size();
  return r;
}

json ep(const char* ip, int port) { return {{"ip", ip}, {"address", ip}, {"port", port}}; }

json tcp(const char* type, const char* direction, const char* community_id) {
  json n = {{"transport", "tcp"}, {"iana_number", "6"}, {"type", type}, {"direction", direction}};
  if (community_id) n["community_id"] = community_id;
  return n;
}

json udp(const char* direction, const char* community_id, bool dns = false) {
  json n = {{"transport", "udp"}, {"iana_number", "17"}, {"type", "ipv4"}, {"direction", direction}};
  if (dns) n["protocol"] = "dns";
  if (community_id) n["community_id"] = community_id;
  return n;
}

// What `dig www.nightjar-test.example A` sends, and the answer: a CNAME to
// the edge name, which has an A and an AAAA record.
std::vector<uint8_t> query() {
  return Packet().header(0x4a4a, 0x0100, 1, 0).question("www.nightjar-test.example", kA).bytes();
}

std::vector<uint8_t> answer() {
  Packet p;
  p.header(0x4a4a, 0x8180, 1, 3).question("www.nightjar-test.example", kA);
  p.ptr(12).fixed(kCname, 1, 300);
  const size_t edge = p.here();
  p.labels("edge").ptr(12 + 4).end();
  p.ptr(edge).fixed(kA, 1, 60).raw({127, 8, 9, 10}).end();
  p.ptr(edge).fixed(kAaaa, 1, 60).raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a}).end();
  return p.bytes();
}

const json kQuestion = {{"name", "www.nightjar-test.example"}, {"type", "A"}, {"class", "IN"}};

json answer_record(const char* name, const char* type, int ttl, const char* data) {
  return {{"name", name}, {"type", type}, {"class", "IN"}, {"ttl", ttl}, {"data", data}};
}

}  // namespace

class NetworkEncoderTest : public EncoderTest {
 protected:
  // The parts that do not depend on the action. syscall: null for the
  // kernel-side events, which have none.
  void expect_common(const json& j, const char* action, const json& type, const char* outcome, const char* syscall) {
    EXPECT_EQ(j["@timestamp"], ts(kTs));
    EXPECT_EQ(j["event"]["kind"], "event");
    EXPECT_EQ(j["event"]["category"], json({"network"}));
    EXPECT_EQ(j["event"]["type"], type);
    EXPECT_EQ(j["event"]["action"], action);
    EXPECT_EQ(j["event"]["outcome"], outcome);
    EXPECT_EQ(j["event"]["id"], "0010000000000123");
    EXPECT_EQ(j["event"]["module"], "nightjar");
    expect_host(j);
    expect_task(j["process"], full_task());
    EXPECT_EQ(j["process"]["name"], "true");
    EXPECT_EQ(j["nightjar"]["backend"], "tracepoint");
    EXPECT_EQ(j["nightjar"]["event_id"], kId);
    if (syscall) {
      EXPECT_EQ(j["nightjar"]["syscall"], syscall);
    } else {
      EXPECT_FALSE(j["nightjar"].contains("syscall"));
    }
    EXPECT_EQ(j["nightjar"]["cgroup_id"], 8888);
    EXPECT_FALSE(j["nightjar"].contains("escaped_fields"));
    if (std::string(outcome) != "failure") {
      EXPECT_FALSE(j.contains("error"));
    }
  }
};

// ---- TCP ----

TEST_F(NetworkEncoderTest, ConnectEstablished) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  json j = encode(net_event(r));
  expect_common(j, "connect", {"connection", "start"}, "success", "connect");
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "egress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"result", "established"}}));
  EXPECT_FALSE(j.contains("dns"));
}

// A non-blocking connect: not a failure, not yet a success.
TEST_F(NetworkEncoderTest, ConnectInProgress) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  r.op.retval = -EINPROGRESS;
  r.op.result = EINPROGRESS;
  json j = encode(net_event(r));
  expect_common(j, "connect", {"connection", "start"}, "unknown", "connect");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["nightjar"]["network"], json({{"result", "in_progress"}}));
}

TEST_F(NetworkEncoderTest, ConnectRefused) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  r.op.retval = -ECONNREFUSED;
  r.op.result = ECONNREFUSED;
  json j = encode(net_event(r));
  expect_common(j, "connect", {"connection", "start"}, "failure", "connect");
  EXPECT_EQ(j["error"], json({{"code", "ECONNREFUSED"}, {"message", "Connection refused"}}));
  EXPECT_EQ(j["network"], tcp("ipv4", "egress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"result", "refused"}}));
}

// The tracepoint settled an earlier in-progress connect in softirq: no
// syscall, the opener's task, the connect's event id.
TEST_F(NetworkEncoderTest, ConnectResultRefused) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT_RESULT, 0);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = kConnId;
  r.op.state = 2;  // TCP_SYN_SENT
  r.op.result = ECONNREFUSED;
  json j = encode(net_event(r));
  expect_common(j, "connect_result", {"connection"}, "failure", nullptr);
  EXPECT_EQ(j["error"], json({{"code", "ECONNREFUSED"}, {"message", "Connection refused"}}));
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "egress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"result", "refused"},
                                            {"connection_id", "0010000000000065"},
                                            {"tcp_state", "SYN_SENT"},
                                            {"attributed_to_opener", true}}));
}

// An id is always 16 hex digits, as event.id is, so the two can be matched
// as strings.
TEST_F(NetworkEncoderTest, ConnectResultEstablished) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT_RESULT, NJ_SYS_CONNECT);
  r.op.conn_id = 0x2a;
  r.op.state = 2;
  json j = encode(net_event(r));
  expect_common(j, "connect_result", {"connection"}, "success", "connect");
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"result", "established"}, {"connection_id", "000000000000002a"}, {"tcp_state", "SYN_SENT"}}));
}

TEST_F(NetworkEncoderTest, ConnectResultTimedOut) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT_RESULT, 0);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = kConnId;
  r.op.state = 2;
  r.op.result = ETIMEDOUT;
  json j = encode(net_event(r));
  expect_common(j, "connect_result", {"connection"}, "failure", nullptr);
  EXPECT_EQ(j["error"]["code"], "ETIMEDOUT");
  EXPECT_EQ(j["nightjar"]["network"]["result"], "timed_out");
}

// The server's side of the same flow: the remote end opened it, so it is
// the source, and the Community ID is the client's.
TEST_F(NetworkEncoderTest, Accept) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_ACCEPT, NJ_SYS_ACCEPT4, /*server=*/true);
  r.op.retval = 5;
  json j = encode(net_event(r));
  expect_common(j, "accept", {"connection", "start"}, "success", "accept4");
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "ingress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json::object());
}

TEST_F(NetworkEncoderTest, Listen) {
  nj_net_connect r = rec(NJ_REC_NET_LISTEN, NJ_SYS_LISTEN);
  endpoints(r.op, IPPROTO_TCP, "127.0.0.1", 49727, "", 0);
  r.op.count = 7;
  json j = encode(net_event(r));
  expect_common(j, "listen", {"start"}, "success", "listen");
  EXPECT_EQ(j["source"], ep("127.0.0.1", 49727));
  EXPECT_FALSE(j.contains("destination"));
  EXPECT_EQ(j["network"], json({{"transport", "tcp"}, {"iana_number", "6"}, {"type", "ipv4"}}));
  EXPECT_EQ(j["nightjar"]["network"], json({{"backlog", 7}}));
}

// Every address: the unspecified one is still the address listened on.
TEST_F(NetworkEncoderTest, ListenOnEveryAddress) {
  nj_net_connect r = rec(NJ_REC_NET_LISTEN, NJ_SYS_LISTEN);
  endpoints(r.op, IPPROTO_TCP, "0.0.0.0", 8080, "", 0);
  r.op.count = 4096;
  json j = encode(net_event(r));
  EXPECT_EQ(j["source"], ep("0.0.0.0", 8080));
  EXPECT_FALSE(j.contains("destination"));
  EXPECT_EQ(j["network"]["type"], "ipv4");

  endpoints(r.op, IPPROTO_TCP, "::", 8080, "::", 0);
  j = encode(net_event(r));
  EXPECT_EQ(j["source"], ep("::", 8080));
  EXPECT_FALSE(j.contains("destination"));
  EXPECT_EQ(j["network"], json({{"transport", "tcp"}, {"iana_number", "6"}, {"type", "ipv6"}}));
  EXPECT_EQ(j["nightjar"]["network"], json({{"backlog", 4096}}));
}

// The client closed first: FIN_WAIT2 left.
TEST_F(NetworkEncoderTest, CloseOfAConnect) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CLOSE, 0);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = kConnId;
  r.op.state = 5;  // TCP_FIN_WAIT2
  r.op.duration_ns = 42'631'517;
  r.op.bytes_out = 1000;
  r.op.bytes_in = 300;
  json j = encode(net_event(r));
  expect_common(j, "close", {"connection", "end"}, "success", nullptr);
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "egress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"connection_id", "0010000000000065"},
                                            {"tcp_state", "FIN_WAIT2"},
                                            {"duration_ns", 42'631'517},
                                            {"bytes_sent", 1000},
                                            {"bytes_received", 300},
                                            {"attributed_to_opener", true}}));
}

// The server's end of the same connection: ingress, so the client is the
// source, and the bytes are the server's own.
TEST_F(NetworkEncoderTest, CloseOfAnAccept) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CLOSE, 0, /*server=*/true);
  r.op.flags |= NJ_NET_OPENER;
  r.op.conn_id = kConnId + 1;
  r.op.state = 9;  // TCP_LAST_ACK
  r.op.duration_ns = 40'000'000;
  r.op.bytes_out = 300;
  r.op.bytes_in = 1000;
  json j = encode(net_event(r));
  expect_common(j, "close", {"connection", "end"}, "success", nullptr);
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "ingress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"connection_id", "0010000000000066"},
                                            {"tcp_state", "LAST_ACK"},
                                            {"duration_ns", 40'000'000},
                                            {"bytes_sent", 300},
                                            {"bytes_received", 1000},
                                            {"attributed_to_opener", true}}));
}

// ---- UDP ----

TEST_F(NetworkEncoderTest, UdpEgress) {
  nj_net_connect r = rec(NJ_REC_NET_UDP, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.9", 123);
  r.op.retval = r.op.bytes_out = 48;
  json j = encode(net_event(r));
  expect_common(j, "udp", {"connection"}, "success", "sendto");
  EXPECT_EQ(j["source"], ep("10.0.0.5", 40000));
  EXPECT_EQ(j["destination"], ep("10.0.0.9", 123));
  EXPECT_EQ(j["network"], udp("egress", kNtpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", 48}, {"datagrams_folded_before", 0}}));
}

// The reply to it, after its window closed on 41 more datagrams.
TEST_F(NetworkEncoderTest, UdpIngressAfterAWindow) {
  nj_net_connect r = rec(NJ_REC_NET_UDP, NJ_SYS_RECVMSG);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.9", 123);
  r.op.flags |= NJ_NET_INGRESS;
  r.op.retval = r.op.bytes_out = 48;
  r.op.count = 41;
  json j = encode(net_event(r));
  expect_common(j, "udp", {"connection"}, "success", "recvmsg");
  EXPECT_EQ(j["source"], ep("10.0.0.9", 123));
  EXPECT_EQ(j["destination"], ep("10.0.0.5", 40000));
  EXPECT_EQ(j["network"], udp("ingress", kNtpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", 48}, {"datagrams_folded_before", 41}}));
}

// recv(2) on an unconnected socket: the sender is not known, so there is no
// source and no flow to hash.
TEST_F(NetworkEncoderTest, UdpIngressFromAnUnknownSender) {
  nj_net_connect r = rec(NJ_REC_NET_UDP, NJ_SYS_RECVFROM);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "", 0);
  r.op.flags |= NJ_NET_INGRESS | NJ_NET_REMOTE_UNKNOWN;
  r.op.retval = r.op.bytes_out = 100;
  json j = encode(net_event(r));
  expect_common(j, "udp", {"connection"}, "success", "recvfrom");
  EXPECT_FALSE(j.contains("source"));
  EXPECT_EQ(j["destination"], ep("10.0.0.5", 40000));
  EXPECT_EQ(j["network"], udp("ingress", nullptr));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", 100}, {"datagrams_folded_before", 0}, {"remote_unknown", true}}));
}

// A sendmmsg of 11 datagrams: each of its first 8 events says how many
// were past them, not examined (op.state, unused by UDP otherwise).
TEST_F(NetworkEncoderTest, UdpFromALongSendmmsgCountsTheUnexamined) {
  nj_net_connect r = rec(NJ_REC_NET_UDP, NJ_SYS_SENDMMSG);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.9", 123);
  r.op.retval = 11;
  r.op.bytes_out = 48;
  r.op.state = 3;
  json j = encode(net_event(r));
  expect_common(j, "udp", {"connection"}, "success", "sendmmsg");
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", 48}, {"datagrams_folded_before", 0}, {"datagrams_unexamined", 3}}));
}

// A socket bound to 0.0.0.0 sending before the route picked its address:
// no Community ID, which would match nothing seen on the wire.
TEST_F(NetworkEncoderTest, NoCommunityIdFromTheUnspecifiedAddress) {
  nj_net_connect r = rec(NJ_REC_NET_UDP, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "0.0.0.0", 50012, "10.0.0.9", 123);
  r.op.bytes_out = 48;
  json j = encode(net_event(r));
  EXPECT_EQ(j["source"], ep("0.0.0.0", 50012));
  EXPECT_EQ(j["destination"], ep("10.0.0.9", 123));
  EXPECT_EQ(j["network"], udp("egress", nullptr));

  endpoints(r.op, IPPROTO_UDP, "::", 50012, "2001:db8::9", 123);
  j = encode(net_event(r));
  EXPECT_EQ(j["source"], ep("::", 50012));
  EXPECT_EQ(j["destination"], ep("2001:db8::9", 123));
  EXPECT_EQ(j["network"],
            json({{"transport", "udp"}, {"iana_number", "17"}, {"type", "ipv6"}, {"direction", "egress"}}));
}

// ---- DNS ----

TEST_F(NetworkEncoderTest, DnsQuery) {
  const std::vector<uint8_t> msg = query();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_QUERY, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  expect_common(j, "dns_query", {"protocol"}, "success", "sendto");
  EXPECT_EQ(j["source"], ep("192.168.1.52", 54585));
  EXPECT_EQ(j["destination"], ep("8.8.8.8", 53));
  EXPECT_EQ(j["network"], udp("egress", kDnsFlowId, /*dns=*/true));
  EXPECT_EQ(j["dns"], json({{"id", "19018"},
                            {"type", "query"},
                            {"op_code", "QUERY"},
                            {"header_flags", {"RD"}},
                            {"question", kQuestion}}));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", msg.size()}, {"dns", {{"payload_bytes", msg.size()}}}}));
}

// The answer comes back on the same flow: the resolver is the source, the
// Community ID the query's.
TEST_F(NetworkEncoderTest, DnsAnswer) {
  const std::vector<uint8_t> msg = answer();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_ANSWER, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  expect_common(j, "dns_answer", {"protocol"}, "success", "recvfrom");
  EXPECT_EQ(j["source"], ep("8.8.8.8", 53));
  EXPECT_EQ(j["destination"], ep("192.168.1.52", 54585));
  EXPECT_EQ(j["network"], udp("ingress", kDnsFlowId, /*dns=*/true));
  EXPECT_EQ(j["dns"], json({{"id", "19018"},
                            {"type", "answer"},
                            {"op_code", "QUERY"},
                            {"header_flags", {"RD", "RA"}},
                            {"response_code", "NOERROR"},
                            {"question", kQuestion},
                            {"answers",
                             {answer_record("www.nightjar-test.example", "CNAME", 300, "edge.nightjar-test.example"),
                              answer_record("edge.nightjar-test.example", "A", 60, "127.8.9.10"),
                              answer_record("edge.nightjar-test.example", "AAAA", 60, "2001:db8::a")}},
                            {"resolved_ip", {"127.8.9.10", "2001:db8::a"}}}));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", msg.size()}, {"dns", {{"payload_bytes", msg.size()}}}}));
}

// A DNS message of such a batch says it too; one of a short batch does not.
TEST_F(NetworkEncoderTest, DnsQueryFromALongSendmmsgCountsTheUnexamined) {
  const std::vector<uint8_t> msg = query();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_QUERY, msg);
  r.op.syscall = NJ_SYS_SENDMMSG;
  r.op.state = 5;
  json j = encode(net_event(r, {payload(kId, msg)}));
  expect_common(j, "dns_query", {"protocol"}, "success", "sendmmsg");
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", msg.size()}, {"datagrams_unexamined", 5}, {"dns", {{"payload_bytes", msg.size()}}}}));
  r.op.state = 0;
  j = encode(net_event(r, {payload(kId, msg)}));
  EXPECT_FALSE(j["nightjar"]["network"].contains("datagrams_unexamined"));
}

// No such name: the answer section is there, empty, and no address.
TEST_F(NetworkEncoderTest, DnsAnswerNxdomain) {
  const std::vector<uint8_t> msg = nxdomain();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_ANSWER, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  expect_common(j, "dns_answer", {"protocol"}, "success", "recvfrom");
  EXPECT_EQ(j["dns"], json({{"id", "48879"},
                            {"type", "answer"},
                            {"op_code", "QUERY"},
                            {"header_flags", {"RD", "RA"}},
                            {"response_code", "NXDOMAIN"},
                            {"question", {{"name", "nosuch.example.com"}, {"type", "A"}, {"class", "IN"}}},
                            {"answers", json::array()}}));
}

// A question name that points at itself: not DNS, so no dns block, and the
// reason; still a success, as the datagram was sent.
TEST_F(NetworkEncoderTest, DnsMalformedPayload) {
  Packet p;
  p.header(0x0102, 0x0100, 1, 0).ptr(12).u16(kA).u16(1);
  const std::vector<uint8_t> msg = p.bytes();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_QUERY, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  expect_common(j, "dns_query", {"protocol"}, "success", "sendto");
  EXPECT_FALSE(j.contains("dns"));
  EXPECT_EQ(j["network"], udp("egress", kDnsFlowId, /*dns=*/true));
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", msg.size()},
                  {"dns", {{"payload_bytes", msg.size()}, {"malformed", true}, {"error", "name pointer loop"}}}}));
}

// A datagram longer than the capture: what parsed before the cut is kept,
// and both the capture and the message say they were cut.
TEST_F(NetworkEncoderTest, DnsAnswerCutShort) {
  const std::vector<uint8_t> full = answer();
  const std::vector<uint8_t> cut(full.begin(), full.end() - 6);  // inside the AAAA's address
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_ANSWER, full);
  json j = encode(net_event(r, {payload(kId, cut, NJ_STR_TRUNCATED)}));
  ASSERT_TRUE(j.contains("dns"));
  EXPECT_EQ(j["dns"]["answers"],
            json::array({answer_record("www.nightjar-test.example", "CNAME", 300, "edge.nightjar-test.example"),
                         answer_record("edge.nightjar-test.example", "A", 60, "127.8.9.10")}));
  EXPECT_EQ(j["dns"]["resolved_ip"], json({"127.8.9.10"}));
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", full.size()},
                  {"dns", {{"payload_bytes", cut.size()}, {"payload_cut", true}, {"message_cut", true}}}}));
}

// A record whose owner name is invalid: the records before it are kept.
TEST_F(NetworkEncoderTest, DnsAnswerWithAMalformedRecord) {
  Packet p;
  p.header(0x4a4a, 0x8180, 1, 2).question("www.nightjar-test.example", kA);
  p.ptr(12).fixed(kA, 1, 60).raw({127, 8, 9, 10}).end();
  p.u8(0x40).fixed(kA, 1, 60).raw({127, 8, 9, 11}).end();  // a retired label type
  const std::vector<uint8_t> msg = p.bytes();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_ANSWER, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  EXPECT_EQ(j["dns"]["answers"], json::array({answer_record("www.nightjar-test.example", "A", 60, "127.8.9.10")}));
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", msg.size()}, {"dns", {{"payload_bytes", msg.size()}, {"records_malformed", true}}}}));
}

// The ring buffer had no room for the payload: the event still comes, and
// says why it has no dns block.
TEST_F(NetworkEncoderTest, DnsPayloadLost) {
  const std::vector<uint8_t> msg = query();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_QUERY, msg);
  r.op.flags |= NJ_NET_PARTS_LOST;
  json j = encode(net_event(r));
  expect_common(j, "dns_query", {"protocol"}, "success", "sendto");
  EXPECT_FALSE(j.contains("dns"));
  EXPECT_EQ(j["nightjar"]["network"],
            json({{"bytes", msg.size()},
                  {"parts_lost", true},
                  {"dns", {{"payload_bytes", 0}, {"malformed", true}, {"error", "payload missing"}}}}));
}

// A plain UDP event's payload is nobody's business: even a DNS-looking
// part on it makes no dns block.
TEST_F(NetworkEncoderTest, UdpEventIgnoresAPayload) {
  const std::vector<uint8_t> msg = query();
  nj_net_connect r = dns_rec(NJ_REC_NET_UDP, msg);
  json j = encode(net_event(r, {payload(kId, msg)}));
  EXPECT_FALSE(j.contains("dns"));
  EXPECT_FALSE(j["network"].contains("protocol"));
  EXPECT_EQ(j["nightjar"]["network"], json({{"bytes", msg.size()}, {"datagrams_folded_before", 0}}));
}

// ---- address families ----

TEST_F(NetworkEncoderTest, Ipv6Connect) {
  nj_net_connect r = rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:0c03:0:0:0:1a", 25);
  json j = encode(net_event(r));
  expect_common(j, "connect", {"connection", "start"}, "success", "connect");
  EXPECT_EQ(j["source"], ep("2001:470:e5bf:dead:4957:2174:e82c:4887", 63943));
  EXPECT_EQ(j["destination"], ep("2607:f8b0:400c:c03::1a", 25));
  EXPECT_EQ(j["network"], tcp("ipv6", "egress", kTcp6FlowId));
  EXPECT_FALSE(j["nightjar"]["network"].contains("ipv4_mapped"));
}

// RFC 5952: lower case, no leading zeros, the longest run of zero groups
// (the first of equal ones) as "::", a lone zero group kept.
TEST_F(NetworkEncoderTest, Ipv6TextIsCanonical) {
  nj_net_connect r = rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "2001:DB8:0:0:1:0:0:1", 40000, "2001:0db8:0000:0001:0000:0000:0000:0001", 443);
  json j = encode(net_event(r));
  EXPECT_EQ(j["source"]["ip"], "2001:db8::1:0:0:1");
  EXPECT_EQ(j["destination"]["ip"], "2001:db8:0:1::1");

  endpoints(r.op, IPPROTO_TCP, "2001:db8:0:1:1:1:1:1", 40000, "::1", 443);
  j = encode(net_event(r));
  EXPECT_EQ(j["source"]["ip"], "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(j["destination"]["ip"], "::1");
}

// An IPv6 socket talking to an IPv4 peer: reported as the IPv4 packets on
// the wire are, down to the Community ID.
TEST_F(NetworkEncoderTest, V4MappedConnect) {
  nj_net_connect r = rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "::ffff:128.232.110.120", 34855, "::ffff:66.35.250.204", 80);
  ASSERT_EQ(r.op.ep.family, AF_INET6);
  json j = encode(net_event(r));
  expect_common(j, "connect", {"connection", "start"}, "success", "connect");
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
  EXPECT_EQ(j["network"], tcp("ipv4", "egress", kTcpFlowId));
  EXPECT_EQ(j["nightjar"]["network"], json({{"result", "established"}, {"ipv4_mapped", true}}));
}

TEST_F(NetworkEncoderTest, V4MappedDnsAnswer) {
  const std::vector<uint8_t> msg = answer();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_ANSWER, msg);
  endpoints(r.op, IPPROTO_UDP, "::ffff:192.168.1.52", 54585, "::ffff:8.8.8.8", 53);
  json j = encode(net_event(r, {payload(kId, msg)}));
  EXPECT_EQ(j["source"], ep("8.8.8.8", 53));
  EXPECT_EQ(j["destination"], ep("192.168.1.52", 54585));
  EXPECT_EQ(j["network"], udp("ingress", kDnsFlowId, /*dns=*/true));
  EXPECT_EQ(j["nightjar"]["network"]["ipv4_mapped"], true);
}

// An unbound dual-stack socket asking an IPv4 resolver: its own end is ::
// in the kernel, but the datagram on the wire is IPv4 both ways.
TEST_F(NetworkEncoderTest, UnboundDualStackSocketToAnIpv4Peer) {
  const std::vector<uint8_t> msg = query();
  nj_net_connect r = dns_rec(NJ_REC_NET_DNS_QUERY, msg);
  endpoints(r.op, IPPROTO_UDP, "::", 54585, "::ffff:8.8.8.8", 53);
  json j = encode(net_event(r, {payload(kId, msg)}));
  EXPECT_EQ(j["source"], ep("0.0.0.0", 54585));
  EXPECT_EQ(j["destination"], ep("8.8.8.8", 53));
  EXPECT_EQ(j["network"], udp("egress", nullptr, /*dns=*/true));
  EXPECT_EQ(j["nightjar"]["network"]["ipv4_mapped"], true);
}

// ---- the tracker's view ----

// The name an earlier answer gave goes on the remote end, whichever side
// of the event that is.
TEST_F(NetworkEncoderTest, DomainFromTheView) {
  nj_net_connect r = tcp_rec(NJ_REC_NET_CONNECT, NJ_SYS_CONNECT);
  Event ev = net_event(r);
  Enrichment en;
  NetView v = make_net_view(NJ_REC_NET_CONNECT, r.op, ev);
  v.domain = "www.nightjar-test.example";
  en.view = v;
  json j = encode(ev, &en);
  EXPECT_EQ(j["source"], ep("128.232.110.120", 34855));
  json dst = ep("66.35.250.204", 80);
  dst["domain"] = "www.nightjar-test.example";
  EXPECT_EQ(j["destination"], dst);

  r = tcp_rec(NJ_REC_NET_ACCEPT, NJ_SYS_ACCEPT, /*server=*/true);
  ev = net_event(r);
  v = make_net_view(NJ_REC_NET_ACCEPT, r.op, ev);
  v.domain = "client.nightjar-test.example";
  en.view = v;
  j = encode(ev, &en);
  json src = ep("128.232.110.120", 34855);
  src["domain"] = "client.nightjar-test.example";
  EXPECT_EQ(j["source"], src);
  EXPECT_EQ(j["destination"], ep("66.35.250.204", 80));
}

// ---- the helpers ----

TEST(NetworkNames, ConnectResult) {
  EXPECT_STREQ(connect_result_name(0), "established");
  EXPECT_STREQ(connect_result_name(EINPROGRESS), "in_progress");
  EXPECT_STREQ(connect_result_name(ECONNREFUSED), "refused");
  EXPECT_STREQ(connect_result_name(ETIMEDOUT), "timed_out");
  EXPECT_STREQ(connect_result_name(ENETUNREACH), "unreachable");
  EXPECT_STREQ(connect_result_name(EHOSTUNREACH), "unreachable");
  EXPECT_STREQ(connect_result_name(ECONNABORTED), "aborted");
  EXPECT_STREQ(connect_result_name(ECONNRESET), "reset");
  EXPECT_STREQ(connect_result_name(EACCES), "error");
  EXPECT_STREQ(connect_result_name(EADDRNOTAVAIL), "error");
  EXPECT_STREQ(connect_result_name(-1), "error");
}

// include/net/tcp_states.h, in the kernel's order.
TEST(NetworkNames, TcpState) {
  const std::vector<std::string> kernel = {"ESTABLISHED", "SYN_SENT",     "SYN_RECV",      "FIN_WAIT1", "FIN_WAIT2",
                                           "TIME_WAIT",   "CLOSE",        "CLOSE_WAIT",    "LAST_ACK",  "LISTEN",
                                           "CLOSING",     "NEW_SYN_RECV", "BOUND_INACTIVE"};
  for (uint32_t s = 1; s <= kernel.size(); s++) EXPECT_EQ(tcp_state_name(s), kernel[s - 1]) << s;
  EXPECT_STREQ(tcp_state_name(0), "UNKNOWN");
  EXPECT_STREQ(tcp_state_name(14), "UNKNOWN");
  EXPECT_STREQ(tcp_state_name(0xffffffffu), "UNKNOWN");
}
