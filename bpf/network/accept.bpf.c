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
	struct sock *sk;

	if (ret < 0 || nj_ignored(task, false))
		return 0;
	sk = nj_fd_sock(task, ret);
	if (nj_sk_is(sk, NJ_IPPROTO_TCP))
		nj_accept_report(ctx, task, sk, ret, syscall, 0, backend);
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
