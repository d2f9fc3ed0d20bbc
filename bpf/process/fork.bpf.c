/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fork: one event per new process (fork, vfork, clone, clone3). Threads
 * (CLONE_THREAD) are not processes and are never reported.
 *
 * Hooks:
 *   enter   syscall entry: the clone flags (synthesised for fork/vfork).
 *   done    the child exists and the parent is still current
 *           (sched_process_fork, or wake_up_new_task for kprobes): the
 *           event is emitted with the child's global pid and start time.
 * A clone that fails never reaches `done`; its entry is overwritten by the
 * thread's next clone or ages out of the LRU.
 */
#include "syscalls.h"

/* ---- enter ---- */

/* clone3 keeps the exit signal in its own field; fold it into the low byte
 * where clone(2) carries it, so both report flags the same way. */
static __always_inline __u64 clone3_flags(const struct clone_args *uargs)
{
	struct clone_args args = {};

	if (bpf_probe_read_user(&args,
				sizeof(args.flags) + sizeof(args.pidfd) + sizeof(args.child_tid) +
					sizeof(args.parent_tid) + sizeof(args.exit_signal),
				uargs))
		nj_count_read_error();
	return (args.flags & ~0xffULL) | (args.exit_signal & 0xff);
}

/* Every clone flavour is saved as one shape: args[0] = the clone flags
 * (synthesised for fork and vfork). Threads are not processes: their
 * entries are not saved. */
static __always_inline int clone_enter(struct nj_sys_args *a)
{
	if (a->syscall == NJ_SYS_CLONE3)
		a->args[0] = clone3_flags((const struct clone_args *)a->args[0]);
	else if (a->syscall == NJ_SYS_FORK)
		a->args[0] = SIGCHLD;
	else if (a->syscall == NJ_SYS_VFORK)
		a->args[0] = CLONE_VFORK | CLONE_VM | SIGCHLD;
	if (a->args[0] & CLONE_THREAD)
		return 0;
	return nj_sys_enter_save(a);
}

NJ_SYSCALL_ENTER(clone, NJ_SYS_CLONE, 1, clone_enter)
NJ_SYSCALL_ENTER(clone3, NJ_SYS_CLONE3, 1, clone_enter)
/* arm64 has no fork or vfork syscall: no fentry target to name there. */
#if defined(__TARGET_ARCH_x86)
NJ_SYSCALL_ENTER(fork, NJ_SYS_FORK, 0, clone_enter)
NJ_SYSCALL_ENTER(vfork, NJ_SYS_VFORK, 0, clone_enter)
#endif

/* ---- done ---- */

static __always_inline __u32 task_vpid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

static __always_inline int fork_done(void *ctx, struct task_struct *parent,
				     struct task_struct *child, __u8 backend)
{
	/* Only tp_btf hands over both tasks typed (the others take the parent
	 * from bpf_get_current_task). */
	const bool btf = backend == NJ_BACKEND_TRACEPOINT;
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_sys_args e;
	struct nj_fork rec = {};
	__u64 event_id;

	if (NJ_RD(btf, child, pid) != NJ_RD(btf, child, tgid))
		return 0; /* a thread */
	if (nj_ignored(parent, btf) || nj_is_kthread(child, btf))
		return 0;
	if (nj_sys_take(id, NJ_SYS_CLONE, NJ_SYS_VFORK, &e)) {
		rec.clone_flags = e.args[0];
		rec.syscall = e.syscall;
	} else {
		rec.flags |= NJ_FORK_NO_ENTER;
	}
	rec.child_pid = NJ_RD(btf, child, tgid);
	rec.child_vpid = task_vpid(child);
	rec.child_start_ns = NJ_RD(btf, child, start_boottime);
	nj_fill_task(&rec.task, parent, btf);
	event_id = nj_new_event_id();
	nj_hdr_init(&rec.hdr, NJ_FAM_PROCESS, NJ_REC_FORK, sizeof(rec), event_id, backend);
	nj_output(ctx, &rec, sizeof(rec), NJ_FAM_PROCESS);
	return 0;
}

/* Why sched_process_fork: it fires once per successful copy_process, in the
 * parent, with both tasks as arguments. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tpbtf__sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return fork_done(ctx, parent, child, NJ_BACKEND_TRACEPOINT);
}

/* Why wake_up_new_task: its argument is the new task and it runs in the
 * parent before clone returns (the seed's choice for the child pid). */
SEC("kprobe/wake_up_new_task")
int BPF_KPROBE(kp__wake_up_new_task, struct task_struct *child)
{
	return fork_done(ctx, (struct task_struct *)bpf_get_current_task(), child,
			 NJ_BACKEND_KPROBE);
}

SEC("fentry/wake_up_new_task")
int BPF_PROG(fe__wake_up_new_task, struct task_struct *child)
{
	return fork_done(ctx, (struct task_struct *)bpf_get_current_task(), child,
			 NJ_BACKEND_FENTRY);
}
