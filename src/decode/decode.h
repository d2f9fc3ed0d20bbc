// Bytes from the kernel -> typed records. Pure and defensive: every size is
// checked against the record's header before anything is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "families/registry.h"
#include "nightjar/abi.h"
#include "util/result.h"

namespace nj {

struct StrPart {
  nj_hdr hdr;
  uint16_t field;
  uint16_t index;
  uint16_t flags;
  uint32_t dev;
  uint64_t ino;
  std::string data;
};

// A part, or one of the registry's record types (families/registry.h).
#define NJ_RECORD_ALTERNATIVE(type, T, family, action, hooks) , T
using Record = std::variant<StrPart NJ_RECORDS(NJ_RECORD_ALTERNATIVE)>;
#undef NJ_RECORD_ALTERNATIVE

Result<Record> decode(const uint8_t* data, size_t size);

// One kernel sample holds one or more records back to back, each starting
// 8-aligned (an event's parts travel with its closing record); perf pads a
// sample with up to 7 bytes. Calls fn with each record's bytes; a header
// that does not fit hands over the rest of the sample as it is, for
// decode() to reject.
template <typename Fn>
void for_each_record(const uint8_t* data, size_t size, Fn&& fn) {
  size_t pos = 0;
  while (pos < size) {
    nj_hdr hdr;
    if (size - pos < sizeof(nj_hdr)) {
      if (pos == 0 || size - pos >= 8) fn(data + pos, size - pos);
      break;
    }
    std::memcpy(&hdr, data + pos, sizeof(hdr));
    const size_t step = (static_cast<size_t>(hdr.size) + 7) & ~static_cast<size_t>(7);
    if (hdr.size < sizeof(nj_hdr) || hdr.size > size - pos) {
      fn(data + pos, size - pos);
      break;
    }
    fn(data + pos, static_cast<size_t>(hdr.size));
    if (step >= size - pos) break;
    pos += step;
  }
}

const nj_hdr& header_of(const Record& r);
// Parts the record closes an event with (0 for single-record events).
inline uint16_t expected_parts(const Record& r) { return header_of(r).nparts; }
inline bool is_part(const Record& r) { return std::holds_alternative<StrPart>(r); }

// A task's comm without the padding NULs.
inline std::string comm_of(const nj_task& t) { return std::string(t.comm, strnlen(t.comm, sizeof(t.comm))); }

// NUL-separated values (argv): an empty trailing piece is not an argument.
std::vector<std::string> split_nul(const std::string& s);

// Leaf-first NUL-terminated segments -> a path as d_path would print it:
// "/a/b", or "/name" for a disconnected object such as a memfd.
std::string path_from_segments(const std::string& segments);
// Whether a walk (its NJ_STR_* flags) ended at an anonymous dentry: one the
// kernel made for an inode it found by number, not by name (open_by_handle_at
// of a file whose dentry was not cached), named "/" and its own parent until
// a lookup by name connects it. Such a walk says nothing of the file's path.
bool walk_disconnected(const std::string& segments, uint16_t flags);

// A walk cut short (NJ_STR_TRUNCATED: deeper or longer than the walker
// goes) yields the path's tail, shown behind this mark: nightjar's paths are
// absolute, so a path that starts with it is never taken for a whole one.
inline constexpr std::string_view kCutPathMark = "...";
// `path` (a tail, "/..." ) marked as cut.
std::string cut_path(const std::string& tail);
// path_from_segments, marked when `cut`.
std::string walked_path(const std::string& segments, bool cut);

}  // namespace nj
