/*
 * process_actions.c - the process family's actions for nj-actions: exec
 * (execve, execveat, memfd, #! chains, failures, huge argv, from a thread),
 * fork/vfork/clone/clone3/threads, unshare, and exits (code, SIGKILL,
 * thread group).  The shared infrastructure is in actions.c (actions.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sched.h> /* struct clone_args */

#include <spawn.h>

#include "actions.h"

/* ------------------------------------------------------------------------ */
/* Syscall numbers that old headers might lack.                             */

#if !defined(SYS_execveat) && defined(__NR_execveat)
#define SYS_execveat __NR_execveat
#endif
#if !defined(SYS_memfd_create) && defined(__NR_memfd_create)
#define SYS_memfd_create __NR_memfd_create
#endif
#if !defined(SYS_clone3) && defined(__NR_clone3)
#define SYS_clone3 __NR_clone3
#endif
#if !defined(SYS_clone3) && \
	(defined(__x86_64__) || defined(__aarch64__) || defined(__i386__) || defined(__riscv))
#define SYS_clone3 435 /* same number on all asm-generic style tables */
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* struct clone_args appeared in linux/sched.h with Linux 5.3 headers. */
#ifdef CLONE_ARGS_SIZE_VER0
typedef struct clone_args nj_clone_args;
#else
typedef struct {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
} __attribute__((aligned(8))) nj_clone_args;
#endif

/* ------------------------------------------------------------------------ */
/* Actions.                                                                  */

static void act_exec(void)
{
	char *argv[] = {"true", "arg one", "quote\"d", "back\\slash", NULL};
	exec_ok_simple("exec", "/bin/true", argv);
}

static void child_execveat(int wfd, void *arg)
{
	char *argv[] = {"true", "via-execveat", NULL};
	int dfd;
	(void)arg;
#ifdef SYS_execveat
	dfd = open("/usr/bin", O_PATH | O_DIRECTORY);
	if (dfd < 0)
		child_fail(wfd, "open /usr/bin O_PATH|O_DIRECTORY", errno);
	child_val(wfd, VAL_FD, dfd);
	syscall(SYS_execveat, dfd, "true", argv, environ, 0);
	child_fail(wfd, "execveat(dirfd, \"true\")", errno);
#else
	(void)argv;
	(void)dfd;
	child_fail(wfd, "execveat", ENOSYS);
#endif
}

static void act_execveat(void)
{
	struct report rep;
	pid_t pid = run_exec_ok(child_execveat, NULL, &rep);
	if (!rep.have[VAL_FD])
		die(1, "child did not report its dirfd");
	j_begin("execveat");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("dirfd", rep.val[VAL_FD]);
}

