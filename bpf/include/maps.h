/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map and load-time constant of the sensor, in one place. Each
 * program file includes this header; the definitions are __weak so the BPF
 * static linker (bpftool gen object) merges them into one instance.
 */
#ifndef NJ_MAPS_H
#define NJ_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "nightjar/abi.h"

/* ---- load-time configuration (rodata, set by the loader before load) ---- */

/* true: BPF ring buffer; false: per-CPU perf buffers. The verifier drops the
 * branch that is not taken, so the unused transport costs nothing. */
const volatile bool nj_use_ringbuf __weak = true;
/* Ring buffer: wake the reader only once this many bytes are waiting (the
 * reader also polls on a short timer). 0 wakes it on every record, which
 * costs 10-14 us inside exec/clone/exit on the hooks we use. */
const volatile __u32 nj_wakeup_bytes __weak = 0;
/* argv bytes captured per exec (default 64 KiB), at most
 * NJ_ARGV_CHUNKS * NJ_STR_MAX. */
const volatile __u32 nj_argv_max __weak = 2 * NJ_STR_MAX;
/* pid of the sensor itself: its own activity is not reported. */
const volatile __u32 nj_self_pid __weak = 0;
/* File family: levels above a file the watch rules are looked up at (0: no
 * rules, reads are never reported and nothing is walked), and the window in
 * which one process's repeated writes to one file are one modify event. */
const volatile __u32 nj_watch_depth __weak = 0;
/* Whether any rule reports reads: without one, a read-only open is dropped
 * as soon as its mode is known. */
const volatile bool nj_watch_reads __weak = false;
const volatile __u64 nj_file_modify_window_ns __weak = 5000000000ULL;
/* Network family: whether a reported TCP connection's end is reported
 * (duration and bytes), and the window in which one process's datagrams of
 * one UDP flow are one event. */
const volatile bool nj_net_conn_end __weak = true;
const volatile __u64 nj_udp_window_ns __weak = 60000000000ULL;

/* ---- run-time state (.bss, written by the loader through the mmapped map) ---- */

/* Set once when the sensor stops: from then on no program sends anything,
 * so every hook stops at the same instant and a process's events end with
 * a whole prefix of what it did (never an exit without the exec before
 * it). A plain load of a global: kernels from 5.2 have global data. */
volatile bool nj_stopping __weak;

/* ---- transport ---- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* sized by the loader */
} nj_rb SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} nj_perf SEC(".maps") __weak;

/* ---- accounting ---- */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nj_cpu_stats);
} nj_stats SEC(".maps") __weak;

/* ---- batch: the records of one event, built in place per CPU ----
 *
 * An event's string parts and its closing record are written back to back
 * (each 8-aligned) straight into this buffer and leave in one ring buffer
 * or perf sample: one reservation, one copy and one wake-up decision per
 * event instead of one per part. A batch is sent early once it reaches
 * NJ_BATCH_FLUSH bytes, so a sample stays under the perf buffer's 64 KiB
 * cap: at most NJ_BATCH_FLUSH - 8 + an argv chunk (NJ_STR_MAX) + headers. */
#define NJ_BATCH_FLUSH 16384

struct nj_scratch {
	__u32 off; /* bytes of records so far: 8-aligned, < NJ_BATCH_FLUSH */
	__u32 nrec; /* records in the batch */
	__u32 len; /* length of the string being built by a walker */
	__u32 lost_parts; /* parts lost by early sends of this batch */
	__u32 family; /* enum nj_family: the event's, for parts and loss counts */
	__u32 busy; /* programs holding or trying to hold the batch (NJ_BATCH) */
	__u64 ts_ns; /* one time for every record of the event */
	/* Any position masked below NJ_BATCH_FLUSH plus a part header and its
	 * largest value (an argv chunk) is provably inside the value, and so
	 * is any size masked with (2 * NJ_STR_MAX - 1). */
	char buf[2 * NJ_STR_MAX];
	/* A sendmmsg/recvmmsg exit's messages, examined one per call of the
	 * global function nj_udp_mmsg_one (bpf/network/udp.bpf.c) while the
	 * exit holds the batch: its state lives here, not on the stack, so
	 * that function takes only the message's index. */
	struct nj_mmsg {
		struct nj_net_udp rec; /* the call's record, then each message's event */
		struct nj_net_endpoints ep0; /* the socket's: a message without a name */
		__u64 mm; /* the caller's struct mmsghdr array */
		__u32 n; /* messages to examine, at most NJ_MMSG_MAX */
		__u8 ingress;
		__u8 backend;
		__u8 _pad[2];
	} mm;
};

