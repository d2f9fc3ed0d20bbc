// The DNS parser on messages built byte by byte: what each record type's
// data reads as, captures cut short, and the malformed names an attacker
// would send to make a parser loop or read outside the payload.
#include "families/network/dns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "network_dns_packets.h"

using namespace nj;
using namespace njt;

namespace {

using Strings = std::vector<std::string>;

dns::Message parse_ok(const std::vector<uint8_t>& bytes) {
  std::string why;
  auto m = dns::parse(bytes, &why);
  if (!m) ADD_FAILURE() << why;
  return m ? *m : dns::Message{};
}

// The reason a malformed payload is refused, "" if it parsed.
std::string refused(const std::vector<uint8_t>& bytes) {
  std::string why;
  auto m = dns::parse(bytes, &why);
  if (m) return "";
  EXPECT_FALSE(why.empty());
  return why;
}

void expect_answer(const dns::Answer& a, const std::string& name, uint16_t type, uint32_t ttl,
                   const std::string& data) {
  EXPECT_EQ(a.name, name);
  EXPECT_EQ(a.type, type) << a.name;
  EXPECT_EQ(a.klass, 1) << a.name;
  EXPECT_EQ(a.ttl, ttl) << a.name;
  EXPECT_EQ(a.data, data) << a.name;
}

TEST(NetworkDns, QueryForA) {
  dns::Message m = parse_ok(query_a());
  EXPECT_EQ(m.id, 0x1a2b);
  EXPECT_FALSE(m.response);
  EXPECT_EQ(dns::opcode_name(m.opcode), "QUERY");
  EXPECT_EQ(m.header_flags, Strings{"RD"});
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "www.example.com");
  EXPECT_EQ(dns::type_name(m.questions[0].type), "A");
  EXPECT_EQ(dns::class_name(m.questions[0].klass), "IN");
  EXPECT_TRUE(m.answers.empty());
  EXPECT_FALSE(m.cut);
  EXPECT_FALSE(m.malformed);
}

TEST(NetworkDns, CnameChainAndAddresses) {
  dns::Message m = parse_ok(cname_chain());
  EXPECT_TRUE(m.response);
  EXPECT_EQ(dns::rcode_name(m.rcode), "NOERROR");
  EXPECT_EQ(m.header_flags, (Strings{"RD", "RA"}));
  ASSERT_EQ(m.answers.size(), 5u);
  expect_answer(m.answers[0], "www.example.com", 5, 300, "edge.example.net");
  expect_answer(m.answers[1], "edge.example.net", 5, 300, "e1.example.net");
  expect_answer(m.answers[2], "e1.example.net", 1, 60, "93.184.215.14");
  expect_answer(m.answers[3], "e1.example.net", 28, 60, "2606:2800:21f:cb07:6820:80da:af6b:8b2c");
  expect_answer(m.answers[4], "e1.example.net", 1, 60, "93.184.215.14");
  EXPECT_EQ(m.resolved_ips, (Strings{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}));
  EXPECT_FALSE(m.cut);
}

TEST(NetworkDns, PointerToAPointer) {
  // The answer's owner points at a CNAME target that itself ends in a
  // pointer to the question.
  Packet p;
  p.header(1, 0x8180, 1, 2).question("example.com", kA);
  p.ptr(12).fixed(kCname, 1, 1);
  const size_t target = p.here();
  p.labels("a.b").ptr(12).end();
  p.ptr(target + 2).fixed(kA, 1, 1).raw({10, 0, 0, 1}).end();
  dns::Message m = parse_ok(p.bytes());
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].data, "a.b.example.com");
  EXPECT_EQ(m.answers[1].name, "b.example.com");
}

TEST(NetworkDns, Nxdomain) {
  dns::Message m = parse_ok(nxdomain());
  EXPECT_EQ(m.rcode, 3);
  EXPECT_EQ(dns::rcode_name(m.rcode), "NXDOMAIN");
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "nosuch.example.com");
  EXPECT_TRUE(m.answers.empty());  // the SOA is in the authority section
  EXPECT_TRUE(m.resolved_ips.empty());
  EXPECT_FALSE(m.cut);
}

