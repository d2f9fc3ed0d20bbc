// The names of this architecture's syscall numbers, for commit_creds
// events (the kernel gives the number of the syscall the thread is in,
// bpf/tamper/commit_creds.bpf.c). Not every syscall: those that change
// credentials on purpose and the usual ways an exploit enters the kernel;
// an unnamed number is shown as a number. The numbers come from the C
// library's headers for the architecture the sensor is built for, which
// is the one it runs on.
#include <sys/syscall.h>

#include <cstdint>

#include "families/tamper/creds.h"

namespace nj {

namespace {

struct NamedSyscall {
  long nr;
  const char* name;
};

#define NJ_NR(n) \
  { __NR_##n, #n }

constexpr NamedSyscall kNamed[] = {
    NJ_NR(read),
    NJ_NR(write),
    NJ_NR(readv),
    NJ_NR(writev),
    NJ_NR(pwrite64),
    NJ_NR(close),
    NJ_NR(ioctl),
    NJ_NR(mmap),
    NJ_NR(mprotect),
    NJ_NR(munmap),
    NJ_NR(madvise),
    NJ_NR(brk),
    NJ_NR(openat),
    NJ_NR(prctl),
    NJ_NR(unshare),
    NJ_NR(setns),
    NJ_NR(clone),
    NJ_NR(clone3),
    NJ_NR(execve),
    NJ_NR(execveat),
    NJ_NR(exit_group),
    NJ_NR(keyctl),
    NJ_NR(add_key),
    NJ_NR(request_key),
    NJ_NR(capset),
    NJ_NR(setuid),
    NJ_NR(setgid),
    NJ_NR(setreuid),
    NJ_NR(setregid),
    NJ_NR(setresuid),
    NJ_NR(setresgid),
    NJ_NR(setfsuid),
    NJ_NR(setfsgid),
    NJ_NR(setgroups),
    NJ_NR(personality),
    NJ_NR(socket),
    NJ_NR(connect),
    NJ_NR(bind),
    NJ_NR(sendto),
    NJ_NR(sendmsg),
    NJ_NR(sendmmsg),
    NJ_NR(recvfrom),
    NJ_NR(recvmsg),
    NJ_NR(recvmmsg),
    NJ_NR(setsockopt),
    NJ_NR(getsockopt),
    NJ_NR(bpf),
    NJ_NR(perf_event_open),
    NJ_NR(io_uring_setup),
    NJ_NR(io_uring_enter),
    NJ_NR(io_uring_register),
    NJ_NR(msgsnd),
    NJ_NR(msgrcv),
    NJ_NR(msgctl),
    NJ_NR(userfaultfd),
    NJ_NR(splice),
    NJ_NR(vmsplice),
    NJ_NR(futex),
    NJ_NR(mount),
    NJ_NR(fsconfig),
    NJ_NR(fsmount),
    NJ_NR(init_module),
    NJ_NR(finit_module),
    NJ_NR(ptrace),
    NJ_NR(process_vm_writev),
    NJ_NR(timerfd_settime),
    NJ_NR(fcntl),
    NJ_NR(fallocate),
#ifdef __NR_open
    NJ_NR(open),
#endif
};

#undef NJ_NR

}  // namespace

const char* native_syscall_name(uint32_t nr) {
  for (const NamedSyscall& s : kNamed)
    if (s.nr == static_cast<long>(nr)) return s.name;
  return nullptr;
}

}  // namespace nj
