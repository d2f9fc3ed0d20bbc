// The network family's tracker: the view it leaves for the encoder, the
// names DNS answers teach it and the connections that follow get, and the
// payloads it counts as not DNS.
#include "families/network/tracker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "families/file/view.h"
#include "families/network/view.h"
#include "file_records.h"
#include "network_dns_packets.h"
#include "network_records.h"
#include "records.h"

using namespace nj;
using namespace njt;

namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kT0 = 5000 * kS;  // when the first answer comes
constexpr uint64_t kId = 0x0010000000000900ull;

// What the resolver says about www.nightjar-test.example: a CNAME to the
// edge name, which has an A and an AAAA record with the given TTLs.
std::vector<uint8_t> answer(uint32_t ttl_a = 300, uint32_t ttl_aaaa = 300, uint16_t flags = 0x8180) {
  Packet p;
  p.header(0x4a4a, flags, 1, 3).question("www.nightjar-test.example", kA);
  p.ptr(12).fixed(kCname, 1, 300);
  const size_t edge = p.here();
  p.labels("edge").ptr(12 + 4).end();
  p.ptr(edge).fixed(kA, 1, ttl_a).raw({203, 0, 113, 7}).end();
  p.ptr(edge).fixed(kAaaa, 1, ttl_aaaa).raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07}).end();
  return p.bytes();
}

class NetworkTrackerTest : public ::testing::Test {
 protected:
  ProcessTable table;
  NetworkTracker tracker{TrackerContext{table, "/fake-proc", 100, 0}};
  uint64_t next_id = kId;

  // Track one event; its view, which the tracker must have left.
  NetView track(nj_net_connect r, uint64_t now_ns, const std::vector<uint8_t>* msg = nullptr) {
    r.hdr.event_id = next_id++;
    std::vector<Bytes> parts;
    if (msg) parts.push_back(payload(r.hdr.event_id, *msg));
    Enrichment en;
    tracker.track(net_event(r, parts), en, now_ns);
    const NetView* v = std::get_if<NetView>(&en.view);
    if (!v) throw std::runtime_error("no NetView");
    return *v;
  }

  // The resolver's answer, received by a client of 10.0.0.1.
  NetView dns_answer(const std::vector<uint8_t>& msg, uint64_t now_ns) {
    nj_net_connect r = net_rec(NJ_REC_NET_DNS_ANSWER, 0, NJ_SYS_RECVFROM);
    endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
    r.op.flags |= NJ_NET_INGRESS;
    r.op.bytes_out = msg.size();
    return track(r, now_ns, &msg);
  }

  NetView connect(const std::string& local, const std::string& remote, uint64_t now_ns) {
    nj_net_connect r = net_rec(NJ_REC_NET_CONNECT, 0, NJ_SYS_CONNECT);
    endpoints(r.op, IPPROTO_TCP, local, 41000, remote, 443);
    return track(r, now_ns);
  }

  EnricherStats stats() const {
    EnricherStats s;
    tracker.add_stats(s);
    return s;
  }
};

std::string domain_of(const NetView& v) { return v.domain.value_or(""); }

}  // namespace

// The name asked for, not the CNAME's target that held the addresses: that
// is the name the process will be seen connecting to.
TEST_F(NetworkTrackerTest, AnswerNamesTheConnectsToItsAddresses) {
  const std::vector<uint8_t> msg = answer();
  const NetView a = dns_answer(msg, kT0);
  ASSERT_TRUE(a.dns);
  EXPECT_FALSE(a.domain);  // the resolver itself is not named after the answer

  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + kS)), "www.nightjar-test.example");
  EXPECT_EQ(domain_of(connect("2001:db8::5", "2001:db8::7", kT0 + kS)), "www.nightjar-test.example");
  // An IPv6 socket reaching the A record's address.
  EXPECT_EQ(domain_of(connect("::ffff:10.0.0.5", "::ffff:203.0.113.7", kT0 + kS)), "www.nightjar-test.example");
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.8", kT0 + kS)), "");
  // The A record's bytes as the start of an IPv6 address are another address.
  EXPECT_EQ(domain_of(connect("2001:db8::5", "cb00:7107::", kT0 + kS)), "");
}

