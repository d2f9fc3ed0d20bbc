/* SPDX-License-Identifier: GPL-2.0 */
/*
 * truncate, ftruncate, fallocate: a modification without an open for
 * writing by name (the fd may have been opened long before, or inherited).
 * fallocate's modes punch holes in, collapse and zero ranges of a file: a
 * way to destroy evidence without a write.
 */
#include "file.h"

static __always_inline int truncate_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], 0);
}

static __always_inline int ftruncate_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, 0, a->args[1], 0);
}

/* fallocate(fd, mode, offset, len): the length and the mode kept, the
 * offset where a second name would go (nj_file_leave). */
static __always_inline int fallocate_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], 0, 0, a->args[2], a->args[3], a->args[1]);
}

NJ_SYSCALL_ENTER(truncate, NJ_SYS_TRUNCATE, 2, truncate_enter)
NJ_SYSCALL_ENTER(fallocate, NJ_SYS_FALLOCATE, 4, fallocate_enter)
NJ_SYSCALL_ENTER(ftruncate, NJ_SYS_FTRUNCATE, 2, ftruncate_enter)
NJ_FILE_EXIT(truncate, NJ_SYS_TRUNCATE, NJ_REC_FILE_MODIFY, 0)
NJ_FILE_EXIT(ftruncate, NJ_SYS_FTRUNCATE, NJ_REC_FILE_MODIFY, 0)
NJ_FILE_EXIT(fallocate, NJ_SYS_FALLOCATE, NJ_REC_FILE_MODIFY, 0)
