/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rename, renameat, renameat2: both paths, each resolved against its own
 * dirfd, and renameat2's flags (RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT).
 */
#include "file.h"

static __always_inline int renameat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], a->args[2], a->args[3], 0, 0);
}

static __always_inline int renameat2_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], a->args[2], a->args[3], a->args[4], 0);
}

NJ_SYSCALL_ENTER(renameat, NJ_SYS_RENAMEAT, 4, renameat_enter)
NJ_SYSCALL_ENTER(renameat2, NJ_SYS_RENAMEAT2, 5, renameat2_enter)
NJ_FILE_EXIT(renameat, NJ_SYS_RENAMEAT, NJ_REC_FILE_RENAME, NJ_FF_NAME2)
NJ_FILE_EXIT(renameat2, NJ_SYS_RENAMEAT2, NJ_REC_FILE_RENAME, NJ_FF_NAME2)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int rename_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], NJ_AT_FDCWD, a->args[1], 0, 0);
}

NJ_SYSCALL_ENTER(rename, NJ_SYS_RENAME, 2, rename_enter)
NJ_FILE_EXIT(rename, NJ_SYS_RENAME, NJ_REC_FILE_RENAME, NJ_FF_NAME2)
#endif
