// Fork storm: N short-lived processes (fork + _exit, optionally exec of
// /bin/true), at most `width` alive at once. Prints elapsed seconds.
// usage: forkbomb N [width] [exec]
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long width = argc > 2 ? atol(argv[2]) : 64;
	int do_exec = argc > 3 && strcmp(argv[3], "exec") == 0;
	long started = 0, alive = 0, failed = 0;
	double t0 = now();

	if (n <= 0 || width <= 0) {
		fprintf(stderr, "usage: forkbomb N [width] [exec]\n");
		return 2;
	}
	while (started < n || alive > 0) {
		while (started < n && alive < width) {
			pid_t p = fork();
			if (p == 0) {
				if (do_exec)
					execl("/bin/true", "true", (char *)NULL);
				_exit(0);
			}
			if (p < 0) {
				if (errno == EAGAIN)
					break;
				perror("fork");
				return 1;
			}
			started++;
			alive++;
		}
		int st;
		if (wait(&st) > 0) {
			alive--;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
	}
	printf("%ld processes in %.3f s (%.0f/s), %ld failed\n", n, now() - t0, n / (now() - t0), failed);
	return failed ? 1 : 0;
}
