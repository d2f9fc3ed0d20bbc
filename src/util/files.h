// Tiny file helpers for /proc, /sys and config files.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace nj {

// What one read of a whole file got.
struct FileText {
  std::string text;
  bool error = false;   // a read failed: text is what came before
  bool capped = false;  // the file goes on past the cap
};

// Reads an open file from its position to its end, keeping at most max
// bytes.
FileText read_fd(int fd, size_t max);
// Whole file (up to max bytes), or nullopt if it cannot be opened or read.
// O_NONBLOCK, so a FIFO planted at the path cannot hang the caller.
std::optional<std::string> read_file(const std::string& path, size_t max = 1 << 20);
// First line without the newline.
std::optional<std::string> read_line(const std::string& path);
bool path_exists(const std::string& path);

// The first bytes of a file (a shebang line: the kernel reads
// BINPRM_BUF_SIZE = 256), or nullopt. A function so tests can serve an
// in-memory tree.
using HeadReader = std::function<std::optional<std::string>(const std::string& path)>;
HeadReader file_head_reader();

}  // namespace nj
