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
#include "helpers.h"
#include "syscalls.h"

/* ---- enter ---- */

static __always_inline int clone_enter(__u32 syscall, __u64 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_clone_enter e = { .flags = flags, .syscall = syscall };

	if ((flags & CLONE_THREAD) || nj_ignored(task, false))
		return 0;
	if (bpf_map_update_elem(&nj_clone_enter_map, &id, &e, BPF_ANY))
		nj_count_enter_full();
	return 0;
}

/* clone3 keeps the exit signal in its own field; fold it into the low byte
 * where clone(2) carries it, so both report flags the same way. */
static __always_inline __u64 clone3_flags(const struct clone_args *uargs)
{
	struct clone_args args = {};

	if (bpf_probe_read_user(&args, sizeof(args.flags) + sizeof(args.pidfd) + sizeof(args.child_tid) +
				       sizeof(args.parent_tid) + sizeof(args.exit_signal), uargs))
		nj_count_read_error();
	return (args.flags & ~0xffULL) | (args.exit_signal & 0xff);
}

SEC("tracepoint/syscalls/sys_enter_clone")
int tp__sys_enter_clone(struct nj_sys_enter *ctx)
{
	return clone_enter(NJ_SYS_CLONE, ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int tp__sys_enter_clone3(struct nj_sys_enter *ctx)
{
	return clone_enter(NJ_SYS_CLONE3, clone3_flags((const struct clone_args *)ctx->args[0]));
}

SEC("tracepoint/syscalls/sys_enter_fork")
int tp__sys_enter_fork(struct nj_sys_enter *ctx)
{
	return clone_enter(NJ_SYS_FORK, SIGCHLD);
}

SEC("tracepoint/syscalls/sys_enter_vfork")
int tp__sys_enter_vfork(struct nj_sys_enter *ctx)
{
	return clone_enter(NJ_SYS_VFORK, CLONE_VFORK | CLONE_VM | SIGCHLD);
}

SEC("ksyscall/clone")
int BPF_KSYSCALL(ks__clone, unsigned long flags)
{
	return clone_enter(NJ_SYS_CLONE, flags);
}

SEC("ksyscall/clone3")
int BPF_KSYSCALL(ks__clone3, const struct clone_args *uargs)
{
	return clone_enter(NJ_SYS_CLONE3, clone3_flags(uargs));
}

/* No arguments to decode: a plain kprobe avoids BPF_KSYSCALL's unused
 * register block. */
SEC("ksyscall/fork")
int BPF_KPROBE(ks__fork)
{
	return clone_enter(NJ_SYS_FORK, SIGCHLD);
}

SEC("ksyscall/vfork")
int BPF_KPROBE(ks__vfork)
{
	return clone_enter(NJ_SYS_VFORK, CLONE_VFORK | CLONE_VM | SIGCHLD);
}

SEC("fentry/" NJ_SYS(clone))
int BPF_PROG(fe__clone, const struct pt_regs *regs)
{
	return clone_enter(NJ_SYS_CLONE, PT_REGS_PARM1_CORE_SYSCALL(regs));
}

SEC("fentry/" NJ_SYS(clone3))
int BPF_PROG(fe__clone3, const struct pt_regs *regs)
{
	return clone_enter(NJ_SYS_CLONE3,
			   clone3_flags((const struct clone_args *)PT_REGS_PARM1_CORE_SYSCALL(regs)));
}

#if defined(__TARGET_ARCH_x86) /* arm64 has no fork or vfork syscall */
SEC("fentry/" NJ_SYS(fork))
int BPF_PROG(fe__fork)
{
	return clone_enter(NJ_SYS_FORK, SIGCHLD);
}

SEC("fentry/" NJ_SYS(vfork))
int BPF_PROG(fe__vfork)
{
	return clone_enter(NJ_SYS_VFORK, CLONE_VFORK | CLONE_VM | SIGCHLD);
}
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
	struct nj_clone_enter *e;
	struct nj_fork rec = {};
	__u64 event_id;

	if (NJ_RD(btf, child, pid) != NJ_RD(btf, child, tgid))
		return 0; /* a thread */
	if (nj_ignored(parent, btf) || nj_is_kthread(child, btf))
		return 0;
	e = bpf_map_lookup_elem(&nj_clone_enter_map, &id);
	if (e) {
		rec.clone_flags = e->flags;
		rec.syscall = e->syscall;
		bpf_map_delete_elem(&nj_clone_enter_map, &id);
	} else {
		rec.flags |= NJ_FORK_NO_ENTER;
	}
	rec.child_pid = NJ_RD(btf, child, tgid);
	rec.child_vpid = task_vpid(child);
	rec.child_start_ns = NJ_RD(btf, child, start_boottime);
	nj_fill_task(&rec.task, parent, btf);
	event_id = nj_new_event_id();
	nj_hdr_init(&rec.hdr, NJ_REC_FORK, sizeof(rec), event_id, backend);
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
	return fork_done(ctx, (struct task_struct *)bpf_get_current_task(), child, NJ_BACKEND_FENTRY);
}
