// The tamper family's rows of the hook table: syscall pairs (bpf/tamper/)
// on every backend, and the tracepoints that fire inside them, which every
// backend uses as they are. The first syscall of each row exists on every
// kernel and architecture we support.
#include "families/tamper/hooks.h"

#include <algorithm>

namespace nj {

namespace {

const std::vector<const char*> kSignalCalls = {
    "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"};
const std::vector<const char*> kCredsCalls = {"setuid",   "setreuid",  "setresuid", "setfsuid",  "setgid",
                                              "setregid", "setresgid", "setfsgid",  "setgroups", "capset"};

// inject: /proc/<pid>/mem opens are seen by exit programs of this family's
// own on the open syscalls, which the file family hooks too: their names
// carry a tag after the prefix (tp__memopen_sys_exit_openat,
// kret__memopen_openat, fx__memopen_openat; bpf/tamper/mem_open.bpf.c).
void tag_programs(Hook& h, const std::string& tag) {
  auto tagged = [&](std::string& p) { p.insert(p.find("__") + 2, tag); };
  for (Variant& v : h.variants) {
    for (std::string& p : v.programs) tagged(p);
    for (auto& alts : v.alternates)
      for (Alternate& a : alts) tagged(a.program);
  }
}

std::vector<Hook> inject_hooks() {
  constexpr Family T = Family::tamper;
  std::vector<Hook> t;
  t.push_back(syscall_hook(T, "tamper.ptrace.enter", "arguments of attach, seize, poke and setregs requests",
                           {"ptrace"}, true));
  t.push_back(syscall_hook(T, "tamper.ptrace", "ptrace attach, seize, traceme, poke and setregs, with the tracee",
                           {"ptrace"}, false));
  const std::vector<const char*> vm = {"process_vm_readv", "process_vm_writev"};
  t.push_back(syscall_hook(T, "tamper.process_vm.enter", "arguments of each call", vm, true));
  t.push_back(syscall_hook(T, "tamper.process_vm", "memory read from or written into another process", vm, false));
  Hook mem = syscall_hook(T, "tamper.mem_open", "/proc/<pid>/mem opened for writing or by another process",
                          native_syscalls({"openat", "open", "creat", "openat2"}), false);
  tag_programs(mem, "memopen_");
  t.push_back(std::move(mem));
  return t;
}

const std::vector<const char*> kExecMemoryCalls = {"mprotect", "pkey_mprotect", "mmap"};

// The memory area's hooks: executable memory and renames
// (bpf/tamper/memory.bpf.c, bpf/tamper/rename.bpf.c).
void memory_hooks(std::vector<Hook>& t) {
  constexpr Family T = Family::tamper;
  // The tracepoint backend's entries of mprotect and pkey_mprotect look the
  // memory up with bpf_find_vma (v5.17) where the kernel has it: preferred
  // to the plain entries, which judge by the protections asked for alone.
  Hook enter =
      syscall_hook(T, "tamper.memory_exec.enter", "arguments of calls that ask for PROT_EXEC", kExecMemoryCalls, true);
  Variant vma{Backend::tracepoint, {}, {}, {}};
  for (const char* sc : kExecMemoryCalls) {
    const std::string s = sc;
    const bool looks_up = s != "mmap";
    vma.programs.push_back((looks_up ? "tpvma__sys_enter_" : "tp__sys_enter_") + s);
    vma.needs.push_back({Requirement::Kind::tracepoint, "syscalls", "sys_enter_" + s, looks_up ? "bpf_find_vma" : ""});
  }
  auto plain = std::find_if(enter.variants.begin(), enter.variants.end(),
                            [](const Variant& v) { return v.backend == Backend::tracepoint; });
  enter.variants.insert(plain, std::move(vma));
  t.push_back(std::move(enter));
  t.push_back(
      syscall_hook(T, "tamper.memory_exec", "anonymous or writable memory made executable", kExecMemoryCalls, false));
  // No tracepoint fires inside mprotect with the VMA: without this hook, or
  // the tracepoint entries' bpf_find_vma, an mprotect is judged by the
  // protections it asks for alone.
  t.push_back(Hook{"tamper.memory_exec.vma", T, false, "what an mprotect's memory was (anonymous, writable, its file)",
                   function_hook("security_file_mprotect", nullptr, nullptr)});
  t.push_back(Hook{"tamper.rename", T, true, "process and thread renames (prctl, /proc/<pid>/comm)",
                   tp_btf_everywhere("task_rename", "tpbtf__task_rename")});
  t.push_back(syscall_hook(T, "tamper.rename.enter", "tells prctl(PR_SET_NAME) renames from comm file writes",
                           {"prctl"}, true, false));
  t.push_back(syscall_hook(T, "tamper.rename.exit", "clears the prctl marker", {"prctl"}, false, false));
}

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
  for (Hook& h : inject_hooks()) t.push_back(std::move(h));
  t.push_back(syscall_hook(T, "tamper.creds.enter", "credentials before each call", kCredsCalls, true));
  t.push_back(syscall_hook(T, "tamper.creds", "credential changes and refusals, old and new", kCredsCalls, false));
  // kprobe/fentry only: no tracepoint fires in commit_creds(), where every
  // other way of changing a thread's credentials (an exploit's from an
  // ioctl, unshare(CLONE_NEWUSER), prctl) ends (bpf/tamper/commit_creds.bpf.c).
  t.push_back(Hook{"tamper.creds.commit", T, false, "credential changes outside the set*id, setgroups, capset calls",
                   function_hook("commit_creds", nullptr, nullptr)});
  memory_hooks(t);
  kernel_hooks(t);
  return t;
}

}  // namespace nj
