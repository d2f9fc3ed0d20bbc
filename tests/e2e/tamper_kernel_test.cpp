// Kernel and namespace tamper events from real actions, asserted field by
// field, once per transport: mounts (a bind mount over a decoy's
// /proc/<pid>, the mount API), setns by namespace file and by pidfd, BPF
// program loads and a cgroup attach, kernel modules.
//
// Module syscalls exist only on kernels with CONFIG_MODULES (not this
// machine's, where those tests skip); a successful load also needs a small
// module on disk (the kernel matrix's guests carry none: that test skips
// there too and names why).
#include <gtest/gtest.h>

#include <iostream>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <regex>

#include "harness.h"
#include "tamper_suite.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kWaitMs = 30000;

// Every program of the hook is attached ("tracepoint (3/3 programs)").
bool all_attached(const std::string& status) {
  std::smatch m;
  static const std::regex re(R"(\((\d+)/(\d+) )");
  return std::regex_search(status, m, re) && m[1] == m[2] && m[1] != "0";
}

class TamperKernelEvents : public TamperSuite<TamperKernelEvents> {
 protected:
  void SetUp() override {
    start({"\"action\":\"module_load\"", "\"action\":\"module_unload\"", "\"action\":\"bpf\"", "\"action\":\"mount\"",
           "\"action\":\"umount\"", "\"action\":\"mount_api\"", "\"action\":\"setns\""});
  }

  json find(const std::string& action, long pid, const std::function<bool(const json&)>& extra) {
    return sensor().wait_for(
        [&](const json& x) {
          return x.contains("process") && get(x, "event.action") == action && get(x, "process.pid") == pid && extra(x);
        },
        kWaitMs);
  }
};

std::function<bool(const json&)> field_is(const std::string& dotted, const json& v) {
  return [dotted, v](const json& x) { return get(x, dotted) == v; };
}

// What every event of these actions says about its kind and its caller.
void expect_common(const json& e, const std::string& category, const std::string& type, const std::string& syscall,
                   bool ok) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.category"), json::array({category}));
  EXPECT_EQ(get(e, "event.type"), json::array({type}));
  EXPECT_EQ(get(e, "event.outcome"), ok ? "success" : "failure");
  EXPECT_EQ(has(e, "error"), !ok);
  EXPECT_EQ(get(e, "nightjar.syscall"), syscall);
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
  EXPECT_EQ(get(e, "process.executable"), NJ_ACTIONS);
  EXPECT_TRUE(get(e, "process.entity_id").is_string());
}

// The hiding technique: a directory bound over /proc/<pid>.
TEST_P(TamperKernelEvents, BindMountOverAProcDirectoryIsFlagged) {
  TAMPER_ACT_OR_SKIP(a, "mount actions not available here", "tamper-mount-hide");
  const long pid = a["pid"], target = a["target_pid"];
  const std::string dir = a["dir"], proc = a["proc_dir"];

  FIND(bind, "bind mount event", "mount", pid, field_is("nightjar.tamper.mount.target", proc));
  expect_common(bind, "configuration", "creation", "mount", true);
  EXPECT_EQ(get(bind, "nightjar.tamper.mount.source"), dir);
  EXPECT_EQ(get(bind, "nightjar.tamper.mount.flags"), json::array({"MS_BIND"}));
  EXPECT_FALSE(has(bind, "nightjar.tamper.mount.fstype"));
  EXPECT_EQ(get(bind, "nightjar.tamper.mount.hides_process"), true);
  EXPECT_EQ(get(bind, "nightjar.tamper.mount.hidden_pid"), target);

  FIND(tmpfs, "tmpfs mount event", "mount", pid, field_is("nightjar.tamper.mount.target", dir));
  expect_common(tmpfs, "configuration", "creation", "mount", true);
  EXPECT_EQ(get(tmpfs, "nightjar.tamper.mount.source"), "nj-tmpfs");
  EXPECT_EQ(get(tmpfs, "nightjar.tamper.mount.fstype"), "tmpfs");
  EXPECT_EQ(get(tmpfs, "nightjar.tamper.mount.flags"), json::array({"MS_NOSUID", "MS_NODEV"}));
  EXPECT_EQ(get(tmpfs, "nightjar.tamper.mount.options"), "size=1m,mode=0700");
  EXPECT_FALSE(has(tmpfs, "nightjar.tamper.mount.hides_process"));

  FIND(un, "umount event", "umount", pid, field_is("nightjar.tamper.umount.target", proc));
  expect_common(un, "configuration", "deletion", "umount2", true);
  EXPECT_EQ(get(un, "nightjar.tamper.umount.flags"), json::array({"MNT_DETACH"}));
  FIND(un2, "umount event of the tmpfs", "umount", pid, field_is("nightjar.tamper.umount.target", dir));
  EXPECT_FALSE(has(un2, "nightjar.tamper.umount.flags"));
}

