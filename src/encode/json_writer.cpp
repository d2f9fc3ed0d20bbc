#include "encode/json_writer.h"

#include <charconv>
#include <cstring>

namespace nj {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
size_t utf8_seq(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

const char kHex[] = "0123456789abcdef";

// Eight bytes at a time: what the daemon writes is mostly long runs of
// plain ASCII (paths, command lines), and a byte-at-a-time loop over them
// was a tenth of its CPU time in a file storm.
constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;

uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

// Whether a word holds a byte below 0x20, a quote, a backslash or 0x7f (the
// bytes JSON escapes; bytes from 0x80 up never count). Exact for the word
// (a borrow can only flag a lane above a real match), not per lane: the
// caller finds the byte itself.
bool may_need_escape(uint64_t w) {
  auto zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t below_space = (w - 0x20 * kOnes) & ~w & kHighs;
  return below_space | zero_byte(w ^ ('"' * kOnes)) | zero_byte(w ^ ('\\' * kOnes)) | zero_byte(w ^ (0x7f * kOnes));
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    // Nearly every byte the sensor writes is ASCII: skip those without
    // decoding them, a word at a time where it can.
    if (i + 8 <= s.size() && !(load8(s.data() + i) & kHighs)) {
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      i++;
      continue;
    }
    size_t n = utf8_seq(s, i);
    if (!n) return false;
    i += n;
  }
  return true;
}

std::string escape_bytes(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  return escape_always(s);
}

std::string escape_always(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq(s, i);
    if (!n) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      i++;
    } else if (s[i] == '\\') {
      out += "\\\\";
      i++;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string unescape_bytes(std::string_view s) {
  std::string out;
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
      out += '\\';
      i++;
    } else if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
      out += static_cast<char>(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

void JsonWriter::sep() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

void JsonWriter::begin_object() {
  sep();
  keep_.open(out_.fields, false);
  out_ += '{';
  first_ = true;
}
void JsonWriter::end_object() {
  keep_.close();
  out_ += '}';
  first_ = false;
}
void JsonWriter::begin_array() {
  sep();
  keep_.open(out_.fields, true);
  out_ += '[';
  first_ = true;
}
void JsonWriter::end_array() {
  keep_.close();
  out_ += ']';
  first_ = false;
}

void JsonWriter::key(std::string_view k) {
  sep();
  keep_.key(k);
  raw_string(k, ':');
  after_key_ = true;
}

namespace {

// 0: written as is; else the character that follows the backslash ('u' for
// the four-hex-digit form).
constexpr auto kEscape = [] {
  struct Table {
    char v[256] = {};
    constexpr void set(char c, char e) { v[static_cast<unsigned char>(c)] = e; }
  } t;
  for (char c = 0; c < 0x20; c++) t.set(c, 'u');
  t.set(0x7f, 'u');
  t.set('"', '"');
  t.set('\\', '\\');
  t.set('\n', 'n');
  t.set('\r', 'r');
  t.set('\t', 't');
  t.set('\b', 'b');
  t.set('\f', 'f');
  return t;
}();

}  // namespace

void JsonWriter::raw_string(std::string_view s, char after) {
  size_t i = 0;
  while (i + 8 <= s.size() && !may_need_escape(load8(s.data() + i))) i += 8;
  while (i < s.size() && !kEscape.v[static_cast<unsigned char>(s[i])]) i++;
  if (i == s.size()) {
    // Nothing to escape (nearly always): the quotes and the text at once.
    const size_t n = out_.size(), extra = after ? 3 : 2;
    out_.resize(n + s.size() + extra);
    char* p = out_.data() + n;
    *p++ = '"';
    if (!s.empty()) std::memcpy(p, s.data(), s.size());  // data() may be null
    p[s.size()] = '"';
    if (after) p[s.size() + 1] = after;
    return;
  }
  out_ += '"';
  // Runs of characters that need no escaping are appended whole.
  size_t run = 0;
  for (; i < s.size(); i++) {
    const char e = kEscape.v[static_cast<unsigned char>(s[i])];
    if (!e) continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    out_ += '\\';
    out_ += e;
    if (e == 'u') {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      out_ += "00";
      out_ += kHex[c >> 4];
      out_ += kHex[c & 15];
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
  if (after) out_ += after;
}

bool JsonWriter::string(std::string_view s) {
  sep();
  if (valid_utf8(s)) {
    raw_string(s);
    keep_.text(out_.fields, s);
    return true;
  }
  const std::string escaped = escape_bytes(s);
  raw_string(escaped);
  keep_.text(out_.fields, escaped);
  return false;
}

bool JsonWriter::string_array(const std::vector<std::string>& items) {
  bool all_valid = true;
  for (const auto& i : items) all_valid = all_valid && valid_utf8(i);
  begin_array();
  for (const auto& i : items) {
    sep();
    const std::string escaped = all_valid ? std::string() : escape_always(i);
    const std::string_view v = all_valid ? std::string_view(i) : std::string_view(escaped);
    raw_string(v);
    keep_.text(out_.fields, v);
  }
  end_array();
  return all_valid;
}

void JsonWriter::number(uint64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  keep_.text(out_.fields, std::string_view(buf, static_cast<size_t>(r.ptr - buf)), false);
}
void JsonWriter::number(int64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  keep_.text(out_.fields, std::string_view(buf, static_cast<size_t>(r.ptr - buf)), false);
}
void JsonWriter::boolean(bool v) {
  sep();
  keep_.other(out_.fields);
  out_ += v ? "true" : "false";
}
void JsonWriter::null() {
  sep();
  keep_.other(out_.fields);
  out_ += "null";
}

}  // namespace nj
