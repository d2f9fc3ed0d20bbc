#include "enrich/sha256.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace nj {

namespace {

// Fetched once for the process: EVP_sha256() would make libcrypto look the
// algorithm up in its providers again on every EVP_DigestInit_ex2(). Never
// freed on purpose: libcrypto tears its providers down in its own atexit
// handler, and the EVP_MD must not outlive them. nullptr if the fetch failed
// (no provider offers SHA-256): every Sha256 then throws.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// Throws with the failing call's name and libcrypto's first queued error
// (and empties the thread's queue, so a later failure does not report this
// one).
[[noreturn]] void throw_evp(const char* what) {
  std::string msg = std::string("sha256: ") + what + " failed";
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  throw std::runtime_error(msg);
}

}  // namespace

void Sha256::CtxFree::operator()(evp_md_ctx_st* c) const noexcept { EVP_MD_CTX_free(c); }

Sha256::Sha256() { reset(); }

Sha256::Sha256(const Sha256& other) {
  if (!other.ctx_) return;  // moved-from: so is the copy
  ctx_.reset(EVP_MD_CTX_new());
  if (!ctx_) throw_evp("EVP_MD_CTX_new");
  if (EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) != 1) throw_evp("EVP_MD_CTX_copy_ex");
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) *this = Sha256(other);
  return *this;
}

void Sha256::reset() {
  if (!ctx_) {
    ctx_.reset(EVP_MD_CTX_new());
    if (!ctx_) throw_evp("EVP_MD_CTX_new");
  }
  const EVP_MD* md = sha256_md();
  if (!md) throw_evp("EVP_MD_fetch(SHA256)");
  if (EVP_DigestInit_ex2(ctx_.get(), md, nullptr) != 1) throw_evp("EVP_DigestInit_ex2");
}

void Sha256::update(const void* data, size_t len) {
  if (!ctx_) throw std::logic_error("sha256: update() on a moved-from object");
  if (EVP_DigestUpdate(ctx_.get(), data, len) != 1) throw_evp("EVP_DigestUpdate");
}

Sha256::Digest Sha256::final() {
  if (!ctx_) throw std::logic_error("sha256: final() on a moved-from object");
  Digest d{};
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), d.data(), &n) != 1) throw_evp("EVP_DigestFinal_ex");
  if (n != d.size()) throw std::runtime_error("sha256: EVP_DigestFinal_ex returned " + std::to_string(n) + " bytes");
  reset();
  return d;
}

Sha256::Digest Sha256::of(std::string_view s) {
  Sha256 h;
  h.update(s);
  return h.final();
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace nj
