/* SPDX-License-Identifier: GPL-2.0 */
/*
 * process_vm_readv(2) and process_vm_writev(2): memory read from or
 * written into another process without ptrace (credential dumpers read,
 * injectors write).
 *
 * The target is only the number the caller passed (the kernel resolves it
 * inside the call, in a function no tracepoint marks): user space resolves
 * it in its process table (src/enrich/table.h, the live process per pid)
 * when the caller is in the initial pid namespace. The return value is the
 * number of bytes moved. The first remote iovec (where in the target) is
 * read from the caller's memory at exit.
 */
#include "tamper.h"

static __always_inline int vm_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_tmp_vm_write rec = {};
	struct nj_sys_args a;
	__u64 iov[2] = {};
	__u32 pid;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_PROCESS_VM_READV,
			 NJ_SYS_PROCESS_VM_WRITEV, &a))
		return 0;
	pid = (__u32)a.args[0];
	nj_tamper_op_fill(&rec.op, task, &a, ret);
	if ((__s32)pid > 0)
		nj_target_number(&rec.op.target, task, pid, pid);
	if (a.args[4] && !bpf_probe_read_user(iov, sizeof(iov), (const void *)a.args[3])) {
		rec.op.values[0] = iov[0]; /* iov_base in the target */
		rec.op.values[1] = iov[1]; /* iov_len */
		rec.op.values[2] = 1;
	}
	nj_tamper_send(ctx, (struct nj_tmp_signal *)&rec,
		       a.syscall == NJ_SYS_PROCESS_VM_READV ? NJ_REC_TMP_VM_READ
							    : NJ_REC_TMP_VM_WRITE,
		       backend);
	return 0;
}

NJ_SYSCALL_ENTER(process_vm_readv, NJ_SYS_PROCESS_VM_READV, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(process_vm_readv, vm_exit)
NJ_SYSCALL_ENTER(process_vm_writev, NJ_SYS_PROCESS_VM_WRITEV, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(process_vm_writev, vm_exit)
