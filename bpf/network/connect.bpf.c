/* SPDX-License-Identifier: GPL-2.0 */
/*
 * connect(2) on TCP sockets: who connects where, and the result. A
 * non-blocking connect returns EINPROGRESS and settles later, usually in
 * softirq: state.bpf.c reports that result, attributed to this caller,
 * from the socket entry the CLOSE -> SYN_SENT change made inside this very
 * call. On loopback the handshake often completes (or is refused) before
 * the syscall returns; the exit then reports the result itself, after the
 * connect, so a reader never sees a result before its cause (who reports
 * it: nj_sock_await in net.h).
 */
#include "net.h"

static __always_inline int connect_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_net_connect rec = {};
	struct nj_net_sock *s;
	struct nj_sys_args a;
	struct sock *sk;
	__u64 key, event_id, ts;
	__u32 phase;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_CONNECT, NJ_SYS_CONNECT, &a))
		return 0;
	/* A non-blocking socket asked again: the first call was the report. */
	if (ret == -NJ_EALREADY || ret == -NJ_EISCONN)
		return 0;
	sk = nj_fd_sock(task, (__s32)a.args[0]);
	if (!nj_sk_is(sk, NJ_IPPROTO_TCP))
		return 0;
	nj_sk_endpoints(sk, &rec.op.ep);
	/* AF_UNSPEC dissolves an association: not a connection attempt. */
	if (nj_user_sockaddr((const void *)a.args[1], &rec.op.ep) == NJ_AF_UNSPEC && a.args[1])
		return 0;
	rec.op.retval = ret;
	rec.op.result = ret < 0 ? -ret : 0;
	rec.op.syscall = NJ_SYS_CONNECT;
	event_id = nj_new_event_id();
	ts = bpf_ktime_get_boot_ns();

	key = (__u64)sk;
	s = bpf_map_lookup_elem(&nj_net_sock_map, &key);
	/* The SYN_SENT change inside this call stored the caller's identity. */
	if (s && s->task.tid == (__u32)bpf_get_current_pid_tgid())
		rec.op.task = s->task;
	else
		nj_fill_task(&rec.op.task, task, false);
	if (s) {
		s->conn_id = event_id;
		if (ret == 0 || ret == -NJ_EINPROGRESS)
			s->flags |= NJ_SOCK_REPORTED;
	}
	nj_net_send(ctx, &rec, NJ_REC_NET_CONNECT, event_id, backend, ts);
	if (!s)
		return 0;
	if (ret != 0 && ret != -NJ_EINPROGRESS) {
		nj_sock_untrack(&key);
		return 0;
	}
	/* In progress: its result is the state change's to report, unless it
	 * settled already (on loopback it often has). */
	if (ret == 0 || !nj_sock_await(s, &key, &phase))
		return 0;
	rec.op.conn_id = event_id;
	rec.op.retval = 0;
	rec.op.state = NJ_TCP_SYN_SENT;
	rec.op.result = phase == NJ_SOCK_FAILED ? s->err : 0;
	if (phase == NJ_SOCK_FAILED)
		nj_sock_untrack(&key);
	nj_net_send(ctx, &rec, NJ_REC_NET_CONNECT_RESULT, nj_new_event_id(), backend,
		    bpf_ktime_get_boot_ns());
	return 0;
}

NJ_SYSCALL_ENTER(connect, NJ_SYS_CONNECT, 3, nj_sys_enter_save)
NJ_SYSCALL_EXIT(connect, connect_exit)
