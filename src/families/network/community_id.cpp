#include "families/network/community_id.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace nj {

namespace {

// Fetched once, as sha256.cpp does for its digest: EVP_sha1() would make
// libcrypto look the algorithm up again for every connection. Never freed:
// it must not outlive libcrypto's own teardown.
const EVP_MD* sha1_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}

void put16(uint8_t*& out, uint16_t v) {
  *out++ = static_cast<uint8_t>(v >> 8);
  *out++ = static_cast<uint8_t>(v);
}

}  // namespace

std::string community_id(uint8_t proto, std::span<const uint8_t> saddr, uint16_t sport, std::span<const uint8_t> daddr,
                         uint16_t dport, uint16_t seed) {
  if (proto != 6 && proto != 17 && proto != 132) return "";
  if (saddr.size() != daddr.size() || (saddr.size() != 4 && saddr.size() != 16)) return "";
  // The endpoint that sorts first (address, then port) goes first, so the
  // two directions of a flow hash alike.
  const int order = std::memcmp(saddr.data(), daddr.data(), saddr.size());
  if (order > 0 || (order == 0 && sport > dport)) {
    std::swap(saddr, daddr);
    std::swap(sport, dport);
  }
  // seed, address, address, protocol, a zero pad byte, port, port; all in
  // network order.
  std::array<uint8_t, 2 + 16 + 16 + 2 + 4> in{};
  uint8_t* p = in.data();
  put16(p, seed);
  p = std::copy(saddr.begin(), saddr.end(), p);
  p = std::copy(daddr.begin(), daddr.end(), p);
  *p++ = proto;
  *p++ = 0;
  put16(p, sport);
  put16(p, dport);

  const EVP_MD* md = sha1_md();
  std::array<uint8_t, 20> digest{};
  unsigned int n = 0;
  if (!md || EVP_Digest(in.data(), p - in.data(), digest.data(), &n, md, nullptr) != 1 || n != digest.size()) return "";
  // Base64 of 20 bytes: 28 characters and EVP_EncodeBlock's terminating NUL.
  std::array<unsigned char, 29> b64{};
  const int len = EVP_EncodeBlock(b64.data(), digest.data(), digest.size());
  return "1:" + std::string(reinterpret_cast<const char*>(b64.data()), len);
}

}  // namespace nj
