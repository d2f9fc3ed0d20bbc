// The process family's rows of the hook table: which programs implement each
// hook on each backend (bpf/process/), and why that hook.
#include "families/process/hooks.h"

namespace nj {

namespace {

#if defined(__aarch64__)
// arm64 has no fork or vfork syscall.
const std::vector<const char*> kCloneSyscalls = {"clone", "clone3"};
#else
const std::vector<const char*> kCloneSyscalls = {"clone", "clone3", "fork", "vfork"};
#endif

constexpr Family P = Family::process;

}  // namespace

std::vector<Hook> process_hooks() {
  std::vector<Hook> t;
  t.push_back(syscall_hook(P, "exec.enter", "syscall, dirfd, flags and user pointers of each exec",
                           {"execve", "execveat"}, true));
  t.push_back(Hook{"exec", P, true, "the new image: argv, executable, cwd, credentials",
                   function_hook("finalize_exec", "sched_process_exec", "tpbtf__sched_process_exec")});
  t.push_back(syscall_hook(P, "exec.leave", "failed execs, with the error", {"execve", "execveat"}, false));
  t.push_back(Hook{"exec.level", P, false, "each script and interpreter of a shebang chain, with its identity",
                   function_hook("security_bprm_check", nullptr, nullptr)});
  t.push_back(syscall_hook(P, "fork.enter", "clone flags of each new process", kCloneSyscalls, true));
  t.push_back(Hook{"fork", P, true, "each new process (threads excluded)",
                   function_hook("wake_up_new_task", "sched_process_fork", "tpbtf__sched_process_fork")});
  t.push_back(Hook{"exit", P, true, "the last thread of a process exits: exit status or fatal signal",
                   function_hook("taskstats_exit", "sched_process_exit", "tpbtf__sched_process_exit")});
  t.push_back(syscall_hook(P, "unshare.enter", "unshare flags", {"unshare"}, true));
  t.push_back(syscall_hook(P, "unshare.leave", "unshare result", {"unshare"}, false));
  return t;
}

}  // namespace nj
