/*
 * net_dns_actions.c - the net family's DNS actions: a DNS server and a
 * client on UDP port 53, in network namespaces the action makes, so that
 * nothing of the machine's own resolver is involved and the parent stays
 * in the root namespace.  Answers are real DNS messages (a CNAME chain
 * with compression pointers, an NXDOMAIN), or garbage both ways; one run
 * goes across a veth pair between two namespaces, made with rtnetlink
 * itself (no `ip` command is run; the matrix VMs have busybox only).
 *
 * The children write what they did (pids, ports) into a struct dns_run in
 * shared memory; the action prints it once every child is reaped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "actions.h"
#include "net_actions.h"

#define DNS_TARGET "edge.nightjar-test.example"
#define VETH_SERVER "njv-srv"
#define VETH_CLIENT "njv-cli"
#define VETH_SERVER_IP "10.199.0.1"
#define VETH_CLIENT_IP "10.199.0.2"
/* linux/if.h's, which cannot be included beside net/if.h (RFC 2863). */
#define NJ_IF_OPER_UP 6

enum { T_CNAME = 5, C_IN = 1 };
enum { F_QR = 0x8000, F_RD = 0x0100, F_RA = 0x0080, RCODE_MASK = 0xf, RCODE_NXDOMAIN = 3 };
enum dns_mode { DNS_ANSWER, DNS_NXDOMAIN, DNS_GARBAGE };

/* What a run does (set before the forks) and what its children did. */
struct dns_run {
	enum dns_mode mode;
	int connected; /* the client connect()s, then send()/recv() */
	int tcp_after; /* then connects to answer_ip over TCP */
	unsigned qtype;
	const char *server_ip, *client_ip, *answer_ip; /* client_ip NULL: not bound */
	pid_t client_pid, server_pid;
	int client_port, tcp_port;
};

/* Not DNS: qdcount 1, then a question name that is a pointer to itself. */
static const unsigned char dns_bad_query[40] = {
	0x6e, 0x6a, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x0c,
	0x00, 0x01, 0x00, 0x01, 0x5d, 0xe2, 0x0b, 0x97, 0x31, 0xc4, 0x7a, 0x08, 0xee, 0x52,
	0x96, 0x3f, 0x14, 0xa9, 0xd0, 0x6b, 0x27, 0xf1, 0x88, 0x3c, 0x45, 0xbe,
};

/* The answer to it: QR set, ancount 0xffff, nothing else meaningful. */
static const unsigned char dns_garbage[30] = {
	0x9e, 0x31, 0xf3, 0x8b, 0x00, 0xa5, 0xff, 0xff, 0x3c, 0x1d, 0xe2, 0x07, 0x61, 0xd8, 0x0f,
	0x4e, 0xb3, 0x29, 0x97, 0x70, 0x05, 0xca, 0x5f, 0x12, 0xfe, 0x84, 0x3b, 0xa6, 0x6d, 0xc0,
};

/* ------------------------------------------------------------------------ */
/* DNS messages.                                                             */

struct dns_msg {
	unsigned char b[512];
	size_t len;
	/* Every name suffix written so far and where: compression targets. */
	const char *names[16];
	size_t offs[16];
	int n;
};

static void put8(struct dns_msg *m, unsigned v)
{
	if (m->len >= sizeof m->b)
		die(1, "DNS message longer than %zu bytes", sizeof m->b);
	m->b[m->len++] = (unsigned char)v;
}

static void put16(struct dns_msg *m, unsigned v)
{
	put8(m, (v >> 8) & 0xff);
	put8(m, v & 0xff);
}

static void put_bytes(struct dns_msg *m, const void *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put8(m, ((const unsigned char *)p)[i]);
}

