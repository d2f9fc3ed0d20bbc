// SPDX-License-Identifier: GPL-2.0
/*
 * Many tasks inside one syscall at once: more threads blocked in accept4()
 * than a kernel's default return probe has instances (a few per possible
 * CPU: at most max(10, 2 * CPUs)), then one connection for each. Every
 * accept must be reported, on every backend.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <unistd.h>

#include "actions.h"
#include "net_actions.h"

#define MAX_WAITERS 1024

struct waiter {
	int lfd;
	volatile pid_t tid;
	int fd;
	int peer_port;
};

static void *wait_in_accept(void *arg)
{
	struct waiter *w = arg;
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;

	w->tid = nj_gettid();
	/* Blocking, bounded by the listener's SO_RCVTIMEO. */
	w->fd = accept4(w->lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	if (w->fd >= 0) {
		struct net_addr a;

		memcpy(&a.ss, &peer, sizeof peer);
		a.len = len;
		w->peer_port = addr_port(&a);
	}
	return NULL;
}

/* Whether thread `tid` of this process is inside accept4 now. */
static int in_accept4(pid_t tid)
{
	char path[64], buf[64];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof buf, f))
		nr = strtol(buf, NULL, 10);
	fclose(f);
	return nr == SYS_accept4;
}

void act_accept_waiting(void)
{
	static struct waiter ws[MAX_WAITERS];
	static pthread_t th[MAX_WAITERS];
	static int cfd[MAX_WAITERS];
	static char ports[MAX_WAITERS * 7 + 1];
	struct net_addr srv;
	struct timeval tv = {NET_WAIT_MS / 1000, 0};
	int lfd = tcp_listener("127.0.0.1", &srv), i, waited, inside = 0;
	/* More than the kernel's default for this machine, whatever it is. */
	int waiters = 2 * get_nprocs_conf() + 8;

	if (waiters < 40)
		waiters = 40;
	if (waiters > MAX_WAITERS)
		waiters = MAX_WAITERS;
	ports[0] = 0;
	if (setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
		die_errno("setsockopt SO_RCVTIMEO");
	for (i = 0; i < waiters; i++) {
		ws[i].lfd = lfd;
		ws[i].fd = -1;
		if (pthread_create(&th[i], NULL, wait_in_accept, &ws[i]) != 0)
			die(1, "pthread_create");
	}
	/* Every thread asleep inside accept4 before the first connection. */
	for (waited = 0; waited < NET_WAIT_MS && inside < waiters; waited += 10) {
		sleep_ms(10);
		for (inside = 0, i = 0; i < waiters; i++)
			inside += ws[i].tid && in_accept4(ws[i].tid);
	}
	if (inside < waiters)
		die(1, "only %d of %d threads inside accept4 after %d ms", inside, waiters,
		    NET_WAIT_MS);
	for (i = 0; i < waiters; i++) {
		int err;

		cfd[i] = net_socket(AF_INET, SOCK_STREAM);
		err = tcp_connect(cfd[i], &srv);
		if (err)
			die(1, "connect %d: %s", i, strerror(err));
	}
	for (i = 0; i < waiters; i++) {
		pthread_join(th[i], NULL);
		if (ws[i].fd < 0)
			die(1, "thread %d accepted nothing", i);
		snprintf(ports + strlen(ports), sizeof ports - strlen(ports), "%s%d", i ? "," : "",
			 ws[i].peer_port);
	}
	for (i = 0; i < waiters; i++) {
		close(cfd[i]);
		close(ws[i].fd);
	}
	close_settle(lfd);
	j_begin("net-accept-waiting");
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("waiters", waiters);
	j_str("client_ports", ports);
}
