/*
 * tamper_creds_actions.c - the tamper family's credential actions for
 * nj-actions: a root child dropping to nobody (setresuid), a setresgid, a
 * setgroups, a capset giving up a capability, a refused setuid(0) as
 * nobody, a multi-threaded process calling setuid() once (glibc runs it in
 * every thread), and the setuid-root helper whose exec gains root.
 *
 * Each change happens in a child (the nj-actions process stays root for
 * the next action); every action prints the child's pid ("pid") and the
 * values the child ended with, read back from the kernel, so a test
 * compares the sensor's event with what really happened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "actions.h"

#define NOBODY 65534
#define CREDS_THREADS 3

/* Runs body in a child that must exit 0 and reports its pid. */
static pid_t creds_child(child_fn body, void *arg)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(body, arg, &rfd);

	finish(pid, rfd, &rep, &status);
	expect_exit("credentials child", status, 0);
	return pid;
}

static void setresuid_body(int wfd, void *arg)
{
	(void)arg;
	if (setresuid(NOBODY, NOBODY, NOBODY))
		child_fail(wfd, "setresuid(nobody)", errno);
	_exit(0);
}

/* setresuid(65534, 65534, 65534) by root: every uid and all capabilities go. */
static void act_setresuid(void)
{
	pid_t pid = creds_child(setresuid_body, NULL);

	j_begin("tamper-creds-setresuid");
	j_num("pid", pid);
	j_num("uid", NOBODY);
}

static void setresgid_body(int wfd, void *arg)
{
	(void)arg;
	if (setresgid(-1, NOBODY, NOBODY))
		child_fail(wfd, "setresgid(-1, nobody, nobody)", errno);
	_exit(0);
}

/* setresgid(-1, 65534, 65534) by root: effective, saved and fs gid change, real stays. */
static void act_setresgid(void)
{
	pid_t pid = creds_child(setresgid_body, NULL);

	j_begin("tamper-creds-setresgid");
	j_num("pid", pid);
	j_num("real_gid", getgid());
	j_num("gid", NOBODY);
}

static void setgroups_body(int wfd, void *arg)
{
	gid_t groups[] = {NOBODY, 100, 4};

	(void)arg;
	/* from none, so the old side is known whatever the runner's groups are */
	if (setgroups(0, NULL) || setgroups(3, groups))
		child_fail(wfd, "setgroups", errno);
	_exit(0);
}

/* setgroups(3, {65534, 100, 4}) after setgroups(0, NULL). */
static void act_setgroups(void)
{
	pid_t pid = creds_child(setgroups_body, NULL);

	j_begin("tamper-creds-setgroups");
	j_num("pid", pid);
	j_num("count", 3);
}

static void capset_body(int wfd, void *arg)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	(void)arg;
	if (syscall(SYS_capget, &h, d))
		child_fail(wfd, "capget", errno);
	child_val(wfd, VAL_FD, (long)d[0].effective);
	child_val(wfd, VAL_GRANDCHILD, (long)d[0].permitted);
	d[0].effective &= ~(1u << CAP_NET_RAW);
	d[0].permitted &= ~(1u << CAP_NET_RAW);
	if (syscall(SYS_capset, &h, d))
		child_fail(wfd, "capset", errno);
	_exit(0);
}

/* capset() dropping CAP_NET_RAW from the effective and permitted sets. */
static void act_capset(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(capset_body, NULL, &rfd);

	finish(pid, rfd, &rep, &status);
	expect_exit("capset child", status, 0);
	if (!(rep.val[VAL_FD] & (1L << CAP_NET_RAW)))
		die(1, "the runner has no CAP_NET_RAW to drop");
	j_begin("tamper-creds-capset");
	j_num("pid", pid);
	j_num("dropped", CAP_NET_RAW);
}

static void refused_body(int wfd, void *arg)
{
	(void)arg;
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
		child_fail(wfd, "drop to nobody", errno);
	if (setuid(0) == 0)
		child_fail(wfd, "setuid(0) as nobody succeeded", 0);
	if (errno != EPERM)
		child_fail(wfd, "setuid(0) as nobody", errno);
	_exit(0);
}

