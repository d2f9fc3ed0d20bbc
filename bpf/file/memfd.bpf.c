/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memfd_create: an anonymous file, the usual first step of fileless
 * execution. The exit walks the new fd: its name ("memfd:<name>") and
 * identity, which an exec of the memfd reports as its executable's.
 */
#include "file.h"

static __always_inline int memfd_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], 0);
}

static __always_inline int memfd_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_file_out out = {.type = NJ_REC_FILE_MEMFD};
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_MEMFD_CREATE, NJ_SYS_MEMFD_CREATE, &a))
		return 0;
	if (ret < 0 && !nj_file_failure_reported(ret))
		return 0;
	if (ret >= 0)
		out.file = nj_fd_file((struct task_struct *)bpf_get_current_task(), ret);
	return nj_file_emit(ctx, backend, &a, ret, &out);
}

NJ_SYSCALL_ENTER(memfd_create, NJ_SYS_MEMFD_CREATE, 2, memfd_enter)
NJ_SYSCALL_EXIT(memfd_create, memfd_exit)
