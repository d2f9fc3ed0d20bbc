// The tamper family's rows of the hook table: syscall pairs (bpf/tamper/)
// on every backend, and the tracepoints that fire inside them, which every
// backend uses as they are. The first syscall of each row exists on every
// kernel and architecture we support.
#include "families/tamper/hooks.h"

namespace nj {

namespace {

const std::vector<const char*> kSignalCalls = {
    "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"};

// Kernel code and namespaces. finit_module first: it exists wherever
// modules do (v3.8). mount_setattr (v5.12) last: 5.10 skips it alone.
const std::vector<const char*> kModuleCalls = {"finit_module", "init_module", "delete_module"};
const std::vector<const char*> kMountCalls = {"mount", "umount"};
const std::vector<const char*> kMountApiCalls = {"fsopen",     "fsconfig",  "fsmount",
                                                 "move_mount", "open_tree", "mount_setattr"};

void kernel_hooks(std::vector<Hook>& t) {
  constexpr Family T = Family::tamper;
  // Optional: a kernel without CONFIG_MODULES has none of these.
  t.push_back(syscall_hook(T, "tamper.module.enter", "module syscalls' arguments", kModuleCalls, true, false));
  t.push_back(syscall_hook(T, "tamper.module", "module loads and unloads, with the module's file and parameters",
                           kModuleCalls, false, false));
  t.push_back(Hook{"tamper.module_load", T, false, "the name of each module being loaded",
                   tp_btf_everywhere("module_load", "tpbtf__module_load")});
  t.push_back(syscall_hook(T, "tamper.bpf.enter", "bpf() commands that load or attach programs", {"bpf"}, true));
  t.push_back(syscall_hook(T, "tamper.bpf", "BPF program loads and attaches by other processes", {"bpf"}, false));
  t.push_back(syscall_hook(T, "tamper.mount.enter", "mount and umount2 arguments", kMountCalls, true));
  t.push_back(syscall_hook(T, "tamper.mount", "mounts and unmounts", kMountCalls, false));
  t.push_back(syscall_hook(T, "tamper.mount_api.enter", "mount API arguments", kMountApiCalls, true));
  t.push_back(syscall_hook(T, "tamper.mount_api", "fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr",
                           kMountApiCalls, false));
  t.push_back(syscall_hook(T, "tamper.setns.enter", "setns arguments", {"setns"}, true));
  t.push_back(syscall_hook(T, "tamper.setns", "namespaces joined, by namespace file or pidfd", {"setns"}, false));
}

}  // namespace

std::vector<Hook> tamper_hooks() {
  constexpr Family T = Family::tamper;
  std::vector<Hook> t;
  t.push_back(syscall_hook(T, "tamper.signal.enter", "arguments of each call", kSignalCalls, true));
  t.push_back(syscall_hook(T, "tamper.signal", "signals that reached no process (refused, no such process)",
                           kSignalCalls, false));
  t.push_back(Hook{"tamper.signal_generate", T, true, "signals sent to another process, with the process reached",
                   tp_btf_everywhere("signal_generate", "tpbtf__signal_generate")});
  kernel_hooks(t);
  return t;
}

}  // namespace nj
