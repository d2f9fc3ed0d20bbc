/* SPDX-License-Identifier: GPL-2.0 */
/*
 * setns(2): a process joins another's namespaces, by a namespace file
 * (/proc/<pid>/ns/<type>, a bind-mounted one) or, since v5.8, by a pidfd
 * naming the process whose namespaces to join (nstype then selects which).
 *
 * The namespace is the kernel's, read at the exit from the fd, which setns
 * leaves open: an nsfs inode's i_private is its ns_common, whose ops give
 * the type (CLONE_NEW*) and name and whose inum is the namespace's inode
 * number (what `ls -l /proc/<pid>/ns` shows). Anything else that setns
 * accepted is a pidfd: its struct pid (the file's private_data on an anon
 * inode before v6.9, the inode's i_private on pidfs since), whose task is
 * the target process.
 */
#include "kernel.h"

#define NJ_NSFS_MAGIC 0x6e736673
#define NJ_PIDFS_MAGIC 0x50494446

/* The namespace's type moved from its operations (proc_ns_operations.type)
 * to the namespace itself (ns_common.ns_type) in v6.18. */
struct ns_common___typed {
	__u32 ns_type;
} __attribute__((preserve_access_index));

struct proc_ns_operations___typed {
	int type;
} __attribute__((preserve_access_index));

static __always_inline __u32 nj_ns_type(struct ns_common *ns, const struct proc_ns_operations *ops)
{
	struct ns_common___typed *n = (void *)ns;
	struct proc_ns_operations___typed *o = (void *)ops;

	if (bpf_core_field_exists(n->ns_type))
		return BPF_CORE_READ(n, ns_type);
	if (bpf_core_field_exists(o->type))
		return (__u32)BPF_CORE_READ(o, type);
	return 0;
}

static __always_inline void setns_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					struct nj_sys_args *a, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = nj_fd_file(task, (int)a->args[0]);
	__u64 event_id = nj_new_event_id();
	struct nj_tmp_setns rec = {};
	__u32 parts = 0;

	if (f) {
		struct inode *inode = BPF_CORE_READ(f, f_inode);

		if (BPF_CORE_READ(inode, i_sb, s_magic) == NJ_NSFS_MAGIC) {
			struct ns_common *ns = BPF_CORE_READ(inode, i_private);
			const struct proc_ns_operations *ops = BPF_CORE_READ(ns, ops);

			rec.op.values[0] = nj_ns_type(ns, ops);
			rec.op.values[1] = BPF_CORE_READ(ns, inum);
			rec.op.values[2] = 1;
			parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_TF_NAME, 0,
					      BPF_CORE_READ(ops, name), 0, 0);
		} else if (ret == 0) {
			/* pidfs (v6.9+) keeps the pid in the inode, which every
			 * version of it sets (on 6.18 the file's private_data
			 * did not lead to the task); before pidfs, an anon
			 * inode's pidfd keeps it in the file */
			struct pid *pid = BPF_CORE_READ(inode, i_sb, s_magic) == NJ_PIDFS_MAGIC
						  ? BPF_CORE_READ(inode, i_private)
						  : BPF_CORE_READ(f, private_data);
			struct hlist_node *first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);

			rec.op.values[2] = 2;
			if (first) {
				struct task_struct *t =
					(void *)first -
					bpf_core_field_offset(struct task_struct, pid_links);

				nj_target_fill(&rec.op.target, t, false);
			}
		}
	}
	nj_tamper_op_fill(&rec.op, task, a, ret);
	nj_tamper_close(ctx, sc, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_SETNS, event_id, backend,
			parts);
}

static __always_inline int setns_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_SETNS, NJ_SYS_SETNS, &a))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER, setns_build(ctx, sc, backend, &a, ret));
	return 0;
}

NJ_SYSCALL_ENTER(setns, NJ_SYS_SETNS, 2, nj_sys_enter_save)
NJ_SYSCALL_EXIT(setns, setns_exit)