TEST(NetworkDns, TxtMxAndUnknownTypes) {
  dns::Message m = parse_ok(mixed());
  EXPECT_EQ(m.header_flags, (Strings{"AA", "RD", "RA"}));
  EXPECT_EQ(dns::type_name(m.questions.at(0).type), "ANY");
  ASSERT_EQ(m.answers.size(), 5u);
  expect_answer(m.answers[0], "example.com", kTxt, 3600, "v=spf1 -all a\\092b\\001\\233");
  expect_answer(m.answers[1], "example.com", kMx, 3600, "10 mail.example.com");
  expect_answer(m.answers[2], "example.com", kPrivate, 0, "\\# 4 0A000001");
  expect_answer(m.answers[3], "example.com", kPrivate, 0, "\\# 0");
  // An address of the wrong length is no address.
  expect_answer(m.answers[4], "example.com", kA, 5, "\\# 3 010203");
  EXPECT_TRUE(m.resolved_ips.empty());
}

TEST(NetworkDns, TypedDataThatDoesNotFitIsGeneric) {
  Packet p;
  p.header(1, 0x8180, 1, 4).question("x", kA);
  p.ptr(12).fixed(kCname, 1, 1).name("y").u8(0xff).end();  // a byte after the name
  p.ptr(12).fixed(kMx, 1, 1).u16(5).end();                 // no exchange
  p.ptr(12).fixed(kTxt, 1, 1).u8(5).raw("ab").end();       // a string past its rdata
  p.ptr(12).fixed(kAaaa, 1, 1).raw({1, 2, 3, 4}).end();
  dns::Message m = parse_ok(p.bytes());
  ASSERT_EQ(m.answers.size(), 4u);
  EXPECT_EQ(m.answers[0].data, "\\# 4 017900FF");
  EXPECT_EQ(m.answers[1].data, "\\# 2 0005");
  EXPECT_EQ(m.answers[2].data, "\\# 3 056162");
  EXPECT_EQ(m.answers[3].data, "\\# 4 01020304");
  EXPECT_TRUE(m.resolved_ips.empty());
}

TEST(NetworkDns, OnlyInternetAddressesAreResolvedIps) {
  Packet p;
  p.header(1, 0x8180, 1, 2).question("x", kA);
  p.ptr(12).fixed(kA, 3, 1).raw({1, 2, 3, 4}).end();  // CH
  p.ptr(12).fixed(kA, 1, 1).raw({5, 6, 7, 8}).end();
  dns::Message m = parse_ok(p.bytes());
  EXPECT_EQ(m.answers.at(0).data, "1.2.3.4");
  EXPECT_EQ(m.resolved_ips, Strings{"5.6.7.8"});
}

TEST(NetworkDns, LabelBytesAreEscaped) {
  Packet p;
  p.header(1, 0x0100, 1, 0);
  p.u8(3).raw("a.b").u8(3).raw("c\\d").u8(6).raw("sp ace").u8(2).raw({0xff, 0x00}).u8(4).raw("~!-_").u8(0);
  p.u16(kA).u16(1);
  dns::Message m = parse_ok(p.bytes());
  EXPECT_EQ(m.questions.at(0).name, "a\\046b.c\\092d.sp\\032ace.\\255\\000.~!-_");
}

TEST(NetworkDns, RootName) {
  dns::Message m = parse_ok(Packet().header(1, 0, 1, 0).question("", kNs).bytes());
  EXPECT_EQ(m.questions.at(0).name, ".");
}

TEST(NetworkDns, HeaderFieldsAndNames) {
  // Every flag, opcode UPDATE, rcode REFUSED; Z (0x0040) is no flag.
  dns::Message m = parse_ok(Packet().header(0xffff, 0x8000 | 5 << 11 | 0x07f5, 0, 0).bytes());
  EXPECT_EQ(m.id, 0xffff);
  EXPECT_EQ(m.header_flags, (Strings{"AA", "TC", "RD", "RA", "AD", "CD"}));
  EXPECT_EQ(dns::opcode_name(m.opcode), "UPDATE");
  EXPECT_EQ(dns::rcode_name(m.rcode), "REFUSED");
  EXPECT_TRUE(m.questions.empty());
}

