/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accept(2), accept4(2): a TCP connection accepted, both ends read from
 * the new fd's socket at the exit (no entry needed: the result is the fd).
 * The socket is remembered for the connection's end (state.bpf.c).
 */
#include "net.h"

static __always_inline int accept_exit(void *ctx, long ret, __u8 backend, __u32 syscall)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_net_accept rec = {};
	struct nj_net_sock s = {};
	struct sock *sk;
	__u64 key, ts;

	if (ret < 0 || nj_ignored(task, false))
		return 0;
	sk = nj_fd_sock(task, ret);
	if (!nj_sk_is(sk, NJ_IPPROTO_TCP))
		return 0;
	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.retval = ret;
	rec.op.syscall = syscall;
	rec.op.flags = NJ_NET_INGRESS;
	nj_fill_task(&rec.op.task, task, false);
	ts = bpf_ktime_get_boot_ns();
	s.task = rec.op.task;
	s.conn_id = nj_new_event_id();
	s.start_ns = ts;
	s.phase = NJ_SOCK_ESTABLISHED;
	s.flags = NJ_SOCK_REPORTED | NJ_SOCK_ACCEPTED;
	key = (__u64)sk;
	nj_sock_track(&key, &s);
	nj_net_send(ctx, (struct nj_net_connect *)&rec, NJ_REC_NET_ACCEPT, s.conn_id, backend, ts);
	return 0;
}

static __always_inline int accept_leave(void *ctx, long ret, __u8 backend)
{
	return accept_exit(ctx, ret, backend, NJ_SYS_ACCEPT);
}

static __always_inline int accept4_leave(void *ctx, long ret, __u8 backend)
{
	return accept_exit(ctx, ret, backend, NJ_SYS_ACCEPT4);
}

NJ_SYSCALL_EXIT(accept, accept_leave)
NJ_SYSCALL_EXIT(accept4, accept4_leave)
