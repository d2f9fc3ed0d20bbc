// Workload generators for the benchmark suite (bench/run.sh). Each mode does
// a fixed amount of work and prints ONE JSON line on stdout:
//   {"workload":"exec","ops":N,"errors":E,"elapsed_s":S,"rate":R, ...}
// and exits non-zero if any operation failed.
//
// usage:
//   nj-workload exec N [WIDTH]          fork + execve /bin/true, N times, WIDTH alive
//   nj-workload fork N [WIDTH]          fork + _exit, N times (no exec)
//   nj-workload vfork N [WIDTH]         vfork + _exit, N times
//   nj-workload unshare N               unshare(0), N times (no child)
//   nj-workload paced RATE SECONDS [exec|fork|vfork|unshare] [TAG] [JOBS]
//                                       one child (or unshare) every 1/RATE s for SECONDS, spread
//                                       over JOBS worker processes (default 1: this
//                                       one); TAG is passed as argv[1] to /bin/true;
//                                       the report lists the children's parents
//                                       ("pids", and "ids": PID-STARTTIME as in entity
//                                       ids) so a sensor's events can be matched exactly
//   nj-workload file N [DIR]            create, write, chmod, rename, unlink, N times
//   nj-workload open N [PATH]           open + close PATH N times
//   nj-workload open-tree N [DIR]       open O_RDONLY + close, N times in turn, 64 existing files
//                                       4 directories below DIR (default /tmp)
//   nj-workload connect N               TCP connect to a 127.0.0.1 listener, N times
//   nj-workload connect-storm N         one thread, one 127.0.0.1 listener: connect, accept,
//                                       close both (reset), N times
//   nj-workload udp-storm N             N datagrams with sendto from one socket to one
//                                       127.0.0.1 receiver, each received with recvfrom
//   nj-workload udp-flows N             the same, but each datagram to another loopback
//                                       address (127.0.0.0/8): N distinct flows
//   nj-workload jit-storm N             what a JIT does between compiles: one anonymous
//                                       page made writable, a byte written, made
//                                       executable again, N times (2N mprotects)
//   nj-workload tamper-mix N            one of each cheap tamper action, N times
//                                       (bench/workloads/tamper.c)
//   nj-workload tamper-rare N           one of each of the tamper family's other syscalls,
//                                       changing nothing, N times (tamper_rare.c)
//   nj-workload getppid N               getppid(2), N times: the cheapest syscall, which
//                                       no sensor hooks (what a hook on every syscall
//                                       costs everyone else)
//   nj-workload read-zero N             a 64-byte read(2) of /dev/zero, N times (the
//                                       same, for a syscall that does some work)
//   nj-workload prctl N                 prctl(PR_GET_DUMPABLE), N times: a cheap syscall
//                                       nightjar does hook (the tamper family), for
//                                       the cost of one hooked call with hot caches
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tamper.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *name, long ops, long errors, double elapsed, const char *extra)
{
	printf("{\"workload\":\"%s\",\"ops\":%ld,\"errors\":%ld,\"elapsed_s\":%.6f,\"rate\":%.1f,"
	       "\"pid\":%d%s%s}\n",
	       name, ops, errors, elapsed, elapsed > 0 ? ops / elapsed : 0.0, (int)getpid(),
	       extra ? "," : "", extra ? extra : "");
	fflush(stdout);
}

enum kind { KIND_FORK, KIND_VFORK, KIND_EXEC, KIND_UNSHARE };

static const char *kind_name(enum kind k)
{
	static const char *const names[] = {"fork", "vfork", "exec", "unshare"};
	return names[k];
}

static int parse_kind(const char *s, enum kind *k)
{
	if (!strcmp(s, "exec"))
		*k = KIND_EXEC;
	else if (!strcmp(s, "fork"))
		*k = KIND_FORK;
	else if (!strcmp(s, "vfork"))
		*k = KIND_VFORK;
	else if (!strcmp(s, "unshare"))
		*k = KIND_UNSHARE;
	else
		return -1;
	return 0;
}

