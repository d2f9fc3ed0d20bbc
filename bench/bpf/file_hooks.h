/* SPDX-License-Identifier: GPL-2.0 */
/* The file family's hooks on nightjar's tracepoint backend
 * (src/families/file/hooks.cpp: every syscall of every pair, entry and
 * exit), as an X-macro row list for NJB_HOOKS in hooks.h:
 * X(kind, category, name, id); see hooks.h for the columns. In the hook
 * table's order: openat, the hottest (every program's opens, read-only ones
 * included), first.
 * Tracepoints this kernel lacks (x86's legacy open, mkdir, ... on arm64;
 * openat2, fchmodat2 on older kernels) are skipped by the observer, as
 * nightjar skips them.
 * Ids 13..90 are this family's, and 200..209 for its later additions
 * (after the tamper family's block); the next family continues at 91. */
#ifndef NJB_FILE_HOOKS_H
#define NJB_FILE_HOOKS_H

#define NJB_FILE_HOOKS(X)                                 \
	X(TP, syscalls, sys_enter_openat, 13)             \
	X(TP, syscalls, sys_exit_openat, 14)              \
	X(TP, syscalls, sys_enter_open, 15)               \
	X(TP, syscalls, sys_exit_open, 16)                \
	X(TP, syscalls, sys_enter_creat, 17)              \
	X(TP, syscalls, sys_exit_creat, 18)               \
	X(TP, syscalls, sys_enter_openat2, 19)            \
	X(TP, syscalls, sys_exit_openat2, 20)             \
	X(TP, syscalls, sys_enter_mkdirat, 21)            \
	X(TP, syscalls, sys_exit_mkdirat, 22)             \
	X(TP, syscalls, sys_enter_mkdir, 23)              \
	X(TP, syscalls, sys_exit_mkdir, 24)               \
	X(TP, syscalls, sys_enter_mknodat, 25)            \
	X(TP, syscalls, sys_exit_mknodat, 26)             \
	X(TP, syscalls, sys_enter_mknod, 27)              \
	X(TP, syscalls, sys_exit_mknod, 28)               \
	X(TP, syscalls, sys_enter_symlinkat, 29)          \
	X(TP, syscalls, sys_exit_symlinkat, 30)           \
	X(TP, syscalls, sys_enter_symlink, 31)            \
	X(TP, syscalls, sys_exit_symlink, 32)             \
	X(TP, syscalls, sys_enter_linkat, 33)             \
	X(TP, syscalls, sys_exit_linkat, 34)              \
	X(TP, syscalls, sys_enter_link, 35)               \
	X(TP, syscalls, sys_exit_link, 36)                \
	X(TP, syscalls, sys_enter_unlinkat, 37)           \
	X(TP, syscalls, sys_exit_unlinkat, 38)            \
	X(TP, syscalls, sys_enter_unlink, 39)             \
	X(TP, syscalls, sys_exit_unlink, 40)              \
	X(TP, syscalls, sys_enter_rmdir, 41)              \
	X(TP, syscalls, sys_exit_rmdir, 42)               \
	X(TP, syscalls, sys_enter_renameat2, 43)          \
	X(TP, syscalls, sys_exit_renameat2, 44)           \
	X(TP, syscalls, sys_enter_renameat, 45)           \
	X(TP, syscalls, sys_exit_renameat, 46)            \
	X(TP, syscalls, sys_enter_rename, 47)             \
	X(TP, syscalls, sys_exit_rename, 48)              \
	X(TP, syscalls, sys_enter_ftruncate, 49)          \
	X(TP, syscalls, sys_exit_ftruncate, 50)           \
	X(TP, syscalls, sys_enter_truncate, 51)           \
	X(TP, syscalls, sys_exit_truncate, 52)            \
	X(TP, syscalls, sys_enter_fchmodat, 53)           \
	X(TP, syscalls, sys_exit_fchmodat, 54)            \
	X(TP, syscalls, sys_enter_chmod, 55)              \
	X(TP, syscalls, sys_exit_chmod, 56)               \
	X(TP, syscalls, sys_enter_fchmod, 57)             \
	X(TP, syscalls, sys_exit_fchmod, 58)              \
	X(TP, syscalls, sys_enter_fchmodat2, 59)          \
	X(TP, syscalls, sys_exit_fchmodat2, 60)           \
	X(TP, syscalls, sys_enter_fchownat, 61)           \
	X(TP, syscalls, sys_exit_fchownat, 62)            \
	X(TP, syscalls, sys_enter_chown, 63)              \
	X(TP, syscalls, sys_exit_chown, 64)               \
	X(TP, syscalls, sys_enter_lchown, 65)             \
	X(TP, syscalls, sys_exit_lchown, 66)              \
	X(TP, syscalls, sys_enter_fchown, 67)             \
	X(TP, syscalls, sys_exit_fchown, 68)              \
	X(TP, syscalls, sys_enter_utimensat, 69)          \
	X(TP, syscalls, sys_exit_utimensat, 70)           \
	X(TP, syscalls, sys_enter_utime, 71)              \
	X(TP, syscalls, sys_exit_utime, 72)               \
	X(TP, syscalls, sys_enter_utimes, 73)             \
	X(TP, syscalls, sys_exit_utimes, 74)              \
	X(TP, syscalls, sys_enter_futimesat, 75)          \
	X(TP, syscalls, sys_exit_futimesat, 76)           \
	X(TP, syscalls, sys_enter_setxattr, 77)           \
	X(TP, syscalls, sys_exit_setxattr, 78)            \
	X(TP, syscalls, sys_enter_lsetxattr, 79)          \
	X(TP, syscalls, sys_exit_lsetxattr, 80)           \
	X(TP, syscalls, sys_enter_fsetxattr, 81)          \
	X(TP, syscalls, sys_exit_fsetxattr, 82)           \
	X(TP, syscalls, sys_enter_removexattr, 83)        \
	X(TP, syscalls, sys_exit_removexattr, 84)         \
	X(TP, syscalls, sys_enter_lremovexattr, 85)       \
	X(TP, syscalls, sys_exit_lremovexattr, 86)        \
	X(TP, syscalls, sys_enter_fremovexattr, 87)       \
	X(TP, syscalls, sys_exit_fremovexattr, 88)        \
	X(TP, syscalls, sys_enter_memfd_create, 89)       \
	X(TP, syscalls, sys_exit_memfd_create, 90)        \
	X(TP, syscalls, sys_enter_fallocate, 200)         \
	X(TP, syscalls, sys_exit_fallocate, 201)          \
	X(TP, syscalls, sys_enter_setxattrat, 202)        \
	X(TP, syscalls, sys_exit_setxattrat, 203)         \
	X(TP, syscalls, sys_enter_removexattrat, 204)     \
	X(TP, syscalls, sys_exit_removexattrat, 205)      \
	X(TP, syscalls, sys_enter_open_by_handle_at, 206) \
	X(TP, syscalls, sys_exit_open_by_handle_at, 207)  \
	X(TP, syscalls, sys_enter_ioctl, 208)             \
	X(TP, syscalls, sys_exit_ioctl, 209)

#endif
