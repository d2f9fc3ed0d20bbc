/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unlink, unlinkat, rmdir: a name removed. The path is the one passed,
 * resolved against its dirfd or the cwd; the object's identity is gone
 * by the exit (see docs/events/file.md for what each backend knows).
 */
#include "file.h"

/* unlinkat(dfd, path, flags): AT_REMOVEDIR makes it an rmdir. */
static __always_inline int unlinkat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], 0);
}

NJ_SYSCALL_ENTER(unlinkat, NJ_SYS_UNLINKAT, 3, unlinkat_enter)
NJ_FILE_EXIT(unlinkat, NJ_SYS_UNLINKAT, NJ_REC_FILE_DELETE, 0)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int unlink_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, 0, 0);
}

NJ_SYSCALL_ENTER(unlink, NJ_SYS_UNLINK, 1, unlink_enter)
NJ_SYSCALL_ENTER(rmdir, NJ_SYS_RMDIR, 1, unlink_enter)
NJ_FILE_EXIT(unlink, NJ_SYS_UNLINK, NJ_REC_FILE_DELETE, 0)
NJ_FILE_EXIT(rmdir, NJ_SYS_RMDIR, NJ_REC_FILE_DELETE, 0)
#endif
