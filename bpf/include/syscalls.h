/* SPDX-License-Identifier: GPL-2.0 */
/* Layout of the syscalls:sys_enter_* / sys_exit_* tracepoint records. It is
 * stable ABI (the format files in tracefs), so it is spelled out here rather
 * than taken from vmlinux.h, where these records have no type. */
#ifndef NJ_SYSCALLS_H
#define NJ_SYSCALLS_H

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

#endif
