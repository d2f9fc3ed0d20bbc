/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network family's shared pieces: an fd turned into its struct sock,
 * both ends of a socket, a caller's sockaddr, and the one record emitter.
 *
 * Why syscall pairs plus sock:inet_sock_set_state: the syscalls run on
 * every backend (this family must work where only tracepoints do) and see
 * the caller, its arguments and the result; the tracepoint (since v4.16)
 * sees what the kernel settles later, in softirq (a non-blocking connect's
 * handshake, a connection's end), and is the same on every backend.
 */
#ifndef NJ_BPF_NET_H
#define NJ_BPF_NET_H

#include "syscalls.h"
#include <bpf/bpf_endian.h>

#define NJ_ENOENT 2
#define NJ_EEXIST 17
#define NJ_AF_UNSPEC 0
#define NJ_AF_INET 2
#define NJ_AF_INET6 10
#define NJ_IPPROTO_TCP 6
#define NJ_IPPROTO_UDP 17
#define NJ_ECONNABORTED 103
#define NJ_EISCONN 106
#define NJ_EALREADY 114
#define NJ_EINPROGRESS 115
#define NJ_TCP_ESTABLISHED 1
#define NJ_TCP_SYN_SENT 2
#define NJ_TCP_CLOSE 7
#define NJ_DNS_PORT 53

/* The socket behind the current task's fd, or NULL when fd is not one. */
static __always_inline struct sock *nj_fd_sock(struct task_struct *task, long fd)
{
	struct file *f = nj_fd_file(task, fd);
	struct socket *so;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & NJ_S_IFMT) != NJ_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

/* Whether sk is an IPv4 or IPv6 socket of `protocol`. sk_protocol is a
 * plain u16 since v5.6 (bf9765145b85), older than any kernel we load on. */
static __always_inline bool nj_sk_is(struct sock *sk, __u16 protocol)
{
	__u16 family;

	if (!sk || BPF_CORE_READ(sk, sk_protocol) != protocol)
		return false;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return family == NJ_AF_INET || family == NJ_AF_INET6;
}

/* Both ends as the socket holds them. The local port from inet_sport, not
 * skc_num: a socket that reached TCP_CLOSE has released its port (skc_num
 * is 0 by the time inet_sock_set_state fires) but keeps inet_sport. */
static __always_inline void nj_sk_endpoints(struct sock *sk, struct nj_net_endpoints *ep)
{
	ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ep->protocol = BPF_CORE_READ(sk, sk_protocol);
	ep->lport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	ep->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (ep->family == NJ_AF_INET6) {
		BPF_CORE_READ_INTO((struct in6_addr *)ep->local, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)ep->remote, sk, __sk_common.skc_v6_daddr);
	} else {
		BPF_CORE_READ_INTO((__be32 *)ep->local, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__be32 *)ep->remote, sk, __sk_common.skc_daddr);
	}
}

/* The remote end from a caller's sockaddr (connect's, sendto's, or the one
 * recvfrom filled in). Returns the address family it held, NJ_AF_UNSPEC
 * when it could not be read; the endpoints change only for INET and INET6.
 * Read in two steps: a sockaddr_in is 16 bytes and may end a page. */
static __always_inline __u16 nj_user_sockaddr(const void *ua, struct nj_net_endpoints *ep)
{
	struct {
		__u16 family;
		__u16 port;
		__u32 addr4;
	} head;

	if (!ua || bpf_probe_read_user(&head, sizeof(head), ua))
		return NJ_AF_UNSPEC;
	if (head.family == NJ_AF_INET) {
		/* An IPv6 socket may be given an IPv4 address (sendto on a
		 * dual-stack socket): kept in the socket's family, as ::ffff:a.b.c.d. */
		__builtin_memset(ep->remote, 0, sizeof(ep->remote));
		if (ep->family == NJ_AF_INET6) {
			ep->remote[10] = 0xff;
			ep->remote[11] = 0xff;
			__builtin_memcpy(&ep->remote[12], &head.addr4, 4);
		} else {
			__builtin_memcpy(ep->remote, &head.addr4, 4);
		}
	} else if (head.family == NJ_AF_INET6) {
		if (bpf_probe_read_user(ep->remote, 16, (const char *)ua + 8))
			return NJ_AF_UNSPEC;
	} else {
		return head.family;
	}
	ep->rport = bpf_ntohs(head.port);
	return head.family;
}

static __always_inline bool nj_addr_zero(const __u8 *a)
{
	const __u64 *w = (const __u64 *)a;

	return !w[0] && !w[1];
}

