// Addresses as text: RFC 5952's canonical IPv6 form, and the cases where
// libc implementations have disagreed with it.
#include "families/network/address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace nj;

namespace {

std::string v6(const char* text) {
  std::vector<uint8_t> b(16);
  if (inet_pton(AF_INET6, text, b.data()) != 1) ADD_FAILURE() << text;
  return ip_text(b);
}

TEST(NetworkAddress, Ipv4) {
  EXPECT_EQ(ip_text(std::vector<uint8_t>{93, 184, 215, 14}), "93.184.215.14");
  EXPECT_EQ(ip_text(std::vector<uint8_t>{0, 0, 0, 0}), "0.0.0.0");
  EXPECT_EQ(ip_text(std::vector<uint8_t>{255, 255, 255, 255}), "255.255.255.255");
}

TEST(NetworkAddress, Ipv6CanonicalForm) {
  EXPECT_EQ(v6("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");  // leading zeros, longest run
  EXPECT_EQ(v6("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");            // one zero group stays
  EXPECT_EQ(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");               // first of equal runs
  EXPECT_EQ(v6("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");                     // the longer run
  EXPECT_EQ(v6("2001:DB8::ABCD"), "2001:db8::abcd");                        // lowercase
  EXPECT_EQ(v6("::"), "::");
  EXPECT_EQ(v6("::1"), "::1");
  EXPECT_EQ(v6("1::"), "1::");
  EXPECT_EQ(v6("fe80::260:97ff:fe07:69ea"), "fe80::260:97ff:fe07:69ea");
  EXPECT_EQ(v6("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
}

TEST(NetworkAddress, Ipv4MappedKeepsItsDots) {
  EXPECT_EQ(v6("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
  // Only the mapped prefix: the deprecated compatible form is plain hex.
  EXPECT_EQ(v6("::192.0.2.1"), "::c000:201");
}

TEST(NetworkAddress, OtherLengthsAreNoAddress) {
  EXPECT_EQ(ip_text(std::vector<uint8_t>{}), "");
  EXPECT_EQ(ip_text(std::vector<uint8_t>(5)), "");
  EXPECT_EQ(ip_text(std::vector<uint8_t>(17)), "");
}

}  // namespace