TEST(NetworkDns, Mnemonics) {
  EXPECT_EQ(dns::type_name(28), "AAAA");
  EXPECT_EQ(dns::type_name(65), "HTTPS");
  EXPECT_EQ(dns::type_name(64), "SVCB");
  EXPECT_EQ(dns::type_name(257), "CAA");
  EXPECT_EQ(dns::type_name(41), "OPT");
  EXPECT_EQ(dns::type_name(48), "DNSKEY");
  EXPECT_EQ(dns::type_name(0), "TYPE0");
  EXPECT_EQ(dns::type_name(65280), "TYPE65280");
  EXPECT_EQ(dns::class_name(3), "CH");
  EXPECT_EQ(dns::class_name(255), "ANY");
  EXPECT_EQ(dns::class_name(2), "CLASS2");
  EXPECT_EQ(dns::rcode_name(2), "SERVFAIL");
  EXPECT_EQ(dns::rcode_name(10), "NOTZONE");
  EXPECT_EQ(dns::rcode_name(11), "11");
  EXPECT_EQ(dns::opcode_name(4), "NOTIFY");
  EXPECT_EQ(dns::opcode_name(3), "3");
  EXPECT_EQ(dns::opcode_name(15), "15");
}

// Every capture of the chain cut after its question section parses, keeps
// the answers that fit whole and says it was cut; one cut earlier is no
// DNS message.
TEST(NetworkDns, TruncatedCaptureKeepsWholeAnswers) {
  const std::vector<uint8_t> full = cname_chain();
  const dns::Message all = parse_ok(full);
  const size_t question_end = 12 + 17 + 4;
  for (size_t len = 0; len < full.size(); len++) {
    const std::vector<uint8_t> cut(full.begin(), full.begin() + len);
    auto m = dns::parse(cut, nullptr);
    if (len < question_end) {
      EXPECT_FALSE(m) << len;
      continue;
    }
    ASSERT_TRUE(m) << len;
    EXPECT_TRUE(m->cut) << len;
    EXPECT_FALSE(m->malformed) << len;
    ASSERT_LT(m->answers.size(), all.answers.size()) << len;
    for (size_t i = 0; i < m->answers.size(); i++) EXPECT_EQ(m->answers[i].data, all.answers[i].data) << len;
  }
  // Cut inside the AAAA record's data: the CNAMEs and the first A stay.
  const std::vector<uint8_t> mid(full.begin(), full.end() - 16 - 8);
  dns::Message m = parse_ok(mid);
  EXPECT_TRUE(m.cut);
  EXPECT_EQ(m.answers.size(), 3u);
  EXPECT_EQ(m.resolved_ips, Strings{"93.184.215.14"});
}

TEST(NetworkDns, ShortHeader) {
  std::vector<uint8_t> b = query_a();
  b.resize(11);
  EXPECT_EQ(refused(b), "header shorter than 12 bytes");
  EXPECT_EQ(refused({}), "header shorter than 12 bytes");
}

TEST(NetworkDns, SelfPointer) {
  EXPECT_EQ(refused(Packet().header(1, 0, 1, 0).ptr(12).u16(1).u16(1).bytes()), "name pointer loop");
}

// Of two pointers that point at each other one points forward.
TEST(NetworkDns, TwoPointerCycle) {
  EXPECT_EQ(refused(Packet().header(1, 0, 1, 0).ptr(14).ptr(12).u16(1).u16(1).bytes()), "forward name pointer");
}

TEST(NetworkDns, ForwardPointer) {
  EXPECT_EQ(refused(Packet().header(1, 0, 1, 0).labels("a").ptr(20).u16(1).u16(1).name("b").bytes()),
            "forward name pointer");
}