TEST_P(TamperKernelEvents, MountApiSequence) {
  TAMPER_ACT_OR_SKIP(a, "the mount API (v5.2) is not available here", "tamper-mount-api");
  const long pid = a["pid"], fs_fd = a["fs_fd"], mount_fd = a["mount_fd"], tree_fd = a["tree_fd"];
  const std::string dir = a["dir"];
  const std::string k = "nightjar.tamper.mount_api.";

  FIND(open, "fsopen event", "mount_api", pid, field_is(k + "call", "fsopen"));
  expect_common(open, "configuration", "change", "fsopen", true);
  EXPECT_EQ(get(open, k + "fstype"), "tmpfs");
  EXPECT_EQ(get(open, k + "new_fd"), fs_fd);

  FIND(set, "fsconfig set_string event", "mount_api", pid, field_is(k + "command", "set_string"));
  expect_common(set, "configuration", "change", "fsconfig", true);
  EXPECT_EQ(get(set, k + "fd"), fs_fd);
  EXPECT_EQ(get(set, k + "key"), "size");
  EXPECT_EQ(get(set, k + "value"), "2m");
  EXPECT_EQ(get(set, k + "fstype"), "tmpfs");

  FIND(create, "fsconfig cmd_create event", "mount_api", pid, field_is(k + "command", "cmd_create"));
  EXPECT_FALSE(has(create, k + "key"));
  EXPECT_EQ(get(create, k + "fstype"), "tmpfs");

  FIND(mnt, "fsmount event", "mount_api", pid, field_is(k + "call", "fsmount"));
  expect_common(mnt, "configuration", "change", "fsmount", true);
  EXPECT_EQ(get(mnt, k + "fd"), fs_fd);
  EXPECT_EQ(get(mnt, k + "fstype"), "tmpfs");
  EXPECT_EQ(get(mnt, k + "attributes"), json::array({"MOUNT_ATTR_NODEV"}));
  EXPECT_EQ(get(mnt, k + "new_fd"), mount_fd);

  FIND(move, "move_mount event", "mount_api", pid, field_is(k + "call", "move_mount"));
  expect_common(move, "configuration", "change", "move_mount", true);
  EXPECT_EQ(get(move, k + "source"), "");
  EXPECT_EQ(get(move, k + "target"), dir);
  EXPECT_EQ(get(move, k + "flags"), json::array({"MOVE_MOUNT_F_EMPTY_PATH"}));

  FIND(tree, "open_tree event", "mount_api", pid, field_is(k + "call", "open_tree"));
  expect_common(tree, "configuration", "change", "open_tree", true);
  EXPECT_EQ(get(tree, k + "source"), dir);
  EXPECT_EQ(get(tree, k + "flags"), json::array({"OPEN_TREE_CLONE", "OPEN_TREE_CLOEXEC"}));
  EXPECT_EQ(get(tree, k + "new_fd"), tree_fd);

  if (a["setattr_errno"] != 0) return;  // before v5.12: no mount_setattr, and no hook for it
  FIND(attr, "mount_setattr event", "mount_api", pid, field_is(k + "call", "mount_setattr"));
  expect_common(attr, "configuration", "change", "mount_setattr", true);
  EXPECT_EQ(get(attr, k + "target"), dir);
  EXPECT_EQ(get(attr, k + "attributes_set"), json::array({"MOUNT_ATTR_RDONLY"}));
  EXPECT_FALSE(has(attr, k + "attributes_cleared"));
}

