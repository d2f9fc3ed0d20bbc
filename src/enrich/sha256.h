// SHA-256 (FIPS 180-4), streaming. Written here rather than pulled from a
// crypto library: the sensor only needs this one digest for executables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nj {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256() { reset(); }

  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Pads, returns the digest and resets, so the object can be reused.
  Digest final();
  void reset();

  // One-shot convenience.
  static Digest of(std::string_view s);

 private:
  void block(const uint8_t* p);

  std::array<uint32_t, 8> h_{};
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes; FIPS limits messages to 2^64 bits anyway
};

// Lowercase hex, as sha256sum prints it.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace nj