static void put_header(struct dns_msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	m->len = 0;
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* A name in wire form: its labels up to the longest suffix already in the
 * message, then a pointer to that suffix (or the root label). */
static void put_name(struct dns_msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);
		int i;

		for (i = 0; i < m->n; i++) {
			if (strcasecmp(m->names[i], name) == 0) {
				put16(m, 0xc000 | (unsigned)m->offs[i]);
				return;
			}
		}
		if (len == 0 || len > 63)
			die(1, "bad DNS label in \"%s\"", name);
		if (m->n < 16 && m->len < 0x4000) {
			m->names[m->n] = name;
			m->offs[m->n++] = m->len;
		}
		put8(m, (unsigned)len);
		put_bytes(m, name, len);
		name += len + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void put_question(struct dns_msg *m, const char *name, unsigned qtype)
{
	put_name(m, name);
	put16(m, qtype);
	put16(m, C_IN);
}

/* A record's head; the caller writes the rdata, then calls rr_end. */
static size_t rr_begin(struct dns_msg *m, const char *name, unsigned type, unsigned ttl)
{
	size_t rdlength_at;

	put_name(m, name);
	put16(m, type);
	put16(m, C_IN);
	put16(m, ttl >> 16);
	put16(m, ttl & 0xffff);
	rdlength_at = m->len;
	put16(m, 0);
	return rdlength_at;
}

static void rr_end(struct dns_msg *m, size_t rdlength_at)
{
	size_t n = m->len - rdlength_at - 2;

	m->b[rdlength_at] = (unsigned char)(n >> 8);
	m->b[rdlength_at + 1] = (unsigned char)(n & 0xff);
}

static void ipv4_bytes(const char *ip, unsigned char out[4])
{
	if (inet_pton(AF_INET, ip, out) != 1)
		die(1, "bad IPv4 address %s", ip);
}

struct dns_question {
	unsigned id, flags, qtype;
	char name[256];
};

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* A query's header and question: plain labels only (no pointer); -1
 * when it is not such a query. */
static int parse_query(const unsigned char *b, size_t n, struct dns_question *q)
{
	size_t at = 12, out = 0;

	if (n < 12 || get16(b + 4) != 1)
		return -1;
	q->id = get16(b);
	q->flags = get16(b + 2);
	while (at < n && b[at] != 0) {
		size_t len = b[at];

		if (len > 63 || at + 1 + len >= n || out + len + 2 > sizeof q->name)
			return -1;
		if (out)
			q->name[out++] = '.';
		memcpy(q->name + out, b + at + 1, len);
		out += len;
		at += 1 + len;
	}
	if (at + 5 > n) /* the root label, qtype, qclass */
		return -1;
	q->name[out] = '\0';
	q->qtype = get16(b + at + 1);
	return 0;
}

/* The answer: the question echoed, then (DNS_ANSWER) name CNAME target
 * TTL 300 and target A answer_ip TTL 60, or (DNS_NXDOMAIN) nothing. */
static void build_answer(struct dns_msg *m, const struct dns_question *q, const struct dns_run *run)
{
	unsigned flags = F_QR | (q->flags & F_RD) | F_RA;
	unsigned char ip[4];
	size_t at;

	if (run->mode == DNS_NXDOMAIN) {
		put_header(m, q->id, flags | RCODE_NXDOMAIN, 1, 0);
		put_question(m, q->name, q->qtype);
		return;
	}
	put_header(m, q->id, flags, 1, 2);
	put_question(m, q->name, q->qtype);
	at = rr_begin(m, q->name, T_CNAME, 300);
	put_name(m, DNS_TARGET);
	rr_end(m, at);
	at = rr_begin(m, DNS_TARGET, T_A, 60);
	ipv4_bytes(run->answer_ip, ip);
	put_bytes(m, ip, sizeof ip);
	rr_end(m, at);
}

/* What the client checks of the answer it got. */
static void check_answer(const unsigned char *r, size_t n, const struct dns_run *run)
{
	unsigned char ip[4];
	unsigned rcode, an;

	if (run->mode == DNS_GARBAGE) {
		if (n != sizeof dns_garbage || memcmp(r, dns_garbage, n) != 0)
			die(1, "the garbage answer arrived changed (%zu bytes)", n);
		return;
	}
	if (n < 12 || get16(r) != DNS_ID || !(get16(r + 2) & F_QR))
		die(1, "not an answer to query 0x%04x (%zu bytes)", DNS_ID, n);
	rcode = get16(r + 2) & RCODE_MASK;
	an = get16(r + 6);
	if (run->mode == DNS_NXDOMAIN) {
		if (rcode != RCODE_NXDOMAIN || an != 0)
			die(1, "answer rcode %u, ancount %u (expected NXDOMAIN, 0)", rcode, an);
		return;
	}
	ipv4_bytes(run->answer_ip, ip);
	if (rcode != 0 || an != 2)
		die(1, "answer rcode %u, ancount %u (expected 0, 2)", rcode, an);
	if (memcmp(r + n - 4, ip, 4) != 0) /* the A record comes last */
		die(1, "the A record is not %s", run->answer_ip);
}

size_t dns_query_make(unsigned char *out, size_t cap, unsigned id, unsigned qtype)
{
	struct dns_msg m;

	put_header(&m, id, F_RD, 1, 0);
	put_question(&m, DNS_NAME, qtype);
	if (m.len > cap)
		die(1, "a DNS query of %zu bytes does not fit in %zu", m.len, cap);
	memcpy(out, m.b, m.len);
	return m.len;
}

size_t dns_answer_make(const unsigned char *q, size_t n, unsigned char *out, size_t cap,
		       const char *answer_ip, unsigned *qtype)
{
	struct dns_run run = {.mode = DNS_ANSWER, .answer_ip = answer_ip};
	struct dns_question dq;
	struct dns_msg m;

	if (parse_query(q, n, &dq) != 0)
		die(1, "the DNS server got a malformed query (%zu bytes)", n);
	build_answer(&m, &dq, &run);
	if (m.len > cap)
		die(1, "a DNS answer of %zu bytes does not fit in %zu", m.len, cap);
	memcpy(out, m.b, m.len);
	*qtype = dq.qtype;
	return m.len;
}

/* ------------------------------------------------------------------------ */
/* Server and client.                                                        */

static void server_reply(int fd, const unsigned char *q, size_t n, const struct net_addr *peer,
			 const struct dns_run *run)
{
	struct dns_question dq;
	struct dns_msg m;
	const void *r = dns_garbage;
	size_t rlen = sizeof dns_garbage;

	if (run->mode == DNS_GARBAGE) {
		if (n != sizeof dns_bad_query || memcmp(q, dns_bad_query, n) != 0)
			die(1, "the DNS server got another payload than the bad query");
	} else {
		if (parse_query(q, n, &dq) != 0)
			die(1, "the DNS server got a malformed query (%zu bytes)", n);
		if (dq.qtype != run->qtype)
			die(1, "the DNS server got qtype %u, expected %u", dq.qtype, run->qtype);
		build_answer(&m, &dq, run);
		r = m.b;
		rlen = m.len;
	}
	dns_send_answer(fd, r, rlen, peer);
}

/* The server's socket on server_ip:53, bound by the server itself. */
static int dns_bind(struct dns_run *run)
{
	int fd = net_socket(AF_INET, SOCK_DGRAM);

	net_bind(fd, run->server_ip, 53, NULL);
	run->server_pid = getpid();
	return fd;
}

size_t dns_recv_query(int fd, unsigned char *q, size_t cap, struct net_addr *peer)
{
	ssize_t n;

	wait_fd(fd, POLLIN, "the DNS query");
	peer->len = sizeof peer->ss;
	n = recvfrom(fd, q, cap, 0, (struct sockaddr *)&peer->ss, &peer->len);
	if (n < 0)
		die_errno("recvfrom (DNS query)");
	return (size_t)n;
}

void dns_send_answer(int fd, const void *r, size_t n, const struct net_addr *peer)
{
	if (sendto(fd, r, n, 0, (const struct sockaddr *)&peer->ss, peer->len) != (ssize_t)n)
		die_errno("sendto (DNS answer)");
}

/* The server answers one query, then exits. */
static _Noreturn void dns_answer_one(int fd, const struct dns_run *run)
{
	unsigned char q[512];
	struct net_addr peer;
	size_t n = dns_recv_query(fd, q, sizeof q, &peer);

	server_reply(fd, q, n, &peer, run);
	close(fd);
	_exit(0);
}

/* The server child: bound, says so on ready_fd, answers one query. */
static _Noreturn void dns_server(struct dns_run *run, int ready_fd)
{
	int fd = dns_bind(run);

	ready_send(ready_fd, 0);
	close(ready_fd);
	dns_answer_one(fd, run);
}

/* Sends q to srv and receives the answer (from srv:53); its length. */
static size_t exchange(int fd, const struct net_addr *srv, const void *q, size_t qlen,
		       unsigned char *r, size_t rcap, int connected)
{
	struct net_addr peer;
	ssize_t n;

	if (connected) {
		if (connect(fd, (const struct sockaddr *)&srv->ss, srv->len) != 0)
			die_errno("connect to the DNS server");
		n = send(fd, q, qlen, 0);
	} else {
		n = sendto(fd, q, qlen, 0, (const struct sockaddr *)&srv->ss, srv->len);
	}
	if (n != (ssize_t)qlen)
		die(1, "sending the DNS query: %s", n < 0 ? strerror(errno) : "short");
	wait_fd(fd, POLLIN, "the DNS answer");
	peer.len = sizeof peer.ss;
	if (connected)
		n = recv(fd, r, rcap, 0);
	else
		n = recvfrom(fd, r, rcap, 0, (struct sockaddr *)&peer.ss, &peer.len);
	if (n < 0)
		die_errno("receiving the DNS answer");
	if (!connected && addr_port(&peer) != 53)
		die(1, "the DNS answer came from port %d", addr_port(&peer));
	return (size_t)n;
}

/* A TCP connection to ip (listener, connect, accept, close); the port. */
static int tcp_touch(const char *ip)
{
	struct net_addr srv;
	int lfd = tcp_listener(ip, &srv), cfd = net_socket(AF_INET, SOCK_STREAM), afd, err;

	err = tcp_connect(cfd, &srv);
	if (err)
		die(1, "connect to %s:%d: %s", ip, addr_port(&srv), strerror(err));
	afd = tcp_accept(lfd);
	close_settle(cfd);
	close_settle(afd);
	close_settle(lfd);
	return addr_port(&srv);
}

static void dns_client(struct dns_run *run)
{
	unsigned char r[512], qbuf[512];
	struct net_addr srv;
	const void *q = dns_bad_query;
	size_t qlen = sizeof dns_bad_query, n;
	int fd = net_socket(AF_INET, SOCK_DGRAM);

	run->client_pid = getpid();
	addr_set(&srv, run->server_ip, 53);
	if (run->client_ip)
		net_bind(fd, run->client_ip, 0, NULL);
	if (run->mode != DNS_GARBAGE) {
		qlen = dns_query_make(qbuf, sizeof qbuf, DNS_ID, run->qtype);
		q = qbuf;
	}
	n = exchange(fd, &srv, q, qlen, r, sizeof r, run->connected);
	run->client_port = local_port(fd);
	close(fd);
	check_answer(r, n, run);
	if (run->tcp_after)
		run->tcp_port = tcp_touch(run->answer_ip);
}

/* ------------------------------------------------------------------------ */
/* Network namespaces, interfaces, rtnetlink.                                */

static void ifr_init(struct ifreq *ifr, const char *name)
{
	size_t n = strlen(name);

	if (n >= IFNAMSIZ)
		die(1, "interface name %s too long", name);
	memset(ifr, 0, sizeof *ifr);
	memcpy(ifr->ifr_name, name, n);
}

/* Any socket serves for an interface ioctl; an AF_UNIX one is not one
 * more inet socket for the sensor to report. */
static void if_ioctl(unsigned long req, struct ifreq *ifr, const char *what)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_errno("socket AF_UNIX");
	if (ioctl(fd, req, ifr) != 0)
		die(1, "%s %s: %s", what, ifr->ifr_name, strerror(errno));
	close(fd);
}

