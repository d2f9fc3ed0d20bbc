// The passwd/group parser on arbitrary files: whatever the text, it
// returns, and every name it maps is a non-empty piece of one line.
#include <cstdint>
#include <string>

#include "enrich/users.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& [id, name] : nj::parse_id_file(text)) {
    if (name.empty()) njf::fail("empty name", text);
    if (name.find_first_of(":\n") != std::string::npos) njf::fail("name across fields", name);
    if (text.find(name + ":") == std::string::npos) njf::fail("name not in the text", name);
  }
  return 0;
}
