// A small streaming JSON writer for the hot path (one line per event).
//
// Strings are written as valid UTF-8 always. A value that is valid UTF-8 is
// written as is (JSON-escaped). A value with bytes that are not UTF-8 is
// written in "escaped form": each such byte as the four characters \xNN and
// each backslash doubled, so the original bytes can be recovered exactly;
// string() returns false for it and the encoder lists the field under
// nightjar.escaped_fields.
//
// It keeps the few fields a summary of the document needs (LineField) as
// it writes them: the document it hands on is a Line, the JSON and those.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encode/line_fields.h"

namespace nj {

bool valid_utf8(std::string_view s);
// The escaped form described above (identity for valid UTF-8).
std::string escape_bytes(std::string_view s);
// The escaped form whatever the input: invalid bytes as \xNN, backslashes
// doubled. Used for every element of an array once one element needs it,
// so that a consumer can unescape the whole listed field uniformly.
std::string escape_always(std::string_view s);
// Inverse of escape_always / escape_bytes for a value listed as escaped.
std::string unescape_bytes(std::string_view s);

class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  // Returns false when the value needed the escaped form.
  bool string(std::string_view s);
  // An array of strings; all elements in escaped form if any needs it.
  // Returns false in that case.
  bool string_array(const std::vector<std::string>& items);
  void number(uint64_t v);
  void number(int64_t v);
  void number(uint32_t v) { number(static_cast<uint64_t>(v)); }
  void number(int32_t v) { number(static_cast<int64_t>(v)); }
  void boolean(bool v);
  void null();

  // key + value shorthands
  bool kv(std::string_view k, std::string_view v) {
    key(k);
    return string(v);
  }
  template <typename N>
  void kn(std::string_view k, N v) {
    key(k);
    number(v);
  }
  void kb(std::string_view k, bool v) {
    key(k);
    boolean(v);
  }

  std::string& str() { return out_; }
  // The document and its fields (all "" when not kept).
  const Line& line() const { return out_; }
  void keep_fields(bool on) { keep_.keep(on); }
  void clear() {
    out_.clear();
    first_ = true;
    keep_.reset(out_.fields);
  }

 private:
  void sep();
  // s quoted and escaped, then `after` if not NUL (a key's ':').
  void raw_string(std::string_view s, char after = 0);
  Line out_;
  FieldKeeper keep_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace nj
