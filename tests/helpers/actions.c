/*
 * actions.c - the shared infrastructure of nj-actions (declared in actions.h):
 * errors, the child report channel, JSON output, the workdir and the
 * generic fork + execve helpers.  The actions themselves live in
 * <family>_actions.c, main() in nj_actions.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "actions.h"

/* ------------------------------------------------------------------------ */
/* Globals, errors.                                                          */

const char *g_action = "?";
static char g_workdir[PATH_MAX];
static int g_workdir_set;

_Noreturn void vdie(int code, const char *fmt, va_list ap)
{
	fprintf(stderr, "nj-actions: %s: ", g_action);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	exit(code);
}

_Noreturn __attribute__((format(printf, 2, 3))) void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdie(code, fmt, ap); /* va_end not needed: never returns */
}

/* Die for a failed call in the helper process itself (errno is consumed). */
_Noreturn void die_errno(const char *what)
{
	int e = errno;
	die(e == ENOSYS ? 77 : 1, "%s: %s", what, strerror(e));
}

void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

pid_t nj_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* waitpid() that retries on EINTR. Returns 0 on success, -1 (errno set). */
int wait_pid(pid_t pid, int *status)
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

void describe_status(char *buf, size_t n, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, n, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, n, "has wait status 0x%x", (unsigned)status);
}

void expect_exit(const char *who, int status, int code)
{
	char d[64];
	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return;
	describe_status(d, sizeof d, status);
	die(1, "%s %s (expected exit status %d)", who, d, code);
}

/* ------------------------------------------------------------------------ */
/* Child -> parent report channel (the protocol: see actions.h).            */

/* The wire format: one fixed-size message per write(). */
struct nj_msg {
	int kind;
	int key;
	long value;
	char what[112];
};

void child_send(int fd, int kind, int key, long value, const char *what)
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

void child_val(int fd, int key, long value)
{
	child_send(fd, MSG_VAL, key, value, NULL);
}

_Noreturn void child_fail(int fd, const char *what, int err)
{
	child_send(fd, MSG_ERR, 0, err, what);
	_exit(127);
}

/* Reads all messages until EOF. Returns 0, or an errno value on failure. */
int read_reports(int rfd, struct report *rep)
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

/* fork(); the child runs fn(wfd, arg) and must not return (it _exit(127)s). */
pid_t spawn(child_fn fn, void *arg, int *rfd_out)
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
void finish(pid_t pid, int rfd, struct report *rep, int *status)
{
	int rerr = read_reports(rfd, rep);
	close(rfd);
	if (wait_pid(pid, status) != 0)
		die_errno("waitpid");
	if (rerr)
		die(1, "reading child report pipe: %s", strerror(rerr));
	if (rep->have_err)
		die(rep->err == ENOSYS ? 77 : 1, "child %d: %s: %s", (int)pid, rep->what,
		    rep->err ? strerror(rep->err) : "failed");
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
			char esc[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
			j_put(esc, sizeof esc);
		} else {
			char ch = (char)c;
			j_put(&ch, 1);
		}
	}
	j_lit("\"");
}

void j_begin(const char *action)
{
	jlen = 0;
	j_lit("{\"action\":");
	j_string(action);
}

void j_num(const char *key, long long v)
{
	char num[32];
	j_lit(",");
	j_string(key);
	j_lit(":");
	snprintf(num, sizeof num, "%lld", v);
	j_lit(num);
}

void j_str(const char *key, const char *v)
{
	j_lit(",");
	j_string(key);
	j_lit(":");
	j_string(v);
}

void j_emit(void)
{
	j_lit("}\n");
	if (fwrite(jbuf, 1, jlen, stdout) != jlen || fflush(stdout) != 0)
		die(1, "writing to stdout: %s", strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Files / workdir.                                                          */

const char *workdir(void)
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

void set_workdir(const char *arg)
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

void join_path(char *out, size_t n, const char *dir, const char *name)
{
	int r = snprintf(out, n, "%s/%s", dir, name);
	if (r < 0 || (size_t)r >= n)
		die(1, "path too long: %s/%s", dir, name);
}

void write_file(const char *path, const char *content, mode_t mode)
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

void child_execve(int wfd, void *arg)
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
pid_t run_exec_ok(child_fn fn, void *arg, struct report *rep)
{
	int rfd, status;
	pid_t pid = spawn(fn, arg, &rfd);
	finish(pid, rfd, rep, &status);
	expect_exit("exec'd child", status, 0);
	return pid;
}

void exec_ok_simple(const char *action, const char *path, char **argv)
{
	struct exec_req rq = {path, argv, 0};
	struct report rep;
	pid_t pid = run_exec_ok(child_execve, &rq, &rep);
	j_begin(action);
	j_num("pid", pid);
	j_num("ppid", getpid());
}

void exec_expect_fail(const char *action, const char *path, char **argv, int want_errno)
{
	struct exec_req rq = {path, argv, 1};
	struct report rep;
	int rfd, status;
	pid_t pid = spawn(child_execve, &rq, &rfd);

	finish(pid, rfd, &rep, &status);
	expect_exit("child", status, 0);
	if (!rep.have[VAL_EXEC_ERRNO])
		die(1, "execve(%s) unexpectedly succeeded", path);
	if (rep.val[VAL_EXEC_ERRNO] != want_errno)
		die(1, "execve(%s) failed with errno %ld (%s), expected %d", path,
		    rep.val[VAL_EXEC_ERRNO], strerror((int)rep.val[VAL_EXEC_ERRNO]), want_errno);
	j_begin(action);
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("errno", rep.val[VAL_EXEC_ERRNO]);
	j_str("path", path);
}
