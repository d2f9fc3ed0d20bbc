/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptrace(2) requests that take hold of another process or change it:
 * PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_TRACEME (the parent becomes the
 * tracer), PTRACE_POKETEXT/POKEDATA/POKEUSER (a word written into the
 * tracee) and PTRACE_SETREGS/SETFPREGS/SETREGSET (its registers replaced:
 * the usual way injected code is started).
 *
 * Not reported: the requests a debugger issues thousands of times on a
 * process it already holds and that change nothing by themselves (PEEK*,
 * GETREGS*, CONT, SINGLESTEP, SYSCALL, INTERRUPT, LISTEN, DETACH, KILL,
 * SETOPTIONS, GETEVENTMSG, *SIGINFO, ...): the attach that preceded them
 * is the event, and they are filtered at entry, before any map write.
 *
 * Why the target from current->ptraced: ptrace names a thread by the
 * number in the caller's pid namespace; after a successful attach the
 * kernel has linked the tracee into the tracer's list (__ptrace_link adds
 * at the head), and every other reported request needs the target to be a
 * tracee of the caller already. A bounded walk of that list, matching the
 * number the caller passed against each tracee's pid in the caller's
 * namespace, gives the task itself. TRACEME's target is the new tracer,
 * current->parent. A target not found (a refused attach, a tracer holding
 * more tracees than the walk visits) is reported with the number only.
 */
#include "tamper.h"

#define NJ_PTRACE_TRACEME 0
#define NJ_PTRACE_POKETEXT 4
#define NJ_PTRACE_POKEDATA 5
#define NJ_PTRACE_POKEUSR 6
#define NJ_PTRACE_SETREGS 13 /* x86; other architectures answer EIO */
#define NJ_PTRACE_SETFPREGS 15 /* x86 */
#define NJ_PTRACE_ATTACH 16
#define NJ_PTRACE_SETREGSET 0x4205
#define NJ_PTRACE_SEIZE 0x4206

/* Tracees visited to find the target: a debugger rarely holds more, and
 * one that does gets the number-only target past this many. */
#define NJ_PTRACE_WALK 16

static __always_inline bool ptrace_reported(__u64 request)
{
	switch (request) {
	case NJ_PTRACE_TRACEME:
	case NJ_PTRACE_POKETEXT:
	case NJ_PTRACE_POKEDATA:
	case NJ_PTRACE_POKEUSR:
	case NJ_PTRACE_SETREGS:
	case NJ_PTRACE_SETFPREGS:
	case NJ_PTRACE_ATTACH:
	case NJ_PTRACE_SETREGSET:
	case NJ_PTRACE_SEIZE:
		return true;
	}
	return false;
}

static __always_inline int ptrace_enter(struct nj_sys_args *a)
{
	if (!ptrace_reported(a->args[0]))
		return 0;
#if defined(__TARGET_ARCH_x86)
	/* The instruction pointer the caller is about to set: where injected
	 * code starts. struct user_regs_struct holds rip at word 16. The
	 * caller's buffer is read here, before the kernel copies it. */
	if (a->args[0] == NJ_PTRACE_SETREGS &&
	    !bpf_probe_read_user(&a->args[4], sizeof(a->args[4]),
				 (const void *)(a->args[3] + 16 * 8)))
		a->args[5] = 1;
#endif
	return nj_sys_enter_save(a);
}

/* The number `task` has in the pid namespace at `level` (the caller's):
 * what the caller would have passed to name it. */
static __always_inline __u32 nj_task_vnr(struct task_struct *task, __u32 level)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	struct upid up = {};

	if (!pid || level > BPF_CORE_READ(pid, level))
		return 0;
	if (bpf_probe_read_kernel(&up, sizeof(up),
				  (void *)pid + bpf_core_field_offset(struct pid, numbers) +
					  level * bpf_core_type_size(struct upid)))
		return 0;
	return up.nr;
}

/* The tracee of `tracer` the caller named `nr`, or NULL. */
static __always_inline struct task_struct *nj_find_tracee(struct task_struct *tracer, __u32 nr)
{
	struct list_head *head = __builtin_preserve_access_index(&tracer->ptraced);
	struct list_head *pos = BPF_CORE_READ(tracer, ptraced.next);
	__u32 level = BPF_CORE_READ(tracer, thread_pid, level);
	__u64 off = bpf_core_field_offset(struct task_struct, ptrace_entry);

#pragma clang loop unroll(disable)
	for (int i = 0; i < NJ_PTRACE_WALK; i++) {
		struct task_struct *t;

		if (!pos || pos == head)
			break;
		t = (struct task_struct *)((void *)pos - off);
		if (nj_task_vnr(t, level) == nr)
			return t;
		pos = BPF_CORE_READ(t, ptrace_entry.next);
	}
	return NULL;
}

static __always_inline int ptrace_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *target = NULL;
	struct nj_tmp_ptrace rec = {};
	struct nj_sys_args a;
	__u32 nr;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_PTRACE, NJ_SYS_PTRACE, &a))
		return 0;
	nr = (__u32)a.args[1];
	if (a.args[0] == NJ_PTRACE_TRACEME)
		/* Linked to its parent only when the call succeeded. */
		target = ret == 0 ? BPF_CORE_READ(task, parent) : BPF_CORE_READ(task, real_parent);
	else
		target = nj_find_tracee(task, nr);
	nj_tamper_op_fill(&rec.op, task, &a, ret);
	rec.op.args[4] = rec.op.args[5] = 0;
	if (target)
		nj_target_fill(&rec.op.target, target, false);
	else if ((__s32)nr > 0)
		nj_target_number(&rec.op.target, task, nr, nr);
	rec.op.values[0] = a.args[0];
	rec.op.values[1] = a.args[4];
	rec.op.values[2] = a.args[5];
	nj_tamper_send(ctx, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_PTRACE, backend);
	return 0;
}

NJ_SYSCALL_ENTER(ptrace, NJ_SYS_PTRACE, 4, ptrace_enter)
NJ_SYSCALL_EXIT(ptrace, ptrace_exit)
