/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file family's shared pieces: every file syscall is saved at entry in
 * one shape (struct nj_file_args) and reported at exit by one emitter.
 *
 * Why syscall pairs: they run on every backend (this family must work
 * where only tracepoints do), they see the caller's own arguments and the
 * result, and the exit is where an fd result can be turned into the opened
 * file's canonical path. What only the VFS sees (the identity of an object
 * named by path, the file a rename replaced) is documented as absent.
 */
#ifndef NJ_BPF_FILE_H
#define NJ_BPF_FILE_H

#include "syscalls.h"

#define NJ_O_ACCMODE 00000003
#define NJ_O_WRONLY 00000001
#define NJ_O_RDWR 00000002
#define NJ_O_CREAT 00000100
#define NJ_O_EXCL 00000200
#define NJ_O_TRUNC 00001000
#define NJ_O_TMPFILE 020000000
#define NJ_FMODE_READ 0x1
#define NJ_FMODE_WRITE 0x2
#define NJ_FMODE_PATH 0x4000
#define NJ_FMODE_CREATED 0x100000
#define NJ_AT_REMOVEDIR 0x200
#define NJ_EPERM 1
#define NJ_EACCES 13
#define NJ_S_IFCHR 0020000
#define NJ_S_IFIFO 0010000

/* Levels above a file the watch lookup may climb (nj_watch_depth). */
#define NJ_WATCH_DEPTH_MAX 8

/* One shape for every file syscall, written by the entry bodies into
 * struct nj_sys_args.args. A zero `name` means the object is the open
 * file `dfd` (fchmod, ftruncate, futimens, ...). */
struct nj_file_args {
	__s64 dfd; /* directory `name` is relative to, or the object's fd */
	__u64 name; /* user pointer: the object's path */
	__s64 dfd2; /* directory of name2 */
	__u64 name2; /* user pointer: rename/link new path, symlink target, xattr name */
	__u64 v0; /* per syscall: flags, mode, uid, length, times pointer, ... */
	__u64 v1;
};

_Static_assert(sizeof(struct nj_file_args) == sizeof(((struct nj_sys_args *)0)->args),
	       "nj_file_args overlays nj_sys_args.args");

static __always_inline struct nj_file_args *nj_fa(struct nj_sys_args *a)
{
	return (struct nj_file_args *)a->args;
}

/* Failures worth a report: the caller was refused (a denied write to a
 * watched file is an attempt worth seeing). Others (ENOENT, EEXIST, ...)
 * are the normal business of programs probing for files. */
static __always_inline bool nj_file_failure_reported(long ret)
{
	return ret == -NJ_EACCES || ret == -NJ_EPERM;
}

static __always_inline void nj_file_obj_fill(struct nj_file_obj *o, struct inode *inode)
{
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);

	o->ino = BPF_CORE_READ(inode, i_ino);
	o->dev = BPF_CORE_READ(sb, s_dev);
	o->fs_magic = BPF_CORE_READ(sb, s_magic);
	o->mode = BPF_CORE_READ(inode, i_mode);
	o->uid = BPF_CORE_READ(inode, i_uid.val);
	o->gid = BPF_CORE_READ(inode, i_gid.val);
	o->nlink = BPF_CORE_READ(inode, i_nlink);
}

/* The deepest watch rule covering dentry d: d itself, then its parents, at
 * most nj_watch_depth dentries (within its filesystem). */
static __always_inline bool nj_watch_find(struct dentry *d, __u32 dev, struct nj_watch *out)
{
	struct nj_watch_key k = {.dev = dev};
	struct nj_watch *w;
	struct dentry *parent;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < NJ_WATCH_DEPTH_MAX; i++) {
		if (i >= nj_watch_depth || !d)
			break;
		k.ino = BPF_CORE_READ(d, d_inode, i_ino);
		w = bpf_map_lookup_elem(&nj_watch_map, &k);
		if (w) {
			*out = *w;
			return true;
		}
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break;
		d = parent;
	}
	return false;
}