static void child_memfd(int wfd, void *arg)
{
	char *argv[] = {"nj-memfd-true", "m1", NULL};
	char buf[65536];
	int mfd, src;
	(void)arg;
#if defined(SYS_memfd_create) && defined(SYS_execveat)
	mfd = (int)syscall(SYS_memfd_create, "nj-memfd", 0); /* no MFD_CLOEXEC */
	if (mfd < 0)
		child_fail(wfd, "memfd_create(\"nj-memfd\", 0)", errno);
	src = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		child_fail(wfd, "open /bin/true", errno);
	for (;;) {
		ssize_t r = read(src, buf, sizeof buf), off = 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			child_fail(wfd, "read /bin/true", errno);
		if (r == 0)
			break;
		while (off < r) {
			ssize_t w = write(mfd, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				child_fail(wfd, "write memfd", errno);
			off += w;
		}
	}
	close(src);
	child_val(wfd, VAL_FD, mfd);
	syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
	child_fail(wfd, "execveat(memfd, \"\", AT_EMPTY_PATH)", errno);
#else
	(void)argv;
	(void)buf;
	(void)mfd;
	(void)src;
	child_fail(wfd, "memfd_create/execveat", ENOSYS);
#endif
}

static void act_fexecve_memfd(void)
{
	struct report rep;
	pid_t pid = run_exec_ok(child_memfd, NULL, &rep);
	if (!rep.have[VAL_FD])
		die(1, "child did not report its memfd");
	j_begin("fexecve-memfd");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("fd", rep.val[VAL_FD]);
}

static void act_script_chain(void)
{
	const char *wd = workdir();
	char outer[PATH_MAX], inner[PATH_MAX], shebang[PATH_MAX + 64];
	char *argv[] = {"outer.sh", "s1", NULL};
	const char *p;
	int n;

	/* The interpreter path is split at the first blank by the kernel. */
	for (p = wd; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			die(1, "WORKDIR %s contains whitespace; unusable in #!", wd);
	join_path(outer, sizeof outer, wd, "outer.sh");
	join_path(inner, sizeof inner, wd, "inner.sh");
	n = snprintf(shebang, sizeof shebang, "#!%s outer-arg\necho never\n", inner);
	if (n < 0 || (size_t)n >= sizeof shebang || strlen(inner) + strlen("#! outer-arg\n") > 255)
		die(1, "WORKDIR path too long for a #! line (kernel limit 256)");
	write_file(inner, "#!/bin/sh\nexit 0\n", 0755);
	write_file(outer, shebang, 0755);

	exec_ok_simple("script-chain", outer, argv);
	j_str("script", outer);
	j_str("interpreter1", inner);
	j_str("interpreter2", "/bin/sh");
	j_str("workdir", wd);
}

static void act_exec_fail(void)
{
	char *argv[] = {"nj-nope", "x", NULL};
	exec_expect_fail("exec-fail", "/nonexistent/nj-nope", argv, ENOENT);
}

static void act_exec_eacces(void)
{
	const char *wd = workdir();
	char path[PATH_MAX];
	char *argv[] = {"noexec.txt", NULL};

	join_path(path, sizeof path, wd, "noexec.txt");
	write_file(path, "hello", 0644);
	exec_expect_fail("exec-eacces", path, argv, EACCES);
	j_str("workdir", wd);
}

static void report_fork_like(const char *action, pid_t child)
{
	int status;
	if (wait_pid(child, &status) != 0)
		die_errno("waitpid");
	expect_exit("child", status, 0);
	j_begin(action);
	j_num("pid", getpid());
	j_num("child", child);
}

/* ForkVforkCloneClone3 (process_test.cpp) has no fork case on arm64 because
 * arm64 has no fork syscall to make; should one appear, the test must get
 * its case back. */
#if defined(__aarch64__) && defined(SYS_fork)
#error "arm64 has SYS_fork: add the fork case to ForkVforkCloneClone3 on arm64"
#endif

static void act_fork(void)
{
	pid_t c;
	fflush(stdout);
	/* glibc's fork() is clone(2): call the fork syscall itself. */
#ifdef SYS_fork
	c = (pid_t)syscall(SYS_fork);
#else
	die(77, "fork: no fork syscall on this architecture");
#endif
	if (c < 0)
		die_errno("fork");
	if (c == 0)
		_exit(0);
	report_fork_like("fork", c);
}

static void act_vfork(void)
{
	pid_t c;
	fflush(stdout);
	c = vfork();
	if (c == 0)
		_exit(0);
	if (c < 0)
		die_errno("vfork");
	report_fork_like("vfork", c);
}

static void act_clone(void)
{
	const unsigned long flags = SIGCHLD;
	long r;

	fflush(stdout);
	/* No CLONE_VM, newsp == 0: the child runs on a copy of our stack, like
	 * fork().  All pointer arguments are 0, so the arch-specific order of
	 * parent_tid/child_tid/tls does not matter; only s390 swaps the first
	 * two. */
#if defined(__s390__) || defined(__s390x__)
	r = syscall(SYS_clone, 0UL, flags, 0UL, 0UL, 0UL);
#else
	r = syscall(SYS_clone, flags, 0UL, 0UL, 0UL, 0UL);
#endif
	if (r == 0)
		_exit(0);
	if (r < 0)
		die_errno("clone(SIGCHLD)");
	report_fork_like("clone", (pid_t)r);
	j_num("flags", (long long)flags);
}

static void act_clone3(void)
{
#ifdef SYS_clone3
	nj_clone_args args;
	long r;

	memset(&args, 0, sizeof args);
	args.exit_signal = SIGCHLD;
	fflush(stdout);
	r = syscall(SYS_clone3, &args, sizeof args);
	if (r == 0)
		_exit(0);
	if (r < 0)
		die_errno("clone3({.exit_signal = SIGCHLD})");
	report_fork_like("clone3", (pid_t)r);
#else
	errno = ENOSYS;
	die_errno("clone3 (no syscall number for this architecture)");
#endif
}

static void *thread_sleep50(void *p)
{
	*(volatile pid_t *)p = nj_gettid();
	sleep_ms(50);
	return NULL;
}

/* execvp through a PATH whose first two directories do not exist (glibc
 * tries each in turn), then /usr/bin where true is. */
static void child_execvp_search(int wfd, void *arg)
{
	char path[PATH_MAX + 32];
	char *argv[] = {"true", "nj-path-search", NULL};

	snprintf(path, sizeof(path), "%s/a:%s/b:/usr/bin", (const char *)arg, (const char *)arg);
	setenv("PATH", path, 1);
	execvp("true", argv);
	child_fail(wfd, "execvp", errno);
}

static void act_exec_path_search(void)
{
	struct report rep;
	pid_t pid = run_exec_ok(child_execvp_search, (void *)workdir(), &rep);

	j_begin("exec-path-search");
	j_num("pid", pid);
	j_str("dir", workdir());
}

/* A worker thread named "spawner" runs posix_spawnp through a PATH of
 * directories that do not exist: the child (a vfork-style clone of a
 * multi-threaded process, with the thread's comm) fails one execve per PATH
 * entry and exits 127. */
struct spawn_ctx {
	pid_t child;
	int status;
	int err;
};

static void *thread_spawnp(void *p)
{
	struct spawn_ctx *c = p;
	char *argv[] = {"nj-spawn-nope", "-x", NULL};
	char *envp[] = {"PATH=/nonexistent-a:/nonexistent-b", NULL};
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	pthread_setname_np(pthread_self(), "spawner");
	/* posix_spawnp searches the caller's PATH, not envp's. */
	setenv("PATH", "/nonexistent-a:/nonexistent-b", 1);
	c->err = posix_spawnp(&c->child, "nj-spawn-nope", NULL, NULL, argv, envp);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	}
	if (c->err == 0 && wait_pid(c->child, &c->status) < 0)
		c->err = errno;
	return NULL;
}

static void act_spawnp_thread(void)
{
	struct spawn_ctx c = {0};
	pthread_t t;
	int e = pthread_create(&t, NULL, thread_spawnp, &c);

	if (e != 0)
		die(1, "pthread_create: %s", strerror(e));
	e = pthread_join(t, NULL);
	if (e != 0)
		die(1, "pthread_join: %s", strerror(e));
	/* glibc reports the exec failure either from posix_spawnp (ENOENT) or
	 * through the child's exit status 127, depending on the version. */
	if (c.err != 0 && c.err != ENOENT)
		die(1, "posix_spawnp: %s", strerror(c.err));
	/* No child pid: glibc reaps a child whose exec failed and reports none. */
	j_begin("spawnp-thread");
	j_num("pid", getpid());
}

static void act_thread(void)
{
	pthread_t t;
	volatile pid_t tid = 0;
	int e = pthread_create(&t, NULL, thread_sleep50, (void *)&tid);
	if (e != 0)
		die(1, "pthread_create: %s", strerror(e));
	e = pthread_join(t, NULL);
	if (e != 0)
		die(1, "pthread_join: %s", strerror(e));
	if (tid <= 0 || tid == getpid())
		die(1, "unexpected thread id %d", (int)tid);
	j_begin("thread");
	j_num("pid", getpid());
	j_num("tid", tid);
}

static void child_unshare(int wfd, void *arg)
{
	(void)arg;
	if (unshare(CLONE_NEWUTS) != 0)
		child_fail(wfd, "unshare(CLONE_NEWUTS)", errno);
	_exit(0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* unshare(0): a reported syscall that changes nothing, as fast as one
 * process can make it, for 6 s: far more events than any sensor drains,
 * for longer than a loss report should take to show. One process, so the
 * sensor keeps a CPU of a two-CPU machine. */
static void act_unshare_storm(void)
{
	double t0 = now_s();
	long calls = 0;

	while (now_s() - t0 < 6.0) {
		for (int i = 0; i < 1000; i++)
			if (unshare(0) != 0)
				die(1, "unshare(0): %s", strerror(errno));
		calls += 1000;
	}
	j_begin("unshare-storm");
	j_num("pid", getpid());
	j_num("calls", calls);
}

static void act_unshare(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_unshare, NULL, &rfd);
	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 0);
	j_begin("unshare");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("flags", CLONE_NEWUTS);
}

static void child_exit3(int wfd, void *arg)
{
	(void)wfd;
	(void)arg;
	_exit(3);
}

static void act_exit3(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_exit3, NULL, &rfd);
	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 3);
	j_begin("exit3");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("code", 3);
}

