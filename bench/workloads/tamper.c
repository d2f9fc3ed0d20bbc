// SPDX-License-Identifier: GPL-2.0
// The tamper family's storms (nj-workload jit-storm, tamper-mix): what a
// JIT does all day, and one of each cheap tamper action in a loop
// (tamper-rare, the family's other syscalls: tamper_rare.c).
#define _GNU_SOURCE
#include "tamper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

double tamper_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void tamper_report(const char *name, long ops, long errors, double elapsed)
{
	printf("{\"workload\":\"%s\",\"ops\":%ld,\"errors\":%ld,\"elapsed_s\":%.6f,\"rate\":%.1f,"
	       "\"pid\":%d}\n",
	       name, ops, errors, elapsed, elapsed > 0 ? ops / elapsed : 0.0, (int)getpid());
	fflush(stdout);
}

/* One page toggled RW -> RX and back with a write in between, the W^X
 * dance a JIT does for every patch: the mprotect hooks' worst case. */
int jit_storm(long n)
{
	unsigned char *p =
		mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long errors = 0;

	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	double t0 = tamper_now();
	for (long i = 0; i < n; i++) {
		errors += mprotect(p, 4096, PROT_READ | PROT_WRITE) != 0;
		p[i & 4095] = 0xc3;
		errors += mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0;
	}
	double el = tamper_now() - t0;
	munmap(p, 4096);
	tamper_report("jit-storm", n, errors, el);
	return errors ? 1 : 0;
}

pid_t tamper_idle_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Seized and stopped: PEEK and POKE need a stopped tracee. */
int tamper_stop_tracee(pid_t tracee)
{
	int status;

	if (ptrace(PTRACE_SEIZE, tracee, 0, 0) != 0 ||
	    ptrace(PTRACE_INTERRUPT, tracee, 0, 0) != 0 || waitpid(tracee, &status, 0) != tracee) {
		perror("ptrace");
		return -1;
	}
	return 0;
}

/* One iteration: a signal to a process (ignored there: no wake-up), an
 * 8-byte process_vm_readv from it, an open of its /proc/<pid>/mem for
 * reading, a setresuid that changes nothing, a prctl rename to the same
 * name, a PTRACE_PEEKDATA of a stopped tracee, and an anonymous RW mmap
 * (made and unmapped). Reported by nightjar: the signal, the read, the
 * open, the rename; the others run their programs and are not events. */
int tamper_mix(long n)
{
	static long word = 42;
	pid_t peer = tamper_idle_child(), tracee = tamper_idle_child();
	char mem[64], name[16] = "nj-tamper-mix";
	long errors = 0, got = 0;
	int status;

	if (peer < 0 || tracee < 0) {
		perror("fork");
		return 1;
	}
	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)peer);
	if (tamper_stop_tracee(tracee) != 0) {
		kill(peer, SIGKILL);
		kill(tracee, SIGKILL);
		return 1;
	}
	prctl(PR_SET_NAME, name);
	double t0 = tamper_now();
	for (long i = 0; i < n; i++) {
		struct iovec local = {&got, sizeof(got)}, remote = {&word, sizeof(word)};
		errors += kill(peer, SIGWINCH) != 0;
		errors += process_vm_readv(peer, &local, 1, &remote, 1, 0) != sizeof(got);
		int fd = open(mem, O_RDONLY | O_CLOEXEC);
		errors += fd < 0;
		if (fd >= 0)
			close(fd);
		errors += setresuid(-1, -1, -1) != 0;
		errors += prctl(PR_SET_NAME, name) != 0;
		errno = 0;
		ptrace(PTRACE_PEEKDATA, tracee, &word, 0);
		errors += errno != 0;
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);
		errors += p == MAP_FAILED;
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	double el = tamper_now() - t0;
	kill(peer, SIGKILL);
	kill(tracee, SIGKILL);
	waitpid(peer, &status, 0);
	waitpid(tracee, &status, 0);
	tamper_report("tamper-mix", n, errors, el);
	return errors ? 1 : 0;
}
