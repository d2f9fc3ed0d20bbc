#include "fuzz_support.h"

namespace njf {

nlohmann::json check_json_line(std::string_view line) {
  if (!nj::valid_utf8(line)) fail("not UTF-8", line);
  if (line.find('\n') != std::string_view::npos) fail("newline inside a line", line);
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) fail("not JSON", line);
  if (!j.is_object()) fail("not a JSON object", line);
  return j;
}

}  // namespace njf
