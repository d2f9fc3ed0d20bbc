/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inode flags set through ioctl: FS_IOC_SETFLAGS (chattr +i, +a) and
 * FS_IOC_FSSETXATTR (xfs_io's chattr, the same immutable and append-only
 * bits as FS_XFLAG_*), and through Linux 6.17's file_setattr (the
 * FS_XFLAG_* bits by path, no ioctl). An immutable file cannot be changed or removed even
 * by root until the flag is cleared: attackers set it to keep their
 * persistence (a cron file, authorized_keys) in place, and clear it to
 * change a protected file.
 *
 * Why ioctl's syscall pair: it is the only way into both ioctls on every
 * backend. Every ioctl of every process runs these programs, so the entry
 * looks at the command first and saves nothing else, and the exit skips
 * its lookup while no saved call is pending (nj_chattr_slots).
 */
#include "file.h"

/* _IOW('f', 2, long) and _IOW('X', 32, struct fsxattr): the same numbers
 * on every 64-bit architecture (asm-generic ioctl encoding). */
#define NJ_FS_IOC_SETFLAGS 0x40086602u
#define NJ_FS_IOC_FSSETXATTR 0x401c5820u

/* Calls saved whose exits have not run yet. A thread inside ioctl when the
 * sensor attached has its exit run without a saved call: that is no
 * decrement. A saved call whose exit never runs keeps it above zero for
 * good: the exits then look up as if there were no counter, which costs
 * time, never an event. */
volatile __u64 nj_chattr_slots;

static __always_inline int ioctl_enter(struct nj_sys_args *a)
{
	__u32 cmd = (__u32)a->args[1], flags = 0;
	__u64 kind;

	if (cmd == NJ_FS_IOC_SETFLAGS)
		kind = NJ_CHATTR_SETFLAGS;
	else if (cmd == NJ_FS_IOC_FSSETXATTR)
		kind = NJ_CHATTR_FSSETXATTR; /* fsx_xflags is the struct's first member */
	else
		return 0;
	/* Both take a pointer to a 32-bit flags word (SETFLAGS's "long" in
	 * its number notwithstanding). A word the tracepoint cannot read (a
	 * page not faulted in yet) does not hide the call: the exit reads
	 * what the kernel made of it from the inode. */
	if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)a->args[2]))
		kind |= NJ_CHATTR_FLAGS_UNKNOWN;
	nj_file_args_set(a, a->args[0], 0, 0, 0, flags, kind);
	if (nj_sys_enter_store(a, bpf_get_current_pid_tgid()))
		nj_stat_add((__u64 *)&nj_chattr_slots, 1);
	return 0;
}

static __always_inline int ioctl_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_file_out out = {.type = NJ_REC_FILE_CHATTR};
	struct nj_sys_args a;

	if (!nj_chattr_slots)
		return 0;
	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_IOCTL, NJ_SYS_IOCTL, &a))
		return 0;
	nj_stat_add((__u64 *)&nj_chattr_slots, -1);
	/* The flags asked for may not be the flags set (bits a filesystem
	 * ignores, another thread rewriting the word after the entry read
	 * it): the inode's own say whether it is now immutable. */
	if (ret == 0) {
		struct file *file =
			nj_fd_file((struct task_struct *)bpf_get_current_task(), nj_fa(&a)->dfd);

		if (file)
			out.extra[1] =
				BPF_CORE_READ(file, f_inode, i_flags) | NJ_CHATTR_STATE_KNOWN;
		out.file = file;
	}
	return nj_file_leave_out(ctx, ret, backend, &a, &out);
}

/* file_setattr(dfd, path, struct file_attr *, size, at_flags): fa_xflags,
 * a __u64, is the struct's first member. By path: the state after the
 * call is not known here (the flags asked for are reported). */
static __always_inline int file_setattr_enter(struct nj_sys_args *a)
{
	__u64 xflags = 0, kind = NJ_CHATTR_FILE_SETATTR;

	if (bpf_probe_read_user(&xflags, sizeof(xflags), (const void *)a->args[2]))
		kind |= NJ_CHATTR_FLAGS_UNKNOWN;
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, xflags, kind);
}

NJ_SYSCALL_ENTER(ioctl, NJ_SYS_IOCTL, 3, ioctl_enter)
NJ_SYSCALL_EXIT(ioctl, ioctl_exit)
NJ_SYSCALL_ENTER(file_setattr, NJ_SYS_FILE_SETATTR, 3, file_setattr_enter)
NJ_FILE_EXIT(file_setattr, NJ_SYS_FILE_SETATTR, NJ_REC_FILE_CHATTR, 0)
