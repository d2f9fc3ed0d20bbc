// Workload generators for the benchmark suite (bench/run.sh). Each mode does
// a fixed amount of work and prints ONE JSON line on stdout:
//   {"workload":"exec","ops":N,"errors":E,"elapsed_s":S,"rate":R, ...}
// and exits non-zero if any operation failed.
//
// usage:
//   nj-workload exec N [WIDTH]          fork + execve /bin/true, N times, WIDTH alive
//   nj-workload fork N [WIDTH]          fork + _exit, N times (no exec)
//   nj-workload paced RATE SECONDS [exec|fork] [TAG]
//                                       one fork(+exec) every 1/RATE s for SECONDS;
//                                       TAG is passed as argv[1] to /bin/true so a
//                                       sensor's events can be matched exactly
//   nj-workload file N [DIR]            create, write, chmod, rename, unlink, N times
//   nj-workload open N [PATH]           open + close PATH N times
//   nj-workload connect N               TCP connect to a 127.0.0.1 listener, N times
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static pid_t spawn(int do_exec, const char *tag)
{
	pid_t p = fork();
	if (p == 0) {
		if (do_exec) {
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

static int storm(long n, long width, int do_exec)
{
	long started = 0, alive = 0, errors = 0;
	double t0 = now();

	while (started < n || alive > 0) {
		while (started < n && alive < width) {
			pid_t p = spawn(do_exec, "nj-bench");
			if (p < 0) {
				if (errno == EAGAIN)
					break;
				perror("fork");
				return 1;
			}
			started++;
			alive++;
		}
		if (reap(1, &errors))
			alive--;
	}
	report(do_exec ? "exec" : "fork", n, errors, now() - t0, NULL);
	return errors ? 1 : 0;
}

static int paced(double rate, double seconds, int do_exec, const char *tag)
{
	long target = (long)(rate * seconds), started = 0, alive = 0, errors = 0, late = 0;
	double t0 = now(), max_lag = 0;
	char extra[160];

	if (target <= 0)
		return 2;
	while (started < target || alive > 0) {
		double t = now();
		/* The duration bounds the run: above the machine's capacity
		 * fewer than RATE * SECONDS children are started. */
		if (t - t0 >= seconds)
			target = started;
		long due = started < target ? (long)((t - t0) * rate) + 1 : started;
		if (due > target)
			due = target;
		while (started < due) {
			/* At most 64 children alive: above the machine's rate
			 * the generator saturates instead of piling up. */
			if (alive >= 64) {
				if (reap(1, &errors))
					alive--;
				break;
			}
			double lag = t - (t0 + started / rate);
			if (lag > max_lag)
				max_lag = lag;
			if (lag > 0.010)
				late++;
			pid_t p = spawn(do_exec, tag);
			if (p < 0) {
				if (errno == EAGAIN)
					break;
				perror("fork");
				return 1;
			}
			started++;
			alive++;
		}
		while (alive > 0 && reap(0, &errors))
			alive--;
		if (started < target) {
			double next = t0 + started / rate;
			double wait = next - now();
			if (wait > 0.0002) {
				/* Sleep at most 2 ms so that children are reaped often. */
				if (wait > 0.002)
					wait = 0.002;
				struct timespec ts = {0, (long)(wait * 1e9)};
				nanosleep(&ts, NULL);
			}
		} else if (alive > 0 && reap(1, &errors)) {
			alive--;
		}
	}
	double el = now() - t0;
	snprintf(extra, sizeof extra, "\"target_rate\":%.1f,\"late\":%ld,\"max_lag_s\":%.4f,\"mode\":\"%s\"",
		 rate, late, max_lag, do_exec ? "exec" : "fork");
	report("paced", started, errors, el, extra);
	return errors ? 1 : 0;
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

static void usage(void)
{
	fprintf(stderr,
		"usage: nj-workload exec|fork N [WIDTH]\n"
		"       nj-workload paced RATE SECONDS [exec|fork] [TAG]\n"
		"       nj-workload file N [DIR]\n"
		"       nj-workload open N [PATH]\n"
		"       nj-workload connect N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *mode = argv[1];
	if (!strcmp(mode, "exec") || !strcmp(mode, "fork")) {
		long n = atol(argv[2]), width = argc > 3 ? atol(argv[3]) : 4;
		if (n <= 0 || width <= 0)
			usage();
		return storm(n, width, !strcmp(mode, "exec"));
	}
	if (!strcmp(mode, "paced")) {
		if (argc < 4)
			usage();
		double rate = atof(argv[2]), secs = atof(argv[3]);
		int do_exec = argc < 5 || strcmp(argv[4], "fork") != 0;
		if (rate <= 0 || secs <= 0)
			usage();
		return paced(rate, secs, do_exec, argc > 5 ? argv[5] : "nj-bench");
	}
	long n = atol(argv[2]);
	if (n <= 0)
		usage();
	if (!strcmp(mode, "file"))
		return file_storm(n, argc > 3 ? argv[3] : NULL);
	if (!strcmp(mode, "open"))
		return open_storm(n, argc > 3 ? argv[3] : "/etc/passwd");
	if (!strcmp(mode, "connect"))
		return connect_storm(n);
	usage();
	return 2;
}
