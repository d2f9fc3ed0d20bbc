// The few fields of a document that a summary of it needs (the journal's
// MESSAGE, priority and NIGHTJAR_* fields), kept by the JSON writer while
// it writes them: an output that builds its own form of each event reads
// them instead of parsing the line again on every event.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nj {

enum class LineField : uint8_t {
  action,
  kind,
  category,
  id,
  outcome,
  error_code,
  pid,
  executable,
  name,
  parent_name,
  user_name,
  user_id,
  file_path,
  destination_ip,
  destination_port,
  dns_question,
  target_name,
  target_pid,
  tampered_detail,
  count,
};
inline constexpr size_t kLineFields = static_cast<size_t>(LineField::count);

// Where each field is in the document, in LineField's order. A field's
// value is what a JSON parser reads there: a string's text (the escaped
// form for bytes that are not UTF-8, as the line has it), an integer's
// digits, "" when absent or of another type. `first`: the value is an
// array and the field its first element, if that is a string.
struct LineFieldPath {
  std::string_view path;
  bool first = false;
};
inline constexpr std::array<LineFieldPath, kLineFields> kLineFieldPaths = {{
    {"event.action"},
    {"event.kind"},
    {"event.category", true},
    {"event.id"},
    {"event.outcome"},
    {"error.code"},
    {"process.pid"},
    {"process.executable"},
    {"process.name"},
    {"process.parent.name"},
    {"process.user.name"},
    {"process.user.id"},
    {"file.path"},
    {"destination.ip"},
    {"destination.port"},
    {"dns.question.name"},
    {"target.process.name"},
    {"target.process.pid"},
    {"nightjar.tampered.detail"},
}};

// The values by LineField: owned (the writer's, a document kept for
// several outputs) or viewed (in a sink's queue block).
template <class S>
struct BasicLineFields {
  std::array<S, kLineFields> values{};
  const S& operator[](LineField f) const { return values[static_cast<size_t>(f)]; }
  S& operator[](LineField f) { return values[static_cast<size_t>(f)]; }
};
using LineFields = BasicLineFields<std::string>;
using LineFieldsView = BasicLineFields<std::string_view>;

// A document as the encoder hands it on: the JSON line (no newline), which
// every output that writes JSON takes as the string it is, and its fields.
struct Line : std::string {
  LineFields fields;
};

// The fields one after another, each its length (4 bytes) then its bytes,
// appended to `out`: how a queue keeps them beside its lines.
void pack_fields(const LineFields& f, std::string& out);
// Those of one line, from the front of `in` (moved past them); views into
// `in`'s bytes. Fewer bytes than a whole record: the fields left "".
LineFieldsView unpack_fields(std::string_view& in);

// Follows a document as JsonWriter writes it and keeps the values of
// kLineFieldPaths in the LineFields it is handed: told each key, each
// container opened and closed, each value. Costs a few compares per key
// inside the objects on those paths (event, process, ...), a branch
// elsewhere.
class FieldKeeper {
 public:
  // A new document: every field "".
  void reset(LineFields& out);
  // Off: nothing is kept (no output reads the fields), at the cost of a
  // branch per call.
  void keep(bool on) { off_ = !on; }
  void key(std::string_view k) { at_ = obj_ >= 0 ? child(obj_, k) : kNone; }
  void open(LineFields& out, bool array) {
    const int16_t t = idle() ? kNone : target(out);
    if (depth_ < kMaxDepth) stack_[static_cast<size_t>(depth_)] = {obj_, first_, in_array_};
    depth_++;
    in_array_ = array;
    enter(t);
  }
  void close();
  // A string value's text (as a parser reads it), or an integer's digits
  // (`string` false).
  void text(LineFields& out, std::string_view v, bool string = true) {
    if (!idle()) keep(out, v, string);
  }
  // true, false, null.
  void other(LineFields& out) {
    if (!idle()) (void)target(out);
  }

 private:
  static constexpr int16_t kNone = -1;
  // The paths are 4 deep at most: containers deeper than this are not
  // followed (nothing below them is kept).
  static constexpr int kMaxDepth = 16;
  struct Frame {
    int16_t obj;
    int16_t first;
    bool array;
  };
  // No path goes through the value written next: most values of a
  // document, told apart without a call.
  bool idle() const { return off_ || (depth_ > 0 && (in_array_ ? first_ : at_) < 0); }
  static int16_t child(int16_t node, std::string_view k);
  // The node the value being written is at, or kNone; its fields cleared
  // (a key written again replaces what the first one held, as in a parser).
  int16_t target(LineFields& out);
  // A container opened at node t (kNone: off the paths).
  void enter(int16_t t);
  void keep(LineFields& out, std::string_view v, bool string);

  std::array<Frame, kMaxDepth> stack_{};  // the enclosing containers' state
  int depth_ = 0;                         // containers open
  int16_t obj_ = kNone;                   // the innermost open object's node
  int16_t at_ = kNone;                    // the node the last key named
  int16_t first_ = kNone;                 // the innermost open array's field, before its first element
  bool in_array_ = false;                 // the innermost open container is an array
  bool off_ = false;
};

}  // namespace nj
