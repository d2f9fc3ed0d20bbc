/* SPDX-License-Identifier: GPL-2.0 */
/*
 * open, openat, openat2, creat, open_by_handle_at: a file created (FMODE_CREATED: the open
 * really made it, not just asked O_CREAT; or O_TMPFILE), modified (opened for writing or
 * with O_TRUNC; one event per process and file within the modify window),
 * or read where a watch rule asks for reads.
 *
 * Why the exit decides: the returned fd is the opened file, so its path is
 * the canonical one walked from the dentry (no relative names, no "..",
 * symlinks resolved) and its identity is known. The entry only saves what
 * the file no longer says (O_TRUNC, O_CREAT, the mode asked for) and only
 * for opens that may write: a read-only open costs no map update.
 */
#include "file.h"

static __always_inline int open_save(struct nj_sys_args *a, __s64 dfd, __u64 name, __u64 flags,
				     __u64 mode)
{
	if (!(flags & (NJ_O_ACCMODE | NJ_O_TRUNC | NJ_O_CREAT | NJ_O_TMPFILE)))
		return 0;
	return nj_file_save(a, dfd, name, 0, 0, flags, mode);
}

static __always_inline int openat_enter(struct nj_sys_args *a)
{
	return open_save(a, a->args[0], a->args[1], a->args[2], a->args[3]);
}

/* openat2's flags and mode are in the caller's struct open_how. */
static __always_inline int openat2_enter(struct nj_sys_args *a)
{
	__u64 how[2] = {};

	if (bpf_probe_read_user(how, sizeof(how), (const void *)a->args[2]))
		return 0;
	return open_save(a, a->args[0], a->args[1], how[0], how[1]);
}

/* open_by_handle_at opens a file by its filesystem handle, no path walked:
 * how a process with CAP_DAC_READ_SEARCH reaches files outside its root or
 * mount namespace (a container escape). It creates only with O_TMPFILE (a
 * directory's handle); its exit names the file from the opened fd like any
 * open. */
static __always_inline int open_by_handle_enter(struct nj_sys_args *a)
{
	return open_save(a, a->args[0], 0, a->args[2], 0);
}

/* What an opened file is worth: created (FMODE_CREATED: the open really
 * made it, not just asked O_CREAT; or O_TMPFILE), modified (opened for
 * writing or O_TRUNC: once per process and file within the modify window)
 * or read where a watch rule asks for reads; false for nothing. `asked` is
 * the open's flags where known (the file no longer says O_TRUNC after the
 * open). Fills out's type, object and rule. */
static __always_inline bool open_judge(struct task_struct *task, struct file *file, __u64 asked,
				       struct nj_file_out *out)
{
	struct nj_watch w = {};
	struct dentry *dentry;
	struct inode *inode;
	bool watched;
	__u32 fmode;

	fmode = BPF_CORE_READ(file, f_mode);
	/* O_TMPFILE makes an unnamed file without FMODE_CREATED. */
	if ((fmode & NJ_FMODE_CREATED) || (asked & NJ_O_TMPFILE) == NJ_O_TMPFILE)
		out->type = NJ_REC_FILE_CREATE;
	else if ((fmode & NJ_FMODE_WRITE) || (asked & NJ_O_TRUNC))
		out->type = NJ_REC_FILE_MODIFY;
	else if (nj_watch_reads && (fmode & NJ_FMODE_READ))
		out->type = NJ_REC_FILE_READ; /* not an O_PATH open: it reads nothing */
	else
		return false;
	if (out->type != NJ_REC_FILE_READ && nj_ignored(task, false))
		return false;

	inode = BPF_CORE_READ(file, f_inode);
	dentry = BPF_CORE_READ(file, f_path.dentry);
	if (out->type == NJ_REC_FILE_READ) {
		/* The common case, kept to the reads the watch lookup needs:
		 * everything else is read only for a watched file. */
		if (!nj_watch_find(dentry, BPF_CORE_READ(inode, i_sb, s_dev), &w) ||
		    !(w.flags & NJ_WATCH_READ) || nj_ignored(task, false))
			return false;
		watched = true;
		nj_file_obj_fill(&out->obj, inode);
	} else {
		__u32 ifmt;

		nj_file_obj_fill(&out->obj, inode);
		ifmt = out->obj.mode & NJ_S_IFMT;
		watched = nj_watch_depth && nj_watch_find(dentry, out->obj.dev, &w);
		/* A watched file is reported even on an excluded filesystem. */
		if (watched ? (w.flags & NJ_WATCH_EXCLUDE)
			    : !!bpf_map_lookup_elem(&nj_fs_exclude_map, &out->obj.fs_magic)) {
			nj_count_file(false);
			return false;
		}
		/* Writing to a terminal, pipe or socket opened by name
		 * (/dev/null, /dev/tty, a FIFO) changes no file. */
		if (!watched && (ifmt == NJ_S_IFCHR || ifmt == NJ_S_IFIFO || ifmt == NJ_S_IFSOCK))
			return false;
		if (nj_modify_seen(task, &out->obj, out->type == NJ_REC_FILE_MODIFY))
			return false;
	}
	out->have_obj = true;
	if (watched)
		out->rule = w.rule;
	return true;
}