// Pointing backwards is not enough: a pointer into the labels it ends
// (directly, or through an earlier name's labels that pass over where the
// walk began) repeats them forever.
TEST(NetworkDns, BackwardPointerIntoItsOwnLabels) {
  EXPECT_EQ(refused(Packet().header(1, 0, 1, 0).labels("ab").ptr(12).u16(1).u16(1).bytes()), "name pointer loop");

  Packet p;
  p.header(1, 0x8180, 1, 2).question("x", kA);
  p.ptr(12).fixed(kPrivate, 1, 1);
  const size_t r = p.here();
  p.u8(3).raw("abc").ptr(r).end();  // from r: "abc", then back to r
  p.ptr(r).fixed(kA, 1, 1).raw({1, 2, 3, 4}).end();
  dns::Message m = parse_ok(p.bytes());
  EXPECT_EQ(m.answers.size(), 1u);
  EXPECT_TRUE(m.malformed);
  EXPECT_FALSE(m.cut);
}

TEST(NetworkDns, PointerChainIsBounded) {
  // n pointers, each to the one before, the first to the question's name.
  auto chain = [](int n) {
    Packet p;
    p.header(1, 0x8180, 1, 2).question("x", kA);
    p.ptr(12).fixed(kPrivate, 1, 1);
    size_t last = 12;
    for (int i = 0; i < n; i++) {
      const size_t at = p.here();
      p.ptr(last);
      last = at;
    }
    p.end().ptr(last).fixed(kA, 1, 1).raw({1, 2, 3, 4}).end();
    return parse_ok(p.bytes());
  };
  // The owner's own pointer is one jump.
  EXPECT_EQ(chain(63).answers.size(), 2u);
  EXPECT_EQ(chain(63).answers[1].name, "x");
  EXPECT_EQ(chain(64).answers.size(), 1u);
  EXPECT_TRUE(chain(64).malformed);
}

TEST(NetworkDns, ReservedLabelTypes) {
  for (int len : {0x40, 0x41, 0x7f, 0x80, 0xbf}) {
    Packet p;
    p.header(1, 0, 1, 0).u8(len).raw(std::string(0x40, 'a')).u8(0).u16(1).u16(1);
    EXPECT_EQ(refused(p.bytes()), "reserved label type") << len;
  }
}

TEST(NetworkDns, NameLongerThan255Bytes) {
  const std::string l63(63, 'a');
  auto with_last = [&](size_t n) {
    return Packet().header(1, 0, 1, 0).name(l63 + "." + l63 + "." + l63 + "." + std::string(n, 'b')).u16(1).u16(1);
  };
  // 3 * (1 + 63) + (1 + 61) + the root: 255 bytes exactly.
  EXPECT_EQ(parse_ok(with_last(61).bytes()).questions.at(0).name.size(), 253u);
  EXPECT_EQ(refused(with_last(62).bytes()), "name longer than 255 bytes");

  // Too long only once a pointer adds a 193-byte name to a 64-byte label.
  Packet p;
  p.header(1, 0x8180, 1, 1).question(l63 + "." + l63 + "." + l63, kA);
  p.labels(l63).ptr(12).fixed(kA, 1, 1).raw({1, 2, 3, 4}).end();
  dns::Message m = parse_ok(p.bytes());
  EXPECT_TRUE(m.answers.empty());
  EXPECT_TRUE(m.malformed);
}

TEST(NetworkDns, CountsBeyondTheDataStopWhenItRunsOut) {
  EXPECT_EQ(refused(Packet().header(1, 0, 0xffff, 0).bytes()), "name runs past the end");
  Packet zeros;
  zeros.header(1, 0, 0xffff, 0xffff).raw(std::string(2036, '\0'));
  EXPECT_EQ(refused(zeros.bytes()), "question runs past the end");

  Packet answers;
  answers.header(1, 0x8180, 1, 0xffff).question("x", kA).ptr(12).fixed(kA, 1, 1).raw({1, 2, 3, 4}).end();
  dns::Message m = parse_ok(answers.bytes());
  EXPECT_EQ(m.answers.size(), 1u);
  EXPECT_TRUE(m.cut);
}

}  // namespace
