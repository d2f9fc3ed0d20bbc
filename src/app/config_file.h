// The configuration file (/etc/nightjar/nightjar.toml, or --config FILE):
// `nightjar run`'s long flags as top-level TOML keys, one to one.
//
// Why our own reader of a TOML subset rather than CLI11's: Debian 12's
// CLI11 (2.1.2) reads a subcommand's keys only under a `[run]` table,
// reports an unknown key or a bad value without its line, and cannot tell
// a value from the file from one on the command line. Here every key keeps
// its line, so an error names the file, the line and the key, and the
// command line overrides the file key by key.
//
// What the subset takes: `key = value` lines, comments (`#`, whole-line or
// after a value), blank lines; values are basic strings ("...", with the
// escapes of TOML: quote, backslash, b t n f r, u and U), literal strings
// ('...'), integers (digits, `_` between them), decimal numbers,
// true/false, and one-line arrays of those.
// Tables, dotted keys, multi-line strings and dates are refused by line
// with what is wrong: no nightjar key needs them.
#pragma once

#include <sys/types.h>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nj {

struct ConfigEntry {
  std::string key;
  std::vector<std::string> values;  // one for a scalar; an array's items
  bool is_array = false;
  bool is_bool = false;  // true/false (flags take only these)
  int line = 0;
};

// Every entry of `text` in file order; the error is "LINE: what is wrong".
// A key given twice is an error naming both lines.
Result<std::vector<ConfigEntry>> parse_config(std::string_view text);

// What a configuration file's owner and mode must be: it says what the
// sensor watches and where its events go, so whoever can write it (or
// replace it through its directory) controls the sensor. Allowed: owned by
// root or by the user running the sensor, not writable by group or others;
// the same for its directory. "" when fine, else why not (one clause).
struct FileFacts {
  bool regular = true;
  uid_t uid = 0;
  mode_t mode = 0;
};
std::string config_owner_problem(const FileFacts& file, const FileFacts& dir, uid_t euid);

// The settings `--check-config` prints, by key: "key = value  # source"
// and "# key = default" give value, "# key (not set)" gives "(not set)".
std::map<std::string, std::string> settings_values(std::string_view text);
// The keys whose value differs between two such maps (either side
// missing counts), in key order.
std::vector<std::string> changed_keys(const std::map<std::string, std::string>& before,
                                      const std::map<std::string, std::string>& after);

// The file read whole after the checks above (stat of the file and its
// directory); errors name the path.
Result<std::string> read_config_file(const std::string& path, uid_t euid);

}  // namespace nj
