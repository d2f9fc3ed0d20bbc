// The file family's path rules: which paths carry which tags, which of them
// report reads, and what is never reported. Matching on strings happens
// here (every reported event's final path); the kernel gets the same rules
// as file identities (resolve_watches) so that reads nobody asked for and
// excluded files are dropped before they cost anything.
//
// Rules file, one rule per line ('#' starts a comment):
//   <path> <tag>[,<tag>...] [read]   tag what the path covers; `read`:
//                                    report opens for reading too
//   exclude <path>                   report nothing the path covers
//   exclude-fs <filesystem type>     report no writes to that filesystem
// A path ending in '/' covers the directory and everything below it; one
// without covers every path that starts with it (/etc/cron: /etc/crontab,
// /etc/cron.d/...). '*' stands for one path component's worth of
// characters (/home/*/.ssh/).
#pragma once

#include <sys/types.h>
#include <cstdint>

#include <optional>
#include <string>
#include <vector>

#include "nightjar/abi.h"
#include "util/result.h"

namespace nj {

// A pattern split once, so matching an event's path costs no allocation.
struct RulePattern {
  std::vector<std::string> parts;
  std::vector<bool> glob;  // per part: has * ? or [
  bool dir = false;        // ends in '/'
};
RulePattern compile_pattern(const std::string& pattern);

struct FileRule {
  std::string pattern;
  std::vector<std::string> tags;
  bool read = false;
  bool exclude = false;
  int line = 0;
  RulePattern compiled;  // parse_file_rules fills it; empty: compiled when used
};

struct FileRules {
  std::vector<FileRule> rules;  // rules[i] is reported as first_number + i
  // Rules read again (SIGHUP) are numbered after the ones they replace, so
  // a record the kernel sent under the old map names no rule of the new set.
  uint32_t first_number = 1;
  std::vector<std::string> excluded_fs;  // filesystem type names
  std::vector<uint32_t> excluded_magic;  // their s_magic, in the same order
  uint32_t depth = 5;                    // dentries the kernel looks up per file (see nj_watch_depth)
  std::string text;                      // what they were parsed from (SIGHUP: changed or not)
};

// The rules shipped with the sensor (docs/events/file.md lists them).
const FileRules& default_file_rules();
const char* default_file_rules_text();
Result<FileRules> parse_file_rules(const std::string& text, const std::string& origin);
Result<FileRules> load_file_rules(const std::string& path);

// Whether `pattern` covers `path` (both absolute).
bool rule_covers(const std::string& pattern, const std::string& path);

struct RuleMatch {
  std::vector<std::string> tags;  // every covering rule's, in rule order, once each
  bool excluded = false;
  bool read = false;  // a covering rule reports reads
};
RuleMatch match_rules(const FileRules& r, const std::string& path);
// Adds the tags `from` has and `to` lacks, in order.
void merge_tags(std::vector<std::string>& to, const std::vector<std::string>& from);
// The rule the kernel reports as number `rule`; null for 0 or a number of
// another set.
const FileRule* rule_by_number(const FileRules& r, uint32_t rule);

struct Watch {
  nj_watch_key key;
  nj_watch value;
  std::string path;  // what it was resolved from
};
// The rules as file identities: every existing path a read or exclude rule
// covers at its top (a glob expanded, a prefix's siblings listed), looked up
// under `root` (the host's "/", or a test directory).
std::vector<Watch> resolve_watches(const FileRules& r, const std::string& root = "");
// The identity of one path a rule covers, for a file created after start.
std::optional<Watch> watch_for(const FileRules& r, const std::string& path, const std::string& root = "");

// A stat() st_dev in the kernel's own encoding (MAJOR << 20 | MINOR), as
// s_dev and the BPF records hold it.
uint32_t kernel_dev(dev_t d);
// Filesystem type name -> s_magic, for exclude-fs; 0 if unknown.
uint32_t fs_magic(const std::string& type);

}  // namespace nj
