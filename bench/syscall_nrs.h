/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall numbers of the syscalls nightjar hooks (bench/bpf/<family>_hooks.h), by
 * the name in their tracepoints (sys_enter_<name>), for the raw-syscall
 * dispatch prototype (dispatch.c), which fills prog arrays by number. The
 * native table of the build's architecture: a syscall it lacks (x86's
 * legacy open, mkdir, ... on arm64) or its headers do not know yet
 * (fchmodat2 before Linux 6.6's) is left out. Regenerate from the hook
 * rows when they change. The umount tracepoint is x86_64's umount2 syscall
 * (SYSCALL_DEFINE2(umount, ...)). */
#ifndef NJB_SYSCALL_NRS_H
#define NJB_SYSCALL_NRS_H

#include <sys/syscall.h>

struct njb_syscall_nr {
	const char *name;
	long nr;
};

static const struct njb_syscall_nr njb_syscall_nrs[] = {
#ifdef SYS_accept
	{"accept", SYS_accept},
#endif
#ifdef SYS_accept4
	{"accept4", SYS_accept4},
#endif
#ifdef SYS_bpf
	{"bpf", SYS_bpf},
#endif
#ifdef SYS_capset
	{"capset", SYS_capset},
#endif
#ifdef SYS_chmod
	{"chmod", SYS_chmod},
#endif
#ifdef SYS_chown
	{"chown", SYS_chown},
#endif
#ifdef SYS_clone
	{"clone", SYS_clone},
#endif
#ifdef SYS_clone3
	{"clone3", SYS_clone3},
#endif
#ifdef SYS_connect
	{"connect", SYS_connect},
#endif
#ifdef SYS_creat
	{"creat", SYS_creat},
#endif
#ifdef SYS_execve
	{"execve", SYS_execve},
#endif
#ifdef SYS_execveat
	{"execveat", SYS_execveat},
#endif
#ifdef SYS_fallocate
	{"fallocate", SYS_fallocate},
#endif
#ifdef SYS_fchmod
	{"fchmod", SYS_fchmod},
#endif
#ifdef SYS_fchmodat
	{"fchmodat", SYS_fchmodat},
#endif
#ifdef SYS_fchmodat2
	{"fchmodat2", SYS_fchmodat2},
#endif
#ifdef SYS_fchown
	{"fchown", SYS_fchown},
#endif
#ifdef SYS_fchownat
	{"fchownat", SYS_fchownat},
#endif
#ifdef SYS_finit_module
	{"finit_module", SYS_finit_module},
#endif
#ifdef SYS_fork
	{"fork", SYS_fork},
#endif
#ifdef SYS_fremovexattr
	{"fremovexattr", SYS_fremovexattr},
#endif
#ifdef SYS_fsconfig
	{"fsconfig", SYS_fsconfig},
#endif
#ifdef SYS_fsetxattr
	{"fsetxattr", SYS_fsetxattr},
#endif
#ifdef SYS_fsmount
	{"fsmount", SYS_fsmount},
#endif
#ifdef SYS_fsopen
	{"fsopen", SYS_fsopen},
#endif
#ifdef SYS_ftruncate
	{"ftruncate", SYS_ftruncate},
#endif
#ifdef SYS_futimesat
	{"futimesat", SYS_futimesat},
#endif
#ifdef SYS_ioctl
	{"ioctl", SYS_ioctl},
#endif
#ifdef SYS_kill
	{"kill", SYS_kill},
#endif
#ifdef SYS_lchown
	{"lchown", SYS_lchown},
#endif
#ifdef SYS_link
	{"link", SYS_link},
#endif
#ifdef SYS_linkat
	{"linkat", SYS_linkat},
#endif
#ifdef SYS_listen
	{"listen", SYS_listen},
#endif
#ifdef SYS_lremovexattr
	{"lremovexattr", SYS_lremovexattr},
#endif
#ifdef SYS_lsetxattr
	{"lsetxattr", SYS_lsetxattr},
#endif
#ifdef SYS_memfd_create
	{"memfd_create", SYS_memfd_create},
#endif
#ifdef SYS_mkdir
	{"mkdir", SYS_mkdir},
#endif
#ifdef SYS_mkdirat
	{"mkdirat", SYS_mkdirat},
#endif
#ifdef SYS_mknod
	{"mknod", SYS_mknod},
#endif
#ifdef SYS_mknodat
	{"mknodat", SYS_mknodat},
#endif
#ifdef SYS_mmap
	{"mmap", SYS_mmap},
#endif
#ifdef SYS_mount
	{"mount", SYS_mount},
#endif
#ifdef SYS_move_mount
	{"move_mount", SYS_move_mount},
#endif
#ifdef SYS_mprotect
	{"mprotect", SYS_mprotect},
#endif
#ifdef SYS_open
	{"open", SYS_open},
#endif
#ifdef SYS_open_by_handle_at
	{"open_by_handle_at", SYS_open_by_handle_at},
#endif
#ifdef SYS_open_tree
	{"open_tree", SYS_open_tree},
#endif
#ifdef SYS_openat
	{"openat", SYS_openat},
#endif
#ifdef SYS_openat2
	{"openat2", SYS_openat2},
#endif
#ifdef SYS_pidfd_send_signal
	{"pidfd_send_signal", SYS_pidfd_send_signal},
#endif
#ifdef SYS_pkey_mprotect
	{"pkey_mprotect", SYS_pkey_mprotect},
#endif
#ifdef SYS_prctl
	{"prctl", SYS_prctl},
#endif
#ifdef SYS_process_vm_readv
	{"process_vm_readv", SYS_process_vm_readv},
#endif
#ifdef SYS_process_vm_writev
	{"process_vm_writev", SYS_process_vm_writev},
#endif
#ifdef SYS_ptrace
	{"ptrace", SYS_ptrace},
#endif
#ifdef SYS_recvfrom
	{"recvfrom", SYS_recvfrom},
#endif
#ifdef SYS_recvmmsg
	{"recvmmsg", SYS_recvmmsg},
#endif
#ifdef SYS_recvmsg
	{"recvmsg", SYS_recvmsg},
#endif
#ifdef SYS_removexattr
	{"removexattr", SYS_removexattr},
#endif
#ifdef SYS_removexattrat
	{"removexattrat", SYS_removexattrat},
#endif
#ifdef SYS_rename
	{"rename", SYS_rename},
#endif
#ifdef SYS_renameat
	{"renameat", SYS_renameat},
#endif
#ifdef SYS_renameat2
	{"renameat2", SYS_renameat2},
#endif
#ifdef SYS_rmdir
	{"rmdir", SYS_rmdir},
#endif
#ifdef SYS_rt_sigqueueinfo
	{"rt_sigqueueinfo", SYS_rt_sigqueueinfo},
#endif
#ifdef SYS_rt_tgsigqueueinfo
	{"rt_tgsigqueueinfo", SYS_rt_tgsigqueueinfo},
#endif
#ifdef SYS_sendmmsg
	{"sendmmsg", SYS_sendmmsg},
#endif
#ifdef SYS_sendmsg
	{"sendmsg", SYS_sendmsg},
#endif
#ifdef SYS_sendto
	{"sendto", SYS_sendto},
#endif
#ifdef SYS_setfsuid
	{"setfsuid", SYS_setfsuid},
#endif
#ifdef SYS_setgid
	{"setgid", SYS_setgid},
#endif
#ifdef SYS_setgroups
	{"setgroups", SYS_setgroups},
#endif
#ifdef SYS_setns
	{"setns", SYS_setns},
#endif
#ifdef SYS_setresgid
	{"setresgid", SYS_setresgid},
#endif
#ifdef SYS_setresuid
	{"setresuid", SYS_setresuid},
#endif
#ifdef SYS_setuid
	{"setuid", SYS_setuid},
#endif
#ifdef SYS_setxattr
	{"setxattr", SYS_setxattr},
#endif
#ifdef SYS_setxattrat
	{"setxattrat", SYS_setxattrat},
#endif
#ifdef SYS_symlink
	{"symlink", SYS_symlink},
#endif
#ifdef SYS_symlinkat
	{"symlinkat", SYS_symlinkat},
#endif
#ifdef SYS_tgkill
	{"tgkill", SYS_tgkill},
#endif
#ifdef SYS_tkill
	{"tkill", SYS_tkill},
#endif
#ifdef SYS_truncate
	{"truncate", SYS_truncate},
#endif
#ifdef SYS_umount2
	{"umount", SYS_umount2},
#endif
#ifdef SYS_unlink
	{"unlink", SYS_unlink},
#endif
#ifdef SYS_unlinkat
	{"unlinkat", SYS_unlinkat},
#endif
#ifdef SYS_unshare
	{"unshare", SYS_unshare},
#endif
#ifdef SYS_utime
	{"utime", SYS_utime},
#endif
#ifdef SYS_utimensat
	{"utimensat", SYS_utimensat},
#endif
#ifdef SYS_utimes
	{"utimes", SYS_utimes},
#endif
#ifdef SYS_vfork
	{"vfork", SYS_vfork},
#endif
};

#endif