TEST_P(TamperKernelEvents, SetnsByNamespaceFileAndByPidfd) {
  TAMPER_ACT_OR_SKIP(a, "setns action not available here", "tamper-setns");
  const long pid = a["pid"], target = a["target_pid"], ns_fd = a["ns_fd"], pidfd = a["pidfd"];
  const std::string k = "nightjar.tamper.setns.";

  FIND(byfile, "setns event by namespace file", "setns", pid, field_is(k + "fd", ns_fd));
  expect_common(byfile, "process", "change", "setns", true);
  EXPECT_EQ(get(byfile, k + "fd_kind"), "namespace");
  EXPECT_EQ(get(byfile, k + "namespace.type"), "uts");
  EXPECT_EQ(get(byfile, k + "namespace.inode"), a["ns_inode"]);
  EXPECT_EQ(get(byfile, k + "nstype"), json::array({"uts"}));
  EXPECT_FALSE(has(byfile, "target"));

  if (a["pidfd_errno"] != 0) GTEST_SKIP() << "setns by pidfd needs v5.8";
  FIND(bypid, "setns event by pidfd", "setns", pid, field_is(k + "fd", pidfd));
  expect_common(bypid, "process", "change", "setns", true);
  EXPECT_EQ(get(bypid, k + "fd_kind"), "pidfd");
  EXPECT_FALSE(has(bypid, k + "namespace"));
  EXPECT_EQ(get(bypid, k + "nstype"), json::array({"uts"}));
  EXPECT_EQ(get(bypid, "nightjar.target_from"), "kernel");
  EXPECT_EQ(get(bypid, "target.process.pid"), target);
  EXPECT_EQ(get(bypid, "target.process.name"), "nj-actions");
}

TEST_P(TamperKernelEvents, BpfProgramLoadAndCgroupAttach) {
  TAMPER_ACT_OR_SKIP(a, "bpf action not available here", "tamper-bpf");
  const long pid = a["pid"];
  const std::string k = "nightjar.tamper.bpf.";

  FIND(load, "bpf prog_load event", "bpf", pid, field_is(k + "program.name", "nj_test_filter"));
  expect_common(load, "driver", "start", "bpf", true);
  EXPECT_EQ(get(load, k + "command"), "prog_load");
  EXPECT_EQ(get(load, k + "program.type"), "socket_filter");
  EXPECT_EQ(get(load, k + "program.instructions"), 2);
  EXPECT_EQ(get(load, k + "program.license"), "GPL");
  EXPECT_EQ(get(load, k + "program.tag"), a["tag"]);
  EXPECT_EQ(get(load, k + "program.id"), a["prog_id"]);

  if (a["attach_errno"] != 0) GTEST_SKIP() << "no cgroup v2 attach here (errno " << a["attach_errno"] << ")";
  for (const char* cmd : {"prog_attach", "prog_detach"}) {
    FIND(at, std::string("bpf ") + cmd + " event", "bpf", pid, field_is(k + "command", cmd));
    expect_common(at, "driver", "change", "bpf", true);
    EXPECT_EQ(get(at, k + "program.name"), "nj_test_skb");
    EXPECT_EQ(get(at, k + "program.type"), "cgroup_skb");
    EXPECT_EQ(get(at, k + "program.tag"), a["skb_tag"]);
    EXPECT_EQ(get(at, k + "program.id"), a["skb_id"]);
    EXPECT_EQ(get(at, k + "attach_type"), "cgroup_inet_ingress");
    EXPECT_EQ(get(at, k + "target_fd"), a["cgroup_fd"]);
    EXPECT_FALSE(has(at, k + "program.instructions"));
  }
}

