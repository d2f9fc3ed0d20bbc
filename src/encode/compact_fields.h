// What the terminal view (--format compact) shows of each event: one row per
// action, declared by the family that emits it (src/families/<family>/
// compact.cpp) and gathered in src/families/compact.cpp. The formatter
// (encode/compact.h) knows no action: it renders these rows.
#pragma once

#include <cstdint>
#include <vector>

namespace nj {

// How a field's value is written.
enum class Show : uint8_t {
  value,      // as the JSON has it; an array's elements joined by ","
  process,    // `path` is a process object: name[pid]
  endpoint,   // `path` is source/destination/...: address:port ([v6]:port)
  argv_tail,  // an argv array without argv[0], shell-quoted where needed
  count,      // an array's or object's size
  bytes,      // a byte count, in KiB/MiB/GiB
};

// How loudly the action is coloured.
enum class Tone : uint8_t {
  plain,   // what a machine does all day
  notice,  // worth a second look (tampering-adjacent actions)
  alert,   // something to act on (the sensor attacked, events lost)
  status,  // the sensor's own state
};

struct CompactField {
  const char* path;   // dotted JSON path ("file.path")
  const char* label;  // "" : the value alone, else label=value
  Show show = Show::value;
};

struct CompactAction {
  const char* action;  // event.action
  Tone tone = Tone::plain;
  std::vector<CompactField> fields;  // in the order shown; absent ones are skipped
  // Shown instead when event.outcome is failure, if any (a failed exec's
  // process is the caller: what it tried to run is elsewhere). The error
  // code follows either way.
  std::vector<CompactField> failed = {};
};

// Every family's rows, then the sensor's own events' (families/compact.cpp).
const std::vector<CompactAction>& compact_actions();
// The sensor's own events (encode/status_compact.cpp).
std::vector<CompactAction> sensor_compact();

}  // namespace nj
