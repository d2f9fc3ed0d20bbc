/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tamper family's shared pieces: the target process from its
 * task_struct or from the number its caller passed, and the one record
 * emitter.
 *
 * Why syscall pairs first: they run on every backend (this family must work
 * where only tracepoints do), see the caller, its arguments and the result,
 * and cost nothing on the many calls that are not reported. Tracepoints
 * that fire inside a syscall (signal:signal_generate) add what only the
 * kernel knows: the task a pid resolved to.
 */
#ifndef NJ_BPF_TAMPER_H
#define NJ_BPF_TAMPER_H

#include "syscalls.h"

/* The target as the kernel holds it. */
static __always_inline void nj_target_fill(struct nj_tamper_target *t, struct task_struct *task,
					   bool btf)
{
	const struct cred *cred = NJ_RD(btf, task, real_cred);

	t->pid = NJ_RD(btf, task, tgid);
	t->tid = NJ_RD(btf, task, pid);
	t->start_ns = nj_leader_start(task, btf);
	t->uid = NJ_RD(btf, cred, uid.val);
	t->euid = NJ_RD(btf, cred, euid.val);
	t->flags = NJ_TGT_TASK;
	if (btf)
		bpf_probe_read_kernel_str(&t->comm, sizeof(t->comm), task->comm);
	else
		BPF_CORE_READ_STR_INTO(&t->comm, task, comm);
}

/* Whether `task` lives in the initial pid namespace, where the pids its
 * syscalls take are the global ones. */
static __always_inline bool nj_in_init_pidns(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread_pid, level) == 0;
}

/* The target when only the number the caller passed is known. */
static __always_inline void nj_target_number(struct nj_tamper_target *t, struct task_struct *caller,
					     __u32 pid, __u32 tid)
{
	t->pid = pid;
	t->tid = tid;
	t->flags = nj_in_init_pidns(caller) ? NJ_TGT_GLOBAL_PID : NJ_TGT_NS_PID;
}

/* The caller, the syscall and its arguments into an op. */
static __always_inline void nj_tamper_op_fill(struct nj_tamper_op *op, struct task_struct *task,
					      const struct nj_sys_args *a, long ret)
{
	nj_fill_task(&op->task, task, false);
	op->syscall = a->syscall;
	op->retval = ret;
	__builtin_memcpy(op->args, a->args, sizeof(op->args));
}

/* A record without parts (any NJ_TAMPER_RECORD: they share one layout). */
static __always_inline void nj_tamper_send(void *ctx, struct nj_tmp_signal *rec, __u16 type,
					   __u8 backend)
{
	nj_hdr_init(&rec->hdr, NJ_FAM_TAMPER, type, sizeof(*rec), nj_new_event_id(), backend);
	nj_output(ctx, rec, sizeof(*rec), NJ_FAM_TAMPER);
}

#endif
