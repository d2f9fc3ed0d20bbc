/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kprobe/fentry only: the identity (inode, device, mode, owner) of the
 * object a path-based file syscall works on. A syscall's arguments name it
 * only as a string; these kernel functions run inside the syscall with the
 * dentry already looked up, so they see which file it is, the file a
 * rename replaces, and a deleted file's mode before it is gone. They stash
 * it for the syscall's exit (nj_file_ids_map), which reports the event.
 *
 * Why these functions: the security_path_* hooks have had the same
 * arguments since v2.6.29 (CONFIG_SECURITY_PATH, which AppArmor and TOMOYO
 * select, so distribution kernels have it); vfs_utimes (v5.8) and
 * vfs_truncate take a struct path. The inode-level xattr hooks gained an
 * idmap first argument in v5.12 (commit c7c7a1a18af4).
 */
#include "file.h"

extern int LINUX_KERNEL_VERSION __kconfig;

static __always_inline int nj_file_stash(struct dentry *d, struct dentry *replaced)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct nj_sys_args *a = bpf_map_lookup_elem(&nj_sys_args_map, &tid);
	struct nj_file_ids ids = {};
	struct inode *inode;

	/* Only inside a file syscall whose entry was saved (those numbered
	 * after the other families included). */
	if (!a || !d ||
	    !((a->syscall >= NJ_SYS_OPEN && a->syscall <= NJ_SYS_MEMFD_CREATE) ||
	      (a->syscall >= NJ_SYS_SETXATTRAT && a->syscall <= NJ_SYS_FILE_SETATTR)))
		return 0;
	ids.syscall = a->syscall;
	ids.nonce = a->nonce;
	inode = BPF_CORE_READ(d, d_inode);
	if (inode) {
		nj_file_obj_fill(&ids.obj, inode);
		ids.flags |= NJ_FILE_OBJ_KNOWN;
	}
	if (replaced) {
		inode = BPF_CORE_READ(replaced, d_inode);
		if (inode) {
			nj_file_obj_fill(&ids.replaced, inode);
			ids.flags |= NJ_FILE_REPLACED;
		}
	}
	bpf_map_update_elem(&nj_file_ids_map, &tid, &ids, BPF_ANY);
	return 0;
}

static __always_inline int nj_file_stash_path(const struct path *p)
{
	return nj_file_stash(BPF_CORE_READ(p, dentry), NULL);
}

/* Two programs per function: kprobe and fentry, one body. */
#define NJ_FILE_ID_HOOK(fn, body, ...)        \
	SEC("kprobe/" #fn)                    \
	int BPF_KPROBE(kp__##fn, __VA_ARGS__) \
	{                                     \
		return body;                  \
	}                                     \
	SEC("fentry/" #fn)                    \
	int BPF_PROG(fe__##fn, __VA_ARGS__)   \
	{                                     \
		return body;                  \
	}

NJ_FILE_ID_HOOK(security_path_unlink, nj_file_stash(dentry, NULL), const struct path *dir,
		struct dentry *dentry)
NJ_FILE_ID_HOOK(security_path_rmdir, nj_file_stash(dentry, NULL), const struct path *dir,
		struct dentry *dentry)
NJ_FILE_ID_HOOK(security_path_rename, nj_file_stash(old_dentry, new_dentry),
		const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
		struct dentry *new_dentry)
NJ_FILE_ID_HOOK(security_path_chmod, nj_file_stash_path(path), const struct path *path)
/* kprobe only: its uid and gid are structs passed by value, which fentry
 * cannot attach to before v6.1 (the verifier refuses the whole function). */
SEC("kprobe/security_path_chown")
int BPF_KPROBE(kp__security_path_chown, const struct path *path)
{
	return nj_file_stash_path(path);
}
/* link: the existing file, which the new name is one more name of. */
NJ_FILE_ID_HOOK(security_path_link, nj_file_stash(old_dentry, NULL), struct dentry *old_dentry)
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
