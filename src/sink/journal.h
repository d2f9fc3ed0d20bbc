// Events to the systemd journal (--journal), through the native journal
// protocol (sd_journal_sendv): one entry per event, with a short MESSAGE a
// person reads in `journalctl`, the whole JSON line in NIGHTJAR_JSON, and
// the fields people filter on (NIGHTJAR_ACTION, NIGHTJAR_PID, ...) as
// fields of their own.
//
// The entry is built from the JSON line, the same line every other output
// gets, so the journal holds exactly what the file holds, and from the
// fields the encoder kept while writing it (encode/line_fields.h): the
// writer parses no JSON per event.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "encode/line_fields.h"
#include "sink/sink.h"

namespace nj {

// Where libsystemd sends entries (a path compiled into it).
inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// journald's syslog priorities (syslog.h's LOG_WARNING, LOG_INFO).
inline constexpr int kJournalWarning = 4;
inline constexpr int kJournalInfo = 6;

// "event.action" -> "NIGHTJAR_EVENT_ACTION": journald takes field names of
// uppercase letters, digits and underscores, not starting with an
// underscore (those are its own trusted fields) nor a digit, at most 64
// bytes; anything else in `name` becomes an underscore.
std::string journal_field_name(std::string_view name);

// One entry, each field "NAME=value" as sd_journal_sendv takes it.
struct JournalEntry {
  int priority = kJournalInfo;
  std::string message;              // the MESSAGE value
  std::vector<std::string> fields;  // every field, MESSAGE, PRIORITY and NIGHTJAR_JSON included
};

// The entry for one JSON line (without its newline) and its fields. A line
// without fields (none were given) still becomes an entry, its JSON kept
// as it is: nothing the other outputs get is kept from the journal.
JournalEntry journal_entry(std::string_view json_line, const LineFieldsView& fields);

// The journal as an output: each line of a block one entry. A missing
// socket (journald not running) fails the block with ENOENT, a journald that
// accepts nothing for a second fails the rest of it with EAGAIN: counted
// by AsyncSink like any output's failures, never a blocked writer forever.
std::unique_ptr<Sink> make_journal_sink();

}  // namespace nj
