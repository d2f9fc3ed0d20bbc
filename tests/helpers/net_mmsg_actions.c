/*
 * net_mmsg_actions.c - sendmmsg/recvmmsg batches whose messages go to
 * different peers: what glibc's resolver does (its A and AAAA queries in
 * one sendmmsg), and a batch longer than the sensor examines per call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actions.h"
#include "net_actions.h"

/* Messages the sensor examines per sendmmsg/recvmmsg (NJ_MMSG_MAX). */
#define MMSG_EXAMINED 8
#define MMSG_PAST 3
#define MMSG_LONG (MMSG_EXAMINED + MMSG_PAST)
#define DNS_ANSWER_IP "127.8.9.10"

/* What the namespace's child did, for the action to print. */
struct mmsg_run {
	pid_t client_pid;
	int client_port, peer_ports[2];
};

static void mmsg_set(struct mmsghdr *mm, struct iovec *iov, void *buf, size_t len,
		     struct net_addr *name)
{
	memset(mm, 0, sizeof *mm);
	iov->iov_base = buf;
	iov->iov_len = len;
	mm->msg_hdr.msg_iov = iov;
	mm->msg_hdr.msg_iovlen = 1;
	mm->msg_hdr.msg_name = &name->ss;
	mm->msg_hdr.msg_namelen = name->len;
}

/* One sendmmsg of all n, each message sent whole. */
static void sendmmsg_all(int fd, struct mmsghdr *mm, unsigned n, const size_t *lens)
{
	int r = sendmmsg(fd, mm, n, 0);
	unsigned i;

	if (r != (int)n)
		die(1, "sendmmsg: %d of %u sent (%s)", r, n, r < 0 ? strerror(errno) : "short");
	for (i = 0; i < n; i++)
		if (mm[i].msg_len != lens[i])
			die(1, "sendmmsg: message %u sent %u bytes of %zu", i, mm[i].msg_len,
			    lens[i]);
}

/* The server on 127.0.0.1:53 answers the two queries it got, A then
 * AAAA, in the order they came. */
static void serve_two(int srv)
{
	unsigned want[2] = {T_A, T_AAAA};
	int i;

	for (i = 0; i < 2; i++) {
		unsigned char q[512], r[512];
		struct net_addr peer;
		unsigned qtype;
		size_t n = dns_recv_query(srv, q, sizeof q, &peer), rlen;

		rlen = dns_answer_make(q, n, r, sizeof r, DNS_ANSWER_IP, &qtype);
		if (qtype != want[i])
			die(1, "DNS query %d asked for type %u, expected %u", i, qtype, want[i]);
		dns_send_answer(srv, r, rlen, &peer);
	}
}

/* Both answers with recvmmsg: one call when both are queued (loopback
 * queues them before sendto returns), more (bounded) otherwise. */
static void recv_two_answers(int fd)
{
	unsigned char bufs[2][512];
	struct net_addr from[2];
	struct mmsghdr mm[2];
	struct iovec iov[2];
	int got = 0, i;

	while (got < 2) {
		int r;

		for (i = got; i < 2; i++) {
			from[i].len = sizeof from[i].ss;
			mmsg_set(&mm[i], &iov[i], bufs[i], sizeof bufs[i], &from[i]);
		}
		wait_fd(fd, POLLIN, "the DNS answers");
		r = recvmmsg(fd, mm + got, (unsigned)(2 - got), MSG_DONTWAIT, NULL);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			die_errno("recvmmsg");
		got += r > 0 ? r : 0;
	}
	for (i = 0; i < 2; i++) {
		from[i].len = mm[i].msg_hdr.msg_namelen;
		if (addr_port(&from[i]) != 53)
			die(1, "DNS answer %d came from port %d", i, addr_port(&from[i]));
		if (mm[i].msg_len < 12 || (bufs[i][0] << 8 | bufs[i][1]) != DNS_ID + i)
			die(1, "DNS answer %d is not the answer to query 0x%04x", i, DNS_ID + i);
	}
}

/* In a namespace of its own (the server takes port 53): one unconnected
 * client socket sends A and AAAA queries and one datagram to each of two
 * other peers in one sendmmsg, then reads both answers in one recvmmsg. */
