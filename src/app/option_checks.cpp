#include "app/option_checks.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace nj {

namespace {

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

// %g without the exponent for the whole numbers the ranges use.
std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  return std::to_string(v);
}

Error refused(std::string_view text, const std::string& accepted) {
  return Error{EINVAL, "'" + std::string(text) + "' is not " + accepted};
}

}  // namespace

std::string describe(const CountRange& r) {
  return (r.power_of_two ? "a power of two from " : "a whole number from ") + std::to_string(r.min) + " to " +
         std::to_string(r.max);
}

Result<uint64_t> parse_count(std::string_view text, const CountRange& r) {
  // from_chars takes no sign, no base prefix and no blanks: exactly the
  // digits-only syntax wanted here.
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v, 10);
  if (text.empty() || ec != std::errc() || p != end || v < r.min || v > r.max || (r.power_of_two && !is_pow2(v)))
    return refused(text, describe(r));
  return v;
}

std::string describe(const SecondsRange& r) {
  return std::string(r.zero_means_none ? "0 (none) or " : "") + "a number of seconds above 0 and at most " +
         number(r.max);
}

Result<double> parse_seconds(std::string_view text, const SecondsRange& r) {
  const std::string s(text);
  // strtod would skip leading blanks and take "inf", "nan" and hex: blanks
  // are refused here, the rest by the finite range check.
  char* end = nullptr;
  errno = 0;
  const double v = s.empty() || std::isspace(static_cast<unsigned char>(s[0])) ? NAN : std::strtod(s.c_str(), &end);
  const bool parsed = end && *end == '\0' && errno == 0 && std::isfinite(v);
  if (!parsed || v < 0 || v > r.max || (v == 0 && !r.zero_means_none)) return refused(text, describe(r));
  return v;
}

Result<void> check_path(std::string_view text) {
  if (text.empty()) return Error{EINVAL, "an empty path is not a file name"};
  return {};
}

CountRange ranges::ringbuf_bytes(uint64_t page_size) { return CountRange{page_size, uint64_t{1} << 31, true}; }

}  // namespace nj
