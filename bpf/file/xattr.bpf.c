/* SPDX-License-Identifier: GPL-2.0 */
/*
 * setxattr and removexattr families: the attribute's name (security.*
 * names carry file capabilities and MAC labels), by path or fd.
 */
#include "file.h"

/* setxattr(path, name, value, size, flags): flags and size kept. */
static __always_inline int setxattr_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, a->args[1], a->args[4], a->args[3]);
}

static __always_inline int fsetxattr_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, a->args[1], a->args[4], a->args[3]);
}

static __always_inline int removexattr_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, a->args[1], 0, 0);
}

static __always_inline int fremovexattr_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, a->args[1], 0, 0);
}

static __always_inline int lsetxattr_enter(struct nj_sys_args *a)
{
	return setxattr_enter(a);
}

static __always_inline int lremovexattr_enter(struct nj_sys_args *a)
{
	return removexattr_enter(a);
}

/* setxattrat(dfd, path, at_flags, name, args, size) and removexattrat(dfd,
 * path, at_flags, name) (Linux 6.13): the value's size and the flags are in
 * the caller's struct xattr_args { __u64 value; __u32 size; __u32 flags; }. */
static __always_inline int setxattrat_enter(struct nj_sys_args *a)
{
	__u32 size_flags[2] = {};

	bpf_probe_read_user(size_flags, sizeof(size_flags), (const void *)(a->args[4] + 8));
	return nj_file_save(a, a->args[0], a->args[1], 0, a->args[3], size_flags[1], size_flags[0]);
}

static __always_inline int removexattrat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, a->args[3], 0, 0);
}

NJ_SYSCALL_ENTER(setxattr, NJ_SYS_SETXATTR, 5, setxattr_enter)
NJ_SYSCALL_ENTER(lsetxattr, NJ_SYS_LSETXATTR, 5, lsetxattr_enter)
NJ_SYSCALL_ENTER(fsetxattr, NJ_SYS_FSETXATTR, 5, fsetxattr_enter)
NJ_SYSCALL_ENTER(removexattr, NJ_SYS_REMOVEXATTR, 2, removexattr_enter)
NJ_SYSCALL_ENTER(lremovexattr, NJ_SYS_LREMOVEXATTR, 2, lremovexattr_enter)
NJ_SYSCALL_ENTER(fremovexattr, NJ_SYS_FREMOVEXATTR, 2, fremovexattr_enter)
NJ_SYSCALL_ENTER(setxattrat, NJ_SYS_SETXATTRAT, 5, setxattrat_enter)
NJ_SYSCALL_ENTER(removexattrat, NJ_SYS_REMOVEXATTRAT, 4, removexattrat_enter)
NJ_FILE_EXIT(setxattr, NJ_SYS_SETXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(lsetxattr, NJ_SYS_LSETXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(fsetxattr, NJ_SYS_FSETXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(removexattr, NJ_SYS_REMOVEXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(lremovexattr, NJ_SYS_LREMOVEXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(fremovexattr, NJ_SYS_FREMOVEXATTR, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(setxattrat, NJ_SYS_SETXATTRAT, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
NJ_FILE_EXIT(removexattrat, NJ_SYS_REMOVEXATTRAT, NJ_REC_FILE_XATTR, NJ_FF_XATTR)
