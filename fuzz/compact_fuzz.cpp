// The terminal view on arbitrary lines: it always returns one line with no
// byte a terminal would act on (only SGR colours, when asked), valid
// UTF-8, of bounded length, however the input's fields are shaped. (Every
// line the encoders write is also rendered by check_json_line.)
#include <cstdint>
#include <string_view>

#include "encode/compact.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  njf::check_terminal_line(nj::compact_line(line, {false, 160}), false);
  njf::check_terminal_line(nj::compact_line(line, {true, 40}), true);
  njf::check_terminal_line(nj::terminal_safe(line, 100), false);
  return 0;
}
