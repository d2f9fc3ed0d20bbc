// The tamper family's rows of the hook table: syscall pairs (bpf/tamper/)
// on every backend, and the tracepoints that fire inside them, which every
// backend uses as they are. The first syscall of each row exists on every
// kernel and architecture we support.
#include "families/tamper/hooks.h"

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
                          {"openat", "open", "creat", "openat2"}, false);
  tag_programs(mem, "memopen_");
  t.push_back(std::move(mem));
  return t;
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
  return t;
}

}  // namespace nj
