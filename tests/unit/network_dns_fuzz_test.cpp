// The DNS parser on a few hundred thousand payloads no server would send:
// the valid samples with bits flipped, bytes changed, inserted and removed,
// cut short, and plain random bytes. Whatever comes in, the parser returns
// (no crash, no endless loop) and what it returns stays bounded by what
// came in. Seeded, so a failure is the same failure on every run.
#include "families/network/dns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "network_dns_packets.h"

using namespace nj;

namespace {

constexpr size_t kCapture = 2048;  // what the kernel side copies of a datagram
constexpr int kRuns = 200000;
// A name is at most 255 bytes on the wire, each byte at most 4 characters
// (\DDD) or a dot.
constexpr size_t kMaxNameText = 1100;

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  // Below n; the modulo keeps the sequence the same on every standard
  // library, which a distribution would not.
  size_t below(size_t n) { return n ? rng_() % n : 0; }

  std::vector<uint8_t> random_bytes(size_t n) {
    std::vector<uint8_t> b(n);
    for (auto& c : b) c = static_cast<uint8_t>(rng_());
    return b;
  }

  void mutate(std::vector<uint8_t>& b) {
    switch (below(7)) {
      case 0:  // flip a bit
        if (!b.empty()) b[below(b.size())] ^= static_cast<uint8_t>(1u << below(8));
        break;
      case 1:  // change a byte
        if (!b.empty()) b[below(b.size())] = static_cast<uint8_t>(rng_());
        break;
      case 2:  // a pointer to anywhere
        if (b.size() > 1) {
          const size_t at = below(b.size() - 1);
          b[at] = static_cast<uint8_t>(0xc0 | below(4));
          b[at + 1] = static_cast<uint8_t>(rng_());
        }
        break;
      case 3:  // cut short
        b.resize(below(b.size() + 1));
        break;
      case 4: {  // insert bytes
        const std::vector<uint8_t> more = random_bytes(1 + below(16));
        b.insert(b.begin() + below(b.size() + 1), more.begin(), more.end());
        break;
      }
      case 5:  // remove bytes
        if (!b.empty()) {
          const size_t at = below(b.size());
          b.erase(b.begin() + at, b.begin() + at + below(std::min<size_t>(16, b.size() - at) + 1));
        }
        break;
      case 6:  // a count in the header set to anything
        if (b.size() >= 12) b[4 + below(8)] = static_cast<uint8_t>(rng_());
        break;
    }
  }

 private:
  std::mt19937 rng_;
};

void check_bounded(const std::vector<uint8_t>& in, const dns::Message& m) {
  ASSERT_GE(in.size(), 12u);
  ASSERT_LE(m.header_flags.size(), 6u);
  // A question is at least a root label, a type and a class; an answer at
  // least a root label, type, class, TTL and rdlength.
  ASSERT_LE(m.questions.size(), (in.size() - 12) / 5);
  ASSERT_LE(m.answers.size(), (in.size() - 12) / 11);
  ASSERT_LE(m.resolved_ips.size(), m.answers.size());
  ASSERT_FALSE(m.cut && m.malformed);
  for (const auto& q : m.questions) ASSERT_LE(q.name.size(), kMaxNameText);
  for (const auto& a : m.answers) {
    ASSERT_LE(a.name.size(), kMaxNameText);
    // A name (compression lets a few bytes stand for a long one), an MX's
    // preference and name, or the record's bytes: 4 characters each at
    // most (TXT's \DDD), 2 in the generic form after "\# <length> ".
    ASSERT_LE(a.data.size(), std::max(kMaxNameText + 6, 10 + 4 * in.size()));
  }
}

TEST(NetworkDnsFuzz, MutatedAndRandomPayloads) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<uint8_t>> samples = njt::valid_samples();
  Mutator mut(20240601);
  size_t parsed = 0, refused = 0, with_answers = 0, cut = 0, malformed = 0;
  for (int run = 0; run < kRuns; run++) {
    std::vector<uint8_t> b;
    if (mut.below(8) == 0) {
      b = mut.random_bytes(mut.below(kCapture + 1));
    } else {
      b = samples[mut.below(samples.size())];
      for (size_t n = 1 + mut.below(4); n > 0; n--) mut.mutate(b);
    }
    if (b.size() > kCapture) b.resize(kCapture);
    std::string why;
    auto m = dns::parse(b, &why);
    if (!m) {
      ASSERT_FALSE(why.empty()) << "run " << run;
      refused++;
      continue;
    }
    parsed++;
    check_bounded(b, *m);
    if (HasFatalFailure()) FAIL() << "run " << run;
    with_answers += !m->answers.empty();
    cut += m->cut;
    malformed += m->malformed;
  }
  // The mutations reach every outcome, not just the first check.
  EXPECT_GT(parsed, kRuns / 10u);
  EXPECT_GT(refused, kRuns / 10u);
  EXPECT_GT(with_answers, 1000u);
  EXPECT_GT(cut, 1000u);
  EXPECT_GT(malformed, 100u);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  RecordProperty("parsed", static_cast<int>(parsed));
  RecordProperty("refused", static_cast<int>(refused));
  RecordProperty("milliseconds", static_cast<int>(ms.count()));
}

}  // namespace