static void link_up(const char *name)
{
	struct ifreq ifr;

	ifr_init(&ifr, name);
	if_ioctl(SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if_ioctl(SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS");
}

static int link_index(const char *name)
{
	struct ifreq ifr;

	ifr_init(&ifr, name);
	if_ioctl(SIOCGIFINDEX, &ifr, "SIOCGIFINDEX");
	return ifr.ifr_ifindex;
}

void netns_enter_new(void)
{
	if (unshare(CLONE_NEWNET) != 0) {
		if (errno == EINVAL)
			die(77, "unshare(CLONE_NEWNET): no network namespaces in this kernel");
		die_errno("unshare(CLONE_NEWNET)");
	}
	link_up("lo");
}

struct nl_req {
	struct nlmsghdr h;
	unsigned char body[512];
};

static void nl_init(struct nl_req *r, unsigned type, unsigned flags, const void *hdr, size_t n)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_type = (unsigned short)type;
	r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | flags);
	r->h.nlmsg_len = NLMSG_LENGTH(n);
	memcpy(NLMSG_DATA(&r->h), hdr, n);
}

/* Appends an attribute; returns it so that a nest can be closed later. */
static struct rtattr *nl_put(struct nl_req *r, unsigned type, const void *data, size_t n)
{
	size_t at = NLMSG_ALIGN(r->h.nlmsg_len);
	struct rtattr *a = (struct rtattr *)((char *)r + at);

