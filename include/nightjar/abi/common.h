/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nightjar wire format, the part every family shares: fixed types, the
 * record header, backends, families, the syscall numbering and the string
 * part. Both sides include it (through nightjar/abi.h): clang -target bpf
 * with vmlinux.h already included, and C++, which static_asserts every
 * layout (src/decode/layout.cpp and each family's layout.cpp).
 *
 * Rules:
 *  - fixed-width types only, every field naturally aligned, explicit padding
 *    that the BPF side zeroes; every record's size is a multiple of 8;
 *  - every record starts with struct nj_hdr; hdr.size is the record's length
 *    in bytes including trailing data;
 *  - the records of one event share hdr.event_id. Parts (NJ_REC_PART) come
 *    before or after the record that closes the event; the closing record
 *    says in hdr.nparts how many to expect, so the reassembler needs no
 *    knowledge of the family;
 *  - one ring buffer or perf sample carries one or more records back to
 *    back, each starting at a multiple of 8 bytes from the sample's start;
 *  - record types come in one block of 256 per family (NJ_REC_BLOCK);
 *  - bump NJ_ABI_VERSION on any incompatible change.
 */
#ifndef NIGHTJAR_ABI_COMMON_H
#define NIGHTJAR_ABI_COMMON_H

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

/* 2: family and part count in the header, record types in family blocks,
 * one syscall numbering. */
#define NJ_ABI_VERSION 2

#define NJ_COMM_LEN 16

/* Largest payload of one part. perf buffers cap a sample below 64 KiB, so a
 * longer value (argv) is split into chunks with consecutive `index`. */
#define NJ_STR_MAX 32768
/* Bytes of path segments the dentry walker may produce for one path. */
#define NJ_PATH_MAX 4096
/* Segments the walker follows before giving up (flagged as truncated). */
#define NJ_PATH_DEPTH 64

/* Event families: the unit of --events selection, of record numbering and
 * of loss accounting. */
enum nj_family {
	NJ_FAM_PROCESS = 0,
	NJ_FAM_FILE = 1,
	NJ_FAM_NETWORK = 2,
	NJ_FAM_TAMPER = 3,
	NJ_FAM_MAX = 8
};

/* Record types: block 0 is shared, block f + 1 belongs to family f. */
#define NJ_REC_BLOCK 256
#define NJ_REC_FIRST(family) (((family) + 1) * NJ_REC_BLOCK)

enum nj_rec_common {
	NJ_REC_PART = 1, /* a string or file-identity part of an event (struct nj_str) */
};

/* Which kind of program produced a record (nj_hdr.backend). */
enum nj_backend { NJ_BACKEND_TRACEPOINT = 1, NJ_BACKEND_KPROBE = 2, NJ_BACKEND_FENTRY = 3 };

struct nj_hdr {
	nj_u16 type; /* NJ_REC_PART or a family's record type */
	nj_u8 version; /* NJ_ABI_VERSION */
	nj_u8 backend; /* enum nj_backend */
	nj_u32 size; /* whole record, header included */
	nj_u8 family; /* enum nj_family */
	nj_u8 _pad0;
	nj_u16 nparts; /* closing record: parts of this event; 0 otherwise */
	nj_u32 _pad1;
	nj_u64 event_id; /* shared by every record of one event */
	nj_u64 ts_ns; /* CLOCK_BOOTTIME when the event happened */
};

/* Who did it. Ids are from the initial namespaces (kuid values, global pids). */
struct nj_task {
	nj_u32 pid; /* tgid */
	nj_u32 tid;
	nj_u32 ppid; /* real_parent's tgid */
	nj_u32 uid;
	nj_u32 euid;
	nj_u32 gid;
	nj_u32 egid;
	nj_u32 loginuid; /* 0xffffffff: unset */
	nj_u64 start_ns; /* group leader's start_boottime */
	nj_u64 parent_start_ns; /* real_parent's group leader's start_boottime */
	nj_u64 cgroup_id; /* cgroup v2 id */
	char comm[NJ_COMM_LEN];
};

/* The syscall behind a record, for every family: numbers are never reused. */
enum nj_syscall {
	NJ_SYS_UNKNOWN = 0,
	NJ_SYS_EXECVE = 1,
	NJ_SYS_EXECVEAT = 2,
	NJ_SYS_CLONE = 3,
	NJ_SYS_CLONE3 = 4,
	NJ_SYS_FORK = 5,
	NJ_SYS_VFORK = 6,
	NJ_SYS_UNSHARE = 7,
	/* file family */
	NJ_SYS_OPEN = 8,
	NJ_SYS_OPENAT = 9,
	NJ_SYS_OPENAT2 = 10,
	NJ_SYS_CREAT = 11,
	NJ_SYS_MKDIR = 12,
	NJ_SYS_MKDIRAT = 13,
	NJ_SYS_MKNOD = 14,
	NJ_SYS_MKNODAT = 15,
	NJ_SYS_SYMLINK = 16,
	NJ_SYS_SYMLINKAT = 17,
	NJ_SYS_LINK = 18,
	NJ_SYS_LINKAT = 19,
	NJ_SYS_UNLINK = 20,
	NJ_SYS_UNLINKAT = 21,
	NJ_SYS_RMDIR = 22,
	NJ_SYS_RENAME = 23,
	NJ_SYS_RENAMEAT = 24,
	NJ_SYS_RENAMEAT2 = 25,
	NJ_SYS_TRUNCATE = 26,
	NJ_SYS_FTRUNCATE = 27,
	NJ_SYS_CHMOD = 28,
	NJ_SYS_FCHMOD = 29,
	NJ_SYS_FCHMODAT = 30,
	NJ_SYS_FCHMODAT2 = 31,
	NJ_SYS_CHOWN = 32,
	NJ_SYS_LCHOWN = 33,
	NJ_SYS_FCHOWN = 34,
	NJ_SYS_FCHOWNAT = 35,
	NJ_SYS_UTIME = 36,
	NJ_SYS_UTIMES = 37,
	NJ_SYS_FUTIMESAT = 38,
	NJ_SYS_UTIMENSAT = 39,
	NJ_SYS_SETXATTR = 40,
	NJ_SYS_LSETXATTR = 41,
	NJ_SYS_FSETXATTR = 42,
	NJ_SYS_REMOVEXATTR = 43,
	NJ_SYS_LREMOVEXATTR = 44,
	NJ_SYS_FREMOVEXATTR = 45,
	NJ_SYS_MEMFD_CREATE = 46,
	/* network family */
	NJ_SYS_CONNECT = 47,
	NJ_SYS_ACCEPT = 48,
	NJ_SYS_ACCEPT4 = 49,
	NJ_SYS_LISTEN = 50,
	NJ_SYS_SENDTO = 51,
	NJ_SYS_SENDMSG = 52,
	NJ_SYS_SENDMMSG = 53,
	NJ_SYS_RECVFROM = 54,
	NJ_SYS_RECVMSG = 55,
	NJ_SYS_RECVMMSG = 56,
	/* tamper family */
	NJ_SYS_PTRACE = 57,
	NJ_SYS_PROCESS_VM_READV = 58,
	NJ_SYS_PROCESS_VM_WRITEV = 59,
	NJ_SYS_MPROTECT = 60,
	NJ_SYS_PKEY_MPROTECT = 61,
	NJ_SYS_MMAP = 62,
	NJ_SYS_SETUID = 63,
	NJ_SYS_SETREUID = 64,
	NJ_SYS_SETRESUID = 65,
	NJ_SYS_SETFSUID = 66,
	NJ_SYS_SETGID = 67,
	NJ_SYS_SETREGID = 68,
	NJ_SYS_SETRESGID = 69,
	NJ_SYS_SETFSGID = 70,
	NJ_SYS_SETGROUPS = 71,
	NJ_SYS_CAPSET = 72,
	NJ_SYS_INIT_MODULE = 73,
	NJ_SYS_FINIT_MODULE = 74,
	NJ_SYS_DELETE_MODULE = 75,
	NJ_SYS_BPF = 76,
	NJ_SYS_MOUNT = 77,
	NJ_SYS_UMOUNT2 = 78,
	NJ_SYS_FSOPEN = 79,
	NJ_SYS_FSCONFIG = 80,
	NJ_SYS_FSMOUNT = 81,
	NJ_SYS_MOVE_MOUNT = 82,
	NJ_SYS_OPEN_TREE = 83,
	NJ_SYS_MOUNT_SETATTR = 84,
	NJ_SYS_SETNS = 85,
	NJ_SYS_PRCTL = 86,
	NJ_SYS_KILL = 87,
	NJ_SYS_TKILL = 88,
	NJ_SYS_TGKILL = 89,
	NJ_SYS_PIDFD_SEND_SIGNAL = 90,
	NJ_SYS_RT_SIGQUEUEINFO = 91,
	NJ_SYS_RT_TGSIGQUEUEINFO = 92,
	NJ_SYS_WRITE = 93,
	NJ_SYS_PWRITE64 = 94,
	NJ_SYS_WRITEV = 95,
	NJ_SYS_PWRITEV = 96,
	/* not a syscall: credential_change from the kernel's commit_creds()
	 * (kprobe/fentry), whose values[] layout differs (abi/tamper.h); the
	 * syscall it ran in is in args[4] */
	NJ_SYS_COMMIT_CREDS = 97,
	/* file family, later additions */
	NJ_SYS_SETXATTRAT = 98,
	NJ_SYS_REMOVEXATTRAT = 99,
	NJ_SYS_FALLOCATE = 100,
	NJ_SYS_OPEN_BY_HANDLE_AT = 101,
	NJ_SYS_IOCTL = 102,
	NJ_SYS_FILE_SETATTR = 103,
	NJ_SYS_MAX
};

/* nj_str.flags */
#define NJ_STR_TRUNCATED (1u << 0) /* value longer than what was captured */
#define NJ_STR_READ_ERROR (1u << 1) /* the read failed part way; data is what was read */
#define NJ_STR_PATH_ROOTED (1u << 2) /* path walk ended at the global root "/" */

/* A part: one string value of an event, with a file identity where it names
 * a file. `field` is numbered by the family (hdr.family). */
struct nj_str {
	struct nj_hdr hdr;
	nj_u16 field; /* the family's field number */
	nj_u16 index; /* chunk number (argv) or level (script chain) */
	nj_u16 flags; /* NJ_STR_* */
	nj_u16 _pad0;
	nj_u32 len; /* bytes of data that follow */
	nj_u32 dev; /* file identity where the field names a file: kernel dev_t */
	nj_u64 ino;
	/* char data[len]; */
};

/*
 * Per-CPU counters (array map "nj_stats", one slot). Everything a program
 * could not deliver is counted here, per family: user space reports the
 * totals in-band.
 */
struct nj_cpu_stats {
	nj_u64 sent[NJ_FAM_MAX]; /* records delivered to the buffer */
	nj_u64 lost[NJ_FAM_MAX]; /* records the buffer refused (full) */
	nj_u64 enter_map_full; /* syscall entry state could not be stored */
	nj_u64 read_errors; /* a kernel or user read failed */
	nj_u64 event_seq; /* source of event ids on this CPU */
	nj_u64 file_deduped; /* file modifications folded into an earlier event (window) */
	nj_u64 file_filtered; /* file events dropped by an exclusion rule in the kernel */
	nj_u64 net_udp_folded; /* UDP datagrams folded into their flow's earlier event (window) */
	nj_u64 after_stop; /* records held back because the sensor was stopping */
	/* events dropped because this CPU's batch was in use by a program that
	 * was preempted or interrupted (also counted in lost[]) */
	nj_u64 scratch_busy;
	/* nj_net_sock_map entries added under a new key, and taken out by a
	 * delete: what is in neither the map nor these was evicted (user space
	 * counts the rest; its LRU says nothing when it evicts) */
	nj_u64 net_sock_added;
	nj_u64 net_sock_removed;
	/* nj_udp_flow_map entries added under a new key (it has no deletes:
	 * what is not in the map was evicted) */
	nj_u64 net_udp_added;
	/* datagrams of a sendmmsg/recvmmsg past the first NJ_MMSG_MAX, or all
	 * of them when the batch was busy: never examined, so neither reported
	 * nor folded */
	nj_u64 net_udp_unexamined;
	/* non-blocking connects whose result could not be awaited (the
	 * hand-over table full) and had not settled by the connect's exit:
	 * their connect_result is never reported */
	nj_u64 net_result_unawaited;
};

/*
 * Event ids: unique per boot without coordination between CPUs.
 * Top 12 bits: CPU number; low 52 bits: per-CPU sequence.
 */
#define NJ_EVENT_ID_CPU_SHIFT 52

#endif /* NIGHTJAR_ABI_COMMON_H */
