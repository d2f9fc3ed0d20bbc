// The configuration file meets the command line: `nightjar run`'s options
// take the file's values where the command line did not set them, and the
// settings in force can be printed back as a configuration file.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "app/config_file.h"
#include "util/result.h"

namespace nj {

// The default configuration file, read when it exists and --config is not
// given.
inline constexpr const char* kDefaultConfigPath = "/etc/nightjar/nightjar.toml";

// Keys of `run` that are no configuration: the file cannot name them.
bool config_key_allowed(const CLI::Option& opt);

// Gives each entry to its `run` option unless the command line set it;
// the options' own checks run. Errors: "PATH:LINE: key: what is wrong".
// `sources` gets "PATH:LINE" for each key taken from the file.
Result<void> apply_config(CLI::App& run, const std::vector<ConfigEntry>& entries, const std::string& path,
                          std::map<std::string, std::string>* sources);

// The settings as a configuration file: each key set by the file or the
// command line as `key = value` with where it came from; each other key
// commented out with its default. With `help`, each key's description
// above it (the commented default configuration the package installs).
std::string settings_toml(const CLI::App& run, const std::map<std::string, std::string>& sources, bool help);

}  // namespace nj
