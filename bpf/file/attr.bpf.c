/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chmod and chown families: the new mode (setuid, setgid and sticky bits
 * included) and the new owner and group (-1: unchanged), by path or fd.
 */
#include "file.h"

static __always_inline int fchmod_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, 0, a->args[1], 0);
}

/* fchmodat(dfd, path, mode) and fchmodat2(dfd, path, mode, flags). */
static __always_inline int fchmodat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], a->args[3]);
}

static __always_inline int fchown_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, 0, a->args[1], a->args[2]);
}

static __always_inline int fchownat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], a->args[3]);
}

NJ_SYSCALL_ENTER(fchmod, NJ_SYS_FCHMOD, 2, fchmod_enter)
NJ_SYSCALL_ENTER(fchmodat, NJ_SYS_FCHMODAT, 3, fchmodat_enter)
NJ_SYSCALL_ENTER(fchmodat2, NJ_SYS_FCHMODAT2, 4, fchmodat_enter)
NJ_SYSCALL_ENTER(fchown, NJ_SYS_FCHOWN, 3, fchown_enter)
NJ_SYSCALL_ENTER(fchownat, NJ_SYS_FCHOWNAT, 4, fchownat_enter)
NJ_FILE_EXIT(fchmod, NJ_SYS_FCHMOD, NJ_REC_FILE_CHMOD, 0)
NJ_FILE_EXIT(fchmodat, NJ_SYS_FCHMODAT, NJ_REC_FILE_CHMOD, 0)
NJ_FILE_EXIT(fchmodat2, NJ_SYS_FCHMODAT2, NJ_REC_FILE_CHMOD, 0)
NJ_FILE_EXIT(fchown, NJ_SYS_FCHOWN, NJ_REC_FILE_CHOWN, 0)
NJ_FILE_EXIT(fchownat, NJ_SYS_FCHOWNAT, NJ_REC_FILE_CHOWN, 0)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int chmod_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], 0);
}

static __always_inline int chown_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], a->args[2]);
}

static __always_inline int lchown_enter(struct nj_sys_args *a)
{
	return chown_enter(a);
}

NJ_SYSCALL_ENTER(chmod, NJ_SYS_CHMOD, 2, chmod_enter)
NJ_SYSCALL_ENTER(chown, NJ_SYS_CHOWN, 3, chown_enter)
NJ_SYSCALL_ENTER(lchown, NJ_SYS_LCHOWN, 3, lchown_enter)
NJ_FILE_EXIT(chmod, NJ_SYS_CHMOD, NJ_REC_FILE_CHMOD, 0)
NJ_FILE_EXIT(chown, NJ_SYS_CHOWN, NJ_REC_FILE_CHOWN, 0)
NJ_FILE_EXIT(lchown, NJ_SYS_LCHOWN, NJ_REC_FILE_CHOWN, 0)
#endif