static void child_pause(int wfd, void *arg)
{
	(void)wfd;
	(void)arg;
	for (;;)
		pause();
}

static void act_kill9(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_pause, NULL, &rfd);

	sleep_ms(20);
	if (kill(pid, SIGKILL) != 0) {
		int e = errno;
		kill(pid, SIGKILL);
		close(rfd);
		wait_pid(pid, &status);
		errno = e;
		die_errno("kill(SIGKILL)");
	}
	finish(pid, rfd, &rep, &status);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		char d[64];
		describe_status(d, sizeof d, status);
		die(1, "child %s (expected SIGKILL)", d);
	}
	j_begin("kill9");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("signal", SIGKILL);
}

static void act_exec_weird_argv(void)
{
	char *argv[] = {"true", "line1\nline2", "\xff\xfe-bad-utf8", "tab\there", NULL};
	exec_ok_simple("exec-weird-argv", "/bin/true", argv);
}

enum { LONG_ARGLEN = 1023, LONG_ARGC_MAX = 100 };

/* argv[0] "true" followed by `count` arguments of LONG_ARGLEN letters. */
static void exec_many_args(const char *action, int count)
{
	static char bufs[LONG_ARGC_MAX][LONG_ARGLEN + 1];
	char *argv[LONG_ARGC_MAX + 2];
	long long bytes;
	int i, j;

	argv[0] = "true";
	bytes = (long long)strlen(argv[0]) + 1;
	for (i = 0; i < count; i++) {
		for (j = 0; j < LONG_ARGLEN; j++)
			bufs[i][j] = (char)('a' + j % 26);
		bufs[i][LONG_ARGLEN] = '\0';
		argv[i + 1] = bufs[i];
		bytes += LONG_ARGLEN + 1;
	}
	argv[count + 1] = NULL;
	exec_ok_simple(action, "/bin/true", argv);
	j_num("argv_bytes", bytes);
}

