// Files and waiting, for the unit and the end-to-end tests alike: a file's
// bytes, its lines, its lines parsed as JSON, a condition polled for.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace njt {

// The file's bytes ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines of `text`, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Every line of `text` parsed; a line that is not JSON (a torn, merged or
// empty one) fails the test, naming `where`, and is left out.
inline std::vector<nlohmann::json> parse_jsonl(const std::string& text, const std::string& where = "") {
  std::vector<nlohmann::json> out;
  for (const std::string& l : lines_of(text)) {
    nlohmann::json j = nlohmann::json::parse(l, nullptr, false);
    if (j.is_discarded())
      ADD_FAILURE() << where << (where.empty() ? "" : ": ") << "not a JSON line: " << l.substr(0, 200);
    else out.push_back(std::move(j));
  }
  return out;
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& path) { return parse_jsonl(slurp(path), path); }

// Polls `done` every `poll_ms` until it holds (true) or `timeout_ms`
// passed (false).
inline bool wait_until(const std::function<bool()>& done, int timeout_ms, int poll_ms = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return true;
}

}  // namespace njt
