// What the fuzz targets share: reading a fuzz input as the kernel's
// records, and the checks every JSON line the sensor writes must pass.
// A failed check aborts, which libFuzzer reports as a crash with the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "decode/decode.h"
#include "encode/json_writer.h"

namespace njf {

[[noreturn]] inline void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz check failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// One sample's bytes as the reader hands them over: records back to back,
// each decoded; those that do not decode are dropped, as the reader counts
// and drops them.
inline std::vector<nj::Record> decode_all(const uint8_t* data, size_t size) {
  std::vector<nj::Record> out;
  nj::for_each_record(data, size, [&](const uint8_t* rec, size_t len) {
    auto r = nj::decode(rec, len);
    if (r.ok()) out.push_back(std::move(*r));
  });
  return out;
}

// A line the sensor writes: one JSON object, valid UTF-8, no newline;
// returns it parsed. In fuzz_support.cpp, which is built without the
// fuzzer's coverage: the JSON parser's branches are no guide to the
// sensor's own.
nlohmann::json check_json_line(std::string_view line);

// A line of the terminal view (encode/compact.h): valid UTF-8, bounded, no
// byte a terminal acts on but, with `color`, SGR sequences.
void check_terminal_line(std::string_view out, bool color);

}  // namespace njf
