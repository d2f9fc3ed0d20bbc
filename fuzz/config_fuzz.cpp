// The configuration file's reader on arbitrary text: whatever the bytes,
// it returns; an error names a line of the text; every entry's key is a
// bare key on the line it names.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/config_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const long lines = static_cast<long>(std::count(text.begin(), text.end(), '\n')) + 1;
  auto r = nj::parse_config(text);
  if (!r) {
    const long n = std::strtol(r.error().message.c_str(), nullptr, 10);
    if (n < 1 || n > lines) njf::fail("error names no line of the text", r.error().message);
    return 0;
  }
  for (const auto& e : *r) {
    if (e.key.empty()) njf::fail("empty key", text);
    if (e.line < 1 || e.line > lines) njf::fail("entry on no line of the text", e.key);
    if (!e.is_array && e.values.size() != 1) njf::fail("a scalar without one value", e.key);
    if (e.key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
        std::string::npos)
      njf::fail("a key that is not bare", e.key);
  }
  return 0;
}
