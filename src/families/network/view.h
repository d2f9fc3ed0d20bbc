// A network event's endpoints as text and its DNS payload parsed, decoded
// once by the tracker for the encoder.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "assemble/assembler.h"
#include "families/network/dns.h"
#include "nightjar/abi.h"

namespace nj {

// One end of a socket. An IPv4 address an IPv6 socket holds as
// ::ffff:a.b.c.d is given in its IPv4 form (what the wire carries).
struct Endpoint {
  std::string ip;  // "" when unknown (unbound or unconnected)
  uint16_t port = 0;
  std::array<uint8_t, 16> addr{};
  size_t addr_len = 0;  // 4 or 16
  bool v4_mapped = false;
};

Endpoint make_endpoint(const uint8_t (&addr)[16], uint16_t port, uint16_t family);
// 0.0.0.0 or :: (or no address at all).
bool unspecified(const Endpoint& e);
// The bytes of an endpoint's address, as DNS answers and Community IDs want them.
inline std::span<const uint8_t> addr_bytes(const Endpoint& e) { return {e.addr.data(), e.addr_len}; }

struct NetView {
  uint16_t type = 0;
  Endpoint local, remote;
  bool ipv6 = false;  // network.type: both ends IPv6 (not mapped)
  std::optional<dns::Message> dns;
  std::string dns_error;  // the payload is not a DNS message: why
  size_t payload_len = 0;
  bool payload_cut = false;           // longer than the kernel captured
  bool payload_missing = false;       // lost in a full buffer or never arrived: nothing to parse
  std::optional<std::string> domain;  // the remote address's name, from an earlier DNS answer
};

NetView make_net_view(uint16_t type, const nj_net_op& op, const Event& ev);

}  // namespace nj
