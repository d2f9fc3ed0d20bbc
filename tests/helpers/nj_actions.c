/*
 * nj_actions.c - end-to-end test helper for the process-monitoring sensor.
 *
 * Usage: nj-actions ACTION [WORKDIR]
 *        nj-actions list
 *
 * Each invocation performs exactly ONE real action against the running
 * kernel (exec, fork, clone, exit, ...), waits for every process it created,
 * and then prints exactly one flat JSON object line on stdout describing what
 * it did (pids as numbers), so a test can find the matching sensor events.
 *
 * Exit status:
 *   0   the action was performed as intended (including "an exec that fails"
 *       when failing was the intent),
 *   77  a required syscall is unavailable (ENOSYS), i.e. "skip",
 *   2   usage error,
 *   1   anything else; a one-line message is printed on stderr.
 *
 * JSON strings: '"' and '\\' are backslash-escaped; every byte < 0x20, 0x7f
 * and every byte >= 0x80 is emitted as \u00XX (one escape per byte), so the
 * output is always plain ASCII.  A reader recovers the original bytes with
 * e.g. Python's  value.encode("latin-1").
 *
 * WORKDIR (only used by actions that write files): if omitted, a fresh
 * mkdtemp("/tmp/nj-actions.XXXXXX") is created and left in place (its path is
 * reported as "workdir") so that the files still exist when the sensor or
 * the test looks at them.
 *
 * Only libc + Linux UAPI headers are used.
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -O2 -pthread nj_actions.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sched.h> /* struct clone_args */

extern char **environ;

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
#if !defined(SYS_clone3) && (defined(__x86_64__) || defined(__aarch64__) || \
                             defined(__i386__) || defined(__riscv))
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
/* Globals, errors.                                                          */

static const char *g_action = "?";
static char g_workdir[PATH_MAX];
static int g_workdir_set;

static _Noreturn void vdie(int code, const char *fmt, va_list ap)
{
	fprintf(stderr, "nj-actions: %s: ", g_action);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	exit(code);
}

static _Noreturn __attribute__((format(printf, 2, 3))) void
die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(code, fmt, ap); /* va_end not needed: never returns */
}

/* Die for a failed call in the helper process itself (errno is consumed). */
static _Noreturn void die_errno(const char *what)
{
	int e = errno;
	die(e == ENOSYS ? 77 : 1, "%s: %s", what, strerror(e));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static pid_t nj_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* waitpid() that retries on EINTR. Returns 0 on success, -1 (errno set). */
static int wait_pid(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r >= 0)
			errno = ECHILD;
		return -1;
	}
}

static void describe_status(char *buf, size_t n, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, n, "has wait status 0x%x", (unsigned)status);
}

static void expect_exit(const char *who, int status, int code)
{
	char d[64];
	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	describe_status(d, sizeof d, status);
	die(1, "%s %s (expected exit status %d)", who, d, code);
}

/* ------------------------------------------------------------------------ */
/* Child -> parent report channel.                                           */
/*                                                                          */
/* Every forked child gets the write end of an O_CLOEXEC pipe.  It sends    */
/* fixed-size messages (atomic: < PIPE_BUF) for values the parent needs     */
/* (fd numbers, grandchild pid, the errno of an exec that was meant to      */
/* fail) and for errors.  A successful exec closes the write end, so the    */
/* parent reads until EOF, then reaps the child.                            */

enum { MSG_ERR = 1, MSG_VAL = 2 };
enum { VAL_FD = 0, VAL_GRANDCHILD, VAL_EXEC_ERRNO, VAL_TID, VAL__COUNT };

struct nj_msg {
	int kind;
	int key;
	long value;
	char what[112];
};

struct report {
	int have_err;
	int err;
	char what[112];
	int have[VAL__COUNT];
	long val[VAL__COUNT];
};

