#include "families/file/rules.h"

#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "util/files.h"

namespace nj {

namespace {

const char kDefaultRules[] = R"(# nightjar's default file rules (docs/events/file.md)
/etc/shadow credentials read
/etc/gshadow credentials read
/etc/security/opasswd credentials read
/etc/ssh/ssh_host_ credentials read
/etc/passwd accounts
/etc/group accounts
/etc/sudoers privilege read
/etc/sudoers.d/ privilege read
/etc/polkit-1/ privilege
/etc/pam.d/ pam
/etc/security/ pam
/lib/security/ pam
/usr/lib/x86_64-linux-gnu/security/ pam
/etc/ld.so.preload preload read
/etc/ld.so.conf preload
/etc/cron persistence
/etc/anacrontab persistence
/var/spool/cron/ persistence
/etc/systemd/ persistence
/usr/lib/systemd/system/ persistence
/lib/systemd/system/ persistence
/etc/init.d/ persistence
/etc/rc.local persistence
/etc/update-motd.d/ persistence
/etc/profile persistence
/etc/bash.bashrc persistence
/etc/environment persistence
/etc/modules persistence
/etc/modprobe.d/ persistence
/etc/udev/rules.d/ persistence
/etc/xdg/autostart/ persistence
/root/.config/autostart/ persistence
/home/*/.config/autostart/ persistence
/root/.bashrc persistence
/root/.profile persistence
/home/*/.bashrc persistence
/home/*/.profile persistence
/root/.ssh/ ssh read
/home/*/.ssh/ ssh read
/etc/ssh/sshd_config ssh
/root/.bash_history history
/home/*/.bash_history history
/root/.zsh_history history
/home/*/.zsh_history history
/var/log/ logs
/home/*/.mozilla/firefox/ browser-credentials
/home/*/.mozilla/firefox/*/logins.json browser-credentials read
/home/*/.mozilla/firefox/*/key4.db browser-credentials read
/home/*/.config/google-chrome/*/Login Data browser-credentials read
/home/*/.config/chromium/*/Login Data browser-credentials read
/root/.aws/credentials cloud-credentials read
/home/*/.aws/credentials cloud-credentials read
/root/.kube/config cloud-credentials read
/home/*/.kube/config cloud-credentials read
exclude-fs sysfs
exclude-fs proc
exclude-fs devpts
exclude-fs cgroup
exclude-fs cgroup2
exclude-fs debugfs
exclude-fs tracefs
exclude-fs securityfs
exclude-fs bpf
exclude-fs pstore
exclude-fs configfs
exclude-fs selinuxfs
exclude-fs fusectl
)";

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_dir_pattern(const std::string& p) { return !p.empty() && p.back() == '/'; }

bool component_matches(const std::string& pat, const std::string& comp, bool prefix) {
  const std::string p = prefix ? pat + "*" : pat;
  return fnmatch(p.c_str(), comp.c_str(), FNM_PERIOD) == 0 || (prefix && comp.rfind(pat, 0) == 0);
}

// Most parts have no wildcard: a comparison, not fnmatch.
bool part_matches(const RulePattern& rp, size_t i, const std::string& comp, bool prefix) {
  const std::string& pat = rp.parts[i];
  if (rp.glob[i]) return component_matches(pat, comp, prefix);
  return prefix ? comp.compare(0, pat.size(), pat) == 0 : comp == pat;
}

bool covers_parts(const RulePattern& rp, const std::vector<std::string>& xc) {
  if (rp.parts.empty()) return true;  // "/"
  if (xc.size() < rp.parts.size()) return false;
  // From the last part: the first ones ("etc", "home") are shared by many
  // rules, the last one tells them apart.
  for (size_t i = rp.parts.size(); i-- > 0;) {
    const bool last = i + 1 == rp.parts.size();
    if (!part_matches(rp, i, xc[i], last && !rp.dir)) return false;
  }
  return true;
}

const RulePattern& compiled(const FileRule& r, RulePattern& tmp) {
  if (!r.compiled.parts.empty() || r.pattern == "/") return r.compiled;
  tmp = compile_pattern(r.pattern);
  return tmp;
}

std::optional<Watch> stat_watch(const std::string& root, const std::string& path, uint32_t rule, uint32_t flags) {
  struct stat st;
  if (::stat((root + path).c_str(), &st) != 0) return std::nullopt;
  Watch w{};
  w.key.dev = kernel_dev(st.st_dev);
  w.key.ino = st.st_ino;
  w.value.rule = rule;
  w.value.flags = flags;
  w.path = path;
  return w;
}

uint32_t kernel_flags(const FileRule& r) { return (r.read ? NJ_WATCH_READ : 0u) | (r.exclude ? NJ_WATCH_EXCLUDE : 0u); }

}  // namespace

const char* default_file_rules_text() { return kDefaultRules; }

const FileRules& default_file_rules() {
  static const FileRules r = [] {
    auto p = parse_file_rules(kDefaultRules, "default rules");
    return p.ok() ? *p : FileRules{};
  }();
  return r;
}

Result<FileRules> parse_file_rules(const std::string& text, const std::string& origin) {
  FileRules out;
  out.text = text;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto bad = [&](const std::string& why) { return Error{EINVAL, origin + ":" + std::to_string(n) + ": " + why}; };
  while (std::getline(in, line)) {
    n++;
    if (auto h = line.find('#'); h != std::string::npos) line.erase(h);
    std::istringstream ls(line);
    std::vector<std::string> words;
    for (std::string w; ls >> w;) words.push_back(w);
    if (words.empty()) continue;
    if (words[0] == "exclude-fs") {
      if (words.size() != 2) return bad("exclude-fs takes one filesystem type");
      if (!fs_magic(words[1])) return bad("unknown filesystem type '" + words[1] + "'");
      out.excluded_fs.push_back(words[1]);
      out.excluded_magic.push_back(fs_magic(words[1]));
      continue;
    }
    FileRule r;
    r.line = n;
    if (words[0] == "exclude") {
      if (words.size() != 2) return bad("exclude takes one path");
      r.pattern = words[1];
      r.exclude = true;
    } else {
      // A path may contain spaces ("Login Data"): the tags are the last
      // word, or the one before "read".
      r.read = words.size() >= 3 && words.back() == "read";
      const size_t ntag = words.size() - (r.read ? 2 : 1);
      if (ntag < 1) return bad("a rule is: <path> <tag>[,<tag>...] [read]");
      std::string pat = words[0];
      for (size_t i = 1; i < ntag; i++) pat += " " + words[i];
      r.pattern = pat;
      std::stringstream ts(words[ntag]);
      for (std::string t; std::getline(ts, t, ',');)
        if (!t.empty()) r.tags.push_back(t);
      if (r.tags.empty()) return bad("a rule needs a tag");
    }
    if (r.pattern.empty() || r.pattern[0] != '/') return bad("path '" + r.pattern + "' is not absolute");
    r.compiled = compile_pattern(r.pattern);
    out.rules.push_back(std::move(r));
  }
  return out;
}

Result<FileRules> load_file_rules(const std::string& path) {
  auto text = read_file(path, 1 << 20);
  if (!text) return os_error(errno ? errno : ENOENT, "reading file rules " + path);
  return parse_file_rules(*text, path);
}

RulePattern compile_pattern(const std::string& pattern) {
  RulePattern rp;
  rp.dir = is_dir_pattern(pattern);
  rp.parts = components(pattern);
  for (const auto& p : rp.parts) rp.glob.push_back(p.find_first_of("*?[") != std::string::npos);
  return rp;
}

bool rule_covers(const std::string& pattern, const std::string& path) {
  return covers_parts(compile_pattern(pattern), components(path));
}

RuleMatch match_rules(const FileRules& r, const std::string& path) {
  RuleMatch m;
  const std::vector<std::string> xc = components(path);  // once per event, not per rule
  RulePattern tmp;
  for (const FileRule& rule : r.rules) {
    if (!covers_parts(compiled(rule, tmp), xc)) continue;
    if (rule.exclude) {
      m.excluded = true;
      continue;
    }
    m.read |= rule.read;
    merge_tags(m.tags, rule.tags);
  }
  return m;
}

void merge_tags(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& t : from)
    if (std::find(to.begin(), to.end(), t) == to.end()) to.push_back(t);
}

const FileRule* rule_by_number(const FileRules& r, uint32_t rule) {
  if (rule < r.first_number || rule - r.first_number >= r.rules.size()) return nullptr;
  return &r.rules[rule - r.first_number];
}

std::vector<Watch> resolve_watches(const FileRules& r, const std::string& root) {
  std::vector<Watch> out;
  for (size_t i = 0; i < r.rules.size(); i++) {
    const FileRule& rule = r.rules[i];
    if (!rule.read && !rule.exclude) continue;
    std::string pat = rule.pattern;
    if (is_dir_pattern(pat)) pat.pop_back();
    else pat += "*";  // a prefix: every sibling it covers
    glob_t g{};
    if (glob((root + pat).c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
      for (size_t k = 0; k < g.gl_pathc; k++) {
        std::string p = std::string(g.gl_pathv[k]).substr(root.size());
        if (!rule_covers(rule.pattern, p)) continue;
        if (auto w = stat_watch(root, p, r.first_number + static_cast<uint32_t>(i), kernel_flags(rule)))
          out.push_back(*w);
      }
    }
    globfree(&g);
  }
  return out;
}

std::optional<Watch> watch_for(const FileRules& r, const std::string& path, const std::string& root) {
  const std::vector<std::string> xc = components(path);
  RulePattern tmp;
  for (size_t i = 0; i < r.rules.size(); i++) {
    const FileRule& rule = r.rules[i];
    if (!rule.read && !rule.exclude) continue;
    const RulePattern& rp = compiled(rule, tmp);
    if (rp.parts.size() != xc.size() || !covers_parts(rp, xc)) continue;
    return stat_watch(root, path, r.first_number + static_cast<uint32_t>(i), kernel_flags(rule));
  }
  return std::nullopt;
}

uint32_t kernel_dev(dev_t d) { return (major(d) << 20) | minor(d); }

uint32_t fs_magic(const std::string& type) {
  static const std::pair<const char*, uint32_t> kMagic[] = {
      {"proc", 0x9fa0},        {"sysfs", 0x62656572},       {"devpts", 0x1cd1},
      {"cgroup", 0x27e0eb},    {"cgroup2", 0x63677270},     {"debugfs", 0x64626720},
      {"tracefs", 0x74726163}, {"securityfs", 0x73636673},  {"bpf", 0xcafe4a11},
      {"pstore", 0x6165676c},  {"configfs", 0x62656570},    {"selinuxfs", 0xf97cff8c},
      {"fusectl", 0x65735543}, {"tmpfs", 0x01021994},       {"devtmpfs", 0x01021994},
      {"mqueue", 0x19800202},  {"binfmt_misc", 0x42494e4d}, {"efivarfs", 0xde5e81e4},
  };
  for (auto& [name, magic] : kMagic)
    if (type == name) return magic;
  return 0;
}

}  // namespace nj
