/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscall pairs, for every family: the wrappers each backend needs around
 * one shared body, and the map that carries a syscall's arguments from its
 * entry to its exit (or to a hook that fires inside it).
 *
 *   NJ_SYSCALL_ENTER(sys, id, nargs, body)
 *       tp__sys_enter_<sys>, ks__<sys>, fe__<sys>: each reads the first
 *       `nargs` arguments and calls body(struct nj_sys_args *a), with
 *       a->syscall = id. nj_sys_enter_save is the usual body.
 *   NJ_SYSCALL_EXIT(sys, body)
 *       tp__sys_exit_<sys>, kret__<sys>, fx__<sys>: each calls
 *       body(ctx, long ret, __u8 backend).
 *
 * Program names follow the hook table's (src/loader/program_table.cpp:
 * syscall_hook), which derives them from the syscall's name.
 */
#ifndef NJ_SYSCALLS_H
#define NJ_SYSCALLS_H

#include "helpers.h"

/* Layout of the syscalls:sys_enter_* / sys_exit_* tracepoint records. It is
 * stable ABI (the format files in tracefs), so it is spelled out here rather
 * than taken from vmlinux.h, where these records have no type. */
struct nj_sys_enter {
	__u64 common;
	__s64 nr;
	__u64 args[6];
};

struct nj_sys_exit {
	__u64 common;
	__s64 nr;
	__s64 ret;
};

#define NJ_AT_FDCWD -100

/* The current thread's user-entry registers; NULL where the kernel has no
 * bpf_task_pt_regs (before 5.15, commit dd6e10fbd9fb: the branch is dead
 * code the verifier drops there). */
static __always_inline struct pt_regs *nj_current_regs(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return NULL;
}

/* The syscall the current thread is in, from its user-entry registers
 * (x86 orig_ax, arm64 syscallno); -1 before 5.15. Numbers are the native
 * table's: a 32-bit (compat) task on x86-64 carries ia32 numbers. */
static __always_inline long nj_regs_syscall_nr(struct pt_regs *regs)
{
	if (!regs)
		return -1;
#if defined(__TARGET_ARCH_x86)
	return (long)BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
	return -1;
#endif
}

static __always_inline long nj_current_syscall_nr(void)
{
	return nj_regs_syscall_nr(nj_current_regs());
}

/* Native syscall numbers the programs compare nj_current_syscall_nr()
 * with; -1 for a syscall the architecture lacks. */
#if defined(__TARGET_ARCH_x86)
#define NJ_NR_OPEN 2
#define NJ_NR_CREAT 85
#define NJ_NR_EXECVE 59
#define NJ_NR_OPENAT 257
#define NJ_NR_OPEN_BY_HANDLE_AT 304
#define NJ_NR_EXECVEAT 322
#define NJ_NR_READ 0
#define NJ_NR_WRITE 1
#define NJ_NR_READV 19
#define NJ_NR_WRITEV 20
#define NJ_NR_SENDTO 44
#define NJ_NR_RECVFROM 45
#define NJ_NR_SENDMSG 46
#define NJ_NR_RECVMSG 47
#elif defined(__TARGET_ARCH_arm64)
#define NJ_NR_OPEN -1
#define NJ_NR_CREAT -1
#define NJ_NR_EXECVE 221
#define NJ_NR_OPENAT 56
#define NJ_NR_OPEN_BY_HANDLE_AT 265
#define NJ_NR_EXECVEAT 281
#define NJ_NR_READ 63
#define NJ_NR_WRITE 64
#define NJ_NR_READV 65
#define NJ_NR_WRITEV 66
#define NJ_NR_SENDTO 206
#define NJ_NR_RECVFROM 207
#define NJ_NR_SENDMSG 211
#define NJ_NR_RECVMSG 212
#endif
/* From 424 on, one number on every architecture's table. */
#define NJ_NR_IO_URING_ENTER 426
#define NJ_NR_OPENAT2 437

/* The legacy path syscalls (open, creat, mkdir, mknod, symlink, link, unlink,
 * rmdir, rename, chmod, chown, lchown, utime, utimes, futimesat) are x86's
 * only: arm64 has just their *at forms. Its kernels do have
 * __arm64_sys_open & co, but only in the 32-bit compat table, which native
 * tasks never reach, so no program is built for them there (parity with the
 * tracepoint backend, which has no sys_enter_open on arm64; the hook table
 * leaves them out too: native_syscalls in src/loader/program_table.h). */
#if defined(__TARGET_ARCH_x86)
#define NJ_LEGACY_PATH_SYSCALLS 1
#else
#define NJ_LEGACY_PATH_SYSCALLS 0
#endif

/* Set by libbpf from the running kernel: whether syscalls go through a
 * wrapper taking the user's pt_regs (x86 since v4.17, arm64 since v4.19). */
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;

