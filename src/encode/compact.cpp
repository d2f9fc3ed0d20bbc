#include "encode/compact.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

namespace nj {

namespace {

using json = nlohmann::json;

// Decodes one UTF-8 sequence at s[i]; 0 when the bytes there are not one
// (an invalid byte is then shown alone, as \xNN).
size_t utf8_seq(std::string_view s, size_t i, uint32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Characters a terminal acts on instead of showing: C0, DEL and C1 controls
// (ESC starts a sequence that can retitle the window, move the cursor or
// rewrite what was shown), and the bidi controls that reorder what follows
// them on screen.
bool inert(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
      (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
    return false;
  return true;
}

void hex(std::string& out, const char* prefix, uint32_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += prefix;
  for (int d = digits - 1; d >= 0; d--) out += kHex[(v >> (4 * d)) & 15];
}

// The visible form of one code point, appended.
void visible(std::string& out, uint32_t cp, std::string_view raw) {
  if (inert(cp)) {
    out.append(raw);
  } else if (cp == '\n') {
    out += "\\n";
  } else if (cp == '\t') {
    out += "\\t";
  } else if (cp == '\r') {
    out += "\\r";
  } else if (cp < 0x80) {
    hex(out, "\\x", cp, 2);
  } else {
    hex(out, "\\u", cp, 4);
  }
}

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";

const char* tone_color(Tone t) {
  switch (t) {
    case Tone::plain: return "\x1b[1;36m";
    case Tone::notice: return "\x1b[1;33m";
    case Tone::alert: return "\x1b[1;31m";
    case Tone::status: return "\x1b[1;35m";
  }
  return "";
}

// The value at a dotted path; null when any step is missing.
const json* at(const json& doc, std::string_view dotted) {
  const json* cur = &doc;
  while (!dotted.empty()) {
    const size_t dot = dotted.find('.');
    const std::string_view key = dotted.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return cur;
}

std::string scalar(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return {};
}

std::string joined(const json& v, const char* sep) {
  std::string out;
  for (const json& e : v) {
    if (e.is_structured() || e.is_null()) continue;
    if (!out.empty()) out += sep;
    out += scalar(e);
  }
  return out;
}

// name[pid], from a process object.
std::string process_text(const json& p) {
  if (!p.is_object()) return {};
  const json* name = at(p, "name");
  const json* pid = at(p, "pid");
  std::string out = name && name->is_string() ? name->get_ref<const std::string&>() : "";
  if (pid && pid->is_number()) out += "[" + pid->dump() + "]";
  return out;
}

std::string endpoint_text(const json& e) {
  if (!e.is_object()) return {};
  const json* addr = at(e, "address");
  if (!addr || !addr->is_string()) addr = at(e, "ip");
  std::string a = addr && addr->is_string() ? addr->get_ref<const std::string&>() : "";
  const json* port = at(e, "port");
  if (!port || !port->is_number()) return a;
  if (a.find(':') != std::string::npos) a = "[" + a + "]";
  return a + ":" + port->dump();
}

// A shell reader's view of argv: words that would not survive as typed
// are single-quoted.
std::string argv_tail_text(const json& v) {
  if (!v.is_array()) return {};
  std::string out;
  for (size_t i = 1; i < v.size(); i++) {
    if (!v[i].is_string()) continue;
    const std::string& a = v[i].get_ref<const std::string&>();
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./=:,+@%^") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string bytes_text(const json& v) {
  if (!v.is_number()) return scalar(v);
  const double b = v.get<double>();
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double x = b;
  int u = 0;
  while (x >= 1024 && u < 4) x /= 1024, u++;
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.1f%s", x, kUnits[u]);
  return buf;
}

std::string field_text(const json& doc, const CompactField& f) {
  const json* v = at(doc, f.path);
  if (!v || v->is_null()) return {};
  switch (f.show) {
    case Show::process: return process_text(*v);
    case Show::endpoint: return endpoint_text(*v);
    case Show::argv_tail: return argv_tail_text(*v);
    case Show::count: return v->is_structured() ? std::to_string(v->size()) : std::string();
    case Show::bytes: return bytes_text(*v);
    case Show::value: break;
  }
  if (v->is_array()) return joined(*v, ",");
  return scalar(*v);
}

// The view's rows by action, and the width the action column takes.
struct Rows {
  std::vector<const CompactAction*> rows;
  size_t width = 0;
  const CompactAction* find(std::string_view action) const {
    for (const CompactAction* r : rows)
      if (action == r->action) return r;
    return nullptr;
  }
};

const Rows& rows() {
  static const Rows r = [] {
    Rows out;
    for (const CompactAction& a : compact_actions()) {
      out.rows.push_back(&a);
      out.width = std::max(out.width, std::strlen(a.action));
    }
    return out;
  }();
  return r;
}

// Builds a line, colouring only when asked.
class Line {
 public:
  explicit Line(const CompactStyle& s) : s_(s) {}
  void text(std::string_view t, const char* color = nullptr) {
    if (s_.color && color) out_ += color;
    out_ += t;
    if (s_.color && color) out_ += kReset;
  }
  void sep() { out_ += ' '; }
  // label=value, or `label value` for a label that is a word of its own
  // ("->", "on").
  void field(std::string_view label, std::string_view value, const char* color = nullptr) {
    sep();
    if (!label.empty()) {
      const char last = label.back();
      const bool word = std::isalnum(static_cast<unsigned char>(last)) || last == '_';
      text(std::string(label) + (word ? "=" : ""), kDim);
      if (!word) sep();
    }
    text(value, color);
  }
  std::string& str() { return out_; }

 private:
  const CompactStyle& s_;
  std::string out_;
};

std::string unparsable(std::string_view line, const CompactStyle& style) {
  Line l(style);
  l.text("unparsable line:", kRed);
  l.sep();
  l.text(terminal_safe(line, style.max_value));
  return std::move(l.str());
}

std::string render(const json& doc, std::string_view raw, const CompactStyle& style) {
  if (!doc.is_object()) return unparsable(raw, style);
  const size_t cap = style.max_value;
  Line l(style);
  // HH:MM:SS.mmm of @timestamp (UTC, as the JSON says it).
  const json* ts = at(doc, "@timestamp");
  std::string time = ts && ts->is_string() ? ts->get_ref<const std::string&>() : "";
  if (time.size() >= 23 && time[10] == 'T') time = time.substr(11, 12);
  l.text(terminal_safe(time.empty() ? "--:--:--.---" : time, 32), kDim);

  const json* act = at(doc, "event.action");
  const std::string action = terminal_safe(act && act->is_string() ? act->get_ref<const std::string&>() : "?", 32);
  const CompactAction* row = rows().find(action);
  std::string padded = action;
  if (padded.size() < rows().width) padded.resize(rows().width, ' ');
  l.sep();
  l.text(padded, tone_color(row ? row->tone : Tone::plain));

  if (const json* p = at(doc, "process")) {
    const std::string who = process_text(*p);
    if (!who.empty()) {
      l.sep();
      l.text(terminal_safe(who, cap), kBold);
    }
  }
  const json* outcome = at(doc, "event.outcome");
  const bool failed = outcome && outcome->is_string() && outcome->get_ref<const std::string&>() == "failure";
  if (row) {
    const auto& fields = failed && !row->failed.empty() ? row->failed : row->fields;
    for (const CompactField& f : fields) {
      const std::string v = field_text(doc, f);
      if (!v.empty()) l.field(f.label, terminal_safe(v, cap));
    }
  }
  if (failed) {
    const json* code = at(doc, "error.code");
    l.field("error", terminal_safe(code && code->is_string() ? code->get_ref<const std::string&>() : "failed", cap),
            kRed);
  }
  if (const json* parent = at(doc, "process.parent")) {
    const std::string p = process_text(*parent);
    if (!p.empty()) l.field("parent", terminal_safe(p, cap), kDim);
  }
  return std::move(l.str());
}

class CompactSink : public Sink {
 public:
  CompactSink(std::unique_ptr<Sink> inner, CompactStyle style) : inner_(std::move(inner)), style_(style) {}
  WriteResult write(std::string_view lines) override {
    out_.clear();
    while (!lines.empty()) {
      const size_t nl = lines.find('\n');
      out_ += compact_line(lines.substr(0, nl), style_);
      out_ += '\n';
      lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    }
    return inner_->write(out_);
  }
  Result<void> reopen() override { return inner_->reopen(); }
  bool ends_output(int err) const override { return inner_->ends_output(err); }
  int ended() const override { return inner_->ended(); }
  void abandon() override { inner_->abandon(); }

 private:
  std::unique_ptr<Sink> inner_;
  CompactStyle style_;
  std::string out_;
};

}  // namespace

std::string terminal_safe(std::string_view s, size_t max_chars) {
  std::string out;
  size_t shown = 0, i = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    size_t n = utf8_seq(s, i, cp);
    std::string piece;
    if (n == 0) {
      hex(piece, "\\x", static_cast<unsigned char>(s[i]), 2);
      n = 1;
    } else {
      visible(piece, cp, s.substr(i, n));
    }
    // An escape counts as the characters it shows.
    const size_t width = inert(cp) && piece.size() == n ? 1 : piece.size();
    if (shown + width > max_chars) break;
    out += piece;
    shown += width;
    i += n;
  }
  if (i < s.size()) {
    size_t rest = 0;
    for (size_t k = i; k < s.size(); k++) rest += (static_cast<unsigned char>(s[k]) & 0xC0) != 0x80;
    out += "...(+" + std::to_string(rest) + " more)";
  }
  return out;
}

std::string compact_line(std::string_view json_line, const CompactStyle& style) {
  try {
    const json doc = json::parse(json_line, nullptr, false);
    if (doc.is_discarded()) return unparsable(json_line, style);
    return render(doc, json_line, style);
  } catch (const std::exception&) {
    // Nothing above should throw on a parsed document; a person watching
    // still gets a line rather than a sensor that stopped writing.
    return unparsable(json_line, style);
  }
}

std::unique_ptr<Sink> make_compact_sink(std::unique_ptr<Sink> inner, CompactStyle style) {
  return std::make_unique<CompactSink>(std::move(inner), style);
}

bool colors_allowed(const char* term, const char* no_color) {
  return term && *term && std::string_view(term) != "dumb" && !(no_color && *no_color);
}

ViewChoice choose_view(std::string_view format, std::string_view color, bool to_terminal, const char* term,
                       const char* no_color) {
  ViewChoice v;
  v.compact = format == "compact" || (format == "auto" && to_terminal);
  v.color = v.compact && (color == "always" || (color == "auto" && to_terminal && colors_allowed(term, no_color)));
  return v;
}

}  // namespace nj