/* A plain array indexed by CPU, sized by the loader to the possible CPUs:
 * per-CPU map values are capped at 32 KiB, this one is larger. Programs do
 * not migrate while running, but the slot of the current CPU is not private
 * to one program run: fentry programs run with only migration disabled (a
 * preemptible kernel switches tasks inside them) and softirq tracepoints
 * interrupt whatever runs. The busy word makes it so (NJ_BATCH). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nj_scratch);
} nj_scratch_map SEC(".maps") __weak;

/* ---- syscall arguments saved at entry, keyed by thread (pid_tgid) ----
 *
 * One map for every family's syscall pairs: a thread is inside at most one
 * syscall at a time, so its slot holds the arguments of the syscall it is
 * in, and the exit (or a hook that fires inside the syscall) takes them
 * back, checking the syscall number. LRU because a syscall may never
 * return (the task is killed) or its entry may never be taken (a clone that
 * fails): stale entries are overwritten by the thread's next syscall or age
 * out. */
struct nj_sys_args {
	__u64 args[6]; /* as passed, or as the entry body rewrote them */
	__u32 syscall; /* enum nj_syscall */
	__u32 nonce; /* file family: tells this call from the thread's earlier ones */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct nj_sys_args);
} nj_sys_args_map SEC(".maps") __weak;

/* Exits already reported, for kernels whose sched_process_exit does not say
 * which thread was the last (before v6.16): two threads can both see the
 * group's live count at zero, so the first insert wins. Keyed by tgid and
 * start time, so a reused pid is a new key; LRU ages entries out. */
struct nj_exit_key {
	__u32 tgid;
	__u32 _pad;
	__u64 start_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct nj_exit_key);
	__type(value, __u8);
} nj_exit_once_map SEC(".maps") __weak;

/* Script chain seen by the kprobe/fentry backends at each binfmt level,
 * keyed by tgid (exec replaces the thread id, not the tgid). */
#define NJ_SCRIPT_LEVELS 6
struct nj_script_chain {
	__u64 event_id;
	__u32 levels; /* binfmt levels seen */
	__u32 nparts; /* parts already sent under event_id */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct nj_script_chain);
} nj_script_map SEC(".maps") __weak;

/* ---- file family ---- */

/* Watched files and directories by identity (struct nj_watch_key), filled
 * by user space from the path rules: a lookup per level above a file
 * instead of string matching, and a hard link or bind mount of a watched
 * file is the same file. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct nj_watch_key);
	__type(value, struct nj_watch);
} nj_watch_map SEC(".maps") __weak;

/* Filesystems whose files are never reported (s_magic: proc, sysfs, ...). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} nj_fs_exclude_map SEC(".maps") __weak;

/* Last modify event per process and file, for the modify window. Keyed by
 * the process's start time too, so a reused pid is a new process. */
struct nj_modify_key {
	__u64 start_ns;
	__u64 ino;
	__u32 tgid;
	__u32 dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nj_modify_key);
	__type(value, __u64);
} nj_modify_map SEC(".maps") __weak;

/* The identity of the object a path-based file syscall works on, as a
 * kprobe/fentry hook inside the syscall saw it (security_path_unlink, ...),
 * for the syscall's exit to report. Keyed by thread; LRU for syscalls that
 * never return. The tracepoint backend never fills it. */
struct nj_file_ids {
	struct nj_file_obj obj;
	struct nj_file_obj replaced; /* rename: the file the new name replaced */
	__u32 syscall; /* enum nj_syscall of the slot the hook saw */
	__u32 flags; /* NJ_FILE_OBJ_KNOWN, NJ_FILE_REPLACED */
	__u32 nonce; /* the slot's: the identity belongs to that call only */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct nj_file_ids);
} nj_file_ids_map SEC(".maps") __weak;

/* ---- network family ---- */