/* A vfork child shares the parent's memory and the parent sleeps until it
 * _exits: no page tables are copied, which makes it the cheapest way to
 * produce one fork event and one exit event per child. unshare(0) starts no
 * child and changes nothing, yet a sensor reports every unshare(2): one
 * event for the price of a syscall, for rates no process creation reaches.
 * Returns the child's pid, 0 when there is no child, -1 on failure. */
static pid_t spawn(enum kind k, const char *tag)
{
	if (k == KIND_UNSHARE)
		return unshare(0) ? -1 : 0;
	pid_t p = k == KIND_VFORK ? vfork() : fork();
	if (p == 0) {
		if (k == KIND_EXEC) {
			execl("/bin/true", "true", tag, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	return p;
}

/* Reap one child (blocking or not); returns 1 if one was reaped, counting
 * a failed exit in *errors. */
static int reap(int block, long *errors)
{
	int st;
	pid_t p = waitpid(-1, &st, block ? 0 : WNOHANG);
	if (p <= 0)
		return 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		(*errors)++;
	return 1;
}

struct plan {
	long n; /* children to start */
	double rate; /* per second; 0: as fast as `width` allows */
	double seconds; /* stop starting children after this long; 0: no bound */
	long width; /* children alive (unreaped) at most */
	enum kind kind;
	const char *tag;
	double t0; /* common start (CLOCK_MONOTONIC), so that parallel jobs stay in step */
};

struct tally {
	long started, errors, late;
	double max_lag, elapsed;
	pid_t pid;
	unsigned long long start; /* clock ticks after boot, /proc/<pid>/stat field 22 */
	int failed;
};

/* pid + start time name a process across pid reuse (pids wrap within
 * seconds in a fork storm): a sensor's entity ids end in "-PID-START". */
static unsigned long long start_ticks(void)
{
	char buf[1024];
	unsigned long long st = 0;
	FILE *f = fopen("/proc/self/stat", "r");

	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields count from the last ')' */
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		st = strtoull(p + 1, NULL, 10);
	return st;
}

/* The one child-spawning loop of the storms and of the paced test: a storm
 * is a plan without a rate. Above the machine's capacity the width bounds
 * the children alive, so the generator saturates instead of piling up. */
static void spawn_loop(const struct plan *pl, struct tally *t)
{
	long target = pl->n, alive = 0;

	memset(t, 0, sizeof *t);
	t->pid = getpid();
	t->start = start_ticks();
	while (now() < pl->t0)
		usleep(1000);
	while (t->started < target || alive > 0) {
		double tn = now();
		/* The duration bounds the run: above the machine's capacity
		 * fewer than RATE * SECONDS children are started. */
		if (pl->seconds > 0 && tn - pl->t0 >= pl->seconds)
			target = t->started;
		long due = target;
		if (pl->rate > 0 && t->started < target) {
			due = (long)((tn - pl->t0) * pl->rate) + 1;
			if (due > target)
				due = target;
		}
		/* At most 256 per pass: unshare has no width to stop a late
		 * generator's catch-up burst, and the duration must still bound it. */
		if (due > t->started + 256)
			due = t->started + 256;
		while (t->started < due) {
			if (alive >= pl->width) {
				if (reap(1, &t->errors))
					alive--;
				break;
			}
			if (pl->rate > 0) {
				double lag = tn - (pl->t0 + t->started / pl->rate);
				if (lag > t->max_lag)
					t->max_lag = lag;
				if (lag > 0.010)
					t->late++;
			}
			pid_t p = spawn(pl->kind, pl->tag);
			if (p < 0) {
				if (errno == EAGAIN) {
					if (alive > 0 && reap(1, &t->errors))
						alive--;
					break;
				}
				perror("fork");
				t->failed = 1;
				return;
			}
			t->started++;
			alive += p > 0;
		}
		while (alive > 0 && reap(0, &t->errors))
			alive--;
		if (t->started < target) {
			double wait = pl->rate > 0 ? pl->t0 + t->started / pl->rate - now() : 0;
			if (wait > 0.0002) {
				/* Sleep at most 2 ms so that children are reaped often. */
				if (wait > 0.002)
					wait = 0.002;
				struct timespec ts = {0, (long)(wait * 1e9)};
				nanosleep(&ts, NULL);
			}
		} else if (alive > 0 && reap(1, &t->errors)) {
			alive--;
		}
	}
	t->elapsed = now() - pl->t0;
}

static int storm(long n, long width, enum kind k)
{
	struct plan pl = {.n = n, .width = width, .kind = k, .tag = "nj-bench", .t0 = now()};
	struct tally t;

	spawn_loop(&pl, &t);
	if (t.failed)
		return 1;
	report(kind_name(k), n, t.errors, t.elapsed, NULL);
	return t.errors ? 1 : 0;
}

/* JOBS > 1: that many worker processes, each with RATE / JOBS, so that both
 * cores generate; the generated children are those of the pids listed in
 * the report ("pids"), which is how a sensor's output is matched. */
static int paced(double rate, double seconds, enum kind k, const char *tag, long jobs)
{
	long target = (long)(rate * seconds);
	struct tally *t;
	char extra[64 + 48 * 64];

	if (target <= 0 || jobs < 1 || jobs > 64)
		return 2;
	t = mmap(NULL, jobs * sizeof *t, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Workers need a moment to start: the common clock starts after it. */
	struct plan pl = {.rate = rate / jobs,
			  .seconds = seconds,
			  .width = 64,
			  .kind = k,
			  .tag = tag,
			  .t0 = now() + (jobs > 1 ? 0.02 : 0)};
	pid_t workers[64];
	for (long j = 0; j < jobs; j++) {
		pl.n = target / jobs + (j < target % jobs);
		if (jobs == 1) {
			spawn_loop(&pl, &t[0]);
			break;
		}
		workers[j] = fork();
		if (workers[j] == 0) {
			spawn_loop(&pl, &t[j]);
			_exit(t[j].failed ? 1 : 0);
		}
		if (workers[j] < 0) {
			perror("fork");
			return 1;
		}
	}
	long started = 0, errors = 0, late = 0, failed = 0;
	double max_lag = 0, el = 0;
	int off = snprintf(extra, sizeof extra, "\"pids\":[");
	for (long j = 0; j < jobs; j++) {
		int st;
		if (jobs > 1 &&
		    (waitpid(workers[j], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)))
			failed++;
		started += t[j].started;
		errors += t[j].errors;
		late += t[j].late;
		max_lag = t[j].max_lag > max_lag ? t[j].max_lag : max_lag;
		el = t[j].elapsed > el ? t[j].elapsed : el;
		off += snprintf(extra + off, sizeof extra - off, "%s%d", j ? "," : "",
				(int)t[j].pid);
	}
	off += snprintf(extra + off, sizeof extra - off, "],\"ids\":[");
	for (long j = 0; j < jobs; j++)
		off += snprintf(extra + off, sizeof extra - off, "%s\"%d-%llu\"", j ? "," : "",
				(int)t[j].pid, t[j].start);
	char tail[160];
	snprintf(tail, sizeof tail,
		 "],\"target_rate\":%.1f,\"late\":%ld,\"max_lag_s\":%.4f,\"mode\":\"%s\",\"jobs\":%"
		 "ld",
		 rate, late, max_lag, kind_name(k), jobs);
	snprintf(extra + off, sizeof extra - off, "%s", tail);
	report("paced", started, errors + failed, el, extra);
	munmap(t, jobs * sizeof *t);
	return errors || failed ? 1 : 0;
}

static int file_storm(long n, const char *dir)
{
	char tmpl[4096], a[4200], b[4200];
	char buf[4096];
	long errors = 0;
	double t0;

	memset(buf, 'x', sizeof buf);
	snprintf(tmpl, sizeof tmpl, "%s/nj-bench-file.XXXXXX", dir ? dir : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	t0 = now();
	for (long i = 0; i < n; i++) {
		snprintf(a, sizeof a, "%s/f%ld", tmpl, i & 1023);
		snprintf(b, sizeof b, "%s/g%ld", tmpl, i & 1023);
		int fd = open(a, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			errors++;
			continue;
		}
		if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
			errors++;
		close(fd);
		if (chmod(a, 0640))
			errors++;
		if (rename(a, b))
			errors++;
		if (unlink(b))
			errors++;
	}
	double el = now() - t0;
	rmdir(tmpl);
	report("file", n, errors, el, NULL);
	return errors ? 1 : 0;
}

static int open_storm(long n, const char *path)
{
	long errors = 0;
	double t0 = now();

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			errors++;
		else
			close(fd);
	}
	report("open", n, errors, now() - t0, NULL);
	return errors ? 1 : 0;
}

/* Read-only opens of files a few directories deep: the file family's
 * worst case for a file no rule covers (nightjar climbs nj_watch_depth
 * dentries, default 5: f<i>, d2, d1, d0, the temp dir). The tree is made
 * before the clock starts and removed after it stops. */
#define TREE_FILES 64

static int open_tree_storm(long n, const char *dir)
{
	static const char *const sub[] = {"", "/d0", "/d0/d1", "/d0/d1/d2"};
	char root[1024], d[4][1100], f[TREE_FILES][1200];
	long errors = 0;

	snprintf(root, sizeof root, "%s/nj-bench-open.XXXXXX", dir ? dir : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		snprintf(d[i], sizeof d[i], "%s%s", root, sub[i]);
		if (i && mkdir(d[i], 0700)) {
			perror("mkdir");
			return 1;
		}
	}
	for (int i = 0; i < TREE_FILES; i++) {
		snprintf(f[i], sizeof f[i], "%s/f%d", d[3], i);
		int fd = open(f[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, "x", 1) != 1) {
			perror("create");
			return 1;
		}
		close(fd);
	}
	double t0 = now();
	for (long i = 0; i < n; i++) {
		int fd = open(f[i % TREE_FILES], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			errors++;
		else
			close(fd);
	}
	double el = now() - t0;
	for (int i = 0; i < TREE_FILES; i++)
		unlink(f[i]);
	for (int i = 3; i >= 0; i--)
		rmdir(d[i]);
	report("open-tree", n, errors, el, NULL);
	return errors ? 1 : 0;
}

struct acceptor {
	int lfd;
	long n;
	long accepted;
};

static void *accept_loop(void *arg)
{
	struct acceptor *a = arg;
	while (a->accepted < a->n) {
		int c = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		a->accepted++;
		close(c);
	}
	return NULL;
}

static int connect_storm(long n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	struct acceptor acc = {.n = n};
	struct linger lg = {1, 0}; /* close with RST: no TIME_WAIT pile-up */
	long errors = 0;
	pthread_t th;
	int one = 1;

	acc.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (acc.lfd < 0 || bind(acc.lfd, (struct sockaddr *)&sa, sizeof sa) ||
	    listen(acc.lfd, 1024) || getsockname(acc.lfd, (struct sockaddr *)&sa, &len)) {
		perror("listener");
		return 1;
	}
	if (pthread_create(&th, NULL, accept_loop, &acc)) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	double t0 = now();
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			errors++;
			continue;
		}
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		if (connect(s, (struct sockaddr *)&sa, sizeof sa))
			errors++;
		close(s);
	}
	/* Every accepted connection counts: wait for the acceptor (bounded). */
	double deadline = now() + 5;
	while (acc.accepted + errors < n && now() < deadline)
		usleep(1000);
	double el = now() - t0;
	shutdown(acc.lfd, SHUT_RDWR);
	close(acc.lfd);
	pthread_join(th, NULL);
	char extra[64];
	snprintf(extra, sizeof extra, "\"accepted\":%ld", acc.accepted);
	report("connect", n, errors, el, extra);
	return errors || acc.accepted != n ? 1 : 0;
}

/* A loopback address and its port: `port` 0 picks one when bound. */
static struct sockaddr_in loopback(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(addr), .sin_port = htons(port)};
	return sa;
}

/* A socket of `type` bound to *sa, with the bound port written back. */
static int bound_socket(int type, struct sockaddr_in *sa)
{
	socklen_t len = sizeof *sa;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)sa, sizeof *sa) ||
	    getsockname(fd, (struct sockaddr *)sa, &len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One iteration of the connect storm: connect, accept, close both. The
 * client closes first with a reset (SO_LINGER 0): no TIME_WAIT pile-up,
 * and the accepted end is closed by the reset before its own close. */
static int connect_once(int lfd, const struct sockaddr_in *sa)
{
	struct linger lg = {1, 0};
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int s = -1, err = 0;

	if (c < 0)
		return 1;
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) ||
	    connect(c, (const struct sockaddr *)sa, sizeof *sa))
		err = 1;
	else if ((s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		err = 1;
	close(c);
	if (s >= 0)
		close(s);
	return err;
}

/* Single-threaded, so that the wall time is the syscalls' and the
 * sensor's, not a second thread's scheduling. On loopback the handshake
 * completes inside connect(2): the accept that follows does not wait. */
static int connect_storm_one(long n)
{
	struct sockaddr_in sa = loopback(INADDR_LOOPBACK, 0);
	long errors = 0;
	int lfd = bound_socket(SOCK_STREAM, &sa);

	if (lfd < 0 || listen(lfd, 128)) {
		perror("listener");
		return 1;
	}
	double t0 = now();
	for (long i = 0; i < n; i++)
		errors += connect_once(lfd, &sa);
	double el = now() - t0;
	close(lfd);
	report("connect-storm", n, errors, el, NULL);
	return errors ? 1 : 0;
}

#define UDP_PAYLOAD 64

/* Send one datagram to *to and receive it on rfd (with its sender's
 * address, as a UDP server does). A datagram not back within a second
 * (dropped) is an error, not a hang. */
static int udp_once(int sfd, int rfd, const struct sockaddr_in *to, char *buf)
{
	struct sockaddr_in from;
	socklen_t flen = sizeof from;

	if (sendto(sfd, buf, UDP_PAYLOAD, 0, (const struct sockaddr *)to, sizeof *to) !=
	    UDP_PAYLOAD)
		return 1;
	return recvfrom(rfd, buf, UDP_PAYLOAD, 0, (struct sockaddr *)&from, &flen) != UDP_PAYLOAD;
}

/* udp-storm: every datagram to the receiver at 127.0.0.1, two flows in
 * all (the sender's and the receiver's); udp-flows: datagram i to
 * 127.0.0.1 + i + 1 (all of 127.0.0.0/8 is this host; the receiver listens
 * on the wildcard address), a new destination each: N flows out. */
static int udp_storm(const char *name, long n, int spread)
{
	struct sockaddr_in rsa = loopback(spread ? INADDR_ANY : INADDR_LOOPBACK, 0);
	struct timeval tv = {1, 0};
	char buf[UDP_PAYLOAD];
	long errors = 0;
	int rfd = bound_socket(SOCK_DGRAM, &rsa);
	int sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (n > 0xfffffd && spread)
		n = 0xfffffd; /* 127.0.0.2 .. 127.255.255.254 */
	if (rfd < 0 || sfd < 0 || setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv)) {
		perror("udp sockets");
		return 1;
	}
	memset(buf, 'u', sizeof buf);
	struct sockaddr_in to = loopback(INADDR_LOOPBACK, ntohs(rsa.sin_port));
	double t0 = now();
	for (long i = 0; i < n; i++) {
		if (spread)
			to.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (uint32_t)i);
		errors += udp_once(sfd, rfd, &to, buf);
	}
	double el = now() - t0;
	close(sfd);
	close(rfd);
	report(name, n, errors, el, NULL);
	return errors ? 1 : 0;
}

