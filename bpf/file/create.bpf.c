/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mkdir, mknod, symlink, link and their *at forms: a new name in the
 * filesystem (file creation by open is in open.bpf.c). A symlink carries
 * its target as passed; a hard link the existing path, resolved like any
 * other path against its own dirfd.
 */
#include "file.h"

static __always_inline int mkdirat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], 0);
}

static __always_inline int mknodat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], a->args[3]);
}

static __always_inline int symlinkat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[1], a->args[2], 0, a->args[0], 0, 0);
}

static __always_inline int linkat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[2], a->args[3], a->args[0], a->args[1], a->args[4], 0);
}

NJ_SYSCALL_ENTER(mkdirat, NJ_SYS_MKDIRAT, 3, mkdirat_enter)
NJ_SYSCALL_ENTER(mknodat, NJ_SYS_MKNODAT, 4, mknodat_enter)
NJ_SYSCALL_ENTER(symlinkat, NJ_SYS_SYMLINKAT, 3, symlinkat_enter)
NJ_SYSCALL_ENTER(linkat, NJ_SYS_LINKAT, 5, linkat_enter)
NJ_FILE_EXIT(mkdirat, NJ_SYS_MKDIRAT, NJ_REC_FILE_CREATE, 0)
NJ_FILE_EXIT(mknodat, NJ_SYS_MKNODAT, NJ_REC_FILE_CREATE, 0)
NJ_FILE_EXIT(symlinkat, NJ_SYS_SYMLINKAT, NJ_REC_FILE_CREATE, NJ_FF_TARGET)
NJ_FILE_EXIT(linkat, NJ_SYS_LINKAT, NJ_REC_FILE_CREATE, NJ_FF_NAME2)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int mkdir_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], 0);
}

static __always_inline int mknod_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], a->args[2]);
}

/* symlink(target, linkpath): the object is the link. */
static __always_inline int symlink_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[1], 0, a->args[0], 0, 0);
}

/* link(oldpath, newpath): the object is the new link, name2 the existing. */
static __always_inline int link_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[1], NJ_AT_FDCWD, a->args[0], 0, 0);
}

NJ_SYSCALL_ENTER(mkdir, NJ_SYS_MKDIR, 2, mkdir_enter)
NJ_SYSCALL_ENTER(mknod, NJ_SYS_MKNOD, 3, mknod_enter)
NJ_SYSCALL_ENTER(symlink, NJ_SYS_SYMLINK, 2, symlink_enter)
NJ_SYSCALL_ENTER(link, NJ_SYS_LINK, 2, link_enter)
NJ_FILE_EXIT(mkdir, NJ_SYS_MKDIR, NJ_REC_FILE_CREATE, 0)
NJ_FILE_EXIT(mknod, NJ_SYS_MKNOD, NJ_REC_FILE_CREATE, 0)
NJ_FILE_EXIT(symlink, NJ_SYS_SYMLINK, NJ_REC_FILE_CREATE, NJ_FF_TARGET)
NJ_FILE_EXIT(link, NJ_SYS_LINK, NJ_REC_FILE_CREATE, NJ_FF_NAME2)
#endif
