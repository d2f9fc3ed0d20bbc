#include "enrich/container.h"

#include <string_view>
#include <vector>

#include "util/files.h"

namespace nj {

namespace {

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view c = path.substr(0, slash);
    if (!c.empty()) out.push_back(c);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Runtimes name containers by a 64-hex (SHA-256) id; requiring exactly that
// keeps look-alike helper scopes (conmon, "-init" layers) from matching.
bool is_id64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// "<prefix><64hex><suffix>" -> the id.
std::optional<std::string_view> id_between(std::string_view c, std::string_view prefix, std::string_view suffix) {
  if (!c.starts_with(prefix) || !c.ends_with(suffix)) return std::nullopt;
  std::string_view id = c.substr(prefix.size(), c.size() - prefix.size() - suffix.size());
  if (!is_id64(id)) return std::nullopt;
  return id;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// systemd escapes unit name parts ("my-box" becomes "my\x2dbox"); the
// machine's real name is the unescaped one.
std::string unit_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      int hi = hex_value(s[i + 2]), lo = hex_value(s[i + 3]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::optional<ContainerInfo> match(const std::vector<std::string_view>& cs, size_t i) {
  std::string_view c = cs[i];
  std::string_view parent = i > 0 ? cs[i - 1] : std::string_view();
  // Scopes that systemd-managed runtimes create; the conmon / monitor
  // variants ("crio-conmon-<id>.scope") fail the 64-hex test.
  struct Scope {
    std::string_view prefix, runtime;
  };
  static constexpr Scope kScopes[] = {
      {"docker-", "docker"}, {"cri-containerd-", "containerd"}, {"crio-", "cri-o"}, {"libpod-", "podman"}};
  for (const auto& s : kScopes)
    if (auto id = id_between(c, s.prefix, ".scope")) return ContainerInfo{std::string(*id), std::string(s.runtime)};
  // cgroupfs drivers: /docker/<id>, podman's /libpod_parent/libpod-<id>.
  if (parent == "docker" && is_id64(c)) return ContainerInfo{std::string(c), "docker"};
  if (parent == "libpod_parent")
    if (auto id = id_between(c, "libpod-", "")) return ContainerInfo{std::string(*id), "podman"};
  // kubelet with the cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>. The CRI
  // runtime behind it cannot be told from the path.
  if (parent.starts_with("pod") && is_id64(c) && i >= 2)
    for (size_t j = 0; j + 1 < i; ++j)
      if (cs[j] == "kubepods") return ContainerInfo{std::string(c), "kubepods"};
  if (parent == "machine.slice") {
    if (c.starts_with("systemd-nspawn@") && c.ends_with(".service")) {
      std::string_view name = c.substr(15, c.size() - 15 - 8);
      if (!name.empty()) return ContainerInfo{unit_unescape(name), "systemd-nspawn"};
    }
    if (c.starts_with("machine-") && c.ends_with(".scope")) {
      std::string name = unit_unescape(c.substr(8, c.size() - 8 - 6));
      // libvirt registers its guests as machines too. A qemu scope holds
      // the VM's host-side process, which is no container.
      if (name.starts_with("qemu-")) return std::nullopt;
      // "machine-lxc-.scope" names no guest: not a container (found by fuzzing).
      if (name.starts_with("lxc-")) {
        if (name.size() == 4) return std::nullopt;
        return ContainerInfo{name.substr(4), "libvirt-lxc"};
      }
      if (!name.empty()) return ContainerInfo{name, "systemd-nspawn"};
    }
  }
  // LXC 4+: the container's processes are under lxc.payload.<name>; its
  // monitor under lxc.monitor.<name> stays on the host.
  if (c.starts_with("lxc.payload.") && c.size() > 12) return ContainerInfo{std::string(c.substr(12)), "lxc"};
  return std::nullopt;
}

}  // namespace

std::optional<ContainerInfo> container_from_cgroup(const std::string& path) {
  auto cs = components(path);
  for (size_t i = cs.size(); i-- > 0;)
    if (auto m = match(cs, i)) return m;
  return std::nullopt;
}

std::optional<std::string> systemd_unit_from_cgroup(const std::string& path) {
  auto cs = components(path);
  for (size_t i = cs.size(); i-- > 0;) {
    std::string_view c = cs[i];
    for (std::string_view suffix : {".service", ".scope"})
      if (c.size() > suffix.size() && c.ends_with(suffix)) return std::string(c);
  }
  return std::nullopt;
}

std::string read_cgroup_path(pid_t pid, const std::string& proc_root) {
  auto text = read_file(proc_root + "/" + std::to_string(pid) + "/cgroup", 64 << 10);
  return text ? cgroup_path_from(*text) : "";
}

std::string cgroup_path_from(std::string_view text) {
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (line.starts_with("0::")) return std::string(line.substr(3));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace nj
