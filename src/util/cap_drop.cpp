#include "util/cap_drop.h"

#include <dirent.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "util/caps.h"

// Older uapi headers lack it; its number is ABI.
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

namespace nj {
namespace {

// The sets every thread installs: written before the signals go out,
// read by the handlers.
struct Target {
  uint32_t permitted[2];
  int last_cap;
  uint64_t keep;
  bool bounding;  // CAP_SETPCAP held: the bounding set can shrink too
};
Target g_target;
std::atomic<int> g_done{0};
std::atomic<int> g_failed{0};

// One thread's own sets; only async-signal-safe calls (raw syscalls).
bool drop_own() {
  bool ok = true;
  for (int cap = 0; g_target.bounding && cap <= g_target.last_cap; cap++) {
    if (g_target.keep & (uint64_t{1} << cap)) continue;
    // EINVAL: a capability this kernel does not have; anything else fails.
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) ok = false;
  }
  ok &= ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0 || errno == EINVAL;
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = g_target.permitted[i];
  ok &= ::syscall(SYS_capset, &hdr, data) == 0;
  ok &= ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
  return ok;
}

void on_drop_signal(int) {
  const int saved = errno;
  if (!drop_own()) g_failed.fetch_add(1);
  g_done.fetch_add(1);
  errno = saved;
}

std::vector<pid_t> threads() {
  std::vector<pid_t> out;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atol(e->d_name)));
    ::closedir(d);
  }
  return out;
}

// A "Cap...:" line of a thread's status file, as a set.
uint64_t status_caps(pid_t tid, const std::string& key) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::strtoull(line.c_str() + key.size() + 1, nullptr, 16);
  return ~uint64_t{0};
}

}  // namespace

uint64_t caps_kept_after_attach() {
  uint64_t keep = (uint64_t{1} << CAP_SYS_PTRACE) | (uint64_t{1} << CAP_DAC_READ_SEARCH);
  // Every bpf() command on the sensor's own map and link descriptors (its
  // counters, file watches, the link check) needs bpf_capable() while
  // kernel.unprivileged_bpf_disabled is set (Debian's default) on kernels
  // before v6.5, which checked it for every command; v6.5 moved the check
  // into map and program creation. CAP_BPF where the kernel has it (v5.8),
  // else CAP_SYS_ADMIN. The matrix's 5.10 lost its counters, watches and
  // link checks without it.
  keep |= uint64_t{1} << (cap_last_cap() >= CAP_BPF ? CAP_BPF : CAP_SYS_ADMIN);
  return keep;
}

std::string cap_names(uint64_t set) {
  std::string out;
  for (int cap = 0; cap < 64; cap++)
    if (set & (uint64_t{1} << cap)) out += (out.empty() ? "" : ", ") + cap_name(cap);
  return out.empty() ? "none" : out;
}

Result<void> drop_capabilities_all_threads(uint64_t keep) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &hdr, data) != 0) return os_error(errno, "reading the capabilities");
  const uint64_t permitted = (uint64_t{data[0].permitted} | uint64_t{data[1].permitted} << 32) & keep;
  const bool setpcap = data[0].effective & (1u << CAP_SETPCAP);
  g_target = {
      {static_cast<uint32_t>(permitted), static_cast<uint32_t>(permitted >> 32)}, cap_last_cap(), keep, setpcap};
  g_done = 0;
  g_failed = 0;

  // A real-time signal nothing else uses; blocked nowhere (the daemon's
  // threads block only the stop signals). The handler stays installed: a
  // late delivery must not meet the default action (termination).
  const int sig = SIGRTMIN + 5;
  struct sigaction sa {};
  sa.sa_handler = on_drop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(sig, &sa, nullptr) != 0) return os_error(errno, "installing the capability signal");
  const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
  int sent = 0;
  for (pid_t tid : threads()) {
    if (tid == self) continue;
    if (::syscall(SYS_tgkill, ::getpid(), tid, sig) == 0) sent++;
  }
  const bool mine = drop_own();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (g_done.load() < sent && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));

  if (!mine || g_failed.load()) return Error{EPERM, "a thread could not drop its capabilities"};
  // Read back: every thread, every set (a thread that started meanwhile
  // inherited the dropped sets from one that had them already, or not).
  for (pid_t tid : threads()) {
    for (const char* key : {"CapEff", "CapPrm", "CapBnd"}) {
      if (!g_target.bounding && key[3] == 'B') continue;
      const uint64_t have = status_caps(tid, key);
      if (have & ~keep)
        return Error{EPERM, "thread " + std::to_string(tid) + " still holds " + cap_names(have & ~keep) + " in " + key};
    }
  }
  return {};
}

}  // namespace nj
