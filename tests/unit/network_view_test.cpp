// The network family's view: each end of a socket as the encoder and the
// domain cache want it, and a DNS event's payload parsed once.
#include "families/network/view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "network_dns_packets.h"
#include "network_records.h"
#include "records.h"

using namespace nj;
using namespace njt;

namespace {

constexpr uint64_t kId = 0x0010000000000321ull;
using Addr = std::vector<uint8_t>;

NetView view_of(const nj_net_connect& r, const std::vector<Bytes>& parts = {}) {
  return make_net_view(r.hdr.type, r.op, net_event(r, parts));
}

Addr addr_of(const Endpoint& e) {
  const auto b = addr_bytes(e);
  return Addr(b.begin(), b.end());
}

void expect_endpoint(const Endpoint& e, const std::string& ip, uint16_t port, const Addr& addr, bool mapped = false) {
  EXPECT_EQ(e.ip, ip);
  EXPECT_EQ(e.port, port) << ip;
  EXPECT_EQ(addr_of(e), addr) << ip;
  EXPECT_EQ(e.v4_mapped, mapped) << ip;
}

}  // namespace

TEST(NetworkView, Ipv4Ends) {
  nj_net_connect r = net_rec(NJ_REC_NET_CONNECT, kId, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "10.0.0.5", 40000, "93.184.216.34", 443);
  const NetView v = view_of(r);
  EXPECT_EQ(v.type, NJ_REC_NET_CONNECT);
  expect_endpoint(v.local, "10.0.0.5", 40000, {10, 0, 0, 5});
  expect_endpoint(v.remote, "93.184.216.34", 443, {93, 184, 216, 34});
  EXPECT_FALSE(v.ipv6);
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(v.dns_error, "");
}

TEST(NetworkView, Ipv6Ends) {
  nj_net_connect r = net_rec(NJ_REC_NET_CONNECT, kId, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "2001:db8::5", 40000, "2001:db8:0:0:1::", 443);
  const NetView v = view_of(r);
  expect_endpoint(v.local, "2001:db8::5", 40000, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5});
  expect_endpoint(v.remote, "2001:db8:0:0:1::", 443, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(v.ipv6);
}

// The domain cache learns A records as 4 bytes: a mapped end must look the
// same, or an IPv6 socket's connects would never find their names.
TEST(NetworkView, V4MappedEndsAreIpv4) {
  nj_net_connect r = net_rec(NJ_REC_NET_CONNECT, kId, NJ_SYS_CONNECT);
  endpoints(r.op, IPPROTO_TCP, "::ffff:10.0.0.5", 40000, "::ffff:93.184.216.34", 443);
  const NetView v = view_of(r);
  expect_endpoint(v.local, "10.0.0.5", 40000, {10, 0, 0, 5}, true);
  expect_endpoint(v.remote, "93.184.216.34", 443, {93, 184, 216, 34}, true);
  EXPECT_FALSE(v.ipv6);
}

// An unbound dual-stack socket holds :: for its own end while it sends to
// an IPv4 peer; the datagram leaves with an IPv4 source, so its end is
// IPv4's unspecified address, as an IPv4 socket's would be.
TEST(NetworkView, UnboundDualStackEndTalkingToIpv4) {
  nj_net_connect r = net_rec(NJ_REC_NET_UDP, kId, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "::", 50012, "::ffff:8.8.8.8", 53);
  NetView v = view_of(r);
  expect_endpoint(v.local, "0.0.0.0", 50012, {0, 0, 0, 0});
  expect_endpoint(v.remote, "8.8.8.8", 53, {8, 8, 8, 8}, true);
  EXPECT_FALSE(v.ipv6);

  // Talking IPv6, :: stays what it is.
  endpoints(r.op, IPPROTO_UDP, "::", 50012, "2001:db8::9", 53);
  v = view_of(r);
  expect_endpoint(v.local, "::", 50012, Addr(16, 0));
  EXPECT_TRUE(v.ipv6);
}

// No address and no port: nothing to show, but the bytes are there.
TEST(NetworkView, UnknownEnds) {
  nj_net_connect r = net_rec(NJ_REC_NET_UDP, kId, NJ_SYS_RECVFROM);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "", 0);
  r.op.flags |= NJ_NET_INGRESS | NJ_NET_REMOTE_UNKNOWN;
  NetView v = view_of(r);
  expect_endpoint(v.remote, "", 0, {0, 0, 0, 0});

  // The unspecified address with a port is an address: bound to every one.
  endpoints(r.op, IPPROTO_UDP, "0.0.0.0", 5353, "", 0);
  v = view_of(r);
  expect_endpoint(v.local, "0.0.0.0", 5353, {0, 0, 0, 0});
}

TEST(NetworkView, OtherFamiliesHaveNoAddress) {
  const uint8_t bytes[16] = {10, 0, 0, 5};
  for (uint16_t family : {0, 1, 17}) {  // AF_UNSPEC, AF_UNIX, AF_PACKET
    const Endpoint e = make_endpoint(bytes, 80, family);
    EXPECT_EQ(e.ip, "") << family;
    EXPECT_EQ(e.addr_len, 0u) << family;
    EXPECT_EQ(e.port, 80) << family;
  }
}

TEST(NetworkView, DnsPayloadIsParsed) {
  const std::vector<uint8_t> msg = cname_chain();
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_ANSWER, kId, NJ_SYS_RECVFROM);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  const NetView v = view_of(r, {payload(kId, msg)});
  ASSERT_TRUE(v.dns);
  EXPECT_EQ(v.dns->questions.at(0).name, "www.example.com");
  EXPECT_EQ(v.dns->answers.size(), 5u);
  EXPECT_EQ(v.payload_len, msg.size());
  EXPECT_FALSE(v.payload_cut);
  EXPECT_EQ(v.dns_error, "");
}

TEST(NetworkView, DnsPayloadCutByTheKernel) {
  const std::vector<uint8_t> msg = query_a();
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_QUERY, kId, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  const NetView v = view_of(r, {payload(kId, msg, NJ_STR_TRUNCATED)});
  ASSERT_TRUE(v.dns);
  EXPECT_TRUE(v.payload_cut);
}

TEST(NetworkView, DnsPayloadNotDns) {
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_QUERY, kId, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  const NetView v = view_of(r, {payload(kId, {'h', 'e', 'l', 'l', 'o'})});
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(v.dns_error, "header shorter than 12 bytes");
  EXPECT_EQ(v.payload_len, 5u);
}

TEST(NetworkView, DnsPayloadMissing) {
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_QUERY, kId, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  r.op.flags |= NJ_NET_PARTS_LOST;
  const NetView v = view_of(r);
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(v.dns_error, "payload missing");
  EXPECT_EQ(v.payload_len, 0u);
}

// Only DNS events have their payload read.
TEST(NetworkView, OtherEventsIgnoreAPayload) {
  nj_net_connect r = net_rec(NJ_REC_NET_UDP, kId, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  const NetView v = view_of(r, {payload(kId, query_a())});
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(v.dns_error, "");
  EXPECT_EQ(v.payload_len, 0u);
}