static __always_inline void nj_count_file(bool deduped)
{
	struct nj_cpu_stats *st = nj_stats_get();

	if (!st)
		return;
	if (deduped)
		nj_stat_add(&st->file_deduped, 1);
	else
		nj_stat_add(&st->file_filtered, 1);
}

/* Whether this process already reported a change to this file within the
 * window (only asked when `fold`); records this one otherwise. */
static __always_inline bool nj_modify_seen(struct task_struct *task, const struct nj_file_obj *o,
					   bool fold)
{
	struct nj_modify_key k = {
		.start_ns = nj_leader_start(task, false),
		.ino = o->ino,
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.dev = o->dev,
	};
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 *last = bpf_map_lookup_elem(&nj_modify_map, &k);

	if (fold && last && now - *last < nj_file_modify_window_ns) {
		nj_count_file(true);
		return true;
	}
	bpf_map_update_elem(&nj_modify_map, &k, &now, BPF_ANY);
	return false;
}

/* A user string part (a path as passed, a symlink target, an xattr name). */
static __always_inline __u32 nj_file_part_ustr(void *ctx, struct nj_scratch *sc, __u64 event_id,
					       __u8 backend, __u16 field, __u64 str)
{
	return nj_part_ustr(ctx, sc, event_id, backend, field, (const char *)str);
}

/* The directory a relative user path is resolved against: its dirfd's
 * path or the cwd. Nothing for an absolute path. */
static __always_inline __u32 nj_file_part_dir(void *ctx, struct nj_scratch *sc, __u64 event_id,
					      __u8 backend, __u16 field, struct task_struct *task,
					      __s64 dfd, __u64 name, __u32 *flags)
{
	char first = 0;

	if (bpf_probe_read_user(&first, 1, (const void *)name) || first == '/')
		return 0;
	if (dfd == NJ_AT_FDCWD) {
		struct fs_struct *fs = BPF_CORE_READ(task, fs);

		if (fs)
			return nj_part_path(ctx, sc, event_id, backend, field,
					    __builtin_preserve_access_index(&fs->pwd), 0, 0);
	} else {
		struct file *f = nj_fd_file(task, dfd);

		if (f)
			return nj_part_path(ctx, sc, event_id, backend, field,
					    __builtin_preserve_access_index(&f->f_path), 0, 0);
	}
	*flags |= NJ_FILE_DIR_UNKNOWN;
	return 0;
}

/* What the exit knows besides the saved arguments. */
struct nj_file_out {
	__u16 type; /* NJ_REC_FILE_* */
	__u16 name2_field; /* NJ_FF_NAME2 / _TARGET / _XATTR, or 0 */
	__u32 flags; /* NJ_FILE_* so far */
	__u32 rule;
	bool have_obj; /* obj already read from file's inode */
	__u64 extra[2]; /* nj_file_op.args[2..3] */
	struct file *file; /* the object, when the exit has it open */
	struct nj_file_obj obj;
};

/* A rename whose new name replaced a file: that file in args[1..3]. */
static __always_inline void nj_file_op_replaced(struct nj_file_op *op,
						const struct nj_file_obj *replaced)
{
	if (!(op->flags & NJ_FILE_REPLACED))
		return;
	op->args[1] = replaced->mode;
	op->args[2] = replaced->ino;
	op->args[3] = replaced->dev;
}

/*
 * Build and send one file event: the object's path walked from its open
 * file when there is one, else the path as passed and the directory it is
 * relative to; then the second path or string, and the closing record.
 */
