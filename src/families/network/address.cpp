#include "families/network/address.h"

#include <array>

namespace nj {

namespace {

std::string dotted(const uint8_t* b) {
  std::string out;
  for (int i = 0; i < 4; i++) {
    if (i) out += '.';
    out += std::to_string(b[i]);
  }
  return out;
}

void hex_group(std::string& out, unsigned v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned d = (v >> shift) & 0xf;
    if (d || started || shift == 0) {
      out += kDigits[d];
      started = true;
    }
  }
}

std::string ipv6(const uint8_t* b) {
  std::array<unsigned, 8> g{};
  for (int i = 0; i < 8; i++) g[i] = (b[2 * i] << 8) | b[2 * i + 1];
  // RFC 5952 section 5: IPv4-mapped addresses keep their IPv4 part dotted,
  // as the kernel reports them for dual-stack sockets.
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff)
    return "::ffff:" + dotted(b + 12);
  // The longest run of two or more zero groups becomes "::", the first of
  // equally long runs (section 4.2).
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      i++;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) j++;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i && i != best + best_len) out += ':';
    hex_group(out, g[i]);
  }
  return out;
}

}  // namespace

std::string ip_text(std::span<const uint8_t> addr) {
  if (addr.size() == 4) return dotted(addr.data());
  if (addr.size() == 16) return ipv6(addr.data());
  return "";
}

}  // namespace nj
