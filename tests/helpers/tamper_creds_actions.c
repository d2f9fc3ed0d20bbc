/*
 * tamper_creds_actions.c - the tamper family's credential actions for
 * nj-actions: a root child dropping to nobody (setresuid), a setresgid, a
 * setgroups, a capset giving up a capability, a refused setuid(0) as
 * nobody, a multi-threaded process calling setuid() once (glibc runs it in
 * every thread), the setuid-root helper whose exec gains root; and two
 * changes no set*id call makes (commit_creds, kprobe/fentry): nobody's
 * unshare(CLONE_NEWUSER) and a root child's prctl(PR_CAPBSET_DROP).
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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

/* A capability set from /proc/self/status ("CapEff", "CapBnd"); -1 when unread. */
static long status_caps(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 16);
			break;
		}
	fclose(f);
	return v;
}

static long userns_inode(int wfd)
{
	struct stat st;

	if (stat("/proc/self/ns/user", &st))
		child_fail(wfd, "stat /proc/self/ns/user", errno);
	return (long)st.st_ino;
}

#define USERNS_REFUSED 3 /* the child's exit status when unshare was refused */

/* nobody's unshare(CLONE_NEWUSER). Values (the report's generic slots):
 * VAL_FD the user namespace's inode before, VAL_GRANDCHILD after, VAL_TID
 * CapEff after, VAL_EXEC_ERRNO 1 if CapBnd changed too; on a refusal,
 * VAL_EXEC_ERRNO is unshare's errno and the exit status USERNS_REFUSED. */
static void userns_body(int wfd, void *arg)
{
	long bset;

	(void)arg;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		child_fail(wfd, "drop to nobody", errno);
	child_val(wfd, VAL_FD, userns_inode(wfd));
	bset = status_caps("CapBnd");
	if (unshare(CLONE_NEWUSER)) {
		child_val(wfd, VAL_EXEC_ERRNO, errno);
		_exit(USERNS_REFUSED);
	}
	child_val(wfd, VAL_GRANDCHILD, userns_inode(wfd));
	child_val(wfd, VAL_TID, status_caps("CapEff"));
	child_val(wfd, VAL_EXEC_ERRNO, status_caps("CapBnd") != bset);
	_exit(0);
}

/* The user namespaces switch of this kernel (Debian's patch, or the
 * generic limit) says no to unprivileged ones. */
static int userns_disabled(void)
{
	const char *files[] = {"/proc/sys/kernel/unprivileged_userns_clone",
			       "/proc/sys/user/max_user_namespaces"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(files[i], "r");
		long v = -1;

		if (!f)
			continue;
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
		if (v == 0)
			return 1;
	}
	return 0;
}

/* nobody's unshare(CLONE_NEWUSER): no capabilities become all of them in
 * the new namespace, with no set*id or capset call (commit_creds). */
static void act_userns(void)
{
	struct report rep;
	int rfd, status;
	char hex[24];
	pid_t pid = spawn(userns_body, NULL, &rfd);

	finish(pid, rfd, &rep, &status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == USERNS_REFUSED) {
		if (userns_disabled())
			die(77, "unprivileged user namespaces are disabled on this kernel");
		die(1, "unshare(CLONE_NEWUSER) as nobody: %s",
		    strerror((int)rep.val[VAL_EXEC_ERRNO]));
	}
	expect_exit("user namespace child", status, 0);
	j_begin("tamper-creds-userns");
	j_num("pid", pid);
	j_num("userns_before", rep.val[VAL_FD]);
	j_num("userns_after", rep.val[VAL_GRANDCHILD]);
	snprintf(hex, sizeof(hex), "0x%016lx", (unsigned long)rep.val[VAL_TID]);
	j_str("caps_after", hex);
	j_num("bounding_changed", rep.val[VAL_EXEC_ERRNO]);
}

static void bset_body(int wfd, void *arg)
{
	(void)arg;
	if (prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0))
		child_fail(wfd, "prctl(PR_CAPBSET_DROP, CAP_NET_RAW)", errno);
	_exit(0);
}

/* A root child drops CAP_NET_RAW from its bounding set: prctl, not capset. */
static void act_bset_drop(void)
{
	pid_t pid = creds_child(bset_body, NULL);

	j_begin("tamper-creds-bset-drop");
	j_num("pid", pid);
	j_num("dropped", CAP_NET_RAW);
}

const struct action tamper_creds_actions[] = {
	{"tamper-creds-setresuid", act_setresuid}, {"tamper-creds-setresgid", act_setresgid},
	{"tamper-creds-setgroups", act_setgroups}, {"tamper-creds-capset", act_capset},
	{"tamper-creds-refused", act_refused},	   {"tamper-creds-threads", act_threads},
	{"tamper-creds-suid-exec", act_suid_exec}, {"tamper-creds-userns", act_userns},
	{"tamper-creds-bset-drop", act_bset_drop}, {NULL, NULL},
};
