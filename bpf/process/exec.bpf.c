/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exec: one event per execve/execveat, successful or not.
 *
 * Hooks (one body each, a wrapper per backend):
 *   enter   syscall entry: remembers the syscall, its user pointers, dirfd
 *           and flags for the thread (nj_sys_args_map).
 *   done    the new image is in place (sched_process_exec, or finalize_exec
 *           for kprobes): argv, exe and cwd are read from the new mm and
 *           the event is closed. Emitting here rather than at syscall exit
 *           sees the kernel's own copies (bprm) and the resident argv.
 *   leave   syscall exit: only failures are reported here (the caller's
 *           memory is still intact, so its strings are read again).
 *   level   kprobe/fentry only: each binfmt level (script, interpreter,
 *           binary) with the file's identity, for the script chain.
 */
#include "syscalls.h"

/* ---- enter ---- */

/* args: execve (filename, argv), execveat (dirfd, filename, argv, envp,
 * flags), rewritten to one shape here: filename, argv, dirfd, flags. */
static __always_inline int exec_enter(struct nj_sys_args *a)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (a->syscall == NJ_SYS_EXECVEAT) {
		__u64 dirfd = a->args[0];

		a->args[0] = a->args[1];
		a->args[1] = a->args[2];
		a->args[2] = dirfd;
		a->args[3] = a->args[4];
	} else {
		a->args[2] = (__u64)(__s64)NJ_AT_FDCWD;
		a->args[3] = 0;
	}
	/* A chain left over from an earlier exec that failed half way. */
	bpf_map_delete_elem(&nj_script_map, &tgid);
	return nj_sys_enter_save(a);
}

NJ_SYSCALL_ENTER(execve, NJ_SYS_EXECVE, 2, exec_enter)
NJ_SYSCALL_ENTER(execveat, NJ_SYS_EXECVEAT, 5, exec_enter)

/* The event id and parts already sent for this exec by the level hook. */
static __always_inline __u64 exec_take_chain(__u32 tgid, __u32 *parts)
{
	struct nj_script_chain *ch = bpf_map_lookup_elem(&nj_script_map, &tgid);
	__u64 event_id;

	if (!ch)
		return nj_new_event_id();
	event_id = ch->event_id;
	*parts = ch->nparts;
	bpf_map_delete_elem(&nj_script_map, &tgid);
	return event_id;
}

static __always_inline __u32 exec_part_cwd(void *ctx, struct nj_scratch *sc, __u64 event_id,
					   __u8 backend, struct task_struct *task, __u32 *flags)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);

	if (!fs)
		return 0;
	/* rmdir leaves a directory a process still sits in with no links: its
	 * walked path reads like a live one. */
	if (BPF_CORE_READ(fs, pwd.dentry, d_inode, i_nlink) == 0)
		*flags |= NJ_EXEC_CWD_UNLINKED;
	return nj_part_path(ctx, sc, event_id, backend, NJ_F_CWD,
			    __builtin_preserve_access_index(&fs->pwd), 0, 0);
}

/* The closing record goes out with the parts still in the batch; parts an
 * early send lost are not waited for. */
static __always_inline void exec_close(void *ctx, struct nj_scratch *sc, struct nj_exec *rec,
				       __u32 parts)
{
	if (sc->lost_parts)
		rec->flags |= NJ_EXEC_PARTS_LOST;
	nj_batch_close(ctx, sc, rec, parts);
}

/* ---- done ---- */

/* The exec's parts and closing record, with the batch held. */
static __always_inline void exec_done_build(void *ctx, struct nj_scratch *sc,
					    struct task_struct *task, __u32 old_tid,
					    struct linux_binprm *bprm, __u8 backend)
{
	/* Only tp_btf hands over both task and bprm typed. */
	const bool btf = backend == NJ_BACKEND_TRACEPOINT;
	struct nj_exec rec = {};
	struct nj_sys_args e;
	struct file *file;
	struct inode *inode;
	const char *filename, *interp;
	__u32 tgid, parts = 0;
	__u64 key, event_id;

