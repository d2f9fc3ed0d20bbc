#include "app/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <optional>

#include "util/fd.h"

namespace nj {
namespace {

// A file this large is not a configuration (it has about 40 keys).
constexpr size_t kMaxConfigBytes = 1 << 20;

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  void skip_ws() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  bool at_comment_or_end() {
    skip_ws();
    return done() || s[i] == '#';
  }
};

bool bare_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The n hex digits of a \u or \U escape: a Unicode scalar value.
std::optional<uint32_t> unicode_escape(Cursor& c, size_t n) {
  if (c.i + n > c.s.size()) return std::nullopt;
  uint32_t cp = 0;
  for (size_t k = 0; k < n; ++k) {
    char h = c.s[c.i + k];
    int v = h >= '0' && h <= '9'   ? h - '0'
            : h >= 'a' && h <= 'f' ? h - 'a' + 10
            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                   : -1;
    if (v < 0) return std::nullopt;
    cp = cp * 16 + static_cast<uint32_t>(v);
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  c.i += n;
  return cp;
}

// A basic string after its opening quote; nullopt with *why set on error.
std::optional<std::string> basic_string(Cursor& c, std::string* why) {
  std::string out;
  while (!c.done()) {
    char ch = c.s[c.i++];
    if (ch == '"') return out;
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') {
      *why = "a control character in a string (write it as an escape)";
      return std::nullopt;
    }
    if (ch != '\\') {
      out += ch;
      continue;
    }
    char e = c.peek();
    ++c.i;
    if (e == 'u' || e == 'U') {
      auto cp = unicode_escape(c, e == 'u' ? 4 : 8);
      if (!cp) {
        *why = "a bad \\u escape in a string";
        return std::nullopt;
      }
      put_utf8(out, *cp);
      continue;
    }
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      default:
        *why = std::string("an unknown escape \\") + (e ? std::string(1, e) : std::string()) + " in a string";
        return std::nullopt;
    }
  }
  *why = "a string without its closing quote";
  return std::nullopt;
}

struct Scalar {
  std::string text;
  bool is_bool = false;
};

std::optional<Scalar> scalar(Cursor& c, std::string* why) {
  char ch = c.peek();
  if (ch == '"') {
    if (c.s.substr(c.i, 3) == "\"\"\"") {
      *why = "multi-line strings are not used";
      return std::nullopt;
    }
    ++c.i;
    auto s = basic_string(c, why);
    if (!s) return std::nullopt;
    return Scalar{std::move(*s)};
  }
  if (ch == '\'') {
    if (c.s.substr(c.i, 3) == "'''") {
      *why = "multi-line strings are not used";
      return std::nullopt;
    }
    size_t end = c.s.find('\'', c.i + 1);
    if (end == std::string_view::npos) {
      *why = "a string without its closing quote";
      return std::nullopt;
    }
    Scalar out{std::string(c.s.substr(c.i + 1, end - c.i - 1))};
    c.i = end + 1;
    return out;
  }
  size_t start = c.i;
  while (!c.done() && (bare_key_char(c.s[c.i]) || c.s[c.i] == '.' || c.s[c.i] == '+')) ++c.i;
  std::string_view word = c.s.substr(start, c.i - start);
  if (word == "true" || word == "false") return Scalar{std::string(word), true};
  if (word.empty()) {
    // Text a value cannot start with (a path, a word): name it.
    while (!c.done() && c.s[c.i] != ' ' && c.s[c.i] != '\t' && c.s[c.i] != '#' && c.s[c.i] != ',' && c.s[c.i] != ']')
      ++c.i;
    word = c.s.substr(start, c.i - start);
    *why = word.empty() ? "a value is missing" : "'" + std::string(word) + "' is not a value (a string needs quotes)";
    return std::nullopt;
  }
  char first = word[0];
  if (!(first >= '0' && first <= '9') && first != '+' && first != '-' && word != "inf" && word != "nan") {
    *why = "'" + std::string(word) + "' is not a value (a string needs quotes)";
    return std::nullopt;
  }
  // TOML allows `_` between digits (1_000_000); the flags' own checks judge
  // the rest.
  std::string num;
  for (size_t k = 0; k < word.size(); ++k) {
    if (word[k] == '_' && k > 0 && k + 1 < word.size() && isdigit(static_cast<unsigned char>(word[k - 1])) &&
        isdigit(static_cast<unsigned char>(word[k + 1])))
      continue;
    num += word[k];
  }
  return Scalar{num};
}