static void child_send(int fd, int kind, int key, long value, const char *what)
{
	struct nj_msg m;
	size_t i = 0;
	ssize_t r;

	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.key = key;
	m.value = value;
	if (what)
		for (; what[i] && i < sizeof m.what - 1; i++)
			m.what[i] = what[i];
	do
		r = write(fd, &m, sizeof m);
	while (r < 0 && errno == EINTR);
}

static void child_val(int fd, int key, long value)
{
	child_send(fd, MSG_VAL, key, value, NULL);
}

static _Noreturn void child_fail(int fd, const char *what, int err)
{
	child_send(fd, MSG_ERR, 0, err, what);
	_exit(127);
}

/* Reads all messages until EOF. Returns 0, or an errno value on failure. */
static int read_reports(int rfd, struct report *rep)
{
	memset(rep, 0, sizeof *rep);
	for (;;) {
		struct nj_msg m;
		size_t got = 0;
		while (got < sizeof m) {
			ssize_t r = read(rfd, (char *)&m + got, sizeof m - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return errno;
			if (r == 0) {
				if (got == 0)
					return 0;
				return EPROTO; /* truncated message */
			}
			got += (size_t)r;
		}
		m.what[sizeof m.what - 1] = '\0';
		if (m.kind == MSG_ERR && !rep->have_err) {
			rep->have_err = 1;
			rep->err = (int)m.value;
			memcpy(rep->what, m.what, sizeof rep->what);
		} else if (m.kind == MSG_VAL && m.key >= 0 && m.key < VAL__COUNT) {
			rep->have[m.key] = 1;
			rep->val[m.key] = m.value;
		}
	}
}

typedef void (*child_fn)(int wfd, void *arg);

/* fork(); the child runs fn(wfd, arg) and must not return (it _exit(127)s). */
static pid_t spawn(child_fn fn, void *arg, int *rfd_out)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		die_errno("pipe2");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		die_errno("fork");
	}
	if (pid == 0) {
		close(p[0]);
		fn(p[1], arg);
		_exit(127);
	}
	close(p[1]);
	*rfd_out = p[0];
	return pid;
}

/* Drain the report pipe, reap the child, die on reported child errors. */
static void finish(pid_t pid, int rfd, struct report *rep, int *status)
{
	int rerr = read_reports(rfd, rep);
	close(rfd);
	if (wait_pid(pid, status) != 0)
		die_errno("waitpid");
	if (rerr)
		die(1, "reading child report pipe: %s", strerror(rerr));
	if (rep->have_err)
		die(rep->err == ENOSYS ? 77 : 1, "child %d: %s: %s", (int)pid,
		    rep->what, rep->err ? strerror(rep->err) : "failed");
}

/* ------------------------------------------------------------------------ */
/* JSON output (one flat object, ASCII only).                                */

static char *jbuf;
static size_t jlen, jcap;

static void j_put(const char *s, size_t n)
{
	if (jlen + n + 1 > jcap) {
		size_t nc = jcap ? jcap : 256;
		char *nb;
		while (nc < jlen + n + 1)
			nc *= 2;
		nb = realloc(jbuf, nc);
		if (!nb)
			die(1, "out of memory");
		jbuf = nb;
		jcap = nc;
	}
	memcpy(jbuf + jlen, s, n);
	jlen += n;
	jbuf[jlen] = '\0';
}

static void j_lit(const char *s)
{
	j_put(s, strlen(s));
}

static void j_string(const char *s)
{
	const unsigned char *p;
	j_lit("\"");
	for (p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;
		if (c == '"') {
			j_lit("\\\"");
		} else if (c == '\\') {
			j_lit("\\\\");
		} else if (c < 0x20 || c >= 0x7f) {
			static const char hex[] = "0123456789abcdef";
			char esc[6] = { '\\', 'u', '0', '0', hex[(c >> 4) & 0xf],
					hex[c & 0xf] };
			j_put(esc, sizeof esc);
		} else {
			char ch = (char)c;
			j_put(&ch, 1);
		}
	}
	j_lit("\"");
}

static void j_begin(const char *action)
{
	jlen = 0;
	j_lit("{\"action\":");
	j_string(action);
}

