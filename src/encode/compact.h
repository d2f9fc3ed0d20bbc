// The terminal view (--format compact): one line per event for a person to
// read, from the JSON line the encoder built.
//
// Why from the JSON line rather than inside the encoder: the line is the
// exact record (the view can never show something the JSON does not say),
// every event reaches the output the same way (the families', the sensor's
// own, the alerts), and the rendering runs on the output's writer thread
// (CompactSink), so a person watching costs the reader nothing.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "encode/compact_fields.h"
#include "sink/sink.h"

namespace nj {

struct CompactStyle {
  bool color = false;      // ANSI SGR colours
  size_t max_value = 160;  // characters shown of one field (a command line), then a marker
};

// One JSON line (no newline) -> one line (no newline, no control character
// except the colours asked for). Never fails: a line it cannot parse is
// shown as such, escaped. Its length is bounded: a row has a handful of
// fields, each cut to max_value.
std::string compact_line(std::string_view json_line, const CompactStyle& style);

// `s` made safe for a terminal: control characters (C0, DEL, C1), bidi
// overrides and bytes that are not UTF-8 written as visible escapes
// (\x1b, \n, \u202e); cut to `max_chars` characters with a marker saying how
// many more there were.
std::string terminal_safe(std::string_view s, size_t max_chars);

// Wraps an output: each line written through it is rendered by
// compact_line first (one line in, one line out, so the inner sink's
// accounting of whole lines holds).
std::unique_ptr<Sink> make_compact_sink(std::unique_ptr<Sink> inner, CompactStyle style);

// --format / --color as the user gave them ("auto" where not), and where
// the output goes, to what is used. auto: compact on a terminal, JSON on
// anything else (a file or a pipe is read by programs); colour when the
// output is a terminal, TERM is set and not "dumb", and NO_COLOR is unset
// or empty (https://no-color.org).
struct ViewChoice {
  bool compact = false;
  bool color = false;
};
// Whether the environment lets a terminal be coloured at all (TERM and
// NO_COLOR as above): the operator's stderr lines follow it too.
bool colors_allowed(const char* term, const char* no_color);
ViewChoice choose_view(std::string_view format, std::string_view color, bool to_terminal, const char* term,
                       const char* no_color);

}  // namespace nj
