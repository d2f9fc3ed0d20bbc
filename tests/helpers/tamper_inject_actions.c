/*
 * tamper_inject_actions.c - the tamper family's injection actions for
 * nj-actions: a word poked into a child with PTRACE_ATTACH + POKETEXT (and
 * its registers set back with SETREGS), a PTRACE_SEIZE, a PTRACE_TRACEME,
 * a PTRACE_ATTACH refused (nobody against a root child), memory written
 * into a child with process_vm_writev and read back with process_vm_readv,
 * a child's /proc/<pid>/mem opened for writing (and written) and for
 * reading.
 *
 * Each target is a forked child, so it shares the helper's addresses: the
 * word the helper writes lands in the child's copy of `g_word`. The child
 * waits for a go on a pipe, then checks its word and exits 0 only if the
 * injection really happened; it outlives the injecting call, so the
 * sensor's process table still holds it live when the event is processed.
 *
 * Every action prints the acting pid ("pid"), the target's ("target_pid")
 * and its start time in clock ticks ("target_start", /proc/<pid>/stat
 * field 22), which makes its entity id, and the values a test compares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions.h"

#define INJECTED_WORD 0x6e6a2d696e6a6563ull /* "cejni-jn" */

static volatile uint64_t g_word;

struct target {
	pid_t pid;
	int go; /* write end: one byte lets the child check its word */
};

/* The child: waits for the go, then says whether its word was injected. */
static struct target target_child(uint64_t expect)
{
	struct target t;
	int p[2];
	char c;

	if (pipe(p))
		die_errno("pipe");
	t.pid = fork();
	if (t.pid < 0)
		die_errno("fork");
	if (t.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(g_word == expect ? 0 : 3);
	}
	close(p[0]);
	t.go = p[1];
	return t;
}

/* Let the child check its word; die unless it saw the injection. */
static void target_done(struct target *t, int code)
{
	int status = 0;

	if (write(t->go, "g", 1) != 1)
		die_errno("write go");
	close(t->go);
	if (wait_pid(t->pid, &status))
		die_errno("waitpid");
	expect_exit("target child", status, code);
}

static void target_kill(struct target *t)
{
	int status;

	kill(t->pid, SIGKILL);
	close(t->go);
	wait_pid(t->pid, &status);
}

/* Field 22 of /proc/<pid>/stat: the start time an entity id is made of. */
static long long start_ticks(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	ssize_t n;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die_errno(path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die(1, "cannot read %s", path);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* After ") ": state is field 3; start time is field 22. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		die(1, "no start time in %s", path);
	return (long long)start;
}

static void j_hex(const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	j_str(key, buf);
}

static void j_target(const struct target *t)
{
	j_num("target_pid", t->pid);
	j_num("target_start", start_ticks(t->pid));
}

static void wait_stopped(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status))
		die(1, "tracee %d did not stop (status %#x)", (int)pid, status);
}

/* PTRACE_ATTACH, POKETEXT of the child's word, GETREGS + SETREGS (its own
 * registers back: the instruction pointer is known), DETACH. */
static void act_ptrace_poke(void)
{
	struct target t = target_child(INJECTED_WORD);
	long long start = start_ticks(t.pid);
	uint64_t rip = 0;

	if (ptrace(PTRACE_ATTACH, t.pid, 0, 0))
		die_errno("PTRACE_ATTACH");
	wait_stopped(t.pid);
	if (ptrace(PTRACE_POKETEXT, t.pid, (void *)&g_word, (void *)(uintptr_t)INJECTED_WORD))
		die_errno("PTRACE_POKETEXT");
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, t.pid, 0, &regs) || ptrace(PTRACE_SETREGS, t.pid, 0, &regs))
		die_errno("PTRACE_GETREGS/SETREGS");
	rip = regs.rip;
#endif
	if (ptrace(PTRACE_DETACH, t.pid, 0, 0))
		die_errno("PTRACE_DETACH");
	target_done(&t, 0);
	j_begin("tamper-ptrace-poke");
	j_num("pid", getpid());
	j_num("target_pid", t.pid);
	j_num("target_start", start);
	j_hex("address", (uint64_t)(uintptr_t)&g_word);
	j_hex("word", INJECTED_WORD);
	if (rip)
		j_hex("rip", rip);
}

/* PTRACE_SEIZE with options; the tracee is then killed. */
static void act_ptrace_seize(void)
{
	struct target t = target_child(0);
	long long start = start_ticks(t.pid);

	if (ptrace(PTRACE_SEIZE, t.pid, 0,
		   (void *)(uintptr_t)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC)))
		die_errno("PTRACE_SEIZE");
	target_kill(&t);
	j_begin("tamper-ptrace-seize");
	j_num("pid", getpid());
	j_num("target_pid", t.pid);
	j_num("target_start", start);
	j_hex("options", PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC);
}

/* A child asks to be traced by its parent (this process). */
static void act_ptrace_traceme(void)
{
	int status = 0;
	pid_t c = fork();

	if (c < 0)
		die_errno("fork");
	if (c == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) ? 3 : 0);
	if (wait_pid(c, &status))
		die_errno("waitpid");
	expect_exit("tracee", status, 0);
	j_begin("tamper-ptrace-traceme");
	j_num("pid", c);
	j_num("target_pid", getpid());
	j_num("target_start", start_ticks(getpid()));
}

