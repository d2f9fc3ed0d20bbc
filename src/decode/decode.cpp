#include "decode/decode.h"

#include <cerrno>
#include <cstring>

namespace nj {

namespace {

template <typename T>
Result<Record> fixed(const uint8_t* data, size_t size) {
  if (size < sizeof(T)) return Error{EINVAL, "record shorter than its type"};
  T rec;
  std::memcpy(&rec, data, sizeof(T));
  return Record(rec);
}

}  // namespace

Result<Record> decode(const uint8_t* data, size_t size) {
  if (size < sizeof(nj_hdr)) return Error{EINVAL, "record shorter than a header"};
  nj_hdr hdr;
  std::memcpy(&hdr, data, sizeof(hdr));
  if (hdr.version != NJ_ABI_VERSION) return Error{EPROTO, "record of ABI version " + std::to_string(hdr.version)};
  if (hdr.size > size || hdr.size < sizeof(nj_hdr)) return Error{EINVAL, "record size field out of bounds"};
  switch (hdr.type) {
    case NJ_REC_PART: {
      if (hdr.family >= NJ_FAM_MAX) return Error{EPROTO, "part of an unknown family"};
      if (hdr.size < sizeof(nj_str)) return Error{EINVAL, "string part shorter than its header"};
      nj_str s;
      std::memcpy(&s, data, sizeof(s));
      if (s.len > hdr.size - sizeof(nj_str)) return Error{EINVAL, "string part length out of bounds"};
      StrPart p{s.hdr,
                s.field,
                s.index,
                s.flags,
                s.dev,
                s.ino,
                std::string(reinterpret_cast<const char*>(data + sizeof(nj_str)), s.len)};
      return Record(std::move(p));
    }
#define NJ_DECODE_CASE(type, T, fam, action, hooks)                                         \
  case type:                                                                                \
    if (hdr.family != (fam)) return Error{EPROTO, "record family does not match its type"}; \
    return fixed<T>(data, hdr.size);
      NJ_RECORDS(NJ_DECODE_CASE)
#undef NJ_DECODE_CASE
    default: return Error{EPROTO, "unknown record type " + std::to_string(hdr.type)};
  }
}

const nj_hdr& header_of(const Record& r) {
  return std::visit([](const auto& v) -> const nj_hdr& { return v.hdr; }, r);
}

std::vector<std::string> split_nul(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\0', start);
    if (end == std::string::npos) {
      out.push_back(s.substr(start));  // truncated mid-argument
      break;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string path_from_segments(const std::string& segments) {
  std::vector<std::string> parts = split_nul(segments);
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (it->empty() || *it == "/") continue;
    out += '/';
    out += *it;
  }
  return out.empty() ? "/" : out;
}

bool walk_disconnected(const std::string& segments, uint16_t flags) {
  if (flags & (NJ_STR_PATH_ROOTED | NJ_STR_TRUNCATED)) return false;
  // A rooted walk never names the root, so "/" is only ever an anonymous
  // dentry's name; it is the top (last) segment, leaf first.
  using namespace std::string_view_literals;
  const std::string_view s = segments;
  return s == "/\0"sv || s.ends_with("\0/\0"sv);
}

std::string cut_path(const std::string& tail) { return std::string(kCutPathMark) + tail; }

std::string walked_path(const std::string& segments, bool cut) {
  std::string path = path_from_segments(segments);
  return cut ? cut_path(path) : path;
}

}  // namespace nj
