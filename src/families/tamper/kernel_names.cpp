#include "families/tamper/kernel_names.h"

#include "util/bit_names.h"

#include <cctype>
#include <cstdio>
#include <utility>

namespace nj {

namespace {

template <size_t N>
std::string indexed(uint64_t v, const char* const (&names)[N]) {
  if (v < N && names[v]) return names[v];
  return std::to_string(v);
}

}  // namespace

std::vector<std::string> mount_flag_names(uint64_t flags) {
  static constexpr BitName kNames[] = {{1, "MS_RDONLY"},
                                       {2, "MS_NOSUID"},
                                       {4, "MS_NODEV"},
                                       {8, "MS_NOEXEC"},
                                       {16, "MS_SYNCHRONOUS"},
                                       {32, "MS_REMOUNT"},
                                       {64, "MS_MANDLOCK"},
                                       {128, "MS_DIRSYNC"},
                                       {256, "MS_NOSYMFOLLOW"},
                                       {1024, "MS_NOATIME"},
                                       {2048, "MS_NODIRATIME"},
                                       {4096, "MS_BIND"},
                                       {8192, "MS_MOVE"},
                                       {16384, "MS_REC"},
                                       {32768, "MS_SILENT"},
                                       {1u << 16, "MS_POSIXACL"},
                                       {1u << 17, "MS_UNBINDABLE"},
                                       {1u << 18, "MS_PRIVATE"},
                                       {1u << 19, "MS_SLAVE"},
                                       {1u << 20, "MS_SHARED"},
                                       {1u << 21, "MS_RELATIME"},
                                       {1u << 22, "MS_KERNMOUNT"},
                                       {1u << 23, "MS_I_VERSION"},
                                       {1u << 24, "MS_STRICTATIME"},
                                       {1u << 25, "MS_LAZYTIME"}};
  // The magic number old callers put in the high half (MS_MGC_VAL) is no flag.
  if ((flags & 0xffff0000u) == 0xc0ed0000u) flags &= 0xffffu;
  return bit_names_of(flags, kNames);
}

std::vector<std::string> umount_flag_names(uint64_t flags) {
  static constexpr BitName kNames[] = {{1, "MNT_FORCE"}, {2, "MNT_DETACH"}, {4, "MNT_EXPIRE"}, {8, "UMOUNT_NOFOLLOW"}};
  return bit_names_of(flags, kNames);
}

std::vector<std::string> mount_attr_names(uint64_t attrs) {
  static constexpr BitName kNames[] = {
      {0x1, "MOUNT_ATTR_RDONLY"},      {0x2, "MOUNT_ATTR_NOSUID"},     {0x4, "MOUNT_ATTR_NODEV"},
      {0x8, "MOUNT_ATTR_NOEXEC"},      {0x10, "MOUNT_ATTR_NOATIME"},   {0x20, "MOUNT_ATTR_STRICTATIME"},
      {0x80, "MOUNT_ATTR_NODIRATIME"}, {0x100000, "MOUNT_ATTR_IDMAP"}, {0x200000, "MOUNT_ATTR_NOSYMFOLLOW"}};
  return bit_names_of(attrs, kNames);
}

std::vector<std::string> move_mount_flag_names(uint64_t flags) {
  static constexpr BitName kNames[] = {{0x1, "MOVE_MOUNT_F_SYMLINKS"},    {0x2, "MOVE_MOUNT_F_AUTOMOUNTS"},
                                       {0x4, "MOVE_MOUNT_F_EMPTY_PATH"},  {0x10, "MOVE_MOUNT_T_SYMLINKS"},
                                       {0x20, "MOVE_MOUNT_T_AUTOMOUNTS"}, {0x40, "MOVE_MOUNT_T_EMPTY_PATH"},
                                       {0x100, "MOVE_MOUNT_SET_GROUP"},   {0x200, "MOVE_MOUNT_BENEATH"}};
  return bit_names_of(flags, kNames);
}

std::vector<std::string> open_tree_flag_names(uint64_t flags) {
  static constexpr BitName kNames[] = {{0x1, "OPEN_TREE_CLONE"},       {02000000, "OPEN_TREE_CLOEXEC"},
                                       {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x800, "AT_NO_AUTOMOUNT"},
                                       {0x1000, "AT_EMPTY_PATH"},      {0x8000, "AT_RECURSIVE"}};
  return bit_names_of(flags, kNames);
}

std::vector<std::string> module_init_flag_names(uint64_t flags) {
  static constexpr BitName kNames[] = {
      {1, "MODULE_INIT_IGNORE_MODVERSIONS"}, {2, "MODULE_INIT_IGNORE_VERMAGIC"}, {4, "MODULE_INIT_COMPRESSED_FILE"}};
  return bit_names_of(flags, kNames);
}

std::vector<std::string> module_delete_flag_names(uint64_t flags) {
  // O_TRUNC asks for a forced unload
  static constexpr BitName kNames[] = {{04000, "O_NONBLOCK"}, {01000, "O_TRUNC"}};
  return bit_names_of(flags, kNames);
}

std::string fsconfig_command_name(uint64_t cmd) {
  static constexpr const char* kNames[] = {"set_flag",   "set_string",      "set_binary",
                                           "set_path",   "set_path_empty",  "set_fd",
                                           "cmd_create", "cmd_reconfigure", "cmd_create_excl"};
  return indexed(cmd, kNames);
}

std::string bpf_command_name(uint64_t cmd) {
  switch (cmd) {
    case 5: return "prog_load";
    case 8: return "prog_attach";
    case 9: return "prog_detach";
    case 17: return "raw_tracepoint_open";
    case 28: return "link_create";
    case 29: return "link_update";
    default: return std::to_string(cmd);
  }
}

std::string bpf_prog_type_name(uint64_t type) {
  static constexpr const char* kNames[] = {"unspec",
                                           "socket_filter",
                                           "kprobe",
                                           "sched_cls",
                                           "sched_act",
                                           "tracepoint",
                                           "xdp",
                                           "perf_event",
                                           "cgroup_skb",
                                           "cgroup_sock",
                                           "lwt_in",
                                           "lwt_out",
                                           "lwt_xmit",
                                           "sock_ops",
                                           "sk_skb",
                                           "cgroup_device",
                                           "sk_msg",
                                           "raw_tracepoint",
                                           "cgroup_sock_addr",
                                           "lwt_seg6local",
                                           "lirc_mode2",
                                           "sk_reuseport",
                                           "flow_dissector",
                                           "cgroup_sysctl",
                                           "raw_tracepoint_writable",
                                           "cgroup_sockopt",
                                           "tracing",
                                           "struct_ops",
                                           "ext",
                                           "lsm",
                                           "sk_lookup",
                                           "syscall",
                                           "netfilter"};
  return indexed(type, kNames);
}

std::string bpf_attach_type_name(uint64_t type) {
  static constexpr const char* kNames[] = {"cgroup_inet_ingress",
                                           "cgroup_inet_egress",
                                           "cgroup_inet_sock_create",
                                           "cgroup_sock_ops",
                                           "sk_skb_stream_parser",
                                           "sk_skb_stream_verdict",
                                           "cgroup_device",
                                           "sk_msg_verdict",
                                           "cgroup_inet4_bind",
                                           "cgroup_inet6_bind",
                                           "cgroup_inet4_connect",
                                           "cgroup_inet6_connect",
                                           "cgroup_inet4_post_bind",
                                           "cgroup_inet6_post_bind",
                                           "cgroup_udp4_sendmsg",
                                           "cgroup_udp6_sendmsg",
                                           "lirc_mode2",
                                           "flow_dissector",
                                           "cgroup_sysctl",
                                           "cgroup_udp4_recvmsg",
                                           "cgroup_udp6_recvmsg",
                                           "cgroup_getsockopt",
                                           "cgroup_setsockopt",
                                           "trace_raw_tp",
                                           "trace_fentry",
                                           "trace_fexit",
                                           "modify_return",
                                           "lsm_mac",
                                           "trace_iter",
                                           "cgroup_inet4_getpeername",
                                           "cgroup_inet6_getpeername",
                                           "cgroup_inet4_getsockname",
                                           "cgroup_inet6_getsockname",
                                           "xdp_devmap",
                                           "cgroup_inet_sock_release",
                                           "xdp_cpumap",
                                           "sk_lookup",
                                           "xdp",
                                           "sk_skb_verdict",
                                           "sk_reuseport_select",
                                           "sk_reuseport_select_or_migrate",
                                           "perf_event",
                                           "trace_kprobe_multi",
                                           "lsm_cgroup",
                                           "struct_ops",
                                           "netfilter",
                                           "tcx_ingress",
                                           "tcx_egress",
                                           "trace_uprobe_multi",
                                           "cgroup_unix_connect",
                                           "cgroup_unix_sendmsg",
                                           "cgroup_unix_recvmsg",
                                           "cgroup_unix_getpeername",
                                           "cgroup_unix_getsockname",
                                           "netkit_primary",
                                           "netkit_peer",
                                           "trace_kprobe_session"};
  return indexed(type, kNames);
}

namespace {
constexpr std::pair<uint64_t, const char*> kNamespaces[] = {
    {0x00020000, "mnt"},  {0x02000000, "cgroup"}, {0x04000000, "uts"}, {0x08000000, "ipc"},
    {0x10000000, "user"}, {0x20000000, "pid"},    {0x40000000, "net"}, {0x00000080, "time"}};
}  // namespace

std::string namespace_type_name(uint64_t clone_flag) {
  for (const auto& [bit, name] : kNamespaces)
    if (clone_flag == bit) return name;
  return std::to_string(clone_flag);
}

std::vector<std::string> namespace_type_names(uint64_t clone_flags) { return bit_names_of(clone_flags, kNamespaces); }

std::optional<uint32_t> proc_pid_dir(std::string_view t) {
  // Components, repeated slashes and "." folded as the kernel folds them.
  std::vector<std::string_view> parts;
  if (t.empty() || t.front() != '/') return std::nullopt;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && t[i] == '/') i++;
    size_t j = i;
    while (j < t.size() && t[j] != '/') j++;
    if (j > i && t.substr(i, j - i) != ".") parts.push_back(t.substr(i, j - i));
    i = j;
  }
  if (parts.size() != 2 || parts[0] != "proc" || parts[1].size() > 10) return std::nullopt;
  uint64_t pid = 0;
  for (char c : parts[1]) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    pid = pid * 10 + static_cast<uint64_t>(c - '0');
  }
  if (pid == 0 || pid > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(pid);
}

}  // namespace nj
