#include "encode/json_writer.h"

#include <cstdio>

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

}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
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
    } else if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
               hexval(s[i + 3]) >= 0) {
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
  out_ += '{';
  depth_++;
  first_ = true;
}
void JsonWriter::end_object() {
  out_ += '}';
  depth_--;
  first_ = false;
}
void JsonWriter::begin_array() {
  sep();
  out_ += '[';
  depth_++;
  first_ = true;
}
void JsonWriter::end_array() {
  out_ += ']';
  depth_--;
  first_ = false;
}

void JsonWriter::key(std::string_view k) {
  sep();
  raw_string(k);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::raw_string(std::string_view s) {
  out_ += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", c);
          out_ += buf;
        } else {
          out_ += ch;
        }
    }
  }
  out_ += '"';
}

bool JsonWriter::string(std::string_view s) {
  sep();
  if (valid_utf8(s)) {
    raw_string(s);
    return true;
  }
  raw_string(escape_bytes(s));
  return false;
}

bool JsonWriter::string_array(const std::vector<std::string>& items) {
  bool all_valid = true;
  for (const auto& i : items) all_valid = all_valid && valid_utf8(i);
  begin_array();
  for (const auto& i : items) {
    sep();
    raw_string(all_valid ? std::string_view(i) : std::string_view(escape_always(i)));
  }
  end_array();
  return all_valid;
}

void JsonWriter::number(uint64_t v) {
  sep();
  out_ += std::to_string(v);
}
void JsonWriter::number(int64_t v) {
  sep();
  out_ += std::to_string(v);
}
void JsonWriter::boolean(bool v) {
  sep();
  out_ += v ? "true" : "false";
}
void JsonWriter::null() {
  sep();
  out_ += "null";
}

}  // namespace nj
