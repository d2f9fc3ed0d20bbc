/*
 * net_dns_io_actions.c - DNS through calls the UDP syscall pairs do not
 * hook: write(2) and read(2) on a connected UDP socket (Go's resolver), and
 * DNS over TCP the way glibc's resolver does it (one writev of the length
 * and the query; the answer's length read on its own, then the answer).
 * The server and the client run in a network namespace of their own, on
 * 127.0.0.1:53; the children write what they did into shared memory.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "actions.h"
#include "net_actions.h"

#define IO_SERVER_IP "127.0.0.1"
#define IO_ANSWER_IP "127.8.9.11"

enum io_mode { IO_UDP_RW, IO_TCP_GLIBC, IO_TCP_ONE_BUFFER, IO_TCP_PIECES, IO_TCP_PAIR };

/* IO_TCP_PIECES: the answer read in two calls, this many bytes first. */
#define IO_FIRST_PIECE 20

struct io_run {
	enum io_mode mode;
	int tcp;
	pid_t client_pid, server_pid;
	int client_port;
	long query_len, answer_len;
};

static void read_full(int fd, unsigned char *b, size_t n, const char *what)
{
	size_t at = 0;

	while (at < n) {
		ssize_t r;

		wait_fd(fd, POLLIN, what);
		r = read(fd, b + at, n - at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die_errno(what);
		if (r == 0)
			die(1, "%s: the connection closed after %zu of %zu bytes", what, at, n);
		at += (size_t)r;
	}
}

/* The server: bound (says so on ready_fd), answers one query, exits. Over
 * TCP it writes the answer's length and the answer at once, and waits for
 * the client to close first (no TIME_WAIT on port 53 for the next run). */
static _Noreturn void io_server(struct io_run *run, int ready_fd)
{
	unsigned char q[512], r[2 + 512];
	unsigned qtype;
	size_t qlen, rlen;
	int fd = net_socket(AF_INET, run->tcp ? SOCK_STREAM : SOCK_DGRAM);

	net_bind(fd, IO_SERVER_IP, 53, NULL);
	if (run->tcp && listen(fd, 1) != 0)
		die_errno("listen on port 53");
	run->server_pid = getpid();
	ready_send(ready_fd, 0);
	close(ready_fd);
	if (run->tcp) {
		int cfd = tcp_accept(fd), i;

		/* IO_TCP_PAIR: two queries, each answered in turn. */
		for (i = 0; i < (run->mode == IO_TCP_PAIR ? 2 : 1); i++) {
			read_full(cfd, q, 2, "the query's length");
			qlen = (size_t)q[0] << 8 | q[1];
			if (qlen < 12 || qlen > sizeof q)
				die(1, "the DNS server got a query length of %zu", qlen);
			read_full(cfd, q, qlen, "the query");
			rlen = dns_answer_make(q, qlen, r + 2, sizeof r - 2, IO_ANSWER_IP, &qtype);
			r[0] = (unsigned char)(rlen >> 8);
			r[1] = (unsigned char)(rlen & 0xff);
			if (write(cfd, r, rlen + 2) != (ssize_t)(rlen + 2))
				die_errno("write (the DNS answer)");
		}
		wait_fd(cfd, POLLIN, "the client's close");
		close(cfd);
	} else {
		struct net_addr peer;

		qlen = dns_recv_query(fd, q, sizeof q, &peer);
		rlen = dns_answer_make(q, qlen, r, sizeof r, IO_ANSWER_IP, &qtype);
		dns_send_answer(fd, r, rlen, &peer);
	}
	close(fd);
	_exit(0);
}

static void check_answer(const unsigned char *r, size_t n)
{
	unsigned char ip[4];

	if (inet_pton(AF_INET, IO_ANSWER_IP, ip) != 1)
		die(1, "bad address %s", IO_ANSWER_IP);
	if (n < 12 || ((unsigned)r[0] << 8 | r[1]) != DNS_ID || !(r[2] & 0x80) || r[7] != 2 ||
	    memcmp(r + n - 4, ip, 4) != 0)
		die(1, "not the answer to query 0x%04x (%zu bytes)", DNS_ID, n);
}

/* Over TCP: one writev of the length and the query, then the answer's
 * length, then the answer (glibc's send_vc); or the length and the query
 * in one buffer, and the answer read with its length in one read (Go's,
 * dig's). Over UDP: write, then read (Go's resolver). */
static void io_client(struct io_run *run)
{
	unsigned char q[512], r[512], len[2];
	struct net_addr srv;
	size_t qlen = dns_query_make(q, sizeof q, DNS_ID, T_A), rlen;
	int fd = net_socket(AF_INET, run->tcp ? SOCK_STREAM : SOCK_DGRAM);

	run->client_pid = getpid();
	addr_set(&srv, IO_SERVER_IP, 53);
	if (run->mode == IO_TCP_PAIR) {
		unsigned char q2[512], len2[2];
		size_t q2len = dns_query_make(q2, sizeof q2, DNS_ID + 1, T_AAAA);
		struct iovec iov[4] = {{len, 2}, {q, qlen}, {len2, 2}, {q2, q2len}};
		int err = tcp_connect(fd, &srv), i;

		if (err)
			die(1, "connect to the DNS server: %s", strerror(err));
		len[0] = (unsigned char)(qlen >> 8);
		len[1] = (unsigned char)(qlen & 0xff);
		len2[0] = (unsigned char)(q2len >> 8);
		len2[1] = (unsigned char)(q2len & 0xff);
		if (writev(fd, iov, 4) != (ssize_t)(qlen + q2len + 4))
			die_errno("writev (the DNS queries)");
		/* The A answer is checked below; the AAAA one only read. */
		for (i = 1; i >= 0; i--) {
			unsigned char *into = i ? r : q2;
			size_t n;

			read_full(fd, len, 2, "an answer's length");
			n = (size_t)len[0] << 8 | len[1];
			if (n < 12 || n > sizeof r)
				die(1, "an answer length of %zu", n);
			read_full(fd, into, n, "an answer");
			if (i)
				rlen = n;
		}
	} else if (run->mode == IO_TCP_GLIBC || run->mode == IO_TCP_PIECES) {
		struct iovec iov[2] = {{len, 2}, {q, qlen}};
		int err = tcp_connect(fd, &srv);

		if (err)
			die(1, "connect to the DNS server: %s", strerror(err));
		len[0] = (unsigned char)(qlen >> 8);
		len[1] = (unsigned char)(qlen & 0xff);
		if (writev(fd, iov, 2) != (ssize_t)(qlen + 2))
			die_errno("writev (the DNS query)");
		read_full(fd, len, 2, "the answer's length");
		rlen = (size_t)len[0] << 8 | len[1];
		if (rlen < 12 || rlen > sizeof r)
			die(1, "an answer length of %zu", rlen);
		if (run->mode == IO_TCP_PIECES) {
			read_full(fd, r, IO_FIRST_PIECE, "the answer's first piece");
			read_full(fd, r + IO_FIRST_PIECE, rlen - IO_FIRST_PIECE,
				  "the rest of the answer");
		} else {
			read_full(fd, r, rlen, "the answer");
		}
	} else if (run->mode == IO_TCP_ONE_BUFFER) {
		unsigned char b[2 + 512];
		int err = tcp_connect(fd, &srv);
		ssize_t n;

		if (err)
			die(1, "connect to the DNS server: %s", strerror(err));
		b[0] = (unsigned char)(qlen >> 8);
		b[1] = (unsigned char)(qlen & 0xff);
		memcpy(b + 2, q, qlen);
		if (write(fd, b, qlen + 2) != (ssize_t)(qlen + 2))
			die_errno("write (the DNS query)");
		/* The server wrote both at once: on loopback they come in one
		 * read (the rest is read after it if not). */
		wait_fd(fd, POLLIN, "the DNS answer");
		n = read(fd, b, sizeof b);
		if (n < 2 + 12)
			die(1, "read (the DNS answer): %s", n < 0 ? strerror(errno) : "short");
		rlen = (size_t)b[0] << 8 | b[1];
		if (rlen < 12 || rlen > sizeof r || (size_t)n > rlen + 2)
			die(1, "an answer length of %zu in a read of %zd", rlen, n);
		memcpy(r, b + 2, (size_t)n - 2);
		if ((size_t)n < rlen + 2)
			read_full(fd, r + n - 2, rlen + 2 - (size_t)n, "the rest of the answer");
	} else {
		ssize_t n;

		if (connect(fd, (const struct sockaddr *)&srv.ss, srv.len) != 0)
			die_errno("connect to the DNS server");
		if (write(fd, q, qlen) != (ssize_t)qlen)
			die_errno("write (the DNS query)");
		wait_fd(fd, POLLIN, "the DNS answer");
		n = read(fd, r, sizeof r);
		if (n < 0)
			die_errno("read (the DNS answer)");
		rlen = (size_t)n;
	}
	run->client_port = local_port(fd);
	run->query_len = (long)qlen;
	run->answer_len = (long)rlen;
	close(fd);
	check_answer(r, rlen);
}

static void io_server_fn(void *run, int ready_fd)
{
	io_server(run, ready_fd);
}

static void io_client_fn(void *run)
{
	io_client(run);
}

static void io_action(const char *action, enum io_mode mode)
{
	struct io_run *run = shared_mem(sizeof *run);

	run->mode = mode;
	run->tcp = mode != IO_UDP_RW;
	netns_pair(io_server_fn, io_client_fn, run);
	j_begin(action);
	j_num("client_pid", run->client_pid);
	j_num("server_pid", run->server_pid);
	j_num("client_port", run->client_port);
	j_num("query_len", run->query_len);
	j_num("answer_len", run->answer_len);
	j_num("query_id", DNS_ID);
	j_str("name", DNS_NAME);
	j_str("answer_ip", IO_ANSWER_IP);
}

void act_dns_rw(void)
{
	io_action("net-dns-rw", IO_UDP_RW);
}

void act_dns_tcp(void)
{
	io_action("net-dns-tcp", IO_TCP_GLIBC);
}

/* glibc's parallel A and AAAA queries over TCP: one writev of four
 * buffers (length, query, length, query). */
void act_dns_tcp_pair(void)
{
	io_action("net-dns-tcp-pair", IO_TCP_PAIR);
}

/* The answer read in two pieces: only the first is parsed. */
void act_dns_tcp_pieces(void)
{
	io_action("net-dns-tcp-pieces", IO_TCP_PIECES);
	j_num("first_piece", IO_FIRST_PIECE);
}

void act_dns_tcp_one(void)
{
	io_action("net-dns-tcp-one", IO_TCP_ONE_BUFFER);
}
