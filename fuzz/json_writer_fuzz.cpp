// The JSON writer on arbitrary strings: the document always parses, is
// valid UTF-8, and each value gives back the exact bytes that went in --
// as is when string() says so, else through unescape_bytes().
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "encode/json_writer.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<std::string> values;
  std::vector<std::string> items;
  while (in.remaining_bytes() > 0) {
    std::string s = in.ConsumeRandomLengthString(512);
    (in.ConsumeBool() ? values : items).push_back(std::move(s));
  }

  nj::JsonWriter w;
  w.begin_object();
  std::vector<bool> as_is;
  for (size_t i = 0; i < values.size(); i++) {
    w.key("v" + std::to_string(i));
    as_is.push_back(w.string(values[i]));
  }
  w.key("items");
  const bool items_as_is = w.string_array(items);
  w.kn("n", uint64_t{values.size()});
  w.end_object();

  const nlohmann::json j = njf::check_json_line(w.str());
  for (size_t i = 0; i < values.size(); i++) {
    const std::string got = j["v" + std::to_string(i)].get<std::string>();
    if ((as_is[i] ? got : nj::unescape_bytes(got)) != values[i]) njf::fail("value changed", values[i]);
    if (as_is[i] != nj::valid_utf8(values[i])) njf::fail("as-is but not UTF-8", values[i]);
  }
  for (size_t i = 0; i < items.size(); i++) {
    const std::string got = j["items"][i].get<std::string>();
    if ((items_as_is ? got : nj::unescape_bytes(got)) != items[i]) njf::fail("array item changed", items[i]);
  }
  return 0;
}
