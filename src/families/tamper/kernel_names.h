// Names of the kernel and namespace actions' numbers (flags, commands,
// types), and the hiding-mount test: pure, unit-tested without root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nj {

std::vector<std::string> mount_flag_names(uint64_t flags);          // MS_*
std::vector<std::string> umount_flag_names(uint64_t flags);         // MNT_*, UMOUNT_NOFOLLOW
std::vector<std::string> mount_attr_names(uint64_t attrs);          // MOUNT_ATTR_*
std::vector<std::string> move_mount_flag_names(uint64_t flags);     // MOVE_MOUNT_*
std::vector<std::string> open_tree_flag_names(uint64_t flags);      // OPEN_TREE_*, AT_*
std::vector<std::string> module_init_flag_names(uint64_t flags);    // MODULE_INIT_*
std::vector<std::string> module_delete_flag_names(uint64_t flags);  // O_NONBLOCK, O_TRUNC
// fsconfig's cmd: "set_string", "cmd_create", ...
std::string fsconfig_command_name(uint64_t cmd);
// bpf(2)'s cmd as this family reports it: "prog_load", "link_create", ...
std::string bpf_command_name(uint64_t cmd);
std::string bpf_prog_type_name(uint64_t type);    // "socket_filter", "kprobe", ...
std::string bpf_attach_type_name(uint64_t type);  // "cgroup_inet_ingress", ...
// A namespace type (one CLONE_NEW* bit): "mnt", "net", ...; setns's nstype
// (several bits, or 0: any) as such names.
std::string namespace_type_name(uint64_t clone_flag);
std::vector<std::string> namespace_type_names(uint64_t clone_flags);
// The pid whose /proc directory `target` is (a mount over it hides that
// process): "/proc/1234", "/proc/1234/", "//proc//1234"; nullopt for
// anything else, including paths inside it ("/proc/1234/fd").
std::optional<uint32_t> proc_pid_dir(std::string_view target);

}  // namespace nj