// Every later event about the address is named, on whichever side it is.
TEST_F(NetworkTrackerTest, NamesGoOnEveryKindOfConnectionEvent) {
  const std::vector<uint8_t> msg = answer();
  dns_answer(msg, kT0);
  for (uint16_t type : {NJ_REC_NET_CONNECT_RESULT, NJ_REC_NET_CLOSE, NJ_REC_NET_UDP}) {
    nj_net_connect r = net_rec(type, 0, 0);
    endpoints(r.op, type == NJ_REC_NET_UDP ? IPPROTO_UDP : IPPROTO_TCP, "10.0.0.5", 41000, "203.0.113.7", 443);
    EXPECT_EQ(domain_of(track(r, kT0 + kS)), "www.nightjar-test.example") << type;
  }
  nj_net_connect r = net_rec(NJ_REC_NET_ACCEPT, 0, NJ_SYS_ACCEPT4);
  endpoints(r.op, IPPROTO_TCP, "10.0.0.5", 22, "203.0.113.7", 50000);
  r.op.flags |= NJ_NET_INGRESS;
  EXPECT_EQ(domain_of(track(r, kT0 + kS)), "www.nightjar-test.example");
}

// The name went with the answer, not with the query: a query teaches
// nothing, whatever records it carries.
TEST_F(NetworkTrackerTest, QueryTeachesNothing) {
  const std::vector<uint8_t> msg = answer();
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_QUERY, 0, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  track(r, kT0, &msg);
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + kS)), "");
  EXPECT_EQ(stats().dns_cache_size, 0u);
}

// A resolver that says the name does not exist, yet lists addresses (a
// spoofed or broken one): nothing is learned.
TEST_F(NetworkTrackerTest, NxdomainTeachesNothing) {
  const std::vector<uint8_t> msg = answer(300, 300, 0x8183);
  const NetView a = dns_answer(msg, kT0);
  ASSERT_TRUE(a.dns);
  EXPECT_EQ(a.dns->rcode, 3);
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + kS)), "");
  EXPECT_EQ(stats().dns_cache_size, 0u);

  const std::vector<uint8_t> real = nxdomain();
  dns_answer(real, kT0);
  EXPECT_EQ(stats().dns_cache_size, 0u);
  EXPECT_EQ(stats().dns_malformed, 0u);
}

TEST_F(NetworkTrackerTest, MalformedPayloadIsCounted) {
  Packet loop;
  loop.header(0x0102, 0x0100, 1, 0).ptr(12).u16(kA).u16(1);
  const std::vector<uint8_t> msg = loop.bytes();
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_QUERY, 0, NJ_SYS_SENDTO);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  const NetView v = track(r, kT0, &msg);
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(v.dns_error, "name pointer loop");
  EXPECT_EQ(stats().dns_malformed, 1u);

  const std::vector<uint8_t> tiny = {0x01, 0x02, 0x81};
  EXPECT_FALSE(dns_answer(tiny, kT0).dns);
  EXPECT_EQ(stats().dns_malformed, 2u);

  // Well-formed ones are not counted, nor are records cut short.
  const std::vector<uint8_t> good = answer();
  dns_answer(good, kT0);
  const std::vector<uint8_t> cut(good.begin(), good.end() - 6);
  EXPECT_TRUE(dns_answer(cut, kT0).dns->cut);
  EXPECT_EQ(stats().dns_malformed, 2u);
}

// A payload the ring buffer had no room for is lost, not malformed: it is
// counted with the lost parts, and counting it here too would report an
// attack where there was only load.
TEST_F(NetworkTrackerTest, LostPayloadIsNotMalformed) {
  nj_net_connect r = net_rec(NJ_REC_NET_DNS_ANSWER, 0, NJ_SYS_RECVFROM);
  endpoints(r.op, IPPROTO_UDP, "10.0.0.5", 40000, "10.0.0.1", 53);
  r.op.flags |= NJ_NET_INGRESS | NJ_NET_PARTS_LOST;
  const NetView v = track(r, kT0);
  EXPECT_FALSE(v.dns);
  EXPECT_EQ(stats().dns_malformed, 0u);
}

