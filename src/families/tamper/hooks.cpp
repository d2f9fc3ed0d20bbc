// The tamper family's rows of the hook table: syscall pairs (bpf/tamper/)
// on every backend, and the tracepoints that fire inside them, which every
// backend uses as they are. The first syscall of each row exists on every
// kernel and architecture we support.
#include "families/tamper/hooks.h"

namespace nj {

namespace {

const std::vector<const char*> kSignalCalls = {
    "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"};

const std::vector<const char*> kExecMemoryCalls = {"mprotect", "pkey_mprotect", "mmap"};

// The memory area's hooks: executable memory and renames
// (bpf/tamper/memory.bpf.c, bpf/tamper/rename.bpf.c).
void memory_hooks(std::vector<Hook>& t) {
  constexpr Family T = Family::tamper;
  t.push_back(
      syscall_hook(T, "tamper.memory_exec.enter", "arguments of calls that ask for PROT_EXEC", kExecMemoryCalls, true));
  t.push_back(
      syscall_hook(T, "tamper.memory_exec", "anonymous or writable memory made executable", kExecMemoryCalls, false));
  // No tracepoint fires inside mprotect with the VMA: without this hook an
  // mprotect is judged by the protections it asks for alone.
  t.push_back(Hook{"tamper.memory_exec.vma", T, false, "what an mprotect's memory was (anonymous, writable, its file)",
                   function_hook("security_file_mprotect", nullptr, nullptr)});
  t.push_back(Hook{"tamper.rename", T, true, "process and thread renames (prctl, /proc/<pid>/comm)",
                   tp_btf_everywhere("task_rename", "tpbtf__task_rename")});
  t.push_back(syscall_hook(T, "tamper.rename.enter", "tells prctl(PR_SET_NAME) renames from comm file writes",
                           {"prctl"}, true, false));
  t.push_back(syscall_hook(T, "tamper.rename.exit", "clears the prctl marker", {"prctl"}, false, false));
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
  memory_hooks(t);
  return t;
}

}  // namespace nj
