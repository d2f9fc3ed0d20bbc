/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kprobe/fentry only: the identity (inode, device, mode, owner) of the
 * object a path-based file syscall works on. A syscall's arguments name it
 * only as a string; these kernel functions run inside the syscall with the
 * dentry already looked up, so they see which file it is, the file a
 * rename replaces, and a deleted file's mode before it is gone. They stash
 * it for the syscall's exit (nj_file_ids_map), which reports the event.
 *
 * The same functions run inside io_uring requests, which have no syscall
 * exit: where the thread is in no file syscall but in io_uring (file.h:
 * nj_file_uring_flags), the hooks of the calls io_uring has an opcode for
 * report the request's event themselves, and security_path_mkdir and
 * security_path_symlink are hooked for that alone (the syscalls' exits
 * report those without them).
 *
 * Why these functions: the security_path_* hooks have had the same
 * arguments since v2.6.29 (CONFIG_SECURITY_PATH, which AppArmor and TOMOYO
 * select, so distribution kernels have it); vfs_utimes (v5.8) and
 * vfs_truncate take a struct path. The inode-level xattr hooks gained an
 * idmap first argument in v5.12 (commit c7c7a1a18af4).
 */
#include "file.h"

extern int LINUX_KERNEL_VERSION __kconfig;

static __always_inline bool nj_file_syscall(const struct nj_sys_args *a)
{
	/* The file syscalls (numbered after the other families included). */
	return a && ((a->syscall >= NJ_SYS_OPEN && a->syscall <= NJ_SYS_MEMFD_CREATE) ||
		     (a->syscall >= NJ_SYS_SETXATTRAT && a->syscall <= NJ_SYS_FILE_SETATTR));
}

static __always_inline __u32 nj_file_ids_fill(struct nj_file_ids *ids, struct dentry *d,
					      struct dentry *replaced)
{
	struct inode *inode = d ? BPF_CORE_READ(d, d_inode) : NULL;

	if (inode) {
		nj_file_obj_fill(&ids->obj, inode);
		ids->flags |= NJ_FILE_OBJ_KNOWN;
	}
	if (replaced) {
		inode = BPF_CORE_READ(replaced, d_inode);
		if (inode) {
			nj_file_obj_fill(&ids->replaced, inode);
			ids->flags |= NJ_FILE_REPLACED;
		}
	}
	return ids->flags;
}

/* The flags of an io_uring request's event (file.h: nj_file_uring_flags),
 * or 0 outside one: asked before anything else is read. */
static __always_inline __u32 nj_file_uring_check(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 flags = nj_file_uring_flags(task);

	return flags && !nj_ignored(task, false) ? flags : 0;
}

/* An io_uring request's event. The syscall and v0 say which call the
 * request does the work of and its flags or mode. */
static __always_inline int nj_file_uring_vfs(void *ctx, __u8 backend, const struct nj_file_vfs *k,
					     struct dentry *d, struct dentry *replaced,
					     __u32 syscall, __u64 v0, __u32 flags)
{
	struct nj_file_create rec = {};
	struct nj_file_ids ids = {};

	rec.op.flags = flags | nj_file_ids_fill(&ids, d, replaced);
	rec.op.obj = ids.obj;
	rec.op.syscall = syscall;
	rec.op.args[0] = v0;
	nj_file_op_replaced(&rec.op, &ids.replaced);
	nj_file_emit_vfs(ctx, backend, k, &rec);
	return 0;
}

/* Stash the identity for the file syscall this thread is in; false when
 * it is in none (the hook may be inside an io_uring request). */
static __always_inline bool nj_file_stashed(struct dentry *d, struct dentry *replaced)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct nj_sys_args *a = bpf_map_lookup_elem(&nj_sys_args_map, &tid);
	struct nj_file_ids ids = {};

	if (!nj_file_syscall(a))
		return false;
	if (!d)
		return true;
	ids.syscall = a->syscall;
	ids.nonce = a->nonce;
	nj_file_ids_fill(&ids, d, replaced);
	bpf_map_update_elem(&nj_file_ids_map, &tid, &ids, BPF_ANY);
	return true;
}

static __always_inline int nj_file_stash(struct dentry *d, struct dentry *replaced)
{
	nj_file_stashed(d, replaced);
	return 0;
}

static __always_inline int nj_file_stash_path(const struct path *p)
{
	return nj_file_stash(BPF_CORE_READ(p, dentry), NULL);
}

/* A name in a directory, for an io_uring request's event. */
#define NJ_VFS_AT(dir_, d_, type_)                                                                 \
	{                                                                                          \
		.mnt = (__u64)BPF_CORE_READ(dir_, mnt), .dir = (__u64)BPF_CORE_READ(dir_, dentry), \
		.name = (__u64)BPF_CORE_READ(d_, d_name.name), .type = (type_)                     \
	}

/* The calls io_uring has an opcode for (UNLINKAT, RENAMEAT, MKDIRAT,
 * SYMLINKAT, LINKAT) also report a request. */
static __always_inline int nj_unlink_hook(void *ctx, __u8 backend, const struct path *dir,
					  struct dentry *dentry, __u64 at_flags)
{
	__u32 flags;

	if (nj_file_stashed(dentry, NULL) || !(flags = nj_file_uring_check()))
		return 0;
	struct nj_file_vfs k = NJ_VFS_AT(dir, dentry, NJ_REC_FILE_DELETE);

	return nj_file_uring_vfs(ctx, backend, &k, dentry, NULL, NJ_SYS_UNLINKAT, at_flags, flags);
}

static __always_inline int nj_rename_hook(void *ctx, __u8 backend, const struct path *old_dir,
					  struct dentry *old_dentry, const struct path *new_dir,
					  struct dentry *new_dentry, __u64 flags)
{
	__u32 uring;

