#include "families/network/view.h"

#include <algorithm>
#include <cstring>

#include "decode/decode.h"
#include "families/network/address.h"

namespace nj {

namespace {

constexpr uint16_t kAfInet = 2, kAfInet6 = 10;

bool all_zero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

bool is_v4_mapped(const uint8_t (&a)[16]) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a, kPrefix, sizeof(kPrefix)) == 0;
}

}  // namespace

Endpoint make_endpoint(const uint8_t (&addr)[16], uint16_t port, uint16_t family) {
  Endpoint e;
  e.port = port;
  if (family != kAfInet && family != kAfInet6) return e;
  const bool mapped = family == kAfInet6 && is_v4_mapped(addr);
  const uint8_t* a = mapped ? addr + 12 : addr;
  e.addr_len = family == kAfInet || mapped ? 4 : 16;
  e.v4_mapped = mapped;
  std::memcpy(e.addr.data(), a, e.addr_len);
  if (!all_zero(a, e.addr_len) || port) e.ip = ip_text(addr_bytes(e));
  return e;
}

bool unspecified(const Endpoint& e) { return all_zero(e.addr.data(), e.addr_len); }

NetView make_net_view(uint16_t type, const nj_net_op& op, const Event& ev) {
  NetView v;
  v.type = type;
  v.local = make_endpoint(op.ep.local, op.ep.lport, op.ep.family);
  v.remote = make_endpoint(op.ep.remote, op.ep.rport, op.ep.family);
  // An unbound dual-stack socket holds :: for its own end even while it
  // talks to an IPv4 peer; its datagrams leave with an IPv4 source.
  if (v.remote.v4_mapped && v.local.addr_len == 16 && all_zero(op.ep.local, 16))
    v.local = make_endpoint(op.ep.local, op.ep.lport, kAfInet);
  v.ipv6 = v.local.addr_len == 16 && v.remote.addr_len == 16;
  if (type != NJ_REC_NET_DNS_QUERY && type != NJ_REC_NET_DNS_ANSWER) return v;
  for (const StrPart& p : ev.parts) {
    if (p.field != NJ_NF_PAYLOAD) continue;
    v.payload_len = p.data.size();
    v.payload_cut = p.flags & NJ_STR_TRUNCATED;
    std::string why;
    v.dns = dns::parse({reinterpret_cast<const uint8_t*>(p.data.data()), p.data.size()}, &why);
    if (!v.dns) v.dns_error = why.empty() ? "not a DNS message" : why;
    return v;
  }
  v.payload_missing = true;
  v.dns_error = "payload missing";
  return v;
}

}  // namespace nj