	if (at + RTA_SPACE(n) > sizeof *r)
		die(1, "netlink request too long");
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	if (n)
		memcpy(RTA_DATA(a), data, n);
	r->h.nlmsg_len = (unsigned)(at + RTA_SPACE(n));
	return a;
}

static void nl_end(struct nl_req *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)r + r->h.nlmsg_len - (char *)nest);
}

/* A netlink answer: one message, possibly cut at the buffer's end. */
union nl_answer {
	struct nlmsghdr h;
	char buf[8192];
};

/* Sends the request, receives the kernel's first answer; its length. */
static size_t nl_roundtrip(struct nl_req *r, union nl_answer *ans)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (fd < 0)
		die_errno("socket NETLINK_ROUTE");
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		die_errno("sendto NETLINK_ROUTE");
	wait_fd(fd, POLLIN, "the netlink answer");
	n = recv(fd, ans, sizeof *ans, 0);
	close(fd);
	if (n < (ssize_t)sizeof ans->h)
		die(1, "short netlink answer");
	return (size_t)n;
}

static int nl_error(const union nl_answer *ans, size_t n)
{
	if (ans->h.nlmsg_type != NLMSG_ERROR || n < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		die(1, "unexpected netlink answer (type %u)", ans->h.nlmsg_type);
	return -((const struct nlmsgerr *)NLMSG_DATA(&ans->h))->error;
}

/* The kernel's answer to a request with NLM_F_ACK: 0 or an errno value. */
static int nl_talk(struct nl_req *r)
{
	union nl_answer ans;
	size_t n = nl_roundtrip(r, &ans);

	return nl_error(&ans, n);
}

/* IFLA_OPERSTATE of a link (RTM_GETLINK). */
static unsigned link_operstate(int index)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	union nl_answer ans;
	struct nl_req r;
	struct rtattr *a;
	size_t n, head = NLMSG_LENGTH(sizeof ifi);
	int len;

	nl_init(&r, RTM_GETLINK, 0, &ifi, sizeof ifi);
	n = nl_roundtrip(&r, &ans);
	if (ans.h.nlmsg_type == NLMSG_ERROR)
		die(1, "RTM_GETLINK %d: %s", index, strerror(nl_error(&ans, n)));
	if (ans.h.nlmsg_type != RTM_NEWLINK || n < head)
		die(1, "RTM_GETLINK %d: unexpected answer (type %u)", index, ans.h.nlmsg_type);
	/* The attributes received, whatever the header claims. */
	if (ans.h.nlmsg_len < n)
		n = ans.h.nlmsg_len;
	len = (int)(n - NLMSG_ALIGN(head));
	for (a = IFLA_RTA(NLMSG_DATA(&ans.h)); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_OPERSTATE)
			return *(unsigned char *)RTA_DATA(a);
	die(1, "RTM_GETLINK %d: no IFLA_OPERSTATE", index);
}

