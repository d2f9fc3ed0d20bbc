// SHA-256 (FIPS 180-4), streaming, computed by libcrypto (OpenSSL 3) through
// its EVP interface. libcrypto rather than code of our own: it is the
// distribution's vetted, security-maintained implementation, and it uses the
// CPU's SHA extensions or vectorised code where there are some (about 5x the
// throughput of the portable C++ this replaced), which matters when every
// newly executed binary is read in full.
//
// Errors: libcrypto is not expected to fail here (no allocation after the
// constructor, SHA-256 is in the default provider), but if it does, the
// constructor and every member that calls it throw std::runtime_error with
// the failing EVP call's name; nothing is ignored. The object is then in an
// unspecified state: only reset(), assignment and destruction are valid.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

// libcrypto's context type, opaque; <openssl/evp.h> stays out of the header.
struct evp_md_ctx_st;

namespace nj {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  // Throws std::runtime_error if the context cannot be created.
  Sha256();
  // Copies the state (a digest of a common prefix can be continued twice).
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  // A moved-from object has no context until reset() or assignment gives it
  // one; update() and final() on it throw std::logic_error.
  Sha256(Sha256&&) noexcept = default;
  Sha256& operator=(Sha256&&) noexcept = default;
  ~Sha256() = default;

  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Pads, returns the digest and resets, so the object can be reused.
  Digest final();
  void reset();

  // One-shot convenience.
  static Digest of(std::string_view s);

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* c) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
};

// Lowercase hex, as sha256sum prints it.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace nj
