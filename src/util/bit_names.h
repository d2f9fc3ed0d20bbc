// The names of the bits set in a flags word, for the fields that spell
// them out; bits without a name as one hex number, so nothing set goes
// unsaid.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace nj {

using BitName = std::pair<uint64_t, const char*>;

template <size_t N>
std::vector<std::string> bit_names_of(uint64_t flags, const BitName (&names)[N]) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : names) {
    if (flags & bit) {
      out.emplace_back(name);
      flags &= ~bit;
    }
  }
  if (flags) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(flags));
    out.emplace_back(buf);
  }
  return out;
}

}  // namespace nj