/* The first n arguments of a syscall from its user pt_regs; n is a constant
 * at every use, so only the reads asked for are compiled (each one is a
 * helper call on the kprobe and fentry backends). */
static __always_inline void nj_regs_args(const struct pt_regs *regs, struct nj_sys_args *a, int n)
{
	if (n > 0)
		a->args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	if (n > 1)
		a->args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (n > 2)
		a->args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	if (n > 3)
		a->args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	if (n > 4)
		a->args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
}

static __always_inline void nj_tp_args(const struct nj_sys_enter *ctx, struct nj_sys_args *a, int n)
{
	if (n > 0)
		a->args[0] = ctx->args[0];
	if (n > 1)
		a->args[1] = ctx->args[1];
	if (n > 2)
		a->args[2] = ctx->args[2];
	if (n > 3)
		a->args[3] = ctx->args[3];
	if (n > 4)
		a->args[4] = ctx->args[4];
}

/* Remember the arguments for thread `id` (the caller), unless it is one of
 * ours or a kernel thread; true if they were stored. */
static __always_inline bool nj_sys_enter_store(struct nj_sys_args *a, __u64 id)
{
	if (nj_ignored((struct task_struct *)bpf_get_current_task(), false))
		return false;
	if (bpf_map_update_elem(&nj_sys_args_map, &id, a, BPF_ANY)) {
		nj_count_enter_full();
		return false;
	}
	return true;
}

/* The usual entry body. */
static __always_inline int nj_sys_enter_save(struct nj_sys_args *a)
{
	nj_sys_enter_store(a, bpf_get_current_pid_tgid());
	return 0;
}

/* Take back the arguments thread `id` saved at the entry of a syscall whose
 * number is in [first, last]; false if there are none (entry unseen, or
 * the slot holds another syscall's). The slot is emptied either way when it
 * matched. */
static __always_inline bool nj_sys_take(__u64 id, __u32 first, __u32 last, struct nj_sys_args *out)
{
	struct nj_sys_args *a = bpf_map_lookup_elem(&nj_sys_args_map, &id);

	if (!a || a->syscall < first || a->syscall > last)
		return false;
	*out = *a;
	bpf_map_delete_elem(&nj_sys_args_map, &id);
	return true;
}

/* The tracepoint program alone, named <prefix>sys_enter_<sys>: also for an
 * entry that only some kernels can load (tpvma__, memory.bpf.c). */
#define NJ_TP_SYSCALL_ENTER(prefix, sys, id, nargs, body)     \
	SEC("tracepoint/syscalls/sys_enter_" #sys)            \
	int prefix##sys_enter_##sys(struct nj_sys_enter *ctx) \
	{                                                     \
		struct nj_sys_args a = {.syscall = (id)};     \
		nj_tp_args(ctx, &a, (nargs));                 \
		return body(&a);                              \
	}

#define NJ_SYSCALL_ENTER(sys, id, nargs, body)                                                    \
	NJ_TP_SYSCALL_ENTER(tp__, sys, id, nargs, body)                                           \
	SEC("ksyscall/" #sys)                                                                     \
	int ks__##sys(struct pt_regs *ctx)                                                        \
	{                                                                                         \
		struct nj_sys_args a = {.syscall = (id)};                                         \
		const struct pt_regs *regs = LINUX_HAS_SYSCALL_WRAPPER                            \
						     ? (const struct pt_regs *)PT_REGS_PARM1(ctx) \
						     : ctx;                                       \
		nj_regs_args(regs, &a, (nargs));                                                  \
		return body(&a);                                                                  \
	}                                                                                         \
	NJ_FENTRY_SYSCALL_ENTER(sys, id, nargs, body)

#define NJ_FENTRY_SYSCALL_ENTER(sys, id, nargs, body)       \
	SEC("fentry/" NJ_SYS(sys))                          \
	int BPF_PROG(fe__##sys, const struct pt_regs *regs) \
	{                                                   \
		struct nj_sys_args a = {.syscall = (id)};   \
		nj_regs_args(regs, &a, (nargs));            \
		return body(&a);                            \
	}

#define NJ_SYSCALL_EXIT(sys, body)                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                     \
	int tp__sys_exit_##sys(struct nj_sys_exit *ctx)               \
	{                                                             \
		return body(ctx, ctx->ret, NJ_BACKEND_TRACEPOINT);    \
	}                                                             \
	SEC("kretsyscall/" #sys)                                      \
	int BPF_KRETPROBE(kret__##sys, long ret)                      \
	{                                                             \
		return body(ctx, ret, NJ_BACKEND_KPROBE);             \
	}                                                             \
	SEC("fexit/" NJ_SYS(sys))                                     \
	int BPF_PROG(fx__##sys, const struct pt_regs *regs, long ret) \
	{                                                             \
		return body(ctx, ret, NJ_BACKEND_FENTRY);             \
	}

#endif