static __always_inline int open_leave(void *ctx, long ret, __u8 backend, __u32 syscall)
{
	struct nj_file_out out = {};
	struct nj_sys_args a = {};
	struct task_struct *task;
	bool saved;

	/* Constants once inlined: open_by_handle_at is numbered apart. */
	if (syscall == NJ_SYS_OPEN_BY_HANDLE_AT)
		saved = nj_sys_take(bpf_get_current_pid_tgid(), syscall, syscall, &a);
	else
		saved = nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_OPEN, NJ_SYS_CREAT, &a);
	if (ret < 0) {
		/* Only an open that may write was saved: a refused one is
		 * reported with the path as passed. A handle is no path: a
		 * refused open_by_handle_at has nothing to name. */
		if (!saved || !nj_file_failure_reported(ret) || !nj_fa(&a)->name)
			return 0;
		/* Whether the file existed is not known: O_CREAT | O_EXCL
		 * wants a new one, else asking to write is a modification
		 * attempt, asking only to create a creation. */
		__u64 f = nj_fa(&a)->v0;

		if ((f & (NJ_O_CREAT | NJ_O_EXCL)) == (NJ_O_CREAT | NJ_O_EXCL))
			out.type = NJ_REC_FILE_CREATE;
		else
			out.type = f & (NJ_O_ACCMODE | NJ_O_TRUNC) ? NJ_REC_FILE_MODIFY
								   : NJ_REC_FILE_CREATE;
		return nj_file_emit(ctx, backend, &a, ret, &out);
	}
	task = (struct task_struct *)bpf_get_current_task();
	out.file = nj_fd_file(task, ret);
	if (!out.file || !open_judge(task, out.file, saved ? nj_fa(&a)->v0 : 0, &out))
		return 0;
	if (!saved) {
		struct file *file = out.file;

		a.syscall = syscall;
		nj_fa(&a)->v0 = BPF_CORE_READ(file, f_flags);
		if (out.type != NJ_REC_FILE_READ)
			out.flags |= NJ_FILE_NO_ENTER;
	}
	a.syscall = syscall;
	return nj_file_emit(ctx, backend, &a, ret, &out);
}

/* An open inside an io_uring request (IORING_OP_OPENAT, OPENAT2): no open
 * syscall runs, but the VFS calls security_file_open() on the new file as
 * for any open, with its f_flags still holding O_TRUNC and O_CREAT. Judged
 * as an open's exit judges its fd; not known: the mode asked for, and which
 * of the two opcodes it was. Every open of the machine runs this: it leaves
 * at the first tests unless the thread is in io_uring.
 *
 * A file the kernel opens for itself inside that open (overlayfs opens the
 * real file under the one the caller named) is left out: it has
 * FMODE_NOACCOUNT (bit 29 since v4.19: open_with_fake_path, and the backing
 * files of v6.6+), which no file a caller opens has. An open io_uring
 * tries without a worker has O_NONBLOCK added to its flags (cleared again
 * after the open): not the caller's, so not shown. */
#define NJ_FMODE_NOACCOUNT 0x20000000
#define NJ_O_NONBLOCK 00004000

static __always_inline int uring_open(void *ctx, __u8 backend, struct file *file)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_file_vfs k = {.file = file};
	struct nj_file_create rec = {};
	struct nj_file_out out = {};
	__u32 flags = nj_file_uring_flags(task);
	__u64 f_flags;

	if (!flags || !file || (BPF_CORE_READ(file, f_mode) & NJ_FMODE_NOACCOUNT))
		return 0;
	f_flags = BPF_CORE_READ(file, f_flags);
	if (!open_judge(task, file, f_flags, &out))
		return 0;
	if (!(flags & NJ_FILE_IO_WORKER))
		f_flags &= ~(__u64)NJ_O_NONBLOCK;
	k.type = out.type;
	rec.op.flags = flags | NJ_FILE_OBJ_KNOWN;
	rec.op.obj = out.obj;
	rec.op.rule = out.rule;
	rec.op.syscall = NJ_SYS_OPENAT;
	rec.op.args[0] = f_flags;
	nj_file_emit_vfs(ctx, backend, &k, &rec);
	return 0;
}

NJ_FILE_ID_HOOK(security_file_open, uring_open(ctx, backend, file), struct file *file)

NJ_SYSCALL_ENTER(openat, NJ_SYS_OPENAT, 4, openat_enter)
NJ_SYSCALL_ENTER(openat2, NJ_SYS_OPENAT2, 3, openat2_enter)
NJ_SYSCALL_ENTER(open_by_handle_at, NJ_SYS_OPEN_BY_HANDLE_AT, 3, open_by_handle_enter)
NJ_FILE_EXIT_WITH(openat, NJ_SYS_OPENAT, open_leave)
NJ_FILE_EXIT_WITH(openat2, NJ_SYS_OPENAT2, open_leave)
NJ_FILE_EXIT_WITH(open_by_handle_at, NJ_SYS_OPEN_BY_HANDLE_AT, open_leave)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int open_enter(struct nj_sys_args *a)
{
	return open_save(a, NJ_AT_FDCWD, a->args[0], a->args[1], a->args[2]);
}

static __always_inline int creat_enter(struct nj_sys_args *a)
{
	return open_save(a, NJ_AT_FDCWD, a->args[0], NJ_O_CREAT | NJ_O_WRONLY | NJ_O_TRUNC,
			 a->args[1]);
}

NJ_SYSCALL_ENTER(open, NJ_SYS_OPEN, 3, open_enter)
NJ_SYSCALL_ENTER(creat, NJ_SYS_CREAT, 2, creat_enter)
NJ_FILE_EXIT_WITH(open, NJ_SYS_OPEN, open_leave)
NJ_FILE_EXIT_WITH(creat, NJ_SYS_CREAT, open_leave)
#endif
