/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inode flags set through ioctl: FS_IOC_SETFLAGS (chattr +i, +a) and
 * FS_IOC_FSSETXATTR (xfs_io's chattr, the same immutable and append-only
 * bits as FS_XFLAG_*). An immutable file cannot be changed or removed even
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
	 * its number notwithstanding). Read now: the caller may change it. */
	if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)a->args[2]))
		return 0;
	nj_file_args_set(a, a->args[0], 0, 0, 0, flags, kind);
	if (nj_sys_enter_store(a, bpf_get_current_pid_tgid()))
		nj_stat_add((__u64 *)&nj_chattr_slots, 1);
	return 0;
}

static __always_inline int ioctl_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	if (!nj_chattr_slots)
		return 0;
	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_IOCTL, NJ_SYS_IOCTL, &a))
		return 0;
	nj_stat_add((__u64 *)&nj_chattr_slots, -1);
	return nj_file_leave_taken(ctx, ret, backend, &a, NJ_REC_FILE_CHATTR, 0);
}

NJ_SYSCALL_ENTER(ioctl, NJ_SYS_IOCTL, 3, ioctl_enter)
NJ_SYSCALL_EXIT(ioctl, ioctl_exit)
