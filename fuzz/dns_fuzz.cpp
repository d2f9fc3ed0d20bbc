// The DNS parser on arbitrary payloads, cut as the kernel side cuts them
// (2048 bytes): it returns, and what it returns is bounded by what came in
// (the bounds of tests/unit/network_dns_fuzz_test.cpp).
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "families/network/dns.h"
#include "fuzz_support.h"

namespace {

constexpr size_t kCapture = 2048;
constexpr size_t kMaxNameText = 1100;  // 255 wire bytes, each at most \DDD or a dot

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size = std::min(size, kCapture);
  std::string why;
  auto m = nj::dns::parse(std::span<const uint8_t>(data, size), &why);
  if (!m) {
    if (why.empty()) njf::fail("refused without a reason", "");
    return 0;
  }
  if (size < 12) njf::fail("parsed without a header", "");
  if (m->header_flags.size() > 6) njf::fail("header flags", "");
  if (m->questions.size() > (size - 12) / 5) njf::fail("more questions than bytes", "");
  if (m->answers.size() > (size - 12) / 11) njf::fail("more answers than bytes", "");
  if (m->resolved_ips.size() > m->answers.size()) njf::fail("more addresses than answers", "");
  if (m->cut && m->malformed) njf::fail("cut and malformed", "");
  for (const auto& q : m->questions) {
    if (q.name.size() > kMaxNameText) njf::fail("question name too long", q.name);
    if (!nj::valid_utf8(q.name)) njf::fail("question name not UTF-8", q.name);
  }
  for (const auto& a : m->answers) {
    if (a.name.size() > kMaxNameText) njf::fail("answer name too long", a.name);
    if (a.data.size() > std::max(kMaxNameText + 6, 10 + 4 * size)) njf::fail("answer data too long", a.data);
    if (!nj::valid_utf8(a.name) || !nj::valid_utf8(a.data)) njf::fail("answer not UTF-8", a.data);
    if (a.addr_len != 0 && a.addr_len != 4 && a.addr_len != 16) njf::fail("address length", a.data);
  }
  (void)nj::dns::rcode_name(m->rcode);
  (void)nj::dns::opcode_name(m->opcode);
  return 0;
}