/* nobody's setuid(0): EPERM. */
static void act_refused(void)
{
	pid_t pid = creds_child(refused_body, NULL);

	j_begin("tamper-creds-refused");
	j_num("pid", pid);
	j_num("errno", EPERM);
}

static pthread_barrier_t threads_ready, threads_done;

/* Each thread waits while the main thread calls setuid(), then reports
 * whether its own (per-thread) uid changed: glibc's setxid reached it. */
static void *creds_thread(void *arg)
{
	long *uid = arg;

	pthread_barrier_wait(&threads_ready);
	pthread_barrier_wait(&threads_done);
	*uid = syscall(SYS_getuid);
	return NULL;
}

static void threads_body(int wfd, void *arg)
{
	pthread_t t[CREDS_THREADS];
	long uid[CREDS_THREADS];
	long changed = 0;

	(void)arg;
	pthread_barrier_init(&threads_ready, NULL, CREDS_THREADS + 1);
	pthread_barrier_init(&threads_done, NULL, CREDS_THREADS + 1);
	for (int i = 0; i < CREDS_THREADS; i++)
		if (pthread_create(&t[i], NULL, creds_thread, &uid[i]))
			child_fail(wfd, "pthread_create", EAGAIN);
	pthread_barrier_wait(&threads_ready);
	if (setuid(NOBODY))
		child_fail(wfd, "setuid(nobody)", errno);
	pthread_barrier_wait(&threads_done);
	for (int i = 0; i < CREDS_THREADS; i++) {
		pthread_join(t[i], NULL);
		changed += uid[i] == NOBODY;
	}
	child_val(wfd, VAL_FD, changed);
	_exit(0);
}

/* setuid(65534) once in a process of four threads: four syscalls, one event. */
static void act_threads(void)
{
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(threads_body, NULL, &rfd);

	finish(pid, rfd, &rep, &status);
	expect_exit("threaded child", status, 0);
	if (rep.val[VAL_FD] != CREDS_THREADS)
		die(1, "setuid() changed %ld of %d other threads", rep.val[VAL_FD], CREDS_THREADS);
	j_begin("tamper-creds-threads");
	j_num("pid", pid);
	j_num("threads", CREDS_THREADS + 1);
}

struct suid_exec {
	char path[4096];
};

static void suid_exec_body(int wfd, void *arg)
{
	struct suid_exec *x = arg;
	char *argv[] = {x->path, NULL};

	if (setresgid(NOBODY, NOBODY, NOBODY) || setgroups(0, NULL) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		child_fail(wfd, "drop to nobody", errno);
	execve(x->path, argv, environ);
	child_fail(wfd, "execve", errno);
}

/* Copies src to dst, mode 04755 root:root: a setuid-root program. */
static void copy_setuid_root(const char *src, const char *dst)
{
	char buf[65536];
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	size_t n;

	if (!in || !out)
		die_errno("open for the setuid copy");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			die_errno("write of the setuid copy");
	fclose(in);
	if (fclose(out) || chown(dst, 0, 0) || chmod(dst, 04755))
		die_errno("setuid copy");
}

/* A setuid-root copy of true(1) in the workdir, run by nobody: its exec
 * makes the effective uid 0. The workdir is on a filesystem that honours
 * set-id bits (the test checks its mount options). */
static void act_suid_exec(void)
{
	static struct suid_exec x;
	struct report rep;
	pid_t pid;

	join_path(x.path, sizeof(x.path), workdir(), "nj-suid-true");
	copy_setuid_root("/bin/true", x.path);
	if (chmod(workdir(), 0755))
		die_errno("chmod workdir");
	pid = run_exec_ok(suid_exec_body, &x, &rep);
	j_begin("tamper-creds-suid-exec");
	j_num("pid", pid);
	j_str("path", x.path);
	j_num("from_euid", NOBODY);
	j_num("to_euid", 0);
}

const struct action tamper_creds_actions[] = {
	{"tamper-creds-setresuid", act_setresuid}, {"tamper-creds-setresgid", act_setresgid},
	{"tamper-creds-setgroups", act_setgroups}, {"tamper-creds-capset", act_capset},
	{"tamper-creds-refused", act_refused},	   {"tamper-creds-threads", act_threads},
	{"tamper-creds-suid-exec", act_suid_exec}, {NULL, NULL},
};
