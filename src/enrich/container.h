// Container and systemd unit of a process, from its cgroup v2 path (what
// /proc/<pid>/cgroup shows after "0::"). Pure string work: no runtime
// sockets are queried, so this cannot block and needs no privileges.
#pragma once

#include <sys/types.h>
#include <optional>
#include <string>
#include <string_view>

namespace nj {

struct ContainerInfo {
  std::string id;       // 64-hex container id, or the machine / LXC name
  std::string runtime;  // "docker", "containerd", "cri-o", "podman",
                        // "systemd-nspawn", "libvirt-lxc", "lxc", "kubepods"
};

// The innermost container the path lies in, or nullopt for host processes
// (and for runtime helpers such as conmon, which run outside the container).
std::optional<ContainerInfo> container_from_cgroup(const std::string& path);

// The innermost path component that is a .service or .scope unit, e.g.
// "sshd.service", "session-3.scope", "user@1000.service"; nullopt for "/"
// or a path made only of slices. systemd's own cg_path_get_unit() takes the
// outermost unit instead; innermost is what names the process's job in user
// managers (app-*.scope under user@.service) and nested systemd instances.
std::optional<std::string> systemd_unit_from_cgroup(const std::string& path);

// The cgroup v2 path from <proc_root>/<pid>/cgroup, "" if the process is gone
// or the host has no unified hierarchy.
std::string read_cgroup_path(pid_t pid, const std::string& proc_root = "/proc");
// The same from that file's contents.
std::string cgroup_path_from(std::string_view text);

}  // namespace nj
