/*
 * net_actions.h - what the net family's two files share.  net_actions.c
 * holds the socket helpers below, the TCP/UDP/process actions and the
 * family's one table; net_dns_actions.c holds the DNS actions, which run
 * in network namespaces of their own (and across a veth pair);
 * net_mmsg_actions.c the sendmmsg/recvmmsg batches of many peers.
 *
 * Every wait is bounded: a socket, pipe or netlink reply is polled for at
 * most NET_WAIT_MS and the action dies when nothing came; a child is
 * reaped within NET_REAP_MS or killed.  Children are forked with
 * net_fork(), which kills them when the action dies first, so a failed
 * action leaves nothing behind.
 */
#ifndef NJ_NET_ACTIONS_H
#define NJ_NET_ACTIONS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NET_WAIT_MS 5000
/* Longer than a child's few bounded waits in a row. */
#define NET_REAP_MS 20000
#define NET_BACKLOG 7

/* A socket address of either family, with its length. */
struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* ip is IPv4 or IPv6 text (a ':' makes it IPv6); dies when malformed. */
void addr_set(struct net_addr *a, const char *ip, int port);
int addr_port(const struct net_addr *a);
int local_port(int fd);

/* socket(family, type | SOCK_CLOEXEC); no such family (no IPv6) -> 77. */
int net_socket(int family, int type);
/* bind fd to ip:port (0: the kernel picks); *out (if any) = getsockname. */
void net_bind(int fd, const char *ip, int port, struct net_addr *out);
/* A listening TCP socket on ip:0 (IPV6_V6ONLY on for IPv6). */
int tcp_listener(const char *ip, struct net_addr *out);
/* A blocking connect, bounded by SO_SNDTIMEO; 0 or the errno value. */
int tcp_connect(int fd, const struct net_addr *to);
/* accept4 once the listener is readable. */
int tcp_accept(int lfd);
/* poll for `events`; dies after NET_WAIT_MS. Returns revents. */
short wait_fd(int fd, short events, const char *what);
void send_exact(int fd, const void *buf, size_t n, const char *what);
void recv_exact(int fd, void *buf, size_t n, const char *what);
/* close, then give the kernel 50 ms to settle (state changes, timers). */
void close_settle(int fd);

/* fork() of a child that dies with the action. */
pid_t net_fork(void);
/* Bounded waitpid; dies (77 when the child exited 77) unless it exited 0. */
void reap(pid_t pid, const char *who);
/* Memory the children's writes show through (MAP_SHARED). */
void *shared_mem(size_t n);

/* A one-way "I am ready, here is a value" pipe from a child. */
void ready_pipe(int p[2]);
void ready_send(int wfd, int value);
/* 0 with *value, or -1 when the writer closed (exited) without sending. */
int ready_wait(int rfd, int *value, const char *what);

/* net_waiting_actions.c */
void act_accept_waiting(void);

/* net_dns_actions.c */
#define DNS_NAME "www.nightjar-test.example"
#define DNS_ID 0x4a4a
enum { T_A = 1, T_AAAA = 28 };
/* The calling process into a network namespace of its own, lo up. */
void netns_enter_new(void);
/* In a child in a network namespace of its own: forks `server`, which
 * says on ready_fd once it is bound (ready_send) and exits when done, then
 * runs `client`; returns once both are reaped (a failure ends the action
 * with the child's reason). */
typedef void (*netns_server_fn)(void *arg, int ready_fd);
typedef void (*netns_client_fn)(void *arg);
void netns_pair(netns_server_fn server, netns_client_fn client, void *arg);
/* A query for DNS_NAME (RD set) into out; its length. */
size_t dns_query_make(unsigned char *out, size_t cap, unsigned id, unsigned qtype);
/* The answer to query q (dies when q is not one): its question echoed, a
 * CNAME, then an A record of answer_ip; its length, *qtype the question's. */
size_t dns_answer_make(const unsigned char *q, size_t n, unsigned char *out, size_t cap,
		       const char *answer_ip, unsigned *qtype);
/* A server's side: the next query on fd (waited for) and its sender; its
 * length. Then the answer, to that sender. */
size_t dns_recv_query(int fd, unsigned char *q, size_t cap, struct net_addr *peer);
void dns_send_answer(int fd, const void *r, size_t n, const struct net_addr *peer);
void act_dns(void);
void act_dns_unconnected(void);
void act_dns_malformed(void);
void act_dns_veth(void);

/* net_dns_io_actions.c */
void act_dns_rw(void);
void act_dns_tcp(void);
void act_dns_tcp_one(void);
void act_dns_tcp_pieces(void);
void act_dns_tcp_pair(void);

/* net_mmsg_actions.c */
void act_dns_mmsg(void);
void act_udp_mmsg_long(void);

#endif /* NJ_NET_ACTIONS_H */
