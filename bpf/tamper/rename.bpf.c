/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process renames: prctl(PR_SET_NAME) and writes to /proc/<pid>/comm or
 * /proc/<pid>/task/<tid>/comm, the way a process dresses up as a kernel
 * thread ("[kworker/0:1]") or as a daemon.
 *
 * Why task:task_rename: every rename goes through __set_task_comm(), which
 * fires it with the task renamed and the new name before it copies the
 * name in, so the task's comm is still the old one. The tracepoint
 * (include/trace/events/task.h) is older than every kernel we support;
 * only its typed (tp_btf, v5.5) form carries the task, so every backend
 * uses that form: the plain record's fields (pid, oldcomm, newcomm,
 * oom_score_adj) have changed across releases, its typed arguments
 * (task, comm) have not.
 *
 * It also fires for the rename every exec does (begin_new_exec), which the
 * process family's exec event already says: the task is then in execve
 * (task->in_execve; where a kernel lacks the bit, fs->in_exec, which
 * check_unsafe_exec sets for the same stretch unless the fs is shared).
 * Kernel threads and io_uring workers name themselves; not reported either,
 * nor a rename to the name the task already has.
 *
 * A prctl(PR_SET_NAME) leaves a marker at its entry (the syscall pair, on
 * every backend), so the event says which way the name came: a rename
 * without one is a comm file write (write, pwrite64, writev: not hooked,
 * they are the hottest syscalls there are). The kernel lets a process
 * write only its own threads' comm files (comm_write, since the file
 * exists): another process's returns EINVAL and renames nothing.
 */
#include "tamper.h"

#define NJ_PR_SET_NAME 15
#define PF_IO_WORKER 0x00000010

struct task_struct___nj_no_in_execve {
	unsigned int in_execve : 1;
} __attribute__((preserve_access_index));

static __always_inline int rename_enter(struct nj_sys_args *a)
{
	if (a->args[0] != NJ_PR_SET_NAME)
		return 0;
	return nj_sys_enter_save(a);
}

/* The marker's only reader is the tracepoint inside the call. */
static __always_inline int rename_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	(void)ctx;
	(void)ret;
	(void)backend;
	nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_PRCTL, NJ_SYS_PRCTL, &a);
	return 0;
}

NJ_SYSCALL_ENTER(prctl, NJ_SYS_PRCTL, 2, rename_enter)
NJ_SYSCALL_EXIT(prctl, rename_exit)

/* Names compared up to their NUL: where __set_task_comm() copies without
 * padding (strlcpy in older kernels), a shorter name leaves the longer
 * old one's tail after its NUL, so whole arrays may differ where the
 * names do not. */
static __always_inline bool rename_same(const char *a, const char *b)
{
	for (int i = 0; i < NJ_COMM_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			break;
	}
	return true;
}

static __always_inline bool rename_in_exec(struct task_struct *task)
{
	if (bpf_core_field_exists(((struct task_struct___nj_no_in_execve *)task)->in_execve))
		return BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
	return BPF_CORE_READ(task, fs, in_exec);
}

SEC("tp_btf/task_rename")
int BPF_PROG(tpbtf__task_rename, struct task_struct *task, const char *comm)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_tmp_rename rec = {};
	struct nj_sys_args none = {};
	struct nj_sys_args *a;

	if (nj_ignored(cur, false) || (BPF_CORE_READ(cur, flags) & PF_IO_WORKER))
		return 0;
	if ((__u32)task->pid == (__u32)id && rename_in_exec(cur))
		return 0;
	/* the names first: a rename to the same name ends here, before the
	 * identity reads */
	bpf_probe_read_kernel(&rec.op.values[0], NJ_COMM_LEN, task->comm);
	bpf_probe_read_kernel_str(&rec.op.values[2], NJ_COMM_LEN, comm);
	/* A thread pool naming its threads again on every task, a daemon
	 * setting its own name "to be sure": nothing was renamed. */
	if (rename_same((const char *)&rec.op.values[0], (const char *)&rec.op.values[2]))
		return 0;
	a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
	if (a && a->syscall == NJ_SYS_PRCTL) {
		nj_tamper_op_fill(&rec.op, cur, a, 0);
		rec.op.values[4] = NJ_RENAME_PRCTL;
	} else {
		nj_tamper_op_fill(&rec.op, cur, &none, 0);
		rec.op.values[4] = NJ_RENAME_PROC_COMM;
	}
	if ((__u32)task->pid != (__u32)id)
		nj_target_fill(&rec.op.target, task, true);
	nj_tamper_send(ctx, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_RENAME, NJ_BACKEND_TRACEPOINT);
	return 0;
}
