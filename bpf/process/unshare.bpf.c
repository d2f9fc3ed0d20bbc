/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unshare: one event per unshare(2), with its flags and result. Failures are
 * reported too: a refused namespace escape attempt is worth seeing.
 */
#include "helpers.h"
#include "syscalls.h"

static __always_inline int unshare_enter(__u64 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();

	if (nj_ignored(task, false))
		return 0;
	if (bpf_map_update_elem(&nj_unshare_enter_map, &id, &flags, BPF_ANY))
		nj_count_enter_full();
	return 0;
}

static __always_inline int unshare_leave(void *ctx, long ret, __u8 backend)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_unshare rec = {};
	__u64 *flags;

	flags = bpf_map_lookup_elem(&nj_unshare_enter_map, &id);
	if (!flags)
		return 0;
	rec.flags = *flags;
	bpf_map_delete_elem(&nj_unshare_enter_map, &id);
	rec.retval = ret;
	nj_fill_task(&rec.task, (struct task_struct *)bpf_get_current_task(), false);
	nj_hdr_init(&rec.hdr, NJ_REC_UNSHARE, sizeof(rec), nj_new_event_id(), backend);
	nj_output(ctx, &rec, sizeof(rec), NJ_FAM_PROCESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int tp__sys_enter_unshare(struct nj_sys_enter *ctx)
{
	return unshare_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int tp__sys_exit_unshare(struct nj_sys_exit *ctx)
{
	return unshare_leave(ctx, ctx->ret, NJ_BACKEND_TRACEPOINT);
}

SEC("ksyscall/unshare")
int BPF_KSYSCALL(ks__unshare, unsigned long flags)
{
	return unshare_enter(flags);
}

SEC("kretsyscall/unshare")
int BPF_KRETPROBE(kret__unshare, long ret)
{
	return unshare_leave(ctx, ret, NJ_BACKEND_KPROBE);
}

SEC("fentry/" NJ_SYS(unshare))
int BPF_PROG(fe__unshare, const struct pt_regs *regs)
{
	return unshare_enter(PT_REGS_PARM1_CORE_SYSCALL(regs));
}

SEC("fexit/" NJ_SYS(unshare))
int BPF_PROG(fx__unshare, const struct pt_regs *regs, long ret)
{
	return unshare_leave(ctx, ret, NJ_BACKEND_FENTRY);
}