TEST_F(NetworkTrackerTest, CacheCounters) {
  const std::vector<uint8_t> msg = answer();
  dns_answer(msg, kT0);
  EnricherStats s = stats();
  EXPECT_EQ(s.dns_cache_size, 2u);  // the A and the AAAA; the CNAME has no address
  EXPECT_EQ(s.dns_cache_hits, 0u);
  EXPECT_EQ(s.dns_cache_misses, 0u);

  connect("10.0.0.5", "203.0.113.7", kT0 + kS);
  connect("2001:db8::5", "2001:db8::7", kT0 + kS);
  connect("10.0.0.5", "198.51.100.1", kT0 + kS);
  s = stats();
  EXPECT_EQ(s.dns_cache_size, 2u);
  EXPECT_EQ(s.dns_cache_hits, 2u);
  EXPECT_EQ(s.dns_cache_misses, 1u);
  EXPECT_EQ(s.dns_cache_evictions, 0u);

  // The same answer again refreshes its entries, it does not add any.
  dns_answer(msg, kT0 + 2 * kS);
  EXPECT_EQ(stats().dns_cache_size, 2u);
}

// Counters add to the stage's: the enricher sums every tracker's.
TEST_F(NetworkTrackerTest, StatsAddUp) {
  EnricherStats s;
  s.dns_malformed = 10;
  s.dns_cache_hits = 20;
  const std::vector<uint8_t> msg = answer();
  dns_answer(msg, kT0);
  connect("10.0.0.5", "203.0.113.7", kT0 + kS);
  tracker.add_stats(s);
  EXPECT_EQ(s.dns_malformed, 10u);
  EXPECT_EQ(s.dns_cache_hits, 21u);
  EXPECT_EQ(s.dns_cache_size, 2u);
}

// A name lives for its record's TTL, but at least a minute: a TTL of a few
// seconds must still name the connect that follows the answer.
TEST_F(NetworkTrackerTest, NamesExpire) {
  const std::vector<uint8_t> msg = answer(/*ttl_a=*/5, /*ttl_aaaa=*/600);
  dns_answer(msg, kT0);
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + 59 * kS)), "www.nightjar-test.example");
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + 60 * kS)), "");
  EXPECT_EQ(domain_of(connect("2001:db8::5", "2001:db8::7", kT0 + 599 * kS)), "www.nightjar-test.example");
  EXPECT_EQ(domain_of(connect("2001:db8::5", "2001:db8::7", kT0 + 600 * kS)), "");
  EXPECT_EQ(stats().dns_cache_size, 0u);
}

// A later answer for the same address names it from then on.
TEST_F(NetworkTrackerTest, LaterAnswerWins) {
  const std::vector<uint8_t> first = answer();
  dns_answer(first, kT0);
  Packet p;
  p.header(0x5b5b, 0x8180, 1, 1).question("other.nightjar-test.example", kA);
  p.ptr(12).fixed(kA, 1, 300).raw({203, 0, 113, 7}).end();
  const std::vector<uint8_t> second = p.bytes();
  dns_answer(second, kT0 + kS);
  EXPECT_EQ(domain_of(connect("10.0.0.5", "203.0.113.7", kT0 + 2 * kS)), "other.nightjar-test.example");
  EXPECT_EQ(domain_of(connect("2001:db8::5", "2001:db8::7", kT0 + 2 * kS)), "www.nightjar-test.example");
}

// The enricher runs every tracker on every event: another family's view
// stays as its tracker left it.
TEST_F(NetworkTrackerTest, OtherFamiliesAreLeftAlone) {
  nj_file_create f = file_rec(NJ_REC_FILE_DELETE, 0x0040000000000001ull, 0, NJ_SYS_UNLINK);
  Enrichment en;
  en.view = FileView{};
  tracker.track(file_event(f, {}), en, kT0);
  EXPECT_TRUE(std::holds_alternative<FileView>(en.view));

  Enrichment exec_en;
  tracker.track(Event{exec_record(0x0030000000000001ull, 0), {}, false}, exec_en, kT0);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(exec_en.view));
}