/* An unprivileged child's PTRACE_ATTACH to a root child: EPERM. */
static void refused_body(int wfd, void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setgid(65534) || setuid(65534))
		child_fail(wfd, "setuid(nobody)", errno);
	if (ptrace(PTRACE_ATTACH, target, 0, 0) == 0)
		child_fail(wfd, "PTRACE_ATTACH as nobody succeeded", 0);
	child_val(wfd, VAL_EXEC_ERRNO, errno);
	_exit(0);
}

static void act_ptrace_refused(void)
{
	struct target t = target_child(0);
	long long start = start_ticks(t.pid);
	struct report rep;
	int rfd, status;
	pid_t c = spawn(refused_body, &t.pid, &rfd);

	finish(c, rfd, &rep, &status);
	expect_exit("unprivileged tracer", status, 0);
	if (rep.val[VAL_EXEC_ERRNO] != EPERM)
		die(1, "PTRACE_ATTACH as nobody failed with %ld, not EPERM",
		    rep.val[VAL_EXEC_ERRNO]);
	target_done(&t, 0);
	j_begin("tamper-ptrace-refused");
	j_num("pid", c);
	j_num("target_pid", t.pid);
	j_num("target_start", start);
}

/* process_vm_writev of the child's word. */
static void act_vm_write(void)
{
	struct target t = target_child(INJECTED_WORD);
	uint64_t word = INJECTED_WORD;
	struct iovec local = {&word, sizeof(word)};
	struct iovec remote = {(void *)&g_word, sizeof(g_word)};
	ssize_t n = process_vm_writev(t.pid, &local, 1, &remote, 1, 0);

	if (n != (ssize_t)sizeof(word))
		die_errno("process_vm_writev");
	j_begin("tamper-vm-write");
	j_num("pid", getpid());
	j_target(&t);
	target_done(&t, 0);
	j_hex("address", (uint64_t)(uintptr_t)&g_word);
	j_num("bytes", n);
}

/* process_vm_readv of a child's buffer (two local iovecs). */
static void act_vm_read(void)
{
	static char secret[64] = "nj-inject secret";
	struct target t = target_child(0);
	char a[16], b[48];
	struct iovec local[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	struct iovec remote = {secret, sizeof(secret)};
	ssize_t n = process_vm_readv(t.pid, local, 2, &remote, 1, 0);

	if (n != (ssize_t)sizeof(secret) || memcmp(a, secret, sizeof(a)))
		die_errno("process_vm_readv");
	j_begin("tamper-vm-read");
	j_num("pid", getpid());
	j_target(&t);
	target_done(&t, 0);
	j_hex("address", (uint64_t)(uintptr_t)secret);
	j_num("bytes", n);
}

/* The child's /proc/<pid>/mem opened for writing, its word written through
 * it; then opened read-only and read. */
static void act_proc_mem(void)
{
	struct target t = target_child(INJECTED_WORD);
	uint64_t word = INJECTED_WORD, back = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)t.pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die_errno("open mem for writing");
	if (pwrite(fd, &word, sizeof(word), (off_t)(uintptr_t)&g_word) != (ssize_t)sizeof(word))
		die_errno("pwrite mem");
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die_errno("open mem for reading");
	if (pread(fd, &back, sizeof(back), (off_t)(uintptr_t)&g_word) != (ssize_t)sizeof(back) ||
	    back != word)
		die(1, "reading %s back gave %#" PRIx64, path, back);
	close(fd);
	j_begin("tamper-proc-mem");
	j_num("pid", getpid());
	j_target(&t);
	target_done(&t, 0);
	j_str("path", path);
}

/* PTRACE_SEIZE of the process NJ_TARGET_PID names (the sensor, in its
 * self-defence test). A seize does not stop the tracee, so the sensor never
 * pauses; it is released when this process exits (a detach would need it
 * stopped first). */
static void act_ptrace_seize_pid(void)
{
	const char *env = getenv("NJ_TARGET_PID");
	long pid = env ? strtol(env, NULL, 10) : 0;

	if (pid <= 0)
		die(2, "NJ_TARGET_PID names no process");
	if (ptrace(PTRACE_SEIZE, (pid_t)pid, 0, 0))
		die_errno("PTRACE_SEIZE");
	j_begin("tamper-ptrace-seize-pid");
	j_num("pid", getpid());
	j_num("target_pid", pid);
}

const struct action tamper_inject_actions[] = {
	{"tamper-ptrace-poke", act_ptrace_poke},
	{"tamper-ptrace-seize", act_ptrace_seize},
	{"tamper-ptrace-traceme", act_ptrace_traceme},
	{"tamper-ptrace-refused", act_ptrace_refused},
	{"tamper-vm-write", act_vm_write},
	{"tamper-vm-read", act_vm_read},
	{"tamper-proc-mem", act_proc_mem},
	{"tamper-ptrace-seize-pid", act_ptrace_seize_pid},
	{NULL, NULL},
};