/* Waits until the link watcher has applied a link's carrier (see
 * veth_server). */
static void wait_oper_up(const char *name)
{
	int index = link_index(name), waited;

	for (waited = 0; waited < NET_WAIT_MS; waited += 2) {
		if (link_operstate(index) == NJ_IF_OPER_UP)
			return;
		sleep_ms(2);
	}
	die(1, "%s: not operational after %d ms", name, NET_WAIT_MS);
}

/* A veth pair: `name` here, `peer` in the network namespace of pid. */
static int veth_create(const char *name, const char *peer, pid_t pid)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	uint32_t ns_pid = (uint32_t)pid;
	struct rtattr *info, *data, *peer_info;
	struct nl_req r;

	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof ifi);
	nl_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = nl_put(&r, IFLA_LINKINFO, NULL, 0);
	nl_put(&r, IFLA_INFO_KIND, "veth", 4);
	data = nl_put(&r, IFLA_INFO_DATA, NULL, 0);
	peer_info = nl_put(&r, VETH_INFO_PEER, &ifi, sizeof ifi);
	nl_put(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	nl_put(&r, IFLA_NET_NS_PID, &ns_pid, sizeof ns_pid);
	nl_end(&r, peer_info);
	nl_end(&r, data);
	nl_end(&r, info);
	return nl_talk(&r);
}

