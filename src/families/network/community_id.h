// Community ID v1 (github.com/corelight/community-id-spec): a flow's hash
// that Zeek, Suricata, Arkime and Elastic compute the same way, so a
// connection this sensor reports can be joined to their records of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace nj {

// "1:<base64 of the SHA-1>" for a TCP (6), UDP (17) or SCTP (132) flow,
// the same for both directions. Addresses are 4 (IPv4) or 16 (IPv6) bytes
// in network order, ports in host order. "" if the addresses' lengths
// differ or are not 4 or 16, for any other protocol (the spec gives ICMP
// its own port rules, which are not done here), or if libcrypto fails.
std::string community_id(uint8_t proto, std::span<const uint8_t> saddr, uint16_t sport, std::span<const uint8_t> daddr,
                         uint16_t dport, uint16_t seed = 0);

}  // namespace nj