// Without CONFIG_MODULES there is nothing to hook (this machine).
#define NEED_MODULE_HOOKS()                                                                \
  if (!all_attached(hook_status(sensor(), "tamper.module"))) {                             \
    GTEST_SKIP() << "module syscalls are not hooked on this kernel (no CONFIG_MODULES?): " \
                 << hook_status(sensor(), "tamper.module");                                \
  }

TEST_P(TamperKernelEvents, ModuleFailurePaths) {
  NEED_MODULE_HOOKS();
  TAMPER_ACT_OR_SKIP(a, "module syscalls return ENOSYS here", "tamper-module-fail");
  const long pid = a["pid"];
  const std::string k = "nightjar.tamper.module.";

  FIND(fin, "finit_module event", "module_load", pid, field_is("nightjar.syscall", "finit_module"));
  expect_common(fin, "driver", "start", "finit_module", false);
  EXPECT_EQ(a["finit_errno"], ENOEXEC);
  EXPECT_EQ(get(fin, "error.code"), "ENOEXEC");
  EXPECT_EQ(get(fin, k + "path"), a["path"]);
  EXPECT_EQ(get(fin, k + "fd"), a["fd"]);
  EXPECT_EQ(get(fin, k + "parameters"), "nj_param=1");
  EXPECT_FALSE(has(fin, k + "name")) << "the image never reached module_load";

  FIND(ini, "init_module event", "module_load", pid, field_is("nightjar.syscall", "init_module"));
  expect_common(ini, "driver", "start", "init_module", false);
  EXPECT_EQ(get(ini, "error.code"), "ENOEXEC");
  EXPECT_EQ(get(ini, k + "image_size"), 64);
  EXPECT_FALSE(has(ini, k + "parameters"));

  FIND(del, "delete_module event", "module_unload", pid, field_is("nightjar.syscall", "delete_module"));
  expect_common(del, "driver", "end", "delete_module", false);
  EXPECT_EQ(get(del, "error.code"), "ENOENT");
  EXPECT_EQ(get(del, k + "name"), "nj_no_such_module");
  EXPECT_EQ(get(del, k + "flags"), json::array({"O_NONBLOCK"}));
  std::cout << "captured module_load failure: " << fin.dump() << std::endl;
}

TEST_P(TamperKernelEvents, ModuleLoadAndUnload) {
  NEED_MODULE_HOOKS();
  TAMPER_ACT_OR_SKIP(a, "no small module on disk to load (the kernel matrix's guests carry no /lib/modules)",
                     "tamper-module-load");
  const long pid = a["pid"];
  const std::string k = "nightjar.tamper.module.";
  const bool loaded = a["load_errno"] == 0;

  FIND(load, "module_load event", "module_load", pid, field_is("nightjar.syscall", "finit_module"));
  expect_common(load, "driver", "start", "finit_module", loaded);
  ASSERT_TRUE(loaded) << "the kernel refused " << a["path"] << ": " << get(load, "error.code");
  EXPECT_EQ(get(load, k + "name"), a["name"]);
  EXPECT_EQ(get(load, k + "path"), a["path"]);
  if (a["parameters"] != "") {
    EXPECT_EQ(get(load, k + "parameters"), a["parameters"]);
  }

  FIND(un, "module_unload event", "module_unload", pid, field_is(k + "name", a["name"]));
  expect_common(un, "driver", "end", "delete_module", a["unload_errno"] == 0);
  // Printed for docs/events/tamper.md: this machine's own kernel may have
  // no modules; the kernel matrix's logs keep these lines.
  std::cout << "captured module_load: " << load.dump() << "\ncaptured module_unload: " << un.dump() << std::endl;
}

INSTANTIATE_TEST_SUITE_P(TamperKernelTransports, TamperKernelEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
