// uid/gid -> name from /etc/passwd and /etc/group, parsed directly.
// getpwuid() would go through NSS, and a module like LDAP or SSSD can block
// the event pipeline for seconds; local files cannot. Names that only exist
// in a directory service resolve to nullopt (the numeric id is still sent).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace nj {

struct UserDbOptions {
  std::string passwd_path = "/etc/passwd";
  std::string group_path = "/etc/group";
  // How often the files are stat()ed for changes, at most.
  std::chrono::nanoseconds refresh_interval = std::chrono::seconds(1);
  // Injected for tests; steady_clock::now when empty.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct UserDbStats {
  uint64_t entries = 0;  // users + groups currently known
  uint64_t reloads = 0;  // times a file was (re)parsed
};

class UserDb {
 public:
  explicit UserDb(UserDbOptions opts = {});

  std::optional<std::string> user_name(uint32_t uid);
  std::optional<std::string> group_name(uint32_t gid);
  UserDbStats stats() const;

 private:
  // What identifies one version of a file; replaced (rename over), edited in
  // place, or deleted all change it.
  struct Stamp {
    bool exists = false;
    uint64_t dev = 0, ino = 0, mtime_ns = 0, size = 0;
    bool operator==(const Stamp&) const = default;
  };
  struct Table {
    std::string path;
    std::unordered_map<uint32_t, std::string> names;
    Stamp stamp;
    bool loaded = false;
    std::chrono::steady_clock::time_point checked;
  };

  std::optional<std::string> lookup(Table& t, uint32_t id);
  void refresh(Table& t);
  void reload(Table& t);

  UserDbOptions opts_;
  mutable std::mutex mu_;  // the tables are read from several threads
  Table users_;
  Table groups_;
  uint64_t reloads_ = 0;
};

// Exposed for tests: "name:x:id:..." lines to id -> name. Comments, blank
// lines, NIS "+"/"-" entries and lines without a name or a numeric id in the
// third field are skipped; the first entry for an id wins, as in getpwuid().
std::unordered_map<uint32_t, std::string> parse_id_file(const std::string& text);

}  // namespace nj