static __always_inline void nj_file_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					  struct nj_sys_args *a, long ret, struct nj_file_out *out)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_file_args *fa = nj_fa(a);
	struct nj_file_create rec = {};
	struct nj_file_obj replaced = {};
	__u64 event_id = nj_new_event_id();
	__u32 parts = 0;

	rec.op.flags = out->flags;
	if (out->file) {
		struct file *file = out->file;

		if (out->have_obj)
			rec.op.obj = out->obj;
		else
			nj_file_obj_fill(&rec.op.obj, BPF_CORE_READ(file, f_inode));
		rec.op.flags |= NJ_FILE_OBJ_KNOWN;
		parts += nj_part_path(ctx, sc, event_id, backend, NJ_FF_PATH,
				      __builtin_preserve_access_index(&file->f_path),
				      rec.op.obj.dev, rec.op.obj.ino);
	} else if (fa->name) {
		__u64 tid = bpf_get_current_pid_tgid();
		struct nj_file_ids *ids = bpf_map_lookup_elem(&nj_file_ids_map, &tid);

		if (ids && ids->syscall == a->syscall && ids->nonce == a->nonce) {
			rec.op.obj = ids->obj;
			rec.op.flags |= ids->flags & NJ_FILE_OBJ_KNOWN;
			if (ids->flags & NJ_FILE_REPLACED) {
				rec.op.flags |= NJ_FILE_REPLACED;
				replaced = ids->replaced;
			}
		}
		if (ids)
			bpf_map_delete_elem(&nj_file_ids_map, &tid);
		parts += nj_file_part_ustr(ctx, sc, event_id, backend, NJ_FF_NAME, fa->name);
		parts += nj_file_part_dir(ctx, sc, event_id, backend, NJ_FF_DIR, task, fa->dfd,
					  fa->name, &rec.op.flags);
	}
	if (fa->name2 && out->name2_field) {
		parts += nj_file_part_ustr(ctx, sc, event_id, backend, out->name2_field, fa->name2);
		if (out->name2_field == NJ_FF_NAME2)
			parts += nj_file_part_dir(ctx, sc, event_id, backend, NJ_FF_DIR2, task,
						  fa->dfd2, fa->name2, &rec.op.flags);
	}
	if (sc->lost_parts)
		rec.op.flags |= NJ_FILE_PARTS_LOST;
	rec.op.retval = ret;
	rec.op.syscall = a->syscall;
	rec.op.rule = out->rule;
	rec.op.args[0] = fa->v0;
	rec.op.args[1] = fa->v1;
	rec.op.args[2] = out->extra[0];
	rec.op.args[3] = out->extra[1];
	nj_file_op_replaced(&rec.op, &replaced);
	nj_fill_task(&rec.op.task, task, false);
	nj_hdr_init_ts(&rec.hdr, NJ_FAM_FILE, out->type, sizeof(rec), event_id, backend, sc->ts_ns);
	nj_batch_close(ctx, sc, &rec, parts);
}

static __always_inline int nj_file_emit(void *ctx, __u8 backend, struct nj_sys_args *a, long ret,
					struct nj_file_out *out)
{
	NJ_BATCH(sc, NJ_FAM_FILE, nj_file_build(ctx, sc, backend, a, ret, out));
	return 0;
}

/* The exit of a syscall that names its object by path (or by fd when
 * name is 0), its arguments taken: reported on success and on refusal. */
static __always_inline int nj_file_leave_out(void *ctx, long ret, __u8 backend,
					     struct nj_sys_args *a, struct nj_file_out *out)
{
	/* A syscall without a second name may keep a third number there
	 * (fallocate's offset): it goes out as args[2]. */
	if (!out->name2_field)
		out->extra[0] = nj_fa(a)->name2;
	if (ret < 0 && !nj_file_failure_reported(ret))
		return 0;
	if (!nj_fa(a)->name && !out->file) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		out->file = nj_fd_file(task, nj_fa(a)->dfd);
	}
	return nj_file_emit(ctx, backend, a, ret, out);
}

static __always_inline int nj_file_leave_taken(void *ctx, long ret, __u8 backend,
					       struct nj_sys_args *a, __u16 type, __u16 name2_field)
{
	struct nj_file_out out = {.type = type, .name2_field = name2_field};

	return nj_file_leave_out(ctx, ret, backend, a, &out);
}

/* The same, taking the arguments its entry saved. */
static __always_inline int nj_file_leave(void *ctx, long ret, __u8 backend, __u32 first, __u32 last,
					 __u16 type, __u16 name2_field)
{
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), first, last, &a))
		return 0;
	return nj_file_leave_taken(ctx, ret, backend, &a, type, name2_field);
}

