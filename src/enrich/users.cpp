#include "enrich/users.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <string_view>

#include "util/fd.h"
#include "util/files.h"

namespace nj {

namespace {

// Far above any real passwd file, low enough that a bogus huge file cannot
// eat the sensor's memory.
constexpr size_t kMaxFileSize = 64u << 20;

uint64_t mtime_ns(const struct stat& st) {
  return static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
}

std::optional<uint32_t> parse_id(std::string_view s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::unordered_map<uint32_t, std::string> parse_id_file(const std::string& text) {
  std::unordered_map<uint32_t, std::string> out;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    size_t c1 = line.find(':');
    if (c1 == 0 || c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    size_t c3 = line.find(':', c2 + 1);
    // A line cut short after the id (no field after it) is malformed in
    // both files: passwd has gid next, group has the member list.
    if (c3 == std::string_view::npos) continue;
    auto id = parse_id(line.substr(c2 + 1, c3 - c2 - 1));
    if (!id) continue;
    out.try_emplace(*id, line.substr(0, c1));
  }
  return out;
}

UserDb::UserDb(UserDbOptions opts) : opts_(std::move(opts)) {
  if (!opts_.clock) opts_.clock = [] { return std::chrono::steady_clock::now(); };
  users_.path = opts_.passwd_path;
  groups_.path = opts_.group_path;
}

std::optional<std::string> UserDb::user_name(uint32_t uid) {
  std::lock_guard lock(mu_);
  return lookup(users_, uid);
}

std::optional<std::string> UserDb::group_name(uint32_t gid) {
  std::lock_guard lock(mu_);
  return lookup(groups_, gid);
}

UserDbStats UserDb::stats() const {
  std::lock_guard lock(mu_);
  return UserDbStats{users_.names.size() + groups_.names.size(), reloads_};
}

std::optional<std::string> UserDb::lookup(Table& t, uint32_t id) {
  refresh(t);
  auto it = t.names.find(id);
  if (it == t.names.end()) return std::nullopt;
  return it->second;
}

void UserDb::refresh(Table& t) {
  auto now = opts_.clock();
  if (t.loaded && now - t.checked < opts_.refresh_interval) return;
  t.checked = now;
  // A cheap stat() on every interval; the file is only read when it differs.
  struct stat st;
  Stamp s;
  if (::stat(t.path.c_str(), &st) == 0)
    s = Stamp{true, st.st_dev, st.st_ino, mtime_ns(st), static_cast<uint64_t>(st.st_size)};
  if (t.loaded && s == t.stamp) return;
  reload(t);
}

void UserDb::reload(Table& t) {
  t.loaded = true;
  ++reloads_;
  t.names.clear();
  t.stamp = Stamp{};
  Fd fd(::open(t.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  struct stat st;
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  // The stamp of what is actually read (through the fd), so a replacement
  // landing between the stat() above and the open() is picked up next time.
  t.stamp = Stamp{true, st.st_dev, st.st_ino, mtime_ns(st), static_cast<uint64_t>(st.st_size)};
  FileText f = read_fd(fd.get(), kMaxFileSize);
  // After a read error or at the cap keep only whole lines: a cut-off last
  // line could yield a wrong name ("roo" for "root").
  if (f.error || f.capped) {
    size_t nl = f.text.rfind('\n');
    f.text.resize(nl == std::string::npos ? 0 : nl + 1);
  }
  t.names = parse_id_file(f.text);
}

}  // namespace nj
