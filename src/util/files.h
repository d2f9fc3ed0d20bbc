// Tiny file helpers for /proc, /sys and config files.
#pragma once

#include <optional>
#include <string>

namespace nj {

// Whole file (up to max bytes), or nullopt if it cannot be read.
std::optional<std::string> read_file(const std::string& path, size_t max = 1 << 20);
// First line without the newline.
std::optional<std::string> read_line(const std::string& path);
bool path_exists(const std::string& path);

}  // namespace nj