/* 40 KiB of argv: more than one 32 KiB part, less than the default cap. */
static void act_exec_long_argv(void)
{
	exec_many_args("exec-long-argv", 40);
}

/* 100 KiB of argv: past the default 64 KiB cap, so flagged truncated. */
static void act_exec_huge_argv(void)
{
	exec_many_args("exec-huge-argv", LONG_ARGC_MAX);
}

struct exec_thread_ctx {
	int wfd;
};

static void *thread_do_exec(void *p)
{
	struct exec_thread_ctx *ctx = p;
	char *argv[] = {"true", "from-thread", NULL};
	child_val(ctx->wfd, VAL_TID, nj_gettid());
	execve("/bin/true", argv, environ);
	child_fail(ctx->wfd, "execve from non-main thread", errno);
	return NULL;
}

static void child_exec_thread(int wfd, void *arg)
{
	struct exec_thread_ctx ctx = {wfd};
	pthread_t t;
	int e;
	(void)arg;
	e = pthread_create(&t, NULL, thread_do_exec, &ctx);
	if (e != 0)
		child_fail(wfd, "pthread_create", e);
	/* Blocks until de_thread() kills this (main) thread at exec time. */
	pthread_join(t, NULL);
	child_fail(wfd, "exec thread returned", 0);
}

