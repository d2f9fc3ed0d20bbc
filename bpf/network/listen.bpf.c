/* SPDX-License-Identifier: GPL-2.0 */
/*
 * listen(2) on TCP sockets: a new listener (a bind shell's first step),
 * with the address and port it listens on and its backlog.
 */
#include "net.h"

static __always_inline int listen_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_net_listen rec = {};
	struct nj_sys_args a;
	struct sock *sk;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_LISTEN, NJ_SYS_LISTEN, &a) || ret != 0)
		return 0;
	sk = nj_fd_sock(task, (__s32)a.args[0]);
	if (!nj_sk_is(sk, NJ_IPPROTO_TCP))
		return 0;
	nj_sk_endpoints(sk, &rec.op.ep);
	rec.op.count = (__u32)a.args[1];
	rec.op.syscall = NJ_SYS_LISTEN;
	nj_fill_task(&rec.op.task, task, false);
	nj_net_send(ctx, (struct nj_net_connect *)&rec, NJ_REC_NET_LISTEN, nj_new_event_id(),
		    backend, bpf_ktime_get_boot_ns());
	return 0;
}

NJ_SYSCALL_ENTER(listen, NJ_SYS_LISTEN, 2, nj_sys_enter_save)
NJ_SYSCALL_EXIT(listen, listen_exit)
