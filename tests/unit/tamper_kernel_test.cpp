// The kernel and namespace actions' names and encoding, without a kernel:
// flags by name, the hiding-mount test, and documents from records laid
// out as the BPF side sends them.
#include <gtest/gtest.h>

#include "encoder_fixture.h"
#include "families/tamper/encode.h"
#include "families/tamper/kernel_names.h"

namespace njt {
namespace {

using V = std::vector<std::string>;

TEST(TamperKernelNames, ProcPidDirIsOnlyAProcessDirectory) {
  EXPECT_EQ(proc_pid_dir("/proc/1234"), 1234u);
  EXPECT_EQ(proc_pid_dir("/proc/1234/"), 1234u);
  EXPECT_EQ(proc_pid_dir("//proc//./1234"), 1234u);
  EXPECT_EQ(proc_pid_dir("/proc/4294967295"), 4294967295u);
  EXPECT_FALSE(proc_pid_dir("/proc/4294967296"));
  EXPECT_FALSE(proc_pid_dir("/proc/0"));
  EXPECT_FALSE(proc_pid_dir("/proc/1234/fd"));
  EXPECT_FALSE(proc_pid_dir("/proc/self"));
  EXPECT_FALSE(proc_pid_dir("/proc/12a"));
  EXPECT_FALSE(proc_pid_dir("/proc"));
  EXPECT_FALSE(proc_pid_dir("proc/1234"));
  EXPECT_FALSE(proc_pid_dir("/tmp/proc/1234"));
  EXPECT_FALSE(proc_pid_dir(""));
}

TEST(TamperKernelNames, MountFlags) {
  EXPECT_EQ(mount_flag_names(4096 | 16384), (V{"MS_BIND", "MS_REC"}));
  // the old magic in the high half is no flag
  EXPECT_EQ(mount_flag_names(0xc0ed0000u | 1), (V{"MS_RDONLY"}));
  EXPECT_EQ(mount_flag_names(1ull << 40), (V{"0x10000000000"}));
  EXPECT_TRUE(mount_flag_names(0).empty());
  EXPECT_EQ(umount_flag_names(2 | 8), (V{"MNT_DETACH", "UMOUNT_NOFOLLOW"}));
  EXPECT_EQ(mount_attr_names(0x1 | 0x4), (V{"MOUNT_ATTR_RDONLY", "MOUNT_ATTR_NODEV"}));
  EXPECT_EQ(move_mount_flag_names(0x4), (V{"MOVE_MOUNT_F_EMPTY_PATH"}));
  EXPECT_EQ(open_tree_flag_names(1 | 02000000), (V{"OPEN_TREE_CLONE", "OPEN_TREE_CLOEXEC"}));
  EXPECT_EQ(module_init_flag_names(4), (V{"MODULE_INIT_COMPRESSED_FILE"}));
  EXPECT_EQ(module_delete_flag_names(04000 | 01000), (V{"O_NONBLOCK", "O_TRUNC"}));
}

TEST(TamperKernelNames, CommandsAndTypes) {
  EXPECT_EQ(fsconfig_command_name(1), "set_string");
  EXPECT_EQ(fsconfig_command_name(6), "cmd_create");
  EXPECT_EQ(fsconfig_command_name(99), "99");
  EXPECT_EQ(bpf_command_name(5), "prog_load");
  EXPECT_EQ(bpf_command_name(28), "link_create");
  EXPECT_EQ(bpf_command_name(0), "0");
  EXPECT_EQ(bpf_prog_type_name(1), "socket_filter");
  EXPECT_EQ(bpf_prog_type_name(8), "cgroup_skb");
  EXPECT_EQ(bpf_prog_type_name(32), "netfilter");
  EXPECT_EQ(bpf_prog_type_name(1000), "1000");
  EXPECT_EQ(bpf_attach_type_name(0), "cgroup_inet_ingress");
  EXPECT_EQ(bpf_attach_type_name(46), "tcx_ingress");
  EXPECT_EQ(bpf_attach_type_name(56), "trace_kprobe_session");
  EXPECT_EQ(namespace_type_name(0x40000000), "net");
  EXPECT_EQ(namespace_type_name(0x80), "time");
  EXPECT_EQ(namespace_type_names(0x04000000 | 0x00020000), (V{"mnt", "uts"}));
  EXPECT_TRUE(namespace_type_names(0).empty());
}

struct TamperKernelEncode : EncoderTest {
  template <typename R>
  json encode_with(R& r, uint16_t type, const std::vector<std::pair<uint16_t, std::string>>& parts) {
    r.hdr.family = NJ_FAM_TAMPER;
    r.hdr.type = type;
    r.hdr.size = sizeof(r);
    r.hdr.event_id = 0x0030000000000abcull;
    r.hdr.ts_ns = kTs;
    r.op.task = full_task();
    Event ev{nj::Record{r}, {}, false};
    for (const auto& [f, s] : parts) ev.parts.push_back(part(r.hdr.event_id, f, 0, s));
    return encode(ev);
  }
};

TEST_F(TamperKernelEncode, BindMountOverAProcDirectoryHidesThatProcess) {
  nj_tmp_mount r{};
  r.op.syscall = NJ_SYS_MOUNT;
  r.op.args[3] = 4096;
  json j = encode_with(r, NJ_REC_TMP_MOUNT, {{NJ_TF_SOURCE, "/tmp/x"}, {NJ_TF_TARGET, "/proc/777"}});
  EXPECT_EQ(j["event"]["action"], "mount");
  EXPECT_EQ(j["event"]["category"], json::array({"configuration"}));
  EXPECT_EQ(j["event"]["type"], json::array({"creation"}));
  const json& m = j["nightjar"]["tamper"]["mount"];
  EXPECT_EQ(m["source"], "/tmp/x");
  EXPECT_EQ(m["target"], "/proc/777");
  EXPECT_EQ(m["flags"], json::array({"MS_BIND"}));
  EXPECT_EQ(m["hides_process"], true);
  EXPECT_EQ(m["hidden_pid"], 777);
  EXPECT_FALSE(m.contains("fstype"));
  EXPECT_EQ(j["nightjar"]["syscall"], "mount");
}

TEST_F(TamperKernelEncode, AMountElsewhereHidesNothing) {
  nj_tmp_mount r{};
  r.op.syscall = NJ_SYS_MOUNT;
  json j = encode_with(r, NJ_REC_TMP_MOUNT, {{NJ_TF_TARGET, "/proc/777/fd"}, {NJ_TF_FSTYPE, "tmpfs"}});
  const json& m = j["nightjar"]["tamper"]["mount"];
  EXPECT_FALSE(m.contains("hides_process"));
  EXPECT_FALSE(m.contains("flags"));
  EXPECT_EQ(m["fstype"], "tmpfs");
}

TEST_F(TamperKernelEncode, BpfProgramLoadHasTheKernelsTagAndId) {
  nj_tmp_bpf r{};
  r.op.syscall = NJ_SYS_BPF;
  r.op.retval = 7;
  r.op.values[0] = 5;
  r.op.values[1] = 1;
  r.op.values[2] = 2;
  r.op.values[3] = 0xefcdab8967452301ull;  // bytes 01 23 45 ... in memory
  r.op.values[4] = 42;
  json j = encode_with(r, NJ_REC_TMP_BPF, {{NJ_TF_NAME, "flt"}, {NJ_TF_DATA, "GPL"}});
  EXPECT_EQ(j["event"]["category"], json::array({"driver"}));
  EXPECT_EQ(j["event"]["type"], json::array({"start"}));
  const json& b = j["nightjar"]["tamper"]["bpf"];
  EXPECT_EQ(b["command"], "prog_load");
  EXPECT_EQ(b["program"]["type"], "socket_filter");
  EXPECT_EQ(b["program"]["name"], "flt");
  EXPECT_EQ(b["program"]["tag"], "0123456789abcdef");
  EXPECT_EQ(b["program"]["id"], 42);
  EXPECT_EQ(b["program"]["instructions"], 2);
  EXPECT_EQ(b["program"]["license"], "GPL");
}

TEST_F(TamperKernelEncode, RefusedAttachHasNoProgramIdentity) {
  nj_tmp_bpf r{};
  r.op.syscall = NJ_SYS_BPF;
  r.op.retval = -1;
  r.op.values[0] = 8;
  r.op.values[5] = 0;
  r.op.values[6] = 9;
  json j = encode_with(r, NJ_REC_TMP_BPF, {});
  EXPECT_EQ(j["event"]["type"], json::array({"change"}));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  const json& b = j["nightjar"]["tamper"]["bpf"];
  EXPECT_EQ(b["command"], "prog_attach");
  EXPECT_FALSE(b.contains("program"));
  EXPECT_EQ(b["attach_type"], "cgroup_inet_ingress");
  EXPECT_EQ(b["target_fd"], 9);
}

TEST_F(TamperKernelEncode, SetnsByNamespaceFile) {
  nj_tmp_setns r{};
  r.op.syscall = NJ_SYS_SETNS;
  r.op.args[0] = 3;
  r.op.args[1] = 0x04000000;
  r.op.values[0] = 0x04000000;
  r.op.values[1] = 4026532000ull;
  r.op.values[2] = 1;
  json j = encode_with(r, NJ_REC_TMP_SETNS, {{NJ_TF_NAME, "uts"}});
  const json& s = j["nightjar"]["tamper"]["setns"];
  EXPECT_EQ(s["fd"], 3);
  EXPECT_EQ(s["fd_kind"], "namespace");
  EXPECT_EQ(s["namespace"]["type"], "uts");
  EXPECT_EQ(s["namespace"]["inode"], 4026532000ull);
  EXPECT_EQ(s["nstype"], json::array({"uts"}));
}

TEST_F(TamperKernelEncode, ModuleLoadWithoutTheTracepointHasNoName) {
  nj_tmp_module_load r{};
  r.op.syscall = NJ_SYS_INIT_MODULE;
  r.op.retval = -8;  // ENOEXEC
  r.op.args[1] = 64;
  json j = encode_with(r, NJ_REC_TMP_MODULE_LOAD, {{NJ_TF_DATA, ""}});
  EXPECT_EQ(j["error"]["code"], "ENOEXEC");
  const json& m = j["nightjar"]["tamper"]["module"];
  EXPECT_FALSE(m.contains("name"));
  EXPECT_FALSE(m.contains("parameters"));
  EXPECT_EQ(m["image_size"], 64);
}

}  // namespace
}  // namespace njt
