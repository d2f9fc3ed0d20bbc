// SPDX-License-Identifier: GPL-2.0
// nj-workload tamper-rare: one call of each of the tamper family's
// syscalls that the other two storms leave out, so that each of its
// programs gets an in-kernel cost per run. Every call leaves the system as
// it was: it delivers an ignored signal, writes a value already there,
// sets credentials to what they are, or fails before it does anything.
#define _GNU_SOURCE
#include "tamper.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

// A path whose first component does not exist: a lookup fails at once.
#define NJ_RARE_NOPATH "/nonexistent-nj-tamper-rare/x"

// The value the children find at the same address (forked copies).
static long word = 42;

struct rare {
	pid_t peer, tracee;
	int pidfd;
	void *page;
	gid_t groups[64];
	int ngroups;
	struct __user_cap_header_struct cap_hdr;
	struct __user_cap_data_struct cap[2];
};

// A call that must fail: one that succeeded counts as an error.
static int fails(long r)
{
	return r != -1;
}

// SIGWINCH, ignored by the idle child (no wake-up), by each signal call
// but kill (tamper-mix's); rt_*sigqueueinfo to another process need a
// negative si_code (SI_QUEUE).
static long signals(const struct rare *r)
{
	siginfo_t info;
	long e = 0;

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGWINCH;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	e += syscall(SYS_tkill, r->peer, SIGWINCH) != 0;
	e += syscall(SYS_tgkill, r->peer, r->peer, SIGWINCH) != 0;
	e += syscall(SYS_pidfd_send_signal, r->pidfd, SIGWINCH, NULL, 0) != 0;
	e += syscall(SYS_rt_sigqueueinfo, r->peer, SIGWINCH, &info) != 0;
	e += syscall(SYS_rt_tgsigqueueinfo, r->peer, r->peer, SIGWINCH, &info) != 0;
	return e;
}

// The child's word written with the value it holds: by process_vm_writev
// into the idle child, by PTRACE_POKEDATA into the stopped tracee.
static long inject(const struct rare *r)
{
	struct iovec local = {&word, sizeof(word)}, remote = {&word, sizeof(word)};
	long e = 0;

	e += process_vm_writev(r->peer, &local, 1, &remote, 1, 0) != sizeof(word);
	e += ptrace(PTRACE_POKEDATA, r->tracee, &word, (void *)word) != 0;
	return e;
}

// Credentials set to what they are: nothing changes, nothing reported.
static long creds(struct rare *r)
{
	long e = 0;

	e += setuid(geteuid()) != 0;
	e += setgid(getegid()) != 0;
	e += setfsuid(-1) != (int)geteuid(); // -1: a query, the fs id unchanged
	e += setresgid(-1, -1, -1) != 0;
	e += setgroups(r->ngroups, r->groups) != 0;
	e += syscall(SYS_capset, &r->cap_hdr, r->cap) != 0;
	e += syscall(SYS_pkey_mprotect, r->page, 4096, PROT_READ | PROT_WRITE, -1) != 0;
	return e;
}

// Module and BPF calls that fail on their arguments: a bad fd, a module
// not loaded, an image too short to be one (ENOSYS without
// CONFIG_MODULES), a bpf() command that does not exist.
static long kernel_code(void)
{
	long e = 0;

	e += fails(syscall(SYS_finit_module, -1, "", 0));
	e += fails(syscall(SYS_init_module, NULL, 0, ""));
	e += fails(syscall(SYS_delete_module, "nj_tamper_rare_none", O_NONBLOCK));
	e += fails(syscall(SYS_bpf, -1, NULL, 0));
	return e;
}

// struct mount_attr (linux/mount.h clashes with glibc's sys/mount.h).
struct nj_rare_mount_attr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

// Mounts, the mount API and setns, each failing before it changes
// anything: a path that does not exist, fd -1 (EBADF), and fsopen with
// flags it refuses (a type that does not exist would make the kernel ask
// modprobe for it, where modules exist). mount_setattr asks for
// MOUNT_ATTR_RDONLY: a call asking for nothing returns 0 before its lookup.
static long mounts(void)
{
	struct nj_rare_mount_attr attr = {.attr_set = 1};
	long e = 0;

	e += fails(syscall(SYS_mount, "nj", NJ_RARE_NOPATH, "tmpfs", 0, NULL));
	e += fails(syscall(SYS_umount2, NJ_RARE_NOPATH, 0));
	e += fails(syscall(SYS_setns, -1, 0));
	e += fails(syscall(SYS_fsopen, "tmpfs", ~0u));
	e += fails(syscall(SYS_fsconfig, -1, 1 /* FSCONFIG_SET_STRING */, "source", "nj", 0));
	e += fails(syscall(SYS_fsmount, -1, 0, 0));
	e += fails(syscall(SYS_move_mount, -1, "nj", -1, "nj", 0));
	e += fails(syscall(SYS_open_tree, AT_FDCWD, NJ_RARE_NOPATH, 0));
	e += fails(syscall(SYS_mount_setattr, -1, "nj", 0, &attr, sizeof(attr)));
	return e;
}

// The children, the pidfd, the page and the current groups and
// capabilities the loop sets again.
static int setup(struct rare *r)
{
	r->peer = tamper_idle_child();
	r->tracee = tamper_idle_child();
	if (r->peer < 0 || r->tracee < 0) {
		perror("fork");
		return -1;
	}
	r->pidfd = (int)syscall(SYS_pidfd_open, r->peer, 0);
	r->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r->ngroups = getgroups(64, r->groups);
	r->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	r->cap_hdr.pid = 0;
	if (r->pidfd < 0 || r->page == MAP_FAILED || r->ngroups < 0 ||
	    syscall(SYS_capget, &r->cap_hdr, r->cap) != 0) {
		perror("tamper-rare setup");
		return -1;
	}
	return tamper_stop_tracee(r->tracee);
}

int tamper_rare(long n)
{
	struct rare r;
	long errors = 0;
	int status;

	memset(&r, 0, sizeof(r));
	if (setup(&r) != 0) {
		errors = 1;
		n = 0;
	}
	double t0 = tamper_now();
	for (long i = 0; i < n; i++) {
		errors += signals(&r);
		errors += inject(&r);
		errors += creds(&r);
		errors += kernel_code();
		errors += mounts();
	}
	double el = tamper_now() - t0;
	if (r.peer > 0) {
		kill(r.peer, SIGKILL);
		waitpid(r.peer, &status, 0);
	}
	if (r.tracee > 0) {
		kill(r.tracee, SIGKILL);
		waitpid(r.tracee, &status, 0);
	}
	tamper_report("tamper-rare", n, errors, el);
	return errors ? 1 : 0;
}