static void addr_add(const char *ifname, const char *ip, int prefix)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix};
	unsigned char a[4];
	struct nl_req r;
	int err;

	ifa.ifa_index = (unsigned)link_index(ifname);
	ipv4_bytes(ip, a);
	nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifa, sizeof ifa);
	nl_put(&r, IFA_LOCAL, a, sizeof a);
	nl_put(&r, IFA_ADDRESS, a, sizeof a);
	err = nl_talk(&r);
	if (err)
		die(1, "RTM_NEWADDR %s/%d on %s: %s", ip, prefix, ifname, strerror(err));
}

/* ------------------------------------------------------------------------ */
/* Runs and actions.                                                         */

static struct dns_run *dns_run_new(enum dns_mode mode, int connected, unsigned qtype)
{
	struct dns_run *run = shared_mem(sizeof *run);

	run->mode = mode;
	run->connected = connected;
	run->qtype = qtype;
	run->server_ip = "127.0.0.1";
	run->answer_ip = "127.8.9.10";
	return run;
}

/* In a namespace of its own: forks the server, then is the client. */
static _Noreturn void netns_pair_child(netns_server_fn server, netns_client_fn client, void *arg)
{
	int ready[2];
	pid_t pid;

	netns_enter_new();
	ready_pipe(ready);
	pid = net_fork();
	if (pid == 0) {
		close(ready[0]);
		server(arg, ready[1]);
		_exit(0);
	}
	close(ready[1]);
	if (ready_wait(ready[0], NULL, "the DNS server") != 0) {
		reap(pid, "DNS server"); /* dies with the server's reason */
		die(1, "the DNS server exited before binding");
	}
	close(ready[0]);
	client(arg);
	reap(pid, "DNS server");
	_exit(0);
}

void netns_pair(netns_server_fn server, netns_client_fn client, void *arg)
{
	pid_t child = net_fork();

	if (child == 0)
		netns_pair_child(server, client, arg);
	reap(child, "namespace child");
}

static void dns_server_fn(void *run, int ready_fd)
{
	dns_server(run, ready_fd);
}

static void dns_client_fn(void *run)
{
	dns_client(run);
}

/* A run in a private namespace; the action's process stays in its own. */
static void dns_in_netns(struct dns_run *run)
{
	netns_pair(dns_server_fn, dns_client_fn, run);
}

static void j_dns(const char *action, const struct dns_run *run)
{
	j_begin(action);
	j_num("client_pid", run->client_pid);
	j_num("server_pid", run->server_pid);
	j_num("client_port", run->client_port);
}

void act_dns(void)
{
	struct dns_run *run = dns_run_new(DNS_ANSWER, 1, T_A);

	run->tcp_after = 1;
	dns_in_netns(run);
	j_dns("net-dns", run);
	j_str("name", DNS_NAME);
	j_str("answer_ip", run->answer_ip);
	j_num("tcp_port", run->tcp_port);
	j_num("query_id", DNS_ID);
}

void act_dns_unconnected(void)
{
	struct dns_run *run = dns_run_new(DNS_NXDOMAIN, 0, T_AAAA);

	dns_in_netns(run);
	j_dns("net-dns-unconnected", run);
	j_str("name", DNS_NAME);
	j_num("query_id", DNS_ID);
}

