#include "app/config_cli.h"

#include <cstdio>

namespace nj {
namespace {

std::string key_of(const CLI::Option& opt) {
  return opt.get_lnames().empty() ? std::string() : opt.get_lnames().front();
}

bool is_flag(const CLI::Option& opt) { return opt.get_expected_max() == 0; }
bool is_list(const CLI::Option& opt) { return opt.get_expected_max() > 1; }
bool is_text(const CLI::Option& opt) { return opt.get_type_name().rfind("TEXT", 0) == 0; }

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string toml_value(const CLI::Option& opt, const std::vector<std::string>& values) {
  auto one = [&](const std::string& v) { return is_text(opt) ? toml_string(v) : v; };
  if (is_flag(opt)) {
    // A flag's result is "true" or how often it was given; its default "".
    const std::string v = values.empty() ? std::string() : values.back();
    const bool count = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v != "0";
    return v == "true" || count ? "true" : "false";
  }
  if (is_list(opt)) {
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + one(values[i]);
    return out + "]";
  }
  return values.empty() ? std::string() : one(values.back());
}

// A description as comment lines of at most 78 columns.
std::string comment_lines(const std::string& text) {
  std::string out, line = "#";
  size_t at = 0;
  while (at < text.size()) {
    size_t sp = text.find(' ', at);
    std::string word = text.substr(at, sp == std::string::npos ? std::string::npos : sp - at);
    at = sp == std::string::npos ? text.size() : sp + 1;
    if (word.empty()) continue;
    if (line.size() + 1 + word.size() > 78 && line != "#") {
      out += line + "\n";
      line = "#";
    }
    line += " " + word;
  }
  return out + line + "\n";
}

}  // namespace

bool config_key_allowed(const CLI::Option& opt) {
  const std::string k = key_of(opt);
  return !k.empty() && k != "help" && k != "config" && k != "check-config";
}

Result<void> apply_config(CLI::App& run, const std::vector<ConfigEntry>& entries, const std::string& path,
                          std::map<std::string, std::string>* sources) {
  for (const ConfigEntry& e : entries) {
    const std::string where = path + ":" + std::to_string(e.line);
    CLI::Option* opt = run.get_option_no_throw("--" + e.key);
    if (!opt || !config_key_allowed(*opt) || key_of(*opt) != e.key)
      return Error{0, where + ": unknown key '" + e.key +
                          "' (the keys are the long flags of `nightjar run --help`, without the dashes)"};
    if (opt->count() > 0) continue;  // the command line overrides the file
    if (is_flag(*opt) && !e.is_bool) return Error{0, where + ": " + e.key + ": true or false"};
    if (!is_flag(*opt) && e.is_bool) return Error{0, where + ": " + e.key + ": not a true/false setting"};
    if (e.is_array && !is_list(*opt)) return Error{0, where + ": " + e.key + ": one value, not an array"};
    try {
      for (const auto& v : e.values) opt->add_result(v);
      opt->run_callback();
    } catch (const CLI::Error& err) {
      std::string msg = err.what();
      // CLI11 names the option ("--ringbuf-size: ..."); the file names the key.
      const std::string flag = "--" + e.key + ": ";
      if (msg.rfind(flag, 0) == 0) msg = msg.substr(flag.size());
      return Error{0, where + ": " + e.key + ": " + msg};
    }
    if (sources) (*sources)[e.key] = where;
  }
  return {};
}

std::string settings_toml(const CLI::App& run, const std::map<std::string, std::string>& sources, bool help) {
  std::string out;
  for (const CLI::Option* opt : run.get_options()) {
    if (!config_key_allowed(*opt)) continue;
    const std::string key = key_of(*opt);
    if (help) out += "\n" + comment_lines(opt->get_description());
    if (opt->count() > 0) {
      auto src = sources.find(key);
      out += key + " = " + toml_value(*opt, opt->results()) + "  # " +
             (src == sources.end() ? std::string("command line") : src->second) + "\n";
      continue;
    }
    const std::string def = opt->get_default_str();
    // No default value: the option's absence means something of its own
    // (stdout, the built-in rules, until stopped).
    if (def.empty() && !is_flag(*opt)) {
      out += "# " + key + " (not set)\n";
      continue;
    }
    std::vector<std::string> defs{def};
    if (is_list(*opt)) {
      // A list's default is given as its items joined by its delimiter.
      defs.clear();
      for (size_t at = 0; !def.empty() && def != "[]";) {
        size_t comma = def.find(opt->get_delimiter(), at);
        defs.push_back(def.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    }
    out += "# " + key + " = " + toml_value(*opt, defs) + "\n";
  }
  return out;
}

}  // namespace nj
