/*
 * tamper_mem_actions.c - the tamper family's memory actions for nj-actions:
 * memory made executable (anonymous RW -> RX with code written in between,
 * an anonymous RWX map, a file mapped RWX next to a library-like RX map
 * that must not be reported, a JIT-like mprotect storm) and renames
 * (prctl to "[kworker/0:1]", a sibling thread's comm file, and a child's
 * comm file, which the kernel refuses).
 *
 * Every action prints the acting pid and the addresses it used, so a test
 * finds the sensor's events by them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions.h"

/* The storm's protection changes to executable; the test runs the sensor
 * with --exec-memory-window-ms 1000 and waits out the window after them. */
#define STORM_CALLS 1000
#define STORM_WINDOW_WAIT_MS 1500

/* A function that returns 42, as machine code. */
#if defined(__x86_64__)
static const unsigned char code42[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov eax,42; ret */
#elif defined(__aarch64__)
static const unsigned char code42[] = {0x40, 0x05, 0x80, 0x52,
				       0xc0, 0x03, 0x5f, 0xd6}; /* mov w0,#42; ret */
#endif

static void *map_anon(int prot)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap");
	return p;
}

static void run_code(void *p)
{
	int (*fn)(void) = (int (*)(void))p;

	__builtin___clear_cache((char *)p, (char *)p + sizeof(code42));
	if (fn() != 42)
		die(1, "the code written at %p did not return 42", p);
}

/* Anonymous RW memory, code written into it, then RX, then run. */
static void act_rw_rx(void)
{
	void *p = map_anon(PROT_READ | PROT_WRITE);

	memcpy(p, code42, sizeof(code42));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		die_errno("mprotect");
	run_code(p);
	j_begin("tamper-mem-rw-rx");
	j_num("pid", getpid());
	j_num("address", (long long)(unsigned long)p);
	j_num("length", 4096);
}

/* Anonymous memory writable and executable at once. */
static void act_rwx_mmap(void)
{
	void *p = map_anon(PROT_READ | PROT_WRITE | PROT_EXEC);

	memcpy(p, code42, sizeof(code42));
	run_code(p);
	j_begin("tamper-mem-rwx-mmap");
	j_num("pid", getpid());
	j_num("address", (long long)(unsigned long)p);
	j_num("length", 4096);
}

/* This program's own file mapped as a library is (read, execute: not
 * reported), then mapped writable and executable (reported, with the file). */
static void act_file_map(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	void *lib, *rwx;

	if (fd < 0)
		die_errno("open /proc/self/exe");
	lib = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (lib == MAP_FAILED)
		die_errno("mmap r-x");
	rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (rwx == MAP_FAILED)
		die_errno("mmap rwx");
	close(fd);
	j_begin("tamper-mem-file-map");
	j_num("pid", getpid());
	j_num("library_address", (long long)(unsigned long)lib);
	j_num("address", (long long)(unsigned long)rwx);
	j_num("length", 4096);
}

/* A JIT's day: RW <-> RX STORM_CALLS times, then once more after the
 * sensor's window: one event, then one that carries the count of the rest. */
/* A read-only file map made executable (what a loader may do with a
 * library's text), then an anonymous RW map made executable: the second
 * is the signal, the first is not where the memory is seen. */
static void act_file_rx(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	void *text, *anon;

	if (fd < 0)
		die_errno("open /proc/self/exe");
	text = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (text == MAP_FAILED || anon == MAP_FAILED)
		die_errno("mmap");
	close(fd);
	if (mprotect(text, 4096, PROT_READ | PROT_EXEC) ||
	    mprotect(anon, 4096, PROT_READ | PROT_EXEC))
		die_errno("mprotect");
	j_begin("tamper-mem-file-rx");
	j_num("pid", getpid());
	j_num("file_address", (long long)(unsigned long)text);
	j_num("address", (long long)(unsigned long)anon);
}

static void act_storm(void)
{
	void *p = map_anon(PROT_READ | PROT_WRITE);

	for (int i = 0; i < STORM_CALLS; i++) {
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC) ||
		    mprotect(p, 4096, PROT_READ | PROT_WRITE))
			die_errno("mprotect");
	}
	sleep_ms(STORM_WINDOW_WAIT_MS);
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		die_errno("mprotect");
	j_begin("tamper-mem-storm");
	j_num("pid", getpid());
	j_num("address", (long long)(unsigned long)p);
	j_num("calls", STORM_CALLS);
}

/* prctl(PR_SET_NAME) to a kernel thread's name. */
static void act_rename_prctl(void)
{
	char old[16] = {0};

	prctl(PR_GET_NAME, old);
	if (prctl(PR_SET_NAME, "[kworker/0:1]"))
		die_errno("prctl(PR_SET_NAME)");
	/* the same name again renames nothing: no second event */
	if (prctl(PR_SET_NAME, "[kworker/0:1]"))
		die_errno("prctl(PR_SET_NAME)");
	j_begin("tamper-rename-prctl");
	j_num("pid", getpid());
	j_str("old_name", old);
	j_str("new_name", "[kworker/0:1]");
}

struct sibling {
	int go[2]; /* main -> thread: done, exit */
	int ready[2]; /* thread -> main: its tid */
};

static void *sibling_main(void *arg)
{
	struct sibling *s = arg;
	pid_t tid = nj_gettid();
	char c;

	if (write(s->ready[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	while (read(s->go[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void write_comm(const char *path, const char *name, int *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	*err = 0;
	if (fd < 0)
		die_errno(path);
	if (write(fd, name, strlen(name)) < 0)
		*err = errno;
	close(fd);
}

static void child_pause(int wfd, void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(wfd);
	for (;;)
		pause();
}

/* A write to a child's comm file (refused: EINVAL), then to a sibling
 * thread's (renamed). */
static void act_rename_comm(void)
{
	struct sibling s;
	pthread_t th;
	pid_t tid = 0, child;
	char path[64], c;
	int rfd, err, status;

	child = spawn(child_pause, NULL, &rfd);
	while (read(rfd, &c, 1) > 0)
		;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
	write_comm(path, "evil-child", &err);
	if (err != EINVAL)
		die(1, "a write to a child's comm file gave %d, not EINVAL", err);
	kill(child, SIGKILL);
	close(rfd);
	wait_pid(child, &status);

	if (pipe(s.go) || pipe(s.ready))
		die_errno("pipe");
	if (pthread_create(&th, NULL, sibling_main, &s))
		die(1, "pthread_create failed");
	if (read(s.ready[0], &tid, sizeof(tid)) != sizeof(tid))
		die_errno("read tid");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)getpid(), (int)tid);
	write_comm(path, "evil-thread", &err);
	if (err)
		die(1, "a write to a sibling thread's comm file failed: %s", strerror(err));
	if (write(s.go[1], "x", 1) != 1)
		die_errno("write");
	pthread_join(th, NULL);
	j_begin("tamper-rename-comm");
	j_num("pid", getpid());
	j_num("target_tid", tid);
	j_num("child_pid", child);
	j_str("new_name", "evil-thread");
}

const struct action tamper_mem_actions[] = {
	{"tamper-mem-rw-rx", act_rw_rx},	 {"tamper-mem-rwx-mmap", act_rwx_mmap},
	{"tamper-mem-file-map", act_file_map},	 {"tamper-mem-storm", act_storm},
	{"tamper-mem-file-rx", act_file_rx},	 {"tamper-rename-prctl", act_rename_prctl},
	{"tamper-rename-comm", act_rename_comm}, {NULL, NULL},
};