static void j_num(const char *key, long long v)
{
	char num[32];
	j_lit(",");
	j_string(key);
	j_lit(":");
	snprintf(num, sizeof num, "%lld", v);
	j_lit(num);
}

static void j_str(const char *key, const char *v)
{
	j_lit(",");
	j_string(key);
	j_lit(":");
	j_string(v);
}

static void j_emit(void)
{
	j_lit("}\n");
	if (fwrite(jbuf, 1, jlen, stdout) != jlen || fflush(stdout) != 0)
		die(1, "writing to stdout: %s", strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Files / workdir.                                                          */

static const char *workdir(void)
{
	if (!g_workdir_set) {
		char tmpl[] = "/tmp/nj-actions.XXXXXX";
		if (!mkdtemp(tmpl))
			die_errno("mkdtemp /tmp/nj-actions.XXXXXX");
		snprintf(g_workdir, sizeof g_workdir, "%s", tmpl);
		g_workdir_set = 1;
	}
	return g_workdir;
}

static void set_workdir(const char *arg)
{
	struct stat st;
	if (mkdir(arg, 0755) != 0 && errno != EEXIST)
		die(1, "WORKDIR %s: mkdir: %s", arg, strerror(errno));
	if (!realpath(arg, g_workdir))
		die(1, "WORKDIR %s: realpath: %s", arg, strerror(errno));
	if (stat(g_workdir, &st) != 0)
		die(1, "WORKDIR %s: stat: %s", g_workdir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die(1, "WORKDIR %s: not a directory", g_workdir);
	g_workdir_set = 1;
}

static void join_path(char *out, size_t n, const char *dir, const char *name)
{
	int r = snprintf(out, n, "%s/%s", dir, name);
	if (r < 0 || (size_t)r >= n)
		die(1, "path too long: %s/%s", dir, name);
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	size_t len = strlen(content), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		die(1, "open %s: %s", path, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, content + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die(1, "write %s: %s", path, strerror(errno));
		off += (size_t)w;
	}
	/* Explicit chmod: the mode must not depend on the umask / old file. */
	if (fchmod(fd, mode) != 0)
		die(1, "fchmod %s: %s", path, strerror(errno));
	if (close(fd) != 0)
		die(1, "close %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Generic "fork + execve" child.                                            */

struct exec_req {
	const char *path;
	char **argv;
	int expect_fail; /* exec is meant to fail: report errno, _exit(0) */
};

static void child_execve(int wfd, void *arg)
{
	struct exec_req *rq = arg;
	int e;
	execve(rq->path, rq->argv, environ);
	e = errno;
	if (rq->expect_fail) {
		child_val(wfd, VAL_EXEC_ERRNO, e);
		_exit(0);
	}
	child_fail(wfd, "execve", e);
}

/* Runs an exec in a child that must succeed and whose program exits 0. */
static pid_t run_exec_ok(child_fn fn, void *arg, struct report *rep)
{
	int rfd, status;
	pid_t pid = spawn(fn, arg, &rfd);
	finish(pid, rfd, rep, &status);
	expect_exit("exec'd child", status, 0);
	return pid;
}

static void exec_ok_simple(const char *action, const char *path, char **argv)
{
	struct exec_req rq = { path, argv, 0 };
	struct report rep;
	pid_t pid = run_exec_ok(child_execve, &rq, &rep);
	j_begin(action);
	j_num("pid", pid);
	j_num("ppid", getpid());
}

static void exec_expect_fail(const char *action, const char *path, char **argv,
			     int want_errno)
{
	struct exec_req rq = { path, argv, 1 };
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_execve, &rq, &rfd);

	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 0);
	if (!rep.have[VAL_EXEC_ERRNO])
		die(1, "execve(%s) unexpectedly succeeded", path);
	if (rep.val[VAL_EXEC_ERRNO] != want_errno)
		die(1, "execve(%s) failed with errno %ld (%s), expected %d",
		    path, rep.val[VAL_EXEC_ERRNO],
		    strerror((int)rep.val[VAL_EXEC_ERRNO]), want_errno);
	j_begin(action);
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("errno", rep.val[VAL_EXEC_ERRNO]);
	j_str("path", path);
}

/* ------------------------------------------------------------------------ */
/* Actions.                                                                  */

static void act_exec(void)
{
	char *argv[] = { "true", "arg one", "quote\"d", "back\\slash", NULL };
	exec_ok_simple("exec", "/bin/true", argv);
}

static void child_execveat(int wfd, void *arg)
{
	char *argv[] = { "true", "via-execveat", NULL };
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
	char *argv[] = { "nj-memfd-true", "m1", NULL };
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
	char *argv[] = { "outer.sh", "s1", NULL };
	const char *p;
	int n;

	/* The interpreter path is split at the first blank by the kernel. */
	for (p = wd; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			die(1, "WORKDIR %s contains whitespace; unusable in #!", wd);
	join_path(outer, sizeof outer, wd, "outer.sh");
	join_path(inner, sizeof inner, wd, "inner.sh");
	n = snprintf(shebang, sizeof shebang, "#!%s outer-arg\necho never\n",
		     inner);
	if (n < 0 || (size_t)n >= sizeof shebang ||
	    strlen(inner) + strlen("#! outer-arg\n") > 255)
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
	char *argv[] = { "nj-nope", "x", NULL };
	exec_expect_fail("exec-fail", "/nonexistent/nj-nope", argv, ENOENT);
}

static void act_exec_eacces(void)
{
	const char *wd = workdir();
	char path[PATH_MAX];
	char *argv[] = { "noexec.txt", NULL };

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
	char *argv[] = { "true", "line1\nline2", "\xff\xfe-bad-utf8",
			 "tab\there", NULL };
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
	char *argv[] = { "true", "from-thread", NULL };
	child_val(ctx->wfd, VAL_TID, nj_gettid());
	execve("/bin/true", argv, environ);
	child_fail(ctx->wfd, "execve from non-main thread", errno);
	return NULL;
}

static void child_exec_thread(int wfd, void *arg)
{
	struct exec_thread_ctx ctx = { wfd };
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
		char *argv[] = { "sleep", "0.2", NULL };
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

struct action {
	const char *name;
	void (*fn)(void);
};

static const struct action actions[] = {
	{ "exec", act_exec },
	{ "execveat", act_execveat },
	{ "fexecve-memfd", act_fexecve_memfd },
	{ "script-chain", act_script_chain },
	{ "exec-fail", act_exec_fail },
	{ "exec-eacces", act_exec_eacces },
	{ "fork", act_fork },
	{ "vfork", act_vfork },
	{ "clone", act_clone },
	{ "clone3", act_clone3 },
	{ "thread", act_thread },
	{ "unshare", act_unshare },
	{ "unshare-storm", act_unshare_storm },
	{ "exit3", act_exit3 },
	{ "kill9", act_kill9 },
	{ "exec-weird-argv", act_exec_weird_argv },
	{ "exec-long-argv", act_exec_long_argv },
	{ "exec-huge-argv", act_exec_huge_argv },
	{ "exec-thread", act_exec_thread },
	{ "sleep-tree", act_sleep_tree },
	{ "exit-thread-group", act_exit_thread_group },
};

static void usage(void)
{
	fprintf(stderr, "usage: nj-actions ACTION [WORKDIR] | nj-actions list\n");
}

int main(int argc, char **argv)
{
	size_t i;
	const struct action *a = NULL;

	if (argc < 2 || argc > 3) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
			printf("%s\n", actions[i].name);
		if (fflush(stdout) != 0)
			return 1;
		return 0;
	}
	for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strcmp(argv[1], actions[i].name) == 0)
			a = &actions[i];
	if (!a) {
		fprintf(stderr, "nj-actions: unknown action '%s'\n", argv[1]);
		usage();
		return 2;
	}
	g_action = a->name;
	if (argc == 3)
		set_workdir(argv[2]);
	a->fn();
	j_emit();
	return 0;
}