/* One cheap syscall in a tight loop: getppid and read of /dev/zero, which
 * no nightjar family hooks (what a hook on the raw sys_enter / sys_exit
 * tracepoints, which fire for every syscall, takes from the rest of the
 * machine), and prctl, which the tamper family hooks (the hook's own
 * cost, with nothing else in the loop). */
static int syscall_storm(const char *name, long n)
{
	char buf[64];
	long errors = 0;
	int fd = -1;

	if (!strcmp(name, "read-zero") && (fd = open("/dev/zero", O_RDONLY | O_CLOEXEC)) < 0) {
		perror("/dev/zero");
		return 1;
	}
	int hooked = !strcmp(name, "prctl");
	double t0 = now();
	for (long i = 0; i < n; i++) {
		if (hooked)
			errors += prctl(PR_GET_DUMPABLE) < 0;
		else if (fd < 0)
			errors += syscall(SYS_getppid) <= 0;
		else
			errors += read(fd, buf, sizeof buf) != (ssize_t)sizeof buf;
	}
	double el = now() - t0;
	if (fd >= 0)
		close(fd);
	report(name, n, errors, el, NULL);
	return errors ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nj-workload exec|fork|vfork|unshare N [WIDTH]\n"
		"       nj-workload paced RATE SECONDS [exec|fork|vfork|unshare] [TAG] [JOBS]\n"
		"       nj-workload file N [DIR]\n"
		"       nj-workload open N [PATH]\n"
		"       nj-workload open-tree N [DIR]\n"
		"       nj-workload connect N\n"
		"       nj-workload connect-storm|udp-storm|udp-flows N\n"
		"       nj-workload jit-storm|tamper-mix|tamper-rare N\n"
		"       nj-workload getppid|read-zero|prctl N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *mode = argv[1];
	enum kind k;
	if (!parse_kind(mode, &k)) {
		long n = atol(argv[2]), width = argc > 3 ? atol(argv[3]) : 4;
		if (n <= 0 || width <= 0)
			usage();
		return storm(n, width, k);
	}
	if (!strcmp(mode, "paced")) {
		if (argc < 4)
			usage();
		double rate = atof(argv[2]), secs = atof(argv[3]);
		long jobs = argc > 6 ? atol(argv[6]) : 1;
		k = KIND_EXEC;
		if ((argc > 4 && parse_kind(argv[4], &k)) || rate <= 0 || secs <= 0 || jobs < 1 ||
		    jobs > 64)
			usage();
		return paced(rate, secs, k, argc > 5 ? argv[5] : "nj-bench", jobs);
	}
	long n = atol(argv[2]);
	if (n <= 0)
		usage();
	if (!strcmp(mode, "file"))
		return file_storm(n, argc > 3 ? argv[3] : NULL);
	if (!strcmp(mode, "open"))
		return open_storm(n, argc > 3 ? argv[3] : "/etc/passwd");
	if (!strcmp(mode, "open-tree"))
		return open_tree_storm(n, argc > 3 ? argv[3] : NULL);
	if (!strcmp(mode, "connect"))
		return connect_storm(n);
	if (!strcmp(mode, "connect-storm"))
		return connect_storm_one(n);
	if (!strcmp(mode, "udp-storm"))
		return udp_storm(mode, n, 0);
	if (!strcmp(mode, "udp-flows"))
		return udp_storm(mode, n, 1);
	if (!strcmp(mode, "jit-storm"))
		return jit_storm(n);
	if (!strcmp(mode, "tamper-mix"))
		return tamper_mix(n);
	if (!strcmp(mode, "tamper-rare"))
		return tamper_rare(n);
	if (!strcmp(mode, "getppid") || !strcmp(mode, "read-zero") || !strcmp(mode, "prctl"))
		return syscall_storm(mode, n);
	usage();
	return 2;
}