static _Noreturn void dns_mmsg_child(struct mmsg_run *run)
{
	unsigned char qa[512], qaaaa[512], hello[2][16];
	struct net_addr srv, peers[2];
	struct mmsghdr mm[4];
	struct iovec iov[4];
	size_t lens[4];
	int fd, srvfd, rx[2], i;

	netns_enter_new();
	srvfd = net_socket(AF_INET, SOCK_DGRAM);
	net_bind(srvfd, "127.0.0.1", 53, &srv);
	for (i = 0; i < 2; i++) {
		rx[i] = net_socket(AF_INET, SOCK_DGRAM);
		net_bind(rx[i], i ? "127.0.0.3" : "127.0.0.2", 0, &peers[i]);
		run->peer_ports[i] = addr_port(&peers[i]);
		memset(hello[i], 'a' + i, sizeof hello[i]);
	}
	fd = net_socket(AF_INET, SOCK_DGRAM);
	lens[0] = dns_query_make(qa, sizeof qa, DNS_ID, T_A);
	lens[1] = dns_query_make(qaaaa, sizeof qaaaa, DNS_ID + 1, T_AAAA);
	lens[2] = lens[3] = sizeof hello[0];
	mmsg_set(&mm[0], &iov[0], qa, lens[0], &srv);
	mmsg_set(&mm[1], &iov[1], qaaaa, lens[1], &srv);
	mmsg_set(&mm[2], &iov[2], hello[0], lens[2], &peers[0]);
	mmsg_set(&mm[3], &iov[3], hello[1], lens[3], &peers[1]);
	run->client_pid = getpid();
	sendmmsg_all(fd, mm, 4, lens);
	run->client_port = local_port(fd);
	serve_two(srvfd);
	recv_two_answers(fd);
	for (i = 0; i < 2; i++)
		close(rx[i]);
	close(srvfd);
	close(fd);
	_exit(0);
}

void act_dns_mmsg(void)
{
	struct mmsg_run *run = shared_mem(sizeof *run);
	pid_t child = net_fork();

	if (child == 0)
		dns_mmsg_child(run);
	reap(child, "namespace child");
	j_begin("net-dns-mmsg");
	j_num("client_pid", run->client_pid);
	j_num("client_port", run->client_port);
	j_num("peer2_port", run->peer_ports[0]);
	j_num("peer3_port", run->peer_ports[1]);
	j_num("query_id", DNS_ID);
	j_str("name", DNS_NAME);
	j_str("answer_ip", DNS_ANSWER_IP);
}

/* One sendmmsg of MMSG_LONG datagrams: message i to receiver i for the
 * first MMSG_EXAMINED, the rest to receiver 0 again. */
void act_udp_mmsg_long(void)
{
	struct net_addr rxa[MMSG_EXAMINED];
	struct mmsghdr mm[MMSG_LONG];
	struct iovec iov[MMSG_LONG];
	unsigned char buf[MMSG_LONG][32];
	size_t lens[MMSG_LONG];
	int rx[MMSG_EXAMINED], tx, i;
	char key[16];

	for (i = 0; i < MMSG_EXAMINED; i++) {
		rx[i] = net_socket(AF_INET, SOCK_DGRAM);
		net_bind(rx[i], "127.0.0.1", 0, &rxa[i]);
	}
	tx = net_socket(AF_INET, SOCK_DGRAM);
	net_bind(tx, "127.0.0.1", 0, NULL);
	for (i = 0; i < MMSG_LONG; i++) {
		lens[i] = sizeof buf[i];
		memset(buf[i], 'a' + i, sizeof buf[i]);
		mmsg_set(&mm[i], &iov[i], buf[i], lens[i], &rxa[i < MMSG_EXAMINED ? i : 0]);
	}
	sendmmsg_all(tx, mm, MMSG_LONG, lens);
	j_begin("net-udp-mmsg-long");
	j_num("pid", getpid());
	j_num("sender_port", local_port(tx));
	j_num("datagrams", MMSG_LONG);
	j_num("bytes", sizeof buf[0]);
	for (i = 0; i < MMSG_EXAMINED; i++) {
		snprintf(key, sizeof key, "port%d", i);
		j_num(key, addr_port(&rxa[i]));
		close(rx[i]);
	}
	close(tx);
}