/* Send one network record (no parts). */
static __always_inline void nj_net_send(void *ctx, struct nj_net_connect *rec, __u16 type,
					__u64 event_id, __u8 backend, __u64 ts)
{
	nj_hdr_init_ts(&rec->hdr, NJ_FAM_NETWORK, type, sizeof(*rec), event_id, backend, ts);
	nj_output(ctx, rec, sizeof(*rec), NJ_FAM_NETWORK);
}

/* Put an entry into one of the LRU tables whose evictions are counted
 * (nj_net_sock_map, nj_udp_flow_map); true when the caller should count
 * an add: it went in under a new key, or it could not go in at all (see
 * below). `there`: the caller saw the key present, so that flag is tried
 * first (a refused update may still evict another entry: an LRU takes its
 * node before it checks the flags).
 *
 * Why not BPF_ANY: it does not say whether the key was new, and a
 * replaced entry counted as an add would show an eviction that never
 * happened. Why three tries, not two: between a refused first try and the
 * second the entry may go, evicted or deleted by another program (an
 * accepted socket closed at once on another CPU, whose close found the
 * stale entry a missed delete left at the same address), and the second
 * try fails too. With two, the socket was then not followed and nothing
 * counted it: after an eviction its close went unreported. The third adds
 * it under a new key, counted: followed to its close, or, when that close
 * already ran (reported under the stale entry's identity, not its own),
 * left to be evicted and counted then. A third refusal means another
 * program put the key back meanwhile and
 * counted it: its entry stays.
 *
 * Only those two refusals (-EEXIST, -ENOENT) are the races above. Any
 * other error (-ENOMEM: no free node; -EBUSY: the bucket locked by a
 * program this one interrupted) leaves the entry out, and trying again
 * would not change that: it is counted as an add, which the daemon's
 * count of what the table holds then turns into an eviction, the loss it
 * is (a connection's end unreported, a flow's window forgotten). */
static __always_inline bool nj_lru_put(void *map, const void *key, const void *value, bool there)
{
	__u64 first, second;
	long err;

	/* Made a scalar first: the caller's `there` may be a map value pointer
	 * tested, and the compiler would otherwise fold that pointer into the
	 * result's arithmetic, which the verifier refuses. */
	barrier_var(there);
	first = there ? BPF_EXIST : BPF_NOEXIST;
	second = there ? BPF_NOEXIST : BPF_EXIST;
	err = bpf_map_update_elem(map, key, value, first);
	if (!err)
		return !there;
	if (err != -NJ_EEXIST && err != -NJ_ENOENT)
		return true;
	err = bpf_map_update_elem(map, key, value, second);
	if (!err)
		return there;
	if (err != -NJ_EEXIST && err != -NJ_ENOENT)
		return true;
	err = bpf_map_update_elem(map, key, value, first);
	if (!err)
		return !there;
	return err != -NJ_EEXIST && err != -NJ_ENOENT;
}

/* Remember a TCP socket for its result and end. Only an entry added under
 * a new key is counted: one replaced at a reused address was left by a
 * missed delete. */
static __always_inline void nj_sock_track(__u64 *key, const struct nj_net_sock *s)
{
	struct nj_cpu_stats *st;

	if (!nj_lru_put(&nj_net_sock_map, key, s, false))
		return;
	st = nj_stats_get();
	if (st)
		nj_stat_add(&st->net_sock_added, 1);
}

/* Forget a socket; counted only when this call removed it (two programs
 * may race to delete the same entry). */
static __always_inline void nj_sock_untrack(__u64 *key)
{
	struct nj_cpu_stats *st;

	if (bpf_map_delete_elem(&nj_net_sock_map, key))
		return;
	st = nj_stats_get();
	if (st)
		nj_stat_add(&st->net_sock_removed, 1);
}

/* A TCP connection accepted (fd: its new descriptor, sk its socket):
 * reported, and remembered for its end (state.bpf.c). */
static __always_inline void nj_accept_report(void *ctx, struct task_struct *task, struct sock *sk,
					     long fd, __u32 syscall, __u32 flags, __u8 backend)
{
	struct nj_net_accept rec = {};
	struct nj_net_sock s = {};
	__u64 key = (__u64)sk, ts;

	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.retval = fd;
	rec.op.syscall = syscall;
	rec.op.flags = NJ_NET_INGRESS | flags;
	nj_fill_task(&rec.op.task, task, false);
	ts = bpf_ktime_get_boot_ns();
	s.task = rec.op.task;
	s.conn_id = nj_new_event_id();
	s.start_ns = ts;
	s.phase = NJ_SOCK_ESTABLISHED;
	s.flags = NJ_SOCK_REPORTED | NJ_SOCK_ACCEPTED;
	nj_sock_track(&key, &s);
	nj_net_send(ctx, (struct nj_net_connect *)&rec, NJ_REC_NET_ACCEPT, s.conn_id, backend, ts);
}