/*
 * io_uring requests seen from inside the VFS (kprobe, fentry). A request
 * runs no syscall of its own: the ring's worker threads (PF_IO_WORKER, all
 * of a process's own threads since v5.12), io_uring_enter itself, or task
 * work run as the submitting thread returns from any syscall call the same
 * VFS functions a syscall would, so the hooks that stash an identity for a
 * syscall's exit can report such a request themselves. Its result is in
 * its completion, which is not read: the event says it is not known.
 * Before v5.12 the workers are kernel threads acting for the process
 * (PF_KTHREAD: nj_ignored drops them) and nothing ties them to it here:
 * not reported (the submit event still is).
 */

struct task_struct___nj_uring {
	void *io_uring;
} __attribute__((preserve_access_index));

/* Whether the thread is a user thread running an io_uring request outside
 * any file syscall: the ring's worker, or a thread that has used io_uring
 * (task->io_uring) inside a syscall that opens no file by itself (the
 * request runs in io_uring_enter, or as task work at the return from any
 * other syscall). The syscalls that do open files (the open and exec
 * families) are told apart by number, which needs bpf_task_pt_regs (5.15):
 * before, only the workers' requests are recognised. */
static __always_inline __u32 nj_file_uring_flags(struct task_struct *task)
{
	struct task_struct___nj_uring *t = (void *)task;
	long nr;

	if (BPF_CORE_READ(task, flags) & NJ_PF_IO_WORKER)
		return NJ_FILE_IO_URING | NJ_FILE_IO_WORKER;
	if (!bpf_core_field_exists(t->io_uring) || !BPF_CORE_READ(t, io_uring))
		return 0;
	nr = nj_current_syscall_nr();
	if (nr < 0 || nr == NJ_NR_OPEN || nr == NJ_NR_CREAT || nr == NJ_NR_OPENAT ||
	    nr == NJ_NR_OPENAT2 || nr == NJ_NR_OPEN_BY_HANDLE_AT || nr == NJ_NR_EXECVE ||
	    nr == NJ_NR_EXECVEAT)
		return 0;
	return NJ_FILE_IO_URING;
}

/* What a VFS hook knows of a request's object: an open file, or a name in
 * a directory on a mount (kernel pointers as numbers). */
struct nj_file_vfs {
	struct file *file;
	__u64 mnt, dir, name; /* the object (a new one's dentry is negative) */
	__u64 mnt2, dir2, name2; /* rename: the new name; link: the existing one */
	__u16 type; /* NJ_REC_FILE_* */
	__u16 name2_field; /* NJ_FF_NAME2, NJ_FF_TARGET (symlink: name2 is the target) or 0 */
};

/* Send one request's event; rec holds everything but its parts, task and
 * header. */
static __always_inline void nj_file_build_vfs(void *ctx, struct nj_scratch *sc, __u8 backend,
					      const struct nj_file_vfs *k,
					      struct nj_file_create *rec)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 event_id = nj_new_event_id();
	__u32 parts = 0;

	if (k->file) {
		struct file *file = k->file;

		parts += nj_part_path(ctx, sc, event_id, backend, NJ_FF_PATH,
				      __builtin_preserve_access_index(&file->f_path),
				      rec->op.obj.dev, rec->op.obj.ino);
	} else {
		parts += nj_part_dpath(ctx, sc, event_id, backend, NJ_FF_DIR, k->mnt, k->dir, 0, 0);
		parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_FF_NAME, 0,
				      (const char *)k->name, 0, 0);
	}
	if (k->name2 && k->name2_field) {
		if (k->name2_field == NJ_FF_NAME2)
			parts += nj_part_dpath(ctx, sc, event_id, backend, NJ_FF_DIR2, k->mnt2,
					       k->dir2, 0, 0);
		parts += nj_part_kstr(ctx, sc, event_id, backend, k->name2_field, 0,
				      (const char *)k->name2, 0, 0);
	}
	if (sc->lost_parts)
		rec->op.flags |= NJ_FILE_PARTS_LOST;
	nj_fill_task(&rec->op.task, task, false);
	/* The request runs with the credentials it was submitted with (or a
	 * registered personality's), which the thread's subjective ones are
	 * while it runs: a worker's real_cred is from when it was made. */
	rec->op.task.euid = BPF_CORE_READ(task, cred, euid.val);
	rec->op.task.egid = BPF_CORE_READ(task, cred, egid.val);
	nj_hdr_init_ts(&rec->hdr, NJ_FAM_FILE, k->type, sizeof(*rec), event_id, backend, sc->ts_ns);
	nj_batch_close(ctx, sc, rec, parts);
}