	tgid = NJ_RD(btf, task, tgid);
	/* After de_thread the caller's thread id is gone: the entry was keyed
	 * by the id the thread had when it entered the syscall. */
	key = ((__u64)tgid << 32) | old_tid;
	if (nj_sys_take(key, NJ_SYS_EXECVE, NJ_SYS_EXECVEAT, &e)) {
		rec.syscall = e.syscall;
		rec.dirfd = e.args[2];
		rec.at_flags = e.args[3];
	} else {
		rec.flags |= NJ_EXEC_NO_ENTER;
	}
	event_id = exec_take_chain(tgid, &parts);

	/* Read as a number: the dentry walker is a global function and takes
	 * scalars only. */
	file = BPF_CORE_READ(bprm, file);
	inode = NJ_RD(btf, bprm, file, f_inode);
	rec.dev = nj_inode_dev(inode, btf);
	rec.ino = NJ_RD(btf, inode, i_ino);
	rec.nlink = NJ_RD(btf, inode, i_nlink);
	if (rec.nlink == 0)
		rec.flags |= NJ_EXEC_EXE_UNLINKED;
	rec.argc = NJ_RD(btf, bprm, argc);

	filename = NJ_RD(btf, bprm, filename);
	interp = NJ_RD(btf, bprm, interp);
	parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_F_FILENAME, 0, filename, 0, 0);
	if (interp && interp != filename) {
		rec.flags |= NJ_EXEC_SCRIPT;
		parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_F_INTERP, 0, interp, 0, 0);
	}
	parts += nj_part_path(ctx, sc, event_id, backend, NJ_F_EXE,
			      __builtin_preserve_access_index(&file->f_path), rec.dev, rec.ino);
	parts += exec_part_cwd(ctx, sc, event_id, backend, task, &rec.flags);
	parts += nj_part_mm_argv(ctx, sc, event_id, backend, NJ_RD(btf, task, mm), &rec.flags);

	nj_fill_task(&rec.task, task, btf);
	rec.old_tid = old_tid;
	nj_hdr_init_ts(&rec.hdr, NJ_FAM_PROCESS, NJ_REC_EXEC, sizeof(rec), event_id, backend,
		       sc->ts_ns);
	exec_close(ctx, sc, &rec, parts);
}

static __always_inline int exec_done(void *ctx, struct task_struct *task, __u32 old_tid,
				     struct linux_binprm *bprm, __u8 backend)
{
	if (nj_ignored(task, backend == NJ_BACKEND_TRACEPOINT))
		return 0;
	NJ_BATCH(sc, NJ_FAM_PROCESS, exec_done_build(ctx, sc, task, old_tid, bprm, backend));
	return 0;
}

/* Why sched_process_exec: it runs once per successful exec, after the point
 * of no return, in the new image, with bprm (the kernel's copies of filename
 * and interpreter) as an argument. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tpbtf__sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return exec_done(ctx, p, old_pid, bprm, NJ_BACKEND_TRACEPOINT);
}

/* Why finalize_exec: binfmt loaders call it once the new image is complete
 * (argv laid out in the new mm, creds committed, comm set). The caller is
 * already the thread group leader here, so its old thread id is unknown. */
SEC("kprobe/finalize_exec")
int BPF_KPROBE(kp__finalize_exec, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return exec_done(ctx, task, BPF_CORE_READ(task, pid), bprm, NJ_BACKEND_KPROBE);
}

SEC("fentry/finalize_exec")
int BPF_PROG(fe__finalize_exec, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return exec_done(ctx, task, BPF_CORE_READ(task, pid), bprm, NJ_BACKEND_FENTRY);
}

/* ---- leave: failed execs ---- */

