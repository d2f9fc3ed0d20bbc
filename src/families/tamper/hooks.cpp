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

}  // namespace

std::vector<Hook> tamper_hooks() {
  constexpr Family T = Family::tamper;
  std::vector<Hook> t;
  t.push_back(syscall_hook(T, "tamper.signal.enter", "arguments of each call", kSignalCalls, true));
  t.push_back(syscall_hook(T, "tamper.signal", "signals that reached no process (refused, no such process)",
                           kSignalCalls, false));
  t.push_back(Hook{"tamper.signal_generate", T, true, "signals sent to another process, with the process reached",
                   tp_btf_everywhere("signal_generate", "tpbtf__signal_generate")});
  t.push_back(syscall_hook(T, "tamper.creds.enter", "credentials before each call", kCredsCalls, true));
  t.push_back(syscall_hook(T, "tamper.creds", "credential changes and refusals, old and new", kCredsCalls, false));
  return t;
}

}  // namespace nj
