/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signals one process sends another: kill, tkill, tgkill,
 * pidfd_send_signal, rt_sigqueueinfo, rt_tgsigqueueinfo (killing a
 * defence, stopping a monitor, a decoy's SIGKILL).
 *
 * Why signal:signal_generate inside the syscall pair: the syscall names a
 * pid (in the caller's namespace), a pidfd or a process group; the
 * tracepoint fires once per task the kernel actually reached, with that
 * task, so the target's identity (tgid, start time, comm) is the kernel's
 * and a group kill is one event per process. Its typed (tp_btf) form is
 * used on every backend: only it carries the task_struct. The syscall's
 * exit reports the calls that reached nobody (EPERM, ESRCH, a bad pidfd).
 *
 * Not reported: signal 0 (an existence check: nothing is sent), signals a
 * process sends itself (raise, abort, pthread_kill), and every signal the
 * kernel generates on its own (SIGCHLD, SIGSEGV, SIGPIPE, ...), which do
 * not come through these syscalls.
 */
#include "tamper.h"

#define NJ_SIGNAL_FIRST NJ_SYS_KILL
#define NJ_SIGNAL_LAST NJ_SYS_RT_TGSIGQUEUEINFO

/* Which argument holds the signal. */
static __always_inline int nj_signal_of(const struct nj_sys_args *a)
{
	if (a->syscall == NJ_SYS_TGKILL || a->syscall == NJ_SYS_RT_TGSIGQUEUEINFO)
		return (int)a->args[2];
	return (int)a->args[1];
}

static __always_inline int signal_enter(struct nj_sys_args *a)
{
	if (nj_signal_of(a) == 0)
		return 0;
	return nj_sys_enter_save(a);
}

/* The slot's nonce counts the tasks signal_generate reported for this call,
 * so its exit knows whether there is anything left to say. */
static __always_inline int signal_generated(void *ctx, int sig, struct kernel_siginfo *info,
					    struct task_struct *target, int group, int result)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_sys_args *a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
	struct nj_tmp_signal rec = {};

	if (!a || a->syscall < NJ_SIGNAL_FIRST || a->syscall > NJ_SIGNAL_LAST)
		return 0;
	a->nonce++;
	if ((__u32)target->tgid == (__u32)(id >> 32))
		return 0;
	nj_tamper_op_fill(&rec.op, (struct task_struct *)bpf_get_current_task(), a, 0);
	nj_target_fill(&rec.op.target, target, true);
	rec.op.values[0] = sig;
	/* SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) are markers, not pointers;
	 * read through the helper: 6.12's verifier takes the compared pointer
	 * for a scalar and refuses a direct load from it */
	if ((unsigned long)info > 1)
		rec.op.values[1] = (__u32)BPF_CORE_READ(info, si_code);
	rec.op.values[2] = result;
	rec.op.values[3] = group;
	rec.op.values[4] = 1;
	nj_tamper_send(ctx, &rec, NJ_REC_TMP_SIGNAL, NJ_BACKEND_TRACEPOINT);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(tpbtf__signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	return signal_generated(ctx, sig, info, task, group, result);
}

/* The call reached no task: report it with the number the caller named. */
static __always_inline int signal_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_tmp_signal rec = {};
	struct nj_sys_args a;
	__s32 pid = 0, tid = 0;

	if (!nj_sys_take(id, NJ_SIGNAL_FIRST, NJ_SIGNAL_LAST, &a) || a.nonce)
		return 0;
	switch (a.syscall) {
	case NJ_SYS_KILL:
	case NJ_SYS_RT_SIGQUEUEINFO:
		pid = (__s32)a.args[0];
		break;
	case NJ_SYS_TKILL:
		tid = (__s32)a.args[0];
		break;
	case NJ_SYS_TGKILL:
	case NJ_SYS_RT_TGSIGQUEUEINFO:
		pid = (__s32)a.args[0];
		tid = (__s32)a.args[1];
		break;
	default: /* pidfd_send_signal: the pidfd names the target, unresolved here */
		break;
	}
	if (pid == (__s32)(id >> 32) && ret == 0)
		return 0;
	nj_tamper_op_fill(&rec.op, task, &a, ret);
	if (a.syscall == NJ_SYS_KILL && pid <= 0) {
		rec.op.target.pid = (__u32)pid;
		rec.op.target.flags = NJ_TGT_GROUP;
	} else if (pid > 0 || tid > 0) {
		nj_target_number(&rec.op.target, task, pid, tid);
	}
	rec.op.values[0] = nj_signal_of(&a);
	nj_tamper_send(ctx, &rec, NJ_REC_TMP_SIGNAL, backend);
	return 0;
}

NJ_SYSCALL_ENTER(kill, NJ_SYS_KILL, 2, signal_enter)
NJ_SYSCALL_EXIT(kill, signal_exit)
NJ_SYSCALL_ENTER(tkill, NJ_SYS_TKILL, 2, signal_enter)
NJ_SYSCALL_EXIT(tkill, signal_exit)
NJ_SYSCALL_ENTER(tgkill, NJ_SYS_TGKILL, 3, signal_enter)
NJ_SYSCALL_EXIT(tgkill, signal_exit)
NJ_SYSCALL_ENTER(pidfd_send_signal, NJ_SYS_PIDFD_SEND_SIGNAL, 2, signal_enter)
NJ_SYSCALL_EXIT(pidfd_send_signal, signal_exit)
NJ_SYSCALL_ENTER(rt_sigqueueinfo, NJ_SYS_RT_SIGQUEUEINFO, 2, signal_enter)
NJ_SYSCALL_EXIT(rt_sigqueueinfo, signal_exit)
NJ_SYSCALL_ENTER(rt_tgsigqueueinfo, NJ_SYS_RT_TGSIGQUEUEINFO, 3, signal_enter)
NJ_SYSCALL_EXIT(rt_tgsigqueueinfo, signal_exit)
