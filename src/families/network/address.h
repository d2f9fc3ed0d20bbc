// IP addresses as text, the one form every network field uses: dotted quad
// for IPv4, RFC 5952's canonical form for IPv6, so that the same address is
// always the same string (a search for it matches every event) whatever
// libc the sensor runs on.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace nj {

// addr: 4 or 16 bytes in network order; "" for any other length.
std::string ip_text(std::span<const uint8_t> addr);

}  // namespace nj