	if (nj_file_stashed(old_dentry, new_dentry) || !(uring = nj_file_uring_check()))
		return 0;
	struct nj_file_vfs k = NJ_VFS_AT(old_dir, old_dentry, NJ_REC_FILE_RENAME);

	k.mnt2 = (__u64)BPF_CORE_READ(new_dir, mnt);
	k.dir2 = (__u64)BPF_CORE_READ(new_dir, dentry);
	k.name2 = (__u64)BPF_CORE_READ(new_dentry, d_name.name);
	k.name2_field = NJ_FF_NAME2;
	return nj_file_uring_vfs(ctx, backend, &k, old_dentry, new_dentry, NJ_SYS_RENAMEAT2, flags,
				 uring);
}

/* link: the object is the new name; the existing file is one more name of
 * it (a hard link cannot cross mounts: new_dir's mount is the old one's). */
static __always_inline int nj_link_hook(void *ctx, __u8 backend, struct dentry *old_dentry,
					const struct path *new_dir, struct dentry *new_dentry)
{
	__u32 flags;

	if (nj_file_stashed(old_dentry, NULL) || !(flags = nj_file_uring_check()))
		return 0;
	struct nj_file_vfs k = NJ_VFS_AT(new_dir, new_dentry, NJ_REC_FILE_CREATE);

	k.mnt2 = k.mnt;
	k.dir2 = (__u64)BPF_CORE_READ(old_dentry, d_parent);
	k.name2 = (__u64)BPF_CORE_READ(old_dentry, d_name.name);
	k.name2_field = NJ_FF_NAME2;
	return nj_file_uring_vfs(ctx, backend, &k, old_dentry, NULL, NJ_SYS_LINKAT, 0, flags);
}

/* mkdir and symlink make a new dentry: the syscalls' exits report them
 * without these hooks, which only serve io_uring requests. */
static __always_inline int nj_mkdir_hook(void *ctx, __u8 backend, const struct path *dir,
					 struct dentry *dentry, __u64 mode)
{
	__u32 flags = nj_file_uring_check();

	if (!flags)
		return 0;
	struct nj_file_vfs k = NJ_VFS_AT(dir, dentry, NJ_REC_FILE_CREATE);

	return nj_file_uring_vfs(ctx, backend, &k, NULL, NULL, NJ_SYS_MKDIRAT, mode & 07777, flags);
}

static __always_inline int nj_symlink_hook(void *ctx, __u8 backend, const struct path *dir,
					   struct dentry *dentry, const char *target)
{
	__u32 flags = nj_file_uring_check();

	if (!flags)
		return 0;
	struct nj_file_vfs k = NJ_VFS_AT(dir, dentry, NJ_REC_FILE_CREATE);

	k.name2 = (__u64)target;
	k.name2_field = NJ_FF_TARGET;
	return nj_file_uring_vfs(ctx, backend, &k, NULL, NULL, NJ_SYS_SYMLINKAT, 0, flags);
}

NJ_FILE_ID_HOOK(security_path_unlink, nj_unlink_hook(ctx, backend, dir, dentry, 0),
		const struct path *dir, struct dentry *dentry)
NJ_FILE_ID_HOOK(security_path_rmdir, nj_unlink_hook(ctx, backend, dir, dentry, NJ_AT_REMOVEDIR),
		const struct path *dir, struct dentry *dentry)
NJ_FILE_ID_HOOK(security_path_rename,
		nj_rename_hook(ctx, backend, old_dir, old_dentry, new_dir, new_dentry, flags),
		const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
		struct dentry *new_dentry, unsigned int flags)
NJ_FILE_ID_HOOK(security_path_mkdir, nj_mkdir_hook(ctx, backend, dir, dentry, mode),
		const struct path *dir, struct dentry *dentry, umode_t mode)
NJ_FILE_ID_HOOK(security_path_symlink, nj_symlink_hook(ctx, backend, dir, dentry, old_name),
		const struct path *dir, struct dentry *dentry, const char *old_name)
NJ_FILE_ID_HOOK(security_path_chmod, nj_file_stash_path(path), const struct path *path)
/* kprobe only: its uid and gid are structs passed by value, which fentry
 * cannot attach to before v6.1 (the verifier refuses the whole function). */
SEC("kprobe/security_path_chown")
int BPF_KPROBE(kp__security_path_chown, const struct path *path)
{
	return nj_file_stash_path(path);
}
NJ_FILE_ID_HOOK(security_path_link, nj_link_hook(ctx, backend, old_dentry, new_dir, new_dentry),
		struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry)
NJ_FILE_ID_HOOK(vfs_utimes, nj_file_stash_path(path), const struct path *path)
NJ_FILE_ID_HOOK(vfs_truncate, nj_file_stash_path(path), const struct path *path)

/* The dentry is the first argument before v5.12, the second after. Both
 * are read before one is chosen: the v5.10 verifier refuses a load through
 * a context pointer whose offset depends on a branch. */
static __always_inline struct dentry *nj_xattr_dentry(__u64 a0, __u64 a1)
{
	asm volatile("" : "+r"(a0), "+r"(a1));
	return (struct dentry *)(LINUX_KERNEL_VERSION >= KERNEL_VERSION(5, 12, 0) ? a1 : a0);
}

NJ_FILE_ID_HOOK(security_inode_setxattr, nj_file_stash(nj_xattr_dentry(a0, a1), NULL), __u64 a0,
		__u64 a1)
NJ_FILE_ID_HOOK(security_inode_removexattr, nj_file_stash(nj_xattr_dentry(a0, a1), NULL), __u64 a0,
		__u64 a1)