void act_dns_malformed(void)
{
	struct dns_run *run = dns_run_new(DNS_GARBAGE, 0, T_A);

	dns_in_netns(run);
	j_dns("net-dns-malformed", run);
}

/* The client's side: its namespace made, it waits until the server's side
 * has made the pair (the go), brings its end up, then waits until the
 * server's end carries packets (link_ok) before the query. */
static _Noreturn void veth_client(struct dns_run *run, int ready_fd, int go_fd, int link_ok_fd)
{
	netns_enter_new();
	ready_send(ready_fd, 0);
	close(ready_fd);
	if (ready_wait(go_fd, NULL, "the go from the action") != 0)
		_exit(0); /* the server's side failed; the action says why */
	addr_add(VETH_CLIENT, VETH_CLIENT_IP, 30);
	link_up(VETH_CLIENT);
	if (ready_wait(link_ok_fd, NULL, "the server's link") != 0)
		die(1, "the server's side exited before its link was up");
	dns_client(run);
	_exit(0);
}

/*
 * The end that comes up second is usable at once; the first one (the
 * server's) only once the kernel's link watcher has applied the carrier
 * the second brought, asynchronously.  Until then it drops what it sends
 * (an ARP reply: the client's ARP request is retried a second later), so
 * the server waits for its end's operational state before link_ok.
 */
static _Noreturn void veth_server(struct dns_run *run, pid_t client, int ready_fd, int link_ok_fd)
{
	int err, fd;

	netns_enter_new();
	err = veth_create(VETH_SERVER, VETH_CLIENT, client);
	if (err == EOPNOTSUPP || err == ENOENT)
		die(77, "creating a veth pair: %s (no veth driver)", strerror(err));
	if (err)
		die(1, "creating a veth pair: %s", strerror(err));
	addr_add(VETH_SERVER, VETH_SERVER_IP, 30);
	link_up(VETH_SERVER);
	fd = dns_bind(run);
	ready_send(ready_fd, 0);
	close(ready_fd);
	wait_oper_up(VETH_SERVER);
	ready_send(link_ok_fd, 0);
	close(link_ok_fd);
	dns_answer_one(fd, run);
}

/* The client's namespace first (the pair's peer goes into it), then the
 * server's, which makes the pair; then the client may set its end up. */
void act_dns_veth(void)
{
	struct dns_run *run = dns_run_new(DNS_ANSWER, 1, T_A);
	int cready[2], go[2], sready[2], link_ok[2];
	pid_t client, server;

	run->server_ip = run->answer_ip = VETH_SERVER_IP;
	run->client_ip = VETH_CLIENT_IP;
	ready_pipe(cready);
	ready_pipe(go);
	ready_pipe(link_ok);
	client = net_fork();
	if (client == 0) {
		close(cready[0]);
		close(go[1]);
		close(link_ok[1]);
		veth_client(run, cready[1], go[0], link_ok[0]);
	}
	close(cready[1]);
	close(go[0]);
	close(link_ok[0]);
	if (ready_wait(cready[0], NULL, "the client's namespace") != 0) {
		reap(client, "veth client");
		die(1, "the veth client exited early");
	}
	close(cready[0]);
	ready_pipe(sready);
	server = net_fork();
	if (server == 0) {
		close(sready[0]);
		close(go[1]);
		veth_server(run, client, sready[1], link_ok[1]);
	}
	close(sready[1]);
	close(link_ok[1]);
	if (ready_wait(sready[0], NULL, "the DNS server") != 0) {
		close(go[1]); /* the client leaves without a query */
		reap(client, "veth client");
		reap(server, "veth DNS server"); /* dies with its reason: 77 = no veth */
		die(1, "the DNS server exited before binding");
	}
	close(sready[0]);
	/* A client gone meanwhile makes this write fail (EPIPE), not kill. */
	signal(SIGPIPE, SIG_IGN);
	ready_send(go[1], 0);
	close(go[1]);
	reap(client, "veth client");
	reap(server, "veth DNS server");
	j_dns("net-dns-veth", run);
	j_str("name", DNS_NAME);
	j_str("answer_ip", run->answer_ip);
	j_str("server_ip", run->server_ip);
	j_str("client_ip", run->client_ip);
}