// One line; nullopt for a blank or comment line; *why on error.
std::optional<ConfigEntry> entry(std::string_view line, std::string* why) {
  Cursor c{line};
  if (c.at_comment_or_end()) return std::nullopt;
  if (c.peek() == '[') {
    *why = "tables are not used: every key is top-level, as the flags of `nightjar run`";
    return std::nullopt;
  }
  ConfigEntry e;
  size_t start = c.i;
  while (!c.done() && bare_key_char(c.s[c.i])) ++c.i;
  e.key = std::string(line.substr(start, c.i - start));
  if (c.peek() == '.') {
    *why = "dotted keys are not used: every key is top-level";
    return std::nullopt;
  }
  if (e.key.empty()) {
    *why = c.peek() == '"' || c.peek() == '\'' ? "quoted keys are not used: write the flag's name bare"
                                               : "expected `key = value`";
    return std::nullopt;
  }
  c.skip_ws();
  if (c.peek() != '=') {
    *why = "expected `=` after '" + e.key + "'";
    return std::nullopt;
  }
  ++c.i;
  c.skip_ws();
  if (c.peek() == '[') {
    ++c.i;
    e.is_array = true;
    for (;;) {
      c.skip_ws();
      if (c.peek() == ']') {
        ++c.i;
        break;
      }
      if (c.done() || c.peek() == '#') {
        *why = "an array must close on its line";
        return std::nullopt;
      }
      if (c.peek() == '[') {
        *why = "nested arrays are not used";
        return std::nullopt;
      }
      auto v = scalar(c, why);
      if (!v) return std::nullopt;
      e.values.push_back(std::move(v->text));
      c.skip_ws();
      if (c.peek() == ',') {
        ++c.i;
      } else if (c.done() || c.peek() == '#') {
        *why = "an array must close on its line";
        return std::nullopt;
      } else if (c.peek() != ']') {
        *why = "expected `,` or `]` in the array";
        return std::nullopt;
      }
    }
  } else {
    if (c.done() || c.peek() == '#') {
      *why = "a value is missing";
      return std::nullopt;
    }
    auto v = scalar(c, why);
    if (!v) return std::nullopt;
    e.is_bool = v->is_bool;
    e.values.push_back(std::move(v->text));
  }
  if (!c.at_comment_or_end()) {
    *why = "unexpected text after the value";
    return std::nullopt;
  }
  return e;
}

}  // namespace

Result<std::vector<ConfigEntry>> parse_config(std::string_view text) {
  std::vector<ConfigEntry> out;
  std::map<std::string, int, std::less<>> seen;
  int n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string why;
    auto e = entry(line, &why);
    if (!why.empty()) return Error{0, std::to_string(n) + ": " + why};
    if (e) {
      e->line = n;
      auto [it, fresh] = seen.emplace(e->key, n);
      if (!fresh)
        return Error{0,
                     std::to_string(n) + ": '" + e->key + "' again (first on line " + std::to_string(it->second) + ")"};
      out.push_back(std::move(*e));
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::map<std::string, std::string> settings_values(std::string_view text) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    const bool defaulted = line.substr(0, 2) == "# ";
    if (defaulted) line.remove_prefix(2);
    if (defaulted && line.size() > 10 && line.substr(line.size() - 10) == " (not set)") {
      out[std::string(line.substr(0, line.size() - 10))] = "(not set)";
      continue;
    }
    const size_t eq = line.find(" = ");
    if (eq == std::string_view::npos) continue;
    std::string_view value = line.substr(eq + 3);
    // The source comment of a set key is the last thing on its line.
    if (!defaulted) {
      const size_t src = value.rfind("  # ");
      if (src != std::string_view::npos) value = value.substr(0, src);
    }
    out[std::string(line.substr(0, eq))] = std::string(value);
  }
  return out;
}

std::vector<std::string> changed_keys(const std::map<std::string, std::string>& before,
                                      const std::map<std::string, std::string>& after) {
  std::vector<std::string> out;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    if (it == before.end() || it->second != v) out.push_back(k);
  }
  for (const auto& [k, v] : before)
    if (!after.count(k)) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

std::string config_owner_problem(const FileFacts& file, const FileFacts& dir, uid_t euid) {
  auto owner_ok = [euid](uid_t u) { return u == 0 || u == euid; };
  if (!file.regular) return "not a regular file";
  if (!owner_ok(file.uid))
    return "owned by uid " + std::to_string(file.uid) + ", not root: its owner could change what the sensor does";
  if (file.mode & (S_IWGRP | S_IWOTH))
    return std::string("writable by ") + (file.mode & S_IWOTH ? "anyone" : "its group") +
           ": they could change what the sensor does (chmod go-w)";
  if (!owner_ok(dir.uid))
    return "in a directory owned by uid " + std::to_string(dir.uid) + ", not root: its owner could replace the file";
  // A sticky directory (/tmp) still lets every user create files in it,
  // and the configuration is read by name.
  if (dir.mode & (S_IWGRP | S_IWOTH))
    return std::string("in a directory writable by ") + (dir.mode & S_IWOTH ? "anyone" : "its group") +
           ": they could replace the file";
  return {};
}

Result<std::string> read_config_file(const std::string& path, uid_t euid) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return os_error(errno, path);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return os_error(errno, path);
  // The directory the file really is in: through a symlink, the target's.
  char real[PATH_MAX];
  if (!realpath(path.c_str(), real)) return os_error(errno, path);
  std::string dir(real);
  dir = dir.substr(0, dir.rfind('/'));
  if (dir.empty()) dir = "/";
  struct stat dst {};
  if (stat(dir.c_str(), &dst) != 0) return os_error(errno, dir);
  std::string why = config_owner_problem({S_ISREG(st.st_mode), st.st_uid, st.st_mode},
                                         {S_ISDIR(dst.st_mode), dst.st_uid, dst.st_mode}, euid);
  if (!why.empty()) return Error{EPERM, path + ": refused: " + why};
  if (static_cast<size_t>(st.st_size) > kMaxConfigBytes)
    return Error{EFBIG, path + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes: not a configuration"};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t r = ::read(fd.get(), text.data() + got, text.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return os_error(errno, path);
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  text.resize(got);
  return text;
}

}  // namespace nj
