/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock:sock_send_length, sock:sock_recv_length (v6.3, 6e6eda44b939): every
 * message a socket sends or receives, whatever the call (write, read,
 * sendfile, io_uring, ...), in the caller's context. The UDP syscall pairs
 * (udp.bpf.c) report what goes through sendto/sendmsg/recvfrom/...; these
 * report the rest, so a program that write()s to a connected UDP socket
 * (Go's resolver) is seen too, and DNS over TCP. They carry no buffer: a
 * DNS message's bytes are found through the syscall's registers
 * (nj_msg_from_syscall). Older kernels lack them (an optional hook;
 * docs/events/network.md).
 */
#include "dns.h"

#define NJ_MSG_PEEK 2
#define NJ_SOCK_STREAM 1
#define NJ_SOCK_DGRAM 2

struct trace_event_raw_sock_msg_length___nj {
	void *sk;
	__u16 family;
	__u16 protocol;
	int ret;
	int flags;
} __attribute__((preserve_access_index));

static __always_inline int sock_msg(void *ctx, struct trace_event_raw_sock_msg_length___nj *tp,
				    bool ingress)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct sock *sk = (struct sock *)tp->sk;
	bool udp = tp->protocol == NJ_IPPROTO_UDP;
	struct nj_net_udp rec = {};
	struct udp_msg m = {}, second = {}, next = {};
	struct nj_sys_args *a;
	bool dns, fresh;

	/* Other families reuse the numbers (CAN's ISO-TP is 6). */
	if (tp->ret <= 0 || (tp->flags & NJ_MSG_PEEK) ||
	    (tp->family != NJ_AF_INET && tp->family != NJ_AF_INET6))
		return 0;
	if (udp) {
		/* Inside a UDP syscall pair, which reports it with its peer. */
		a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
		if (a && a->syscall >= NJ_SYS_SENDTO && a->syscall <= NJ_SYS_RECVMMSG)
			return 0;
	} else if (tp->protocol != NJ_IPPROTO_TCP ||
		   BPF_CORE_READ(sk, __sk_common.skc_dport) != bpf_htons(NJ_DNS_PORT)) {
		/* TCP: DNS only (its connection is reported on its own). */
		return 0;
	}
	/* A raw socket opened with IPPROTO_UDP or _TCP has that protocol too. */
	if (BPF_CORE_READ(sk, sk_type) != (udp ? NJ_SOCK_DGRAM : NJ_SOCK_STREAM))
		return 0;
	if (nj_ignored(task, false))
		return 0;
	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.retval = tp->ret;
	rec.op.bytes_out = tp->ret;
	rec.op.flags = ingress ? NJ_NET_INGRESS : 0;
	if (udp)
		rec.op.flags |= NJ_NET_OTHER_CALL;
	if (!rec.op.ep.rport && nj_addr_zero(rec.op.ep.remote))
		rec.op.flags |= NJ_NET_REMOTE_UNKNOWN;
	m.len = tp->ret;
	dns = rec.op.ep.rport == NJ_DNS_PORT &&
	      nj_msg_from_syscall(task, sk, &m, &second, &next, !udp) &&
	      (udp || nj_dns_stream_frame(sk, ingress, &m, &second));
	fresh = udp && !nj_udp_folded(task, &rec.op, 1, &rec.op.count);
	if (!dns && !fresh)
		return 0;
	nj_fill_task(&rec.op.task, task, false);
	if (dns)
		NJ_BATCH(sc, NJ_FAM_NETWORK,
			 udp_dns_send(ctx, sc, NJ_BACKEND_TRACEPOINT, &rec, &m));
	/* Whole, as its length in a buffer of its own says (nothing follows). */
	if (dns && next.len >= NJ_DNS_HEADER)
		NJ_BATCH(sc, NJ_FAM_NETWORK,
			 udp_dns_send(ctx, sc, NJ_BACKEND_TRACEPOINT, &rec, &next));
	if (fresh)
		nj_net_send(ctx, (struct nj_net_connect *)&rec, NJ_REC_NET_UDP, nj_new_event_id(),
			    NJ_BACKEND_TRACEPOINT, bpf_ktime_get_boot_ns());
	return 0;
}

SEC("tracepoint/sock/sock_send_length")
int tp__sock_send_length(struct trace_event_raw_sock_msg_length___nj *ctx)
{
	/* Loaded (not attached) where the tracepoint is missing: the verifier
	 * test loads every program. */
	if (!bpf_core_field_exists(ctx->protocol))
		return 0;
	return sock_msg(ctx, ctx, false);
}

SEC("tracepoint/sock/sock_recv_length")
int tp__sock_recv_length(struct trace_event_raw_sock_msg_length___nj *ctx)
{
	if (!bpf_core_field_exists(ctx->protocol))
		return 0;
	return sock_msg(ctx, ctx, true);
}
