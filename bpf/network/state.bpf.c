/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock:inet_sock_set_state: every TCP state change. Only three matter:
 *  - CLOSE -> SYN_SENT runs inside connect(2), in the caller's context: the
 *    socket is remembered with its caller; a connect that no connect(2)
 *    made (io_uring's IORING_OP_CONNECT) is reported here, in progress;
 *  - SYN_SENT -> ESTABLISHED or CLOSE settles a connect, usually in
 *    softirq: a connect reported in progress gets its result here;
 *  - anything -> CLOSE ends a connection: a reported one gets its duration
 *    and byte counts (tcp_sock's bytes_sent, bytes_retrans and
 *    bytes_received, since v4.19), attributed to whoever connected or accepted it.
 * The same tracepoint serves every backend: no kernel function covers all
 * three on every kernel (tcp_set_state is inlined in places).
 *
 * Why tp_btf, not the classic tracepoint: a classic tracepoint (like a
 * kprobe) program does not run while any other such program runs on the
 * CPU (trace_call_bpf's bpf_prog_active), and a settled connect or a close
 * often lands in softirq on top of one of ours (every syscall pair): that
 * change would be skipped, silently before Linux 6.7 (dd8657894c11 counts
 * it). A BTF tracepoint is only kept from nesting in itself (05b24ff9b2cf,
 * Linux 6.1, counted in recursion_misses), and the body below keeps no
 * per-CPU state, so running nested is safe.
 */
#include "net.h"

/* Whether the peer's FIN came: tcp_fin sets SOCK_DONE. The state left
 * does not tell (a FIN received in FIN_WAIT2 closes the socket from
 * FIN_WAIT2, through tcp_time_wait). */
static __always_inline bool nj_fin_received(struct sock *sk)
{
	unsigned long flags = BPF_CORE_READ(sk, __sk_common.skc_flags);

	return flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE));
}

static __always_inline void state_report(void *ctx, struct nj_net_sock *s, struct sock *sk,
					 __u16 type, __u32 state, __s32 result)
{
	struct nj_net_connect rec = {};
	__u64 now = bpf_ktime_get_boot_ns();

	rec.op.task = s->task;
	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.conn_id = s->conn_id;
	rec.op.flags = NJ_NET_OPENER | (s->flags & NJ_SOCK_ACCEPTED ? NJ_NET_INGRESS : 0);
	rec.op.state = state;
	rec.op.result = result;
	if (type == NJ_REC_NET_CLOSE) {
		struct tcp_sock *tp = (struct tcp_sock *)sk;

		rec.op.duration_ns = now - s->start_ns;
		/* Payload only: bytes_acked and bytes_received count the SYN
		 * and FIN too; bytes_sent counts payload with its resends. */
		rec.op.bytes_out = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
		rec.op.bytes_in = BPF_CORE_READ(tp, bytes_received);
		if (rec.op.bytes_in && nj_fin_received(sk))
			rec.op.bytes_in--;
	}
	nj_net_send(ctx, &rec, type, nj_new_event_id(), NJ_BACKEND_TRACEPOINT, now);
}

/* A connect no connect(2) made: in progress, its result to follow. The
 * source port may not be chosen yet (inet_hash_connect runs after). */
static __always_inline void other_connect(void *ctx, struct nj_net_sock *s, struct sock *sk)
{
	struct nj_net_connect rec = {};

	rec.op.task = s->task;
	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.retval = -NJ_EINPROGRESS;
	rec.op.result = NJ_EINPROGRESS;
	rec.op.flags = NJ_NET_OTHER_CALL;
	nj_net_send(ctx, &rec, NJ_REC_NET_CONNECT, s->conn_id, NJ_BACKEND_TRACEPOINT,
		    bpf_ktime_get_boot_ns());
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tpbtf__inet_sock_set_state, const struct sock *csk, const int oldstate,
	     const int newstate)
{
	struct sock *sk = (struct sock *)csk;
	__u64 key = (__u64)sk;
	struct nj_net_sock *s;

	/* A typed argument: loaded directly, no helper call. A u16 since
	 * Linux 5.6 (a bitfield before). */
	if (csk->sk_protocol != NJ_IPPROTO_TCP)
		return 0;
	if (newstate == NJ_TCP_SYN_SENT) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct nj_net_sock fresh = {.phase = NJ_SOCK_CONNECTING};
		__u64 id = bpf_get_current_pid_tgid();
		struct nj_sys_args *a;

		if (nj_ignored(task, false))
			return 0;
		nj_fill_task(&fresh.task, task, false);
		a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
		if (!a || a->syscall != NJ_SYS_CONNECT) {
			fresh.conn_id = nj_new_event_id();
			fresh.flags = NJ_SOCK_REPORTED;
			nj_sock_track(&key, &fresh);
			nj_sock_mark(&key);
			other_connect(ctx, &fresh, sk);
			return 0;
		}
		/* A mark a socket at this address left (its state change
		 * unseen) is not this connect's. */
		bpf_map_delete_elem(&nj_net_await_map, &key);
		nj_sock_track(&key, &fresh);
		return 0;
	}
	if (newstate != NJ_TCP_ESTABLISHED && newstate != NJ_TCP_CLOSE)
		return 0;
	s = bpf_map_lookup_elem(&nj_net_sock_map, &key);
	if (!s)
		return 0;
	if (newstate == NJ_TCP_ESTABLISHED) {
		if (oldstate != NJ_TCP_SYN_SENT || s->phase != NJ_SOCK_CONNECTING)
			return 0;
		s->start_ns = bpf_ktime_get_boot_ns();
		if (nj_sock_settle(s, &key, NJ_SOCK_ESTABLISHED))
			state_report(ctx, s, sk, NJ_REC_NET_CONNECT_RESULT, oldstate, 0);
		return 0;
	}
	if (s->phase == NJ_SOCK_CONNECTING) {
		/* tcp_reset and tcp_write_err set sk_err before tcp_done; none
		 * set means the caller closed the socket first. */
		__s32 err = BPF_CORE_READ(sk, sk_err);

		s->err = err ? err : NJ_ECONNABORTED;
		/* Not awaited yet: the connect's exit reports it with the
		 * result, and forgets the socket. */
		if (!nj_sock_settle(s, &key, NJ_SOCK_FAILED))
			return 0;
		state_report(ctx, s, sk, NJ_REC_NET_CONNECT_RESULT, oldstate, s->err);
	} else if (s->phase == NJ_SOCK_ESTABLISHED && (s->flags & NJ_SOCK_REPORTED) &&
		   nj_net_conn_end) {
		state_report(ctx, s, sk, NJ_REC_NET_CLOSE, oldstate, 0);
	}
	nj_sock_untrack(&key);
	return 0;
}
