/*
 * actions.h - shared infrastructure of nj-actions, the end-to-end test
 * helper (see nj_actions.c for its usage, exit statuses and JSON rules).
 *
 * Each event family puts its actions in <family>_actions.c and exports one
 * table, `const struct action <family>_actions[]`, ending with { NULL, NULL };
 * nj_actions.c lists the tables.  An action performs its real action, waits
 * for every process it created and builds the JSON line with j_begin() and
 * j_num()/j_str(); main() prints it (j_emit()).  On failure it calls die()
 * (or die_errno(), which maps ENOSYS to exit status 77 = "skip").
 *
 * Every source file defines _GNU_SOURCE before including anything.
 */
#ifndef NJ_ACTIONS_H
#define NJ_ACTIONS_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

extern char **environ;

/* One action: `nj-actions NAME [WORKDIR]` calls fn(). */
struct action {
	const char *name;
	void (*fn)(void);
};

/* ------------------------------------------------------------------------ */
/* Errors and small utilities.                                               */

/* The running action's name, prefixed to every error message. */
extern const char *g_action;

/* Print "nj-actions: <action>: <message>" on stderr and exit(code). */
_Noreturn void vdie(int code, const char *fmt, va_list ap);
_Noreturn __attribute__((format(printf, 2, 3))) void die(int code, const char *fmt, ...);
/* Die for a failed call in the helper process itself (errno is consumed):
 * exit status 77 for ENOSYS, 1 otherwise. */
_Noreturn void die_errno(const char *what);

void sleep_ms(long ms);
pid_t nj_gettid(void);
/* waitpid() that retries on EINTR. Returns 0 on success, -1 (errno set). */
int wait_pid(pid_t pid, int *status);
/* "exited with status N" / "was killed by signal N" / "has wait status X" */
void describe_status(char *buf, size_t n, int status);
/* Die unless `status` is a normal exit with `code`. */
void expect_exit(const char *who, int status, int code);

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

struct report {
	int have_err;
	int err;
	char what[112];
	int have[VAL__COUNT];
	long val[VAL__COUNT];
};

void child_send(int fd, int kind, int key, long value, const char *what);
void child_val(int fd, int key, long value);
/* Report `what` failed with `err`, then _exit(127). */
_Noreturn void child_fail(int fd, const char *what, int err);

/* Reads all messages until EOF. Returns 0, or an errno value on failure. */
int read_reports(int rfd, struct report *rep);

typedef void (*child_fn)(int wfd, void *arg);

/* fork(); the child runs fn(wfd, arg) and must not return (it _exit(127)s). */
pid_t spawn(child_fn fn, void *arg, int *rfd_out);
/* Drain the report pipe, reap the child, die on reported child errors. */
void finish(pid_t pid, int rfd, struct report *rep, int *status);

/* ------------------------------------------------------------------------ */
/* JSON output (one flat object, ASCII only; escaping: see nj_actions.c).    */

/* Start the object: {"action":"<action>" */
void j_begin(const char *action);
void j_num(const char *key, long long v);
void j_str(const char *key, const char *v);
/* Close the object, print it as one line on stdout. */
void j_emit(void);

/* ------------------------------------------------------------------------ */
/* Files / workdir.                                                          */

/* WORKDIR, or a fresh mkdtemp("/tmp/nj-actions.XXXXXX") made on first use. */
const char *workdir(void);
/* Use `arg` (created if missing, made absolute) as WORKDIR. */
void set_workdir(const char *arg);
/* out = dir + "/" + name; dies if it does not fit. */
void join_path(char *out, size_t n, const char *dir, const char *name);
/* Create/truncate `path` with `content`, then chmod it to exactly `mode`. */
void write_file(const char *path, const char *content, mode_t mode);

/* ------------------------------------------------------------------------ */
/* Generic "fork + execve" child.                                            */

struct exec_req {
	const char *path;
	char **argv;
	int expect_fail; /* exec is meant to fail: report errno, _exit(0) */
};

/* child_fn: execve(rq->path, rq->argv, environ); arg is a struct exec_req. */
void child_execve(int wfd, void *arg);
/* Runs an exec in a child that must succeed and whose program exits 0. */
pid_t run_exec_ok(child_fn fn, void *arg, struct report *rep);
/* fork + execve(path, argv), must exit 0; starts the JSON with pid, ppid. */
void exec_ok_simple(const char *action, const char *path, char **argv);
/* fork + execve(path, argv), must fail with want_errno; starts the JSON with
 * pid, ppid, errno, path. */
void exec_expect_fail(const char *action, const char *path, char **argv, int want_errno);

#endif /* NJ_ACTIONS_H */