/*
 * Who reports a non-blocking connect's result: the connect's exit, after
 * its connect event, or the state change that settles it, often in softirq
 * on another CPU. The exit marks the socket awaited, then looks at its
 * phase; the state change sets the phase, then takes the mark off, and
 * whoever takes the mark off reports. The mark is an entry of
 * nj_net_await_map: its update and delete run under the entry's bucket
 * lock, so the two sides are ordered: if the state change's delete runs
 * first, it finds nothing and the exit's update comes after it, so the
 * exit's look at the phase sees the new one and the exit takes its mark
 * back; if the exit's update runs first, the state change's delete takes
 * it. One delete wins: exactly one result, never before its connect.
 * Atomic instructions would do it with less, but a kernel before v5.12
 * refuses a program that holds them, dead code or not.
 */
static __always_inline bool nj_sock_claim(__u64 *key)
{
	return bpf_map_delete_elem(&nj_net_await_map, key) == 0;
}

/* The state change: the phase (and what was written before it), then the
 * mark. True when it took the mark (it reports). */
static __always_inline bool nj_sock_settle(struct nj_net_sock *s, __u64 *key, __u32 phase)
{
	s->phase = phase;
	return nj_sock_claim(key);
}

/* Marks a socket awaited from the start (a connect no syscall made). */
static __always_inline void nj_sock_mark(__u64 *key)
{
	__u8 one = 1;

	bpf_map_update_elem(&nj_net_await_map, key, &one, BPF_ANY);
}

/* The connect's exit, after its connect event: the mark, then the phase.
 * True when the connect has settled meanwhile and the exit took the mark
 * back (it reports); *phase is what it saw. Unmarked (the table full), it
 * reports what has settled; a result still to come is lost, and counted. */
static __always_inline bool nj_sock_await(struct nj_net_sock *s, __u64 *key, __u32 *phase)
{
	__u8 one = 1;

	if (bpf_map_update_elem(&nj_net_await_map, key, &one, BPF_ANY)) {
		*phase = s->phase;
		if (*phase == NJ_SOCK_CONNECTING) {
			struct nj_cpu_stats *st = nj_stats_get();

			if (st)
				nj_stat_add(&st->net_result_unawaited, 1);
			return false;
		}
		return true;
	}
	*phase = *(volatile __u32 *)&s->phase;
	if (*phase == NJ_SOCK_CONNECTING)
		return false;
	return nj_sock_claim(key);
}

/* Whether a UDP flow's window is open: then the datagrams are folded into it;
 * else *prior is what the previous window folded. Checked before the
 * caller's identity is filled in: most datagrams end here. */
static __always_inline bool nj_udp_folded(struct task_struct *task, const struct nj_net_op *op,
					  __u64 n, __u64 *prior)
{
	struct nj_udp_key k = {};
	struct nj_udp_flow *f, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();
	bool added;

	k.start_ns = nj_leader_start(task, false);
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.lport = op->ep.lport;
	k.rport = op->ep.rport;
	__builtin_memcpy(k.local, op->ep.local, 16);
	__builtin_memcpy(k.remote, op->ep.remote, 16);
	k.family = op->ep.family;
	k.ingress = !!(op->flags & NJ_NET_INGRESS);
	f = bpf_map_lookup_elem(&nj_udp_flow_map, &k);
	if (f && now - f->last_ns < nj_udp_window_ns) {
		struct nj_cpu_stats *st = nj_stats_get();

		__sync_fetch_and_add(&f->folded, n);
		if (st)
			nj_stat_add(&st->net_udp_folded, n);
		return true;
	}
	*prior = f ? f->folded : 0;
	fresh.last_ns = now;
	fresh.folded = n - 1;
	added = nj_lru_put(&nj_udp_flow_map, &k, &fresh, f != NULL);
	if (added || n > 1) {
		struct nj_cpu_stats *st = nj_stats_get();

		if (st && added)
			nj_stat_add(&st->net_udp_added, 1);
		if (st && n > 1)
			nj_stat_add(&st->net_udp_folded, n - 1);
	}
	return false;
}

#endif /* NJ_BPF_NET_H */