static __always_inline void nj_file_emit_vfs(void *ctx, __u8 backend, const struct nj_file_vfs *k,
					     struct nj_file_create *rec)
{
	NJ_BATCH(sc, NJ_FAM_FILE, nj_file_build_vfs(ctx, sc, backend, k, rec));
}

/* A VFS hook: two programs per function, kprobe and fentry, one body,
 * which has its backend in `backend`. */
#define NJ_FILE_ID_HOOK(fn, body, ...)                  \
	SEC("kprobe/" #fn)                              \
	int BPF_KPROBE(kp__##fn, __VA_ARGS__)           \
	{                                               \
		const __u8 backend = NJ_BACKEND_KPROBE; \
		(void)backend;                          \
		return body;                            \
	}                                               \
	SEC("fentry/" #fn)                              \
	int BPF_PROG(fe__##fn, __VA_ARGS__)             \
	{                                               \
		const __u8 backend = NJ_BACKEND_FENTRY; \
		(void)backend;                          \
		return body;                            \
	}

/* Entry shapes. Each rewrites the syscall's own arguments (a->args as
 * passed) into struct nj_file_args and saves them. */
static __always_inline void nj_file_args_set(struct nj_sys_args *a, __s64 dfd, __u64 name,
					     __s64 dfd2, __u64 name2, __u64 v0, __u64 v1)
{
	struct nj_file_args *fa = nj_fa(a);

	/* An fd is an int: the register's upper half is not part of it. */
	fa->dfd = (__s32)dfd;
	fa->name = name;
	fa->dfd2 = (__s32)dfd2;
	fa->name2 = name2;
	fa->v0 = v0;
	fa->v1 = v1;
	/* An identity stashed during an earlier call of this thread (one whose
	 * exit never took it) must not be taken for this call's. */
	a->nonce = (__u32)bpf_ktime_get_ns();
}

static __always_inline int nj_file_save(struct nj_sys_args *a, __s64 dfd, __u64 name, __s64 dfd2,
					__u64 name2, __u64 v0, __u64 v1)
{
	nj_file_args_set(a, dfd, name, dfd2, name2, v0, v1);
	return nj_sys_enter_save(a);
}

/* The exit program of a path-or-fd syscall: NJ_FILE_EXIT(unlink,
 * NJ_SYS_UNLINK, NJ_REC_FILE_DELETE, 0). */
#define NJ_FILE_EXIT(sys, id, type, name2_field)                                    \
	static __always_inline int sys##_exit(void *ctx, long ret, __u8 backend)    \
	{                                                                           \
		return nj_file_leave(ctx, ret, backend, id, id, type, name2_field); \
	}                                                                           \
	NJ_SYSCALL_EXIT(sys, sys##_exit)

/* The exit program of a syscall whose exit body takes the syscall's number:
 * NJ_FILE_EXIT_WITH(openat, NJ_SYS_OPENAT, open_leave). */
#define NJ_FILE_EXIT_WITH(sys, id, leave)                                        \
	static __always_inline int sys##_exit(void *ctx, long ret, __u8 backend) \
	{                                                                        \
		return leave(ctx, ret, backend, id);                             \
	}                                                                        \
	NJ_SYSCALL_EXIT(sys, sys##_exit)

#endif /* NJ_BPF_FILE_H */
