// Community ID against the spec's own baseline (community-id-spec's
// baseline/baseline_deflt.json and baseline_seed1.json): the ids Zeek and
// Suricata print for the same flows.
#include "families/network/community_id.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace nj;

namespace {

std::vector<uint8_t> addr(const char* text) {
  std::vector<uint8_t> b(16);
  if (inet_pton(AF_INET, text, b.data()) == 1) {
    b.resize(4);
    return b;
  }
  if (inet_pton(AF_INET6, text, b.data()) != 1) ADD_FAILURE() << text;
  return b;
}

struct Flow {
  uint8_t proto;
  const char* saddr;
  uint16_t sport;
  const char* daddr;
  uint16_t dport;
  const char* id;        // seed 0
  const char* id_seed1;  // seed 1
};

constexpr Flow kBaseline[] = {
    {6, "128.232.110.120", 34855, "66.35.250.204", 80,
     "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {17, "192.168.1.52", 54585, "8.8.8.8", 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    // SCTP, between two equal ports: the addresses alone order the pair.
    {132, "192.168.170.8", 7, "192.168.170.56", 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
};

TEST(NetworkCommunityId, SpecBaseline) {
  for (const Flow& f : kBaseline) {
    EXPECT_EQ(community_id(f.proto, addr(f.saddr), f.sport, addr(f.daddr), f.dport), f.id) << f.saddr;
    EXPECT_EQ(community_id(f.proto, addr(f.saddr), f.sport, addr(f.daddr), f.dport, 1), f.id_seed1) << f.saddr;
  }
}

TEST(NetworkCommunityId, BothDirectionsAreOneFlow) {
  for (const Flow& f : kBaseline) {
    EXPECT_EQ(community_id(f.proto, addr(f.daddr), f.dport, addr(f.saddr), f.sport), f.id) << f.daddr;
    EXPECT_EQ(community_id(f.proto, addr(f.daddr), f.dport, addr(f.saddr), f.sport, 1), f.id_seed1) << f.daddr;
  }
}

TEST(NetworkCommunityId, SameAddressOrderedByPort) {
  const auto lo = addr("127.0.0.1");
  const std::string a = community_id(6, lo, 40000, lo, 5432);
  EXPECT_EQ(a, community_id(6, lo, 5432, lo, 40000));
  EXPECT_EQ(a.size(), 30u);
  EXPECT_NE(a, community_id(17, lo, 40000, lo, 5432));
  EXPECT_NE(a, community_id(6, lo, 40001, lo, 5432));
}

TEST(NetworkCommunityId, WhatItCannotHash) {
  const auto v4 = addr("10.0.0.1");
  const auto v6 = addr("::1");
  EXPECT_EQ(community_id(6, v4, 1, v6, 2), "");
  EXPECT_EQ(community_id(6, std::vector<uint8_t>(5), 1, std::vector<uint8_t>(5), 2), "");
  EXPECT_EQ(community_id(6, {}, 1, {}, 2), "");
  EXPECT_EQ(community_id(1, v4, 8, v4, 0), "");  // ICMP: its own port rules
  EXPECT_EQ(community_id(58, v6, 128, v6, 129), "");
}

}  // namespace
