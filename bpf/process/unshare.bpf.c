/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unshare: one event per unshare(2), with its flags and result. Failures are
 * reported too: a refused namespace escape attempt is worth seeing.
 */
#include "syscalls.h"

static __always_inline int unshare_leave(void *ctx, long ret, __u8 backend)
{
	struct nj_unshare rec = {};
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_UNSHARE, NJ_SYS_UNSHARE, &a))
		return 0;
	rec.flags = a.args[0];
	rec.retval = ret;
	nj_fill_task(&rec.task, (struct task_struct *)bpf_get_current_task(), false);
	nj_hdr_init(&rec.hdr, NJ_FAM_PROCESS, NJ_REC_UNSHARE, sizeof(rec), nj_new_event_id(),
		    backend);
	nj_output(ctx, &rec, sizeof(rec), NJ_FAM_PROCESS);
	return 0;
}

NJ_SYSCALL_ENTER(unshare, NJ_SYS_UNSHARE, 1, nj_sys_enter_save)
NJ_SYSCALL_EXIT(unshare, unshare_leave)
