#include "fuzz_support.h"

#include <string>

#include "encode/compact.h"

namespace njf {

void check_terminal_line(std::string_view out, bool color) {
  if (!nj::valid_utf8(out)) fail("terminal line not UTF-8", out);
  if (out.size() > 64 * 1024) fail("unbounded terminal line", out.substr(0, 200));
  for (size_t i = 0; i < out.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    if (c == 0x1b && color) {
      size_t k = i + 1;
      if (k >= out.size() || out[k] != '[') fail("ESC that is not a colour", out);
      for (k++; k < out.size() && ((out[k] >= '0' && out[k] <= '9') || out[k] == ';'); k++) {
      }
      if (k >= out.size() || out[k] != 'm') fail("ESC that is not a colour", out);
      i = k;
      continue;
    }
    if (c < 0x20 || c == 0x7f) fail("control byte in a terminal line", out);
    if (c == 0xc2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) <= 0x9f) fail("C1 control", out);
  }
}

nlohmann::json check_json_line(std::string_view line) {
  if (!nj::valid_utf8(line)) fail("not UTF-8", line);
  if (line.find('\n') != std::string_view::npos) fail("newline inside a line", line);
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) fail("not JSON", line);
  if (!j.is_object()) fail("not a JSON object", line);
  // Every line the encoders write also renders in the terminal view.
  // (Its refusal is a line that starts so; the word may well be in a value.)
  if (nj::compact_line(line, {false, 160}).rfind("unparsable line:", 0) == 0)
    fail("the terminal view could not read a line", line);
  check_terminal_line(nj::compact_line(line, {true, 160}), true);
  return j;
}

}  // namespace njf
