/* SPDX-License-Identifier: GPL-2.0 */
/* The process family's records: exec, fork, exit, unshare. */
#ifndef NIGHTJAR_ABI_PROCESS_H
#define NIGHTJAR_ABI_PROCESS_H

#include "nightjar/abi/common.h"

enum nj_rec_process {
	NJ_REC_EXEC =
		NJ_REC_FIRST(NJ_FAM_PROCESS), /* closes an exec event (successful or failed) */
	NJ_REC_FORK, /* a new process (never a thread) */
	NJ_REC_EXIT, /* the last thread of a process exited */
	NJ_REC_UNSHARE, /* unshare(2), successful or not */
};

/* Upper bound the BPF side will ever read of argv (NJ_ARGV_CHUNKS parts). */
#define NJ_ARGV_CHUNKS 4

/* Part fields of an exec (nj_str.field). */
enum nj_process_field {
	NJ_F_ARGV = 1, /* NUL-separated argv, chunk `index` */
	NJ_F_EXE = 2, /* executable path: segments leaf first, NUL each */
	NJ_F_CWD = 3, /* working directory, same encoding as NJ_F_EXE */
	NJ_F_FILENAME = 4, /* path as passed to exec (kernel copy or user string) */
	NJ_F_INTERP = 5, /* the last interpreter named by a shebang (bprm->interp) */
	NJ_F_SCRIPT = 6, /* a level of the script chain: `index` = level, dev/ino set */
	NJ_F_MAX
};

/* nj_exec.flags */
#define NJ_EXEC_ARGV_TRUNCATED (1u << 0) /* argv longer than captured */
#define NJ_EXEC_ARGV_UNREADABLE (1u << 1) /* argv pages not resident / unreadable */
#define NJ_EXEC_EXE_UNLINKED (1u << 2) /* executable has no link (memfd, deleted) */
#define NJ_EXEC_SCRIPT (1u << 3) /* a shebang interpreter was involved */
#define NJ_EXEC_NO_ENTER (1u << 4) /* syscall entry unseen: syscall/args unknown */
#define NJ_EXEC_PARTS_LOST (1u << 5) /* a part could not be sent (buffer full) */
#define NJ_EXEC_CWD_UNLINKED (1u << 6) /* the working directory was removed */

struct nj_exec {
	struct nj_hdr hdr; /* hdr.nparts: the parts above */
	struct nj_task task; /* after exec: the new image's comm and creds */
	nj_s32 retval; /* 0, or -errno for a failed exec */
	nj_u32 flags; /* NJ_EXEC_* */
	nj_u32 syscall; /* enum nj_syscall */
	nj_s32 dirfd; /* execveat: dirfd argument */
	nj_u32 at_flags; /* execveat: flags argument */
	nj_u32 argc; /* argument count as the kernel saw it (0: unknown) */
	nj_u32 dev; /* executable's superblock dev_t */
	nj_u32 nlink; /* executable's link count */
	nj_u64 ino; /* executable's inode */
	nj_u32 old_tid; /* thread that called exec (differs from pid after de_thread) */
	nj_u32 _pad0;
};

/* nj_fork.flags */
#define NJ_FORK_NO_ENTER (1u << 0) /* syscall entry unseen: clone flags unknown */

struct nj_fork {
	struct nj_hdr hdr;
	struct nj_task task; /* the parent, i.e. the caller */
	nj_u32 child_pid; /* global tgid of the new process */
	nj_u32 child_vpid; /* as seen in the child's pid namespace */
	nj_u64 child_start_ns; /* child's start_boottime */
	nj_u64 clone_flags; /* clone flags (synthesised for fork and vfork) */
	nj_u32 syscall; /* enum nj_syscall: CLONE, CLONE3, FORK, VFORK */
	nj_u32 flags; /* NJ_FORK_* */
};

/* nj_exit.flags */
#define NJ_EXIT_SIGNALED (1u << 0)

struct nj_exit {
	struct nj_hdr hdr;
	struct nj_task task;
	nj_u32 exit_code; /* raw wait status: (status << 8) | core(0x80) | signal */
	nj_u32 flags;
	nj_u64 _pad0;
};

struct nj_unshare {
	struct nj_hdr hdr;
	struct nj_task task;
	nj_u64 flags; /* CLONE_NEW* flags passed to unshare(2) */
	nj_s32 retval;
	nj_u32 _pad0;
};

#endif /* NIGHTJAR_ABI_PROCESS_H */