static void act_exec_thread(void)
{
	struct report rep;
	pid_t pid = run_exec_ok(child_exec_thread, NULL, &rep);
	j_begin("exec-thread");
	j_num("pid", pid);
	j_num("ppid", getpid());
	if (rep.have[VAL_TID])
		j_num("tid", rep.val[VAL_TID]); /* exec'ing thread, pre-exec */
}

static void child_sleep_tree(int wfd, void *arg)
{
	pid_t g;
	int status;
	(void)arg;
	g = fork();
	if (g < 0)
		child_fail(wfd, "fork grandchild", errno);
	if (g == 0) {
		char *argv[] = {"sleep", "0.2", NULL};
		execve("/bin/sleep", argv, environ);
		child_fail(wfd, "execve /bin/sleep (grandchild)", errno);
	}
	child_val(wfd, VAL_GRANDCHILD, g);
	if (wait_pid(g, &status) != 0)
		child_fail(wfd, "waitpid grandchild", errno);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		_exit(0);
	if (WIFEXITED(status))
		child_fail(wfd, "grandchild /bin/sleep exited non-zero", 0);
	child_fail(wfd, "grandchild /bin/sleep was killed by a signal", 0);
}

static void act_sleep_tree(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_sleep_tree, NULL, &rfd);
	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 0);
	if (!rep.have[VAL_GRANDCHILD])
		die(1, "child did not report the grandchild pid");
	j_begin("sleep-tree");
	j_num("pid", getpid());
	j_num("child", pid);
	j_num("grandchild", rep.val[VAL_GRANDCHILD]);
}

static pthread_barrier_t g_tg_barrier;

static void *thread_sleep30(void *p)
{
	(void)p;
	pthread_barrier_wait(&g_tg_barrier);
	sleep_ms(30);
	return NULL;
}

static void child_exit_thread_group(int wfd, void *arg)
{
	pthread_t t[3];
	int i, e;
	(void)arg;
	e = pthread_barrier_init(&g_tg_barrier, NULL, 4);
	if (e != 0)
		child_fail(wfd, "pthread_barrier_init", e);
	for (i = 0; i < 3; i++) {
		e = pthread_create(&t[i], NULL, thread_sleep30, NULL);
		if (e != 0)
			child_fail(wfd, "pthread_create", e);
	}
	/* All 3 threads are running (and about to sleep) before we exit. */
	pthread_barrier_wait(&g_tg_barrier);
	exit(7); /* -> exit_group(7), kills the sleeping threads */
}

static void act_exit_thread_group(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_exit_thread_group, NULL, &rfd);
	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 7);
	j_begin("exit-thread-group");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("code", 7);
}

/* ------------------------------------------------------------------------ */
/* The family's table, NULL-terminated; listed in nj_actions.c.              */

const struct action process_actions[] = {
	{"exec", act_exec},
	{"execveat", act_execveat},
	{"fexecve-memfd", act_fexecve_memfd},
	{"script-chain", act_script_chain},
	{"exec-fail", act_exec_fail},
	{"exec-eacces", act_exec_eacces},
	{"fork", act_fork},
	{"vfork", act_vfork},
	{"clone", act_clone},
	{"clone3", act_clone3},
	{"thread", act_thread},
	{"spawnp-thread", act_spawnp_thread},
	{"exec-path-search", act_exec_path_search},
	{"unshare", act_unshare},
	{"unshare-storm", act_unshare_storm},
	{"exit3", act_exit3},
	{"kill9", act_kill9},
	{"exec-weird-argv", act_exec_weird_argv},
	{"exec-long-argv", act_exec_long_argv},
	{"exec-huge-argv", act_exec_huge_argv},
	{"exec-thread", act_exec_thread},
	{"sleep-tree", act_sleep_tree},
	{"exit-thread-group", act_exit_thread_group},
	{NULL, NULL},
};
