/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nightjar wire format: the only contract between the BPF programs and the
 * daemon. Both sides include this file: clang -target bpf (with vmlinux.h
 * already included) and C++ (which static_asserts every layout).
 *
 * Rules:
 *  - fixed-width types only, every field naturally aligned, explicit padding
 *    that the BPF side zeroes;
 *  - every record starts with struct nj_hdr; hdr.size is the record's length
 *    in bytes including trailing data;
 *  - the records of one event share hdr.event_id. String and file-identity
 *    parts (NJ_REC_STR) are emitted before the record that closes the event,
 *    which carries the number of parts it expects in `nparts`;
 *  - one ring buffer or perf sample carries one or more records back to
 *    back, each starting at a multiple of 8 bytes from the sample's start
 *    (an event's parts normally travel with its closing record);
 *  - bump NJ_ABI_VERSION on any incompatible change.
 */
#ifndef NIGHTJAR_ABI_H
#define NIGHTJAR_ABI_H

#if defined(__bpf__)
typedef __u8 nj_u8;
typedef __u16 nj_u16;
typedef __u32 nj_u32;
typedef __s32 nj_s32;
typedef __u64 nj_u64;
typedef __s64 nj_s64;
#else
#include <stdint.h>
typedef uint8_t nj_u8;
typedef uint16_t nj_u16;
typedef uint32_t nj_u32;
typedef int32_t nj_s32;
typedef uint64_t nj_u64;
typedef int64_t nj_s64;
#endif

#define NJ_ABI_VERSION 1

#define NJ_COMM_LEN 16

/* Largest payload of one NJ_REC_STR. perf buffers cap a sample below 64 KiB,
 * so a longer value (argv) is split into chunks with consecutive `index`. */
#define NJ_STR_MAX 32768
/* Upper bound the BPF side will ever read of argv (NJ_ARGV_CHUNKS chunks). */
#define NJ_ARGV_CHUNKS 4
/* Bytes of path segments the dentry walker may produce for one path. */
#define NJ_PATH_MAX 4096
/* Segments the walker follows before giving up (flagged as truncated). */
#define NJ_PATH_DEPTH 64

enum nj_rec_type {
	NJ_REC_STR = 1,     /* a string or file-identity part of an event */
	NJ_REC_EXEC = 2,    /* closes an exec event (successful or failed) */
	NJ_REC_FORK = 3,    /* a new process (never a thread) */
	NJ_REC_EXIT = 4,    /* the last thread of a process exited */
	NJ_REC_UNSHARE = 5, /* unshare(2) succeeded */
	NJ_REC_MAX
};

/* Event families: the unit of --events selection and of loss accounting. */
enum nj_family {
	NJ_FAM_PROCESS = 0,
	NJ_FAM_MAX = 8
};

/* Which kind of program produced a record (nj_hdr.backend). */
enum nj_backend {
	NJ_BACKEND_TRACEPOINT = 1,
	NJ_BACKEND_KPROBE = 2,
	NJ_BACKEND_FENTRY = 3
};

struct nj_hdr {
	nj_u16 type;     /* enum nj_rec_type */
	nj_u8 version;   /* NJ_ABI_VERSION */
	nj_u8 backend;   /* enum nj_backend */
	nj_u32 size;     /* whole record, header included */
	nj_u64 event_id; /* shared by every record of one event */
	nj_u64 ts_ns;    /* CLOCK_BOOTTIME when the event happened */
};

/* Who did it. Ids are from the initial namespaces (kuid values, global pids). */
struct nj_task {
	nj_u32 pid;      /* tgid */
	nj_u32 tid;
	nj_u32 ppid;     /* real_parent's tgid */
	nj_u32 uid;
	nj_u32 euid;
	nj_u32 gid;
	nj_u32 egid;
	nj_u32 loginuid; /* 0xffffffff: unset */
	nj_u64 start_ns;        /* group leader's start_boottime */
	nj_u64 parent_start_ns; /* real_parent's group leader's start_boottime */
	nj_u64 cgroup_id;       /* cgroup v2 id */
	char comm[NJ_COMM_LEN];
};

/* NJ_REC_STR fields. */
enum nj_str_field {
	NJ_F_ARGV = 1,      /* NUL-separated argv, chunk `index` */
	NJ_F_EXE = 2,       /* executable path: segments leaf first, NUL each */
	NJ_F_CWD = 3,       /* working directory, same encoding as NJ_F_EXE */
	NJ_F_FILENAME = 4,  /* path as passed to exec (kernel copy or user string) */
	NJ_F_INTERP = 5,    /* the last interpreter named by a shebang (bprm->interp) */
	NJ_F_SCRIPT = 6,    /* a level of the script chain: `index` = level, dev/ino set */
	NJ_F_MAX
};

/* nj_str.flags */
#define NJ_STR_TRUNCATED (1u << 0)  /* value longer than what was captured */
#define NJ_STR_READ_ERROR (1u << 1) /* the read failed part way; data is what was read */
#define NJ_STR_PATH_ROOTED (1u << 2) /* path walk ended at the global root "/" */

struct nj_str {
	struct nj_hdr hdr;
	nj_u16 field; /* enum nj_str_field */
	nj_u16 index; /* chunk number (argv) or chain level (script) */
	nj_u16 flags; /* NJ_STR_* */
	nj_u16 _pad0;
	nj_u32 len;   /* bytes of data that follow */
	nj_u32 dev;   /* NJ_F_SCRIPT / NJ_F_EXE: kernel dev_t (major << 20 | minor) */
	nj_u64 ino;
	/* char data[len]; */
};

/* exec syscall that led to an NJ_REC_EXEC */
enum nj_exec_syscall {
	NJ_SYS_UNKNOWN = 0,
	NJ_SYS_EXECVE = 1,
	NJ_SYS_EXECVEAT = 2,
	NJ_SYS_CLONE = 3,
	NJ_SYS_CLONE3 = 4,
	NJ_SYS_FORK = 5,
	NJ_SYS_VFORK = 6
};

/* nj_exec.flags */
#define NJ_EXEC_ARGV_TRUNCATED (1u << 0)  /* argv longer than captured */
#define NJ_EXEC_ARGV_UNREADABLE (1u << 1) /* argv pages not resident / unreadable */
#define NJ_EXEC_EXE_UNLINKED (1u << 2)    /* executable has no link (memfd, deleted) */
#define NJ_EXEC_SCRIPT (1u << 3)          /* a shebang interpreter was involved */
#define NJ_EXEC_NO_ENTER (1u << 4)        /* syscall entry unseen: syscall/args unknown */
#define NJ_EXEC_PARTS_LOST (1u << 5)      /* a part could not be sent (buffer full) */

struct nj_exec {
	struct nj_hdr hdr;
	struct nj_task task; /* after exec: the new image's comm and creds */
	nj_s32 retval;       /* 0, or -errno for a failed exec */
	nj_u32 flags;        /* NJ_EXEC_* */
	nj_u32 syscall;      /* enum nj_exec_syscall */
	nj_s32 dirfd;        /* execveat: dirfd argument */
	nj_u32 at_flags;     /* execveat: flags argument */
	nj_u32 argc;         /* argument count as the kernel saw it (0: unknown) */
	nj_u32 dev;          /* executable's superblock dev_t */
	nj_u32 nlink;        /* executable's link count */
	nj_u64 ino;          /* executable's inode */
	nj_u32 old_tid;      /* thread that called exec (differs from pid after de_thread) */
	nj_u16 nparts;       /* NJ_REC_STR parts of this event */
	nj_u16 _pad0;
};

/* nj_fork.flags */
#define NJ_FORK_NO_ENTER (1u << 0) /* syscall entry unseen: clone flags unknown */

struct nj_fork {
	struct nj_hdr hdr;
	struct nj_task task;     /* the parent, i.e. the caller */
	nj_u32 child_pid;        /* global tgid of the new process */
	nj_u32 child_vpid;       /* as seen in the child's pid namespace */
	nj_u64 child_start_ns;   /* child's start_boottime */
	nj_u64 clone_flags;      /* clone flags (synthesised for fork and vfork) */
	nj_u32 syscall;          /* enum nj_exec_syscall: CLONE, CLONE3, FORK, VFORK */
	nj_u32 flags;            /* NJ_FORK_* */
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

/*
 * Per-CPU counters (array map "nj_stats", one slot). Everything a program
 * could not deliver is counted here: user space reports the totals in-band.
 */
struct nj_cpu_stats {
	nj_u64 sent[NJ_FAM_MAX];       /* records delivered to the buffer */
	nj_u64 lost[NJ_FAM_MAX];       /* records the buffer refused (full) */
	nj_u64 lost_bytes[NJ_FAM_MAX];
	nj_u64 enter_map_full;         /* syscall entry state could not be stored */
	nj_u64 read_errors;            /* a kernel or user read failed */
	nj_u64 event_seq;              /* source of event ids on this CPU */
	nj_u64 _reserved[5];
};

/*
 * Event ids: unique per boot without coordination between CPUs.
 * Top 12 bits: CPU number; low 52 bits: per-CPU sequence.
 */
#define NJ_EVENT_ID_CPU_SHIFT 52

#endif /* NIGHTJAR_ABI_H */
