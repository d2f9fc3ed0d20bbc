#include "families/file/mounts.h"

#include <sstream>

namespace nj {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool covers(const std::string& point, const std::string& path) {
  if (point == "/") return true;
  return path.compare(0, point.size(), point) == 0 && (path.size() == point.size() || path[point.size()] == '/');
}

}  // namespace

MountTable MountTable::parse(const std::string& mountinfo) {
  MountTable t;
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string w; ls >> w;) f.push_back(w);
    // id parent major:minor root point options [optional...] - type source super
    size_t sep = 0;
    for (size_t i = 6; i < f.size(); i++)
      if (f[i] == "-") {
        sep = i;
        break;
      }
    if (f.size() < 5 || sep == 0 || sep + 1 >= f.size()) continue;
    t.mounts_.push_back({unescape(f[4]), f[sep + 1]});
  }
  std::vector<Mount> rev(t.mounts_.rbegin(), t.mounts_.rend());
  t.mounts_ = std::move(rev);
  return t;
}

const std::string& MountTable::fs_type(const std::string& path) const {
  static const std::string none;
  const Mount* best = nullptr;
  for (const Mount& m : mounts_)
    if (covers(m.point, path) && (!best || m.point.size() > best->point.size())) best = &m;
  return best ? best->type : none;
}

}  // namespace nj
