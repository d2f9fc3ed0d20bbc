/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/<pid>/mem (and /proc/<pid>/task/<tid>/mem) opened for writing, or
 * opened for reading by another process: the file through which a process
 * with ptrace rights reads or patches another's memory, even where pages
 * are read-only (a write through it ignores the page protection).
 *
 * What is reported is the open: the pwrite()/write() through the fd that
 * does the injection follows it and is not a separate event (a hook on
 * every write for it would cost every write on the machine).
 *
 * Why exit-only programs of this family's own on the open syscalls (the
 * file family hooks the same tracepoints for its own events, with
 * programs of its own, so --events selects each family alone): the
 * returned fd's file says everything, so nothing is saved at entry, and
 * the checks are ordered from the cheapest to fail on the hot open path:
 * a failed open, then a file not on procfs, then a name that is not "mem".
 * A refused open is not reported (no file to resolve).
 *
 * The target comes from the inode, not from the path string: a procfs
 * inode of a /proc/<pid> entry is the vfs_inode of a struct proc_inode
 * whose pid is the struct pid it was made for; that pid's first
 * PIDTYPE_PID task is the process (or thread) whose memory it is.
 */
#include "tamper.h"

#define NJ_PROC_SUPER_MAGIC 0x9fa0
#define NJ_FMODE_READ 0x1
#define NJ_FMODE_WRITE 0x2

/* The task a /proc/<pid> inode was made for, or NULL if it has exited
 * (*nr is then its global pid). */
static __always_inline struct task_struct *nj_proc_inode_task(struct inode *inode, __u32 *nr)
{
	struct proc_inode *pi =
		(struct proc_inode *)((void *)inode -
				      bpf_core_field_offset(struct proc_inode, vfs_inode));
	struct pid *pid = BPF_CORE_READ(pi, pid);
	struct hlist_node *first;

	*nr = 0;
	if (!pid)
		return NULL;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (first)
		return (struct task_struct *)((void *)first -
					      bpf_core_field_offset(struct task_struct, pid_links));
	*nr = BPF_CORE_READ(pid, numbers[0].nr);
	return NULL;
}

static __always_inline void mem_open_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					   struct task_struct *task, struct task_struct *target,
					   __u32 nr, struct file *file, struct inode *inode,
					   struct super_block *sb, __u32 fmode, long ret,
					   __u32 syscall)
{
	struct nj_tmp_mem_open rec = {};
	__u64 event_id = nj_new_event_id();
	__u32 parts;

	parts = nj_part_path(ctx, sc, event_id, backend, NJ_TF_PATH,
			     __builtin_preserve_access_index(&file->f_path),
			     BPF_CORE_READ(sb, s_dev), BPF_CORE_READ(inode, i_ino));
	nj_fill_task(&rec.op.task, task, false);
	if (target)
		nj_target_fill(&rec.op.target, target, false);
	else if (nr) {
		rec.op.target.pid = rec.op.target.tid = nr;
		rec.op.target.flags = NJ_TGT_GLOBAL_PID;
	}
	rec.op.retval = ret;
	rec.op.syscall = syscall;
	rec.op.values[0] = fmode & (NJ_FMODE_READ | NJ_FMODE_WRITE);
	rec.op.values[1] = BPF_CORE_READ(file, f_flags);
	if (sc->lost_parts)
		rec.op.flags |= NJ_TMP_PARTS_LOST;
	nj_hdr_init_ts(&rec.hdr, NJ_FAM_TAMPER, NJ_REC_TMP_MEM_OPEN, sizeof(rec), event_id, backend,
		       sc->ts_ns);
	nj_batch_close(ctx, sc, &rec, parts);
}

static __always_inline int mem_open_exit(void *ctx, long ret, __u8 backend, __u32 syscall)
{
	struct task_struct *task, *target;
	struct super_block *sb;
	struct inode *inode;
	struct file *file;
	char name[4] = {};
	__u32 fmode, nr;

	if (ret < 0)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	file = nj_fd_file(task, ret);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	sb = BPF_CORE_READ(inode, i_sb);
	if (BPF_CORE_READ(sb, s_magic) != NJ_PROC_SUPER_MAGIC)
		return 0;
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (name[0] != 'm' || name[1] != 'e' || name[2] != 'm' || name[3] != 0)
		return 0;
	fmode = BPF_CORE_READ(file, f_mode);
	target = nj_proc_inode_task(inode, &nr);
	/* A process reading its own memory is no event. */
	if (!(fmode & NJ_FMODE_WRITE) &&
	    (!(fmode & NJ_FMODE_READ) ||
	     (target && BPF_CORE_READ(target, tgid) == BPF_CORE_READ(task, tgid))))
		return 0;
	if (nj_ignored(task, false))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER,
		 mem_open_build(ctx, sc, backend, task, target, nr, file, inode, sb, fmode, ret,
				syscall));
	return 0;
}

/* Exit programs of this action's own, beside the file family's on the same
 * syscalls: tp__memopen_sys_exit_<sys>, kret__memopen_<sys>,
 * fx__memopen_<sys> (src/families/tamper/hooks.cpp names them so). */
#define NJ_MEMOPEN_EXIT(sys, id)                                                \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                               \
	int tp__memopen_sys_exit_##sys(struct nj_sys_exit *ctx)                 \
	{                                                                       \
		return mem_open_exit(ctx, ctx->ret, NJ_BACKEND_TRACEPOINT, id); \
	}                                                                       \
	SEC("kretsyscall/" #sys)                                                \
	int BPF_KRETPROBE(kret__memopen_##sys, long ret)                        \
	{                                                                       \
		return mem_open_exit(ctx, ret, NJ_BACKEND_KPROBE, id);          \
	}                                                                       \
	SEC("fexit/" NJ_SYS(sys))                                               \
	int BPF_PROG(fx__memopen_##sys, const struct pt_regs *regs, long ret)   \
	{                                                                       \
		return mem_open_exit(ctx, ret, NJ_BACKEND_FENTRY, id);          \
	}

NJ_MEMOPEN_EXIT(openat, NJ_SYS_OPENAT)
#if NJ_LEGACY_PATH_SYSCALLS
NJ_MEMOPEN_EXIT(open, NJ_SYS_OPEN)
NJ_MEMOPEN_EXIT(creat, NJ_SYS_CREAT)
#endif
NJ_MEMOPEN_EXIT(openat2, NJ_SYS_OPENAT2)