/* TCP sockets a process connected or accepted, by struct sock address: the
 * state changes that settle a connect or end a connection often run in
 * softirq, where the current task is whoever was interrupted, so they are
 * attributed to the task kept here (what bcc's tcplife does). Filled at the
 * CLOSE -> SYN_SENT change (process context, inside connect) and at
 * accept's exit; emptied at TCP_CLOSE. LRU: a socket whose close we miss
 * ages out. */
enum nj_sock_phase { NJ_SOCK_CONNECTING = 1, NJ_SOCK_ESTABLISHED = 2, NJ_SOCK_FAILED = 3 };

#define NJ_SOCK_REPORTED (1u << 0) /* its connect or accept was reported: report its end */
#define NJ_SOCK_ACCEPTED (1u << 2) /* opened by accept (ingress), not connect */

struct nj_net_sock {
	struct nj_task task; /* who connected or accepted */
	__u64 conn_id; /* event id of the connect or accept */
	__u64 start_ns; /* established or accepted (boot clock) */
	__u32 phase; /* enum nj_sock_phase */
	__u32 flags; /* NJ_SOCK_* */
	__s32 err; /* NJ_SOCK_FAILED: the socket's error (ECONNREFUSED, ETIMEDOUT, ...) */
	__u32 _pad;
};

/* An LRU, so that an entry whose delete was missed (a program run the
 * kernel skipped) leaves in time instead of filling the map for good; its
 * evictions are counted through net_sock_added / net_sock_removed
 * (net.h: nj_sock_track). The loader sets the size (--connection-table). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct nj_net_sock);
} nj_net_sock_map SEC(".maps") __weak;

/* Sockets whose connect was reported in progress and whose result is still
 * to report: the hand-over between the connect's exit and the state change
 * (network/net.h: nj_sock_await). Not an LRU: an LRU evicts a mark without
 * a word (and, per CPU, well before it is full); a full table refuses the
 * new one, which the exit then handles and counts. A mark is taken off by
 * whoever reports the result; one left behind (its socket's entry evicted
 * before the state change) by the next connect at the same address, whose
 * CLOSE -> SYN_SENT change runs before any exit marks it. The loader sets
 * the size (--connection-table). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} nj_net_await_map SEC(".maps") __weak;

/* A DNS stream's framing, per socket and direction: what is left of the
 * message in flight, or the length just read alone. */
struct nj_dns_stream_key {
	__u64 sk;
	__u64 ingress;
};

struct nj_dns_stream {
	__u32 left; /* bytes of the current message still to come: not a message start */
	__u32 len; /* a length read alone: the next call starts a message this long */
};

/* network/dns.h: nj_dns_stream_frame. LRU: a connection's state is a few
 * bytes, and one forgotten costs at most a message cut or misread (its end
 * is taken for a start). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct nj_dns_stream_key);
	__type(value, struct nj_dns_stream);
} nj_dns_stream_map SEC(".maps") __weak;

/* io_uring accepts submitted and not yet completed, by ring and
 * user_data (what the completion tracepoint carries on every kernel). A
 * multishot accept stays until its last completion. LRU: a completion
 * missed leaves its entry to age out. */
struct nj_uring_key {
	__u64 ring;
	__u64 user_data;
};

struct nj_uring_accept {
	__u32 direct; /* into the ring's fixed files: the result is a slot, not an fd */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct nj_uring_key);
	__type(value, struct nj_uring_accept);
} nj_uring_accept_map SEC(".maps") __weak;

/* UDP flows seen per process (its start time too: a reused pid is a new
 * process), endpoints and direction, for the flow window. */
struct nj_udp_key {
	__u64 start_ns;
	__u32 tgid;
	__u16 lport;
	__u16 rport;
	__u8 local[16];
	__u8 remote[16];
	__u16 family;
	__u8 ingress;
	__u8 _pad[5];
};

struct nj_udp_flow {
	__u64 last_ns; /* when the flow was last reported */
	__u64 folded; /* datagrams since then */
};

/* An LRU: flows are never deleted (UDP has no end to see), the oldest make
 * room. A flow evicted inside its window has its next datagram reported
 * again early, and datagrams it had folded are not carried by a report;
 * evictions are counted through net_udp_added (net.h: nj_udp_folded). The
 * loader sets the size (--udp-flow-table). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nj_udp_key);
	__type(value, struct nj_udp_flow);
} nj_udp_flow_map SEC(".maps") __weak;

#endif /* NJ_MAPS_H */