static __always_inline void exec_leave_build(void *ctx, struct nj_scratch *sc, long ret,
					     __u8 backend, __u64 id, const struct nj_sys_args *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_exec rec = {};
	__u32 parts = 0;
	__u64 event_id;

	event_id = exec_take_chain(id >> 32, &parts);
	parts += nj_part_ustr(ctx, sc, event_id, backend, NJ_F_FILENAME, (const char *)e->args[0]);
	parts += nj_part_user_argv(ctx, sc, event_id, backend, (const char *const *)e->args[1],
				   &rec.flags, &rec.argc);
	parts += exec_part_cwd(ctx, sc, event_id, backend, task, &rec.flags);

	nj_fill_task(&rec.task, task, false);
	rec.retval = ret;
	rec.syscall = e->syscall;
	rec.dirfd = e->args[2];
	rec.at_flags = e->args[3];
	rec.old_tid = (__u32)id;
	nj_hdr_init_ts(&rec.hdr, NJ_FAM_PROCESS, NJ_REC_EXEC, sizeof(rec), event_id, backend,
		       sc->ts_ns);
	exec_close(ctx, sc, &rec, parts);
}

static __always_inline int exec_leave(void *ctx, long ret, __u8 backend)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_sys_args e;

	if (!nj_sys_take(id, NJ_SYS_EXECVE, NJ_SYS_EXECVEAT, &e))
		return 0;
	if (ret >= 0)
		return 0;
	NJ_BATCH(sc, NJ_FAM_PROCESS, exec_leave_build(ctx, sc, ret, backend, id, &e));
	return 0;
}

NJ_SYSCALL_EXIT(execve, exec_leave)
NJ_SYSCALL_EXIT(execveat, exec_leave)

/* ---- level: the script chain (kprobe and fentry backends) ---- */

/* Why security_bprm_check: search_binary_handler calls it once per binfmt
 * level with bprm->file open on that level's file and bprm->interp naming
 * it, so every script and interpreter is seen with its identity. No
 * tracepoint exists between the levels. */
/* A level is its own sample: the exec that closes the chain happens later,
 * in another program run. Returns 1 if its part was sent. */
static __always_inline __u32 exec_level_part(void *ctx, struct nj_scratch *sc,
					     struct linux_binprm *bprm,
					     const struct nj_script_chain *chain, __u8 backend)
{
	struct inode *inode = BPF_CORE_READ(bprm, file, f_inode);

	return nj_part_kstr(ctx, sc, chain->event_id, backend, NJ_F_SCRIPT, chain->levels,
			    BPF_CORE_READ(bprm, interp), nj_inode_dev(inode, false),
			    BPF_CORE_READ(inode, i_ino)) &&
	       !nj_batch_flush(ctx, sc);
}

static __always_inline int exec_level(void *ctx, struct linux_binprm *bprm, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_script_chain chain = {}, *ch;
	__u32 tgid;

	if (nj_ignored(task, false))
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	ch = bpf_map_lookup_elem(&nj_script_map, &tgid);
	if (ch)
		chain = *ch;
	else
		chain.event_id = nj_new_event_id();
	if (chain.levels >= NJ_SCRIPT_LEVELS)
		return 0;
	NJ_BATCH(sc, NJ_FAM_PROCESS,
		 chain.nparts += exec_level_part(ctx, sc, bprm, &chain, backend));
	chain.levels++;
	if (bpf_map_update_elem(&nj_script_map, &tgid, &chain, BPF_ANY))
		nj_count_enter_full();
	return 0;
}

SEC("kprobe/security_bprm_check")
int BPF_KPROBE(kp__security_bprm_check, struct linux_binprm *bprm)
{
	return exec_level(ctx, bprm, NJ_BACKEND_KPROBE);
}

SEC("fentry/security_bprm_check")
int BPF_PROG(fe__security_bprm_check, struct linux_binprm *bprm)
{
	return exec_level(ctx, bprm, NJ_BACKEND_FENTRY);
}
