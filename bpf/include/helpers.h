/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by every program: output with loss accounting, event
 * ids, the acting task, string parts, the dentry walker and argv capture. */
#ifndef NJ_HELPERS_H
#define NJ_HELPERS_H

#include "maps.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Syscall entry symbols, for fentry/fexit on the syscall itself. */
#if defined(__TARGET_ARCH_x86)
#define NJ_SYS(name) "__x64_sys_" #name
#elif defined(__TARGET_ARCH_arm64)
#define NJ_SYS(name) "__arm64_sys_" #name
#endif

#define PF_KTHREAD 0x00200000
/* io_uring's worker threads (v5.12+: threads of the process, not kthreads) */
#define NJ_PF_IO_WORKER 0x10
#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define CLONE_THREAD 0x00010000
#define SIGCHLD 17

/* Newer kernels pass group_dead to sched_process_exit (v6.16+). */
struct trace_event_raw_sched_process_exit___nj {
	bool group_dead;
} __attribute__((preserve_access_index));

static __always_inline struct nj_cpu_stats *nj_stats_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&nj_stats, &zero);
}

/*
 * Shared counters change only through a lock-prefixed add (BPF's atomic add
 * without BPF_FETCH, which every kernel we load on has; fetching atomics need
 * 5.12 and 5.10's verifier refuses an object that contains one). A plain
 * load, add and store can lose the increment of a program that ran on this
 * CPU in between: fentry programs run with only migration disabled, so a
 * preemptible kernel can switch tasks inside one, and a softirq tracepoint
 * can interrupt any program.
 */
static __always_inline void nj_stat_add(__u64 *counter, __u64 n)
{
	__sync_fetch_and_add(counter, n);
}

#define NJ_READ_ONCE(x) (*(volatile typeof(x) *)&(x))

/*
 * A sequence number no other program on this CPU gets, without a fetching
 * atomic: a value read just after our own add is ours when it is exactly one
 * above the value read just before it, because then no other add landed in
 * between, and only one add can take the counter from v - 1 to v. An add
 * interleaved with ours (a preempted or interrupted program) makes us try
 * again; after NJ_SEQ_TRIES such races in a row the last value is used.
 */
#define NJ_SEQ_TRIES 4

static __always_inline __u64 nj_seq_next(__u64 *counter)
{
	__u64 before, after = 0;

#pragma unroll
	for (int i = 0; i < NJ_SEQ_TRIES; i++) {
		before = NJ_READ_ONCE(*counter);
		nj_stat_add(counter, 1);
		after = NJ_READ_ONCE(*counter);
		if (after == before + 1)
			break;
	}
	return after;
}

static __always_inline __u64 nj_new_event_id(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	__u64 cpu = bpf_get_smp_processor_id();
	__u64 seq = 0;

	if (st)
		seq = nj_seq_next(&st->event_seq);
	return (cpu << NJ_EVENT_ID_CPU_SHIFT) | (seq & ((1ULL << NJ_EVENT_ID_CPU_SHIFT) - 1));
}

static __always_inline void nj_hdr_init_ts(struct nj_hdr *h, __u8 family, __u16 type, __u32 size,
					   __u64 event_id, __u8 backend, __u64 ts_ns)
{
	h->type = type;
	h->version = NJ_ABI_VERSION;
	h->backend = backend;
	h->size = size;
	h->family = family;
	h->_pad0 = 0;
	h->nparts = 0;
	h->_pad1 = 0;
	h->event_id = event_id;
	h->ts_ns = ts_ns;
}

static __always_inline void nj_hdr_init(struct nj_hdr *h, __u8 family, __u16 type, __u32 size,
					__u64 event_id, __u8 backend)
{
	nj_hdr_init_ts(h, family, type, size, event_id, backend, bpf_ktime_get_boot_ns());
}

/* Every sample leaves through here, so every loss is counted (in records:
 * a batch carries nrec of them). Once the sensor is stopping, nothing is
 * sent: what happens after the stop instant is counted apart (not lost:
 * the sensor was no longer watching) and the caller sees a failed send. */
static __always_inline long nj_output_n(void *ctx, void *data, __u32 size, int family, __u32 nrec)
{
	struct nj_cpu_stats *st = nj_stats_get();
	long err;

	if (nj_stopping) {
		if (st)
			nj_stat_add(&st->after_stop, nrec);
		return -1;
	}
	if (nj_use_ringbuf) {
		__u64 flags = 0;

		if (nj_wakeup_bytes) {
			__u64 avail = bpf_ringbuf_query(&nj_rb, BPF_RB_AVAIL_DATA);

			/* Wake the reader once, with the record that crosses the
			 * mark: while it lags behind, a wake-up per record would
			 * cost every hooked syscall microseconds for nothing (it
			 * also polls on a timer). */
			flags = BPF_RB_NO_WAKEUP;
			if (avail < nj_wakeup_bytes && avail + size >= nj_wakeup_bytes)
				flags = BPF_RB_FORCE_WAKEUP;
		}
		err = bpf_ringbuf_output(&nj_rb, data, size, flags);
	} else {
		err = bpf_perf_event_output(ctx, &nj_perf, BPF_F_CURRENT_CPU, data, size);
	}
	if (st && family >= 0 && family < NJ_FAM_MAX) {
		if (err) {
			nj_stat_add(&st->lost[family], nrec);
		} else {
			nj_stat_add(&st->sent[family], nrec);
		}
	}
	return err;
}

static __always_inline long nj_output(void *ctx, void *data, __u32 size, int family)
{
	return nj_output_n(ctx, data, size, family, 1);
}

static __always_inline void nj_count_read_error(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	if (st)
		nj_stat_add(&st->read_errors, 1);
}

static __always_inline void nj_count_enter_full(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	if (st)
		nj_stat_add(&st->enter_map_full, 1);
}

/*
 * Field reads. tp_btf programs get typed (BTF) pointers and may load through
 * them directly: an inline load instead of a bpf_probe_read_kernel call per
 * pointer hop. Pointers from kprobe registers or bpf_get_current_task() are
 * plain numbers to the verifier and need the helper. `btf` is a constant in
 * every program, so only one arm is compiled into it.
 */
#define NJ_ARROW_1(s, a) ((s)->a)
#define NJ_ARROW_2(s, a, b) ((s)->a->b)
#define NJ_ARROW_3(s, a, b, c) ((s)->a->b->c)
#define NJ_ARROW_PICK(_1, _2, _3, N, ...) N
#define NJ_ARROW(s, ...) \
	NJ_ARROW_PICK(__VA_ARGS__, NJ_ARROW_3, NJ_ARROW_2, NJ_ARROW_1, 0)(s, __VA_ARGS__)
#define NJ_RD(btf, s, ...) ((btf) ? NJ_ARROW(s, __VA_ARGS__) : BPF_CORE_READ(s, __VA_ARGS__))

static __always_inline bool nj_is_kthread(struct task_struct *task, bool btf)
{
	return NJ_RD(btf, task, flags) & PF_KTHREAD;
}

static __always_inline bool nj_ignored(struct task_struct *task, bool btf)
{
	if (nj_is_kthread(task, btf))
		return true;
	return nj_self_pid && (__u32)NJ_RD(btf, task, tgid) == nj_self_pid;
}

static __always_inline __u64 nj_leader_start(struct task_struct *task, bool btf)
{
	return NJ_RD(btf, task, group_leader, start_boottime);
}

/* The same for the current task, `id` its bpf_get_current_pid_tgid(). The
 * thread whose id is the tgid is the group leader (exec's de_thread gives
 * the leader's id to the thread that survives), so a single-threaded
 * process, or any process's main thread, costs one read instead of two. */
static __always_inline __u64 nj_current_leader_start(struct task_struct *task, __u64 id)
{
	if ((__u32)id == id >> 32)
		return BPF_CORE_READ(task, start_boottime);
	return nj_leader_start(task, false);
}

/* The acting task's identity. Credentials are the objective ones
 * (real_cred), which is what ps and /proc report. */
static __always_inline void nj_fill_task(struct nj_task *t, struct task_struct *task, bool btf)
{
	struct task_struct *parent = NJ_RD(btf, task, real_parent);
	const struct cred *cred = NJ_RD(btf, task, real_cred);

	t->pid = NJ_RD(btf, task, tgid);
	t->tid = NJ_RD(btf, task, pid);
	t->ppid = NJ_RD(btf, parent, tgid);
	t->uid = NJ_RD(btf, cred, uid.val);
	t->euid = NJ_RD(btf, cred, euid.val);
	t->gid = NJ_RD(btf, cred, gid.val);
	t->egid = NJ_RD(btf, cred, egid.val);
	if (bpf_core_field_exists(task->loginuid))
		t->loginuid = NJ_RD(btf, task, loginuid.val);
	else
		t->loginuid = (__u32)-1;
	t->start_ns = nj_leader_start(task, btf);
	t->parent_start_ns = nj_leader_start(parent, btf);
	t->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&t->comm, task, comm);
}

/* This CPU's scratch value. Only code running inside NJ_BATCH may use it
 * (the dentry walker and argv reader are called from there). */
static __always_inline struct nj_scratch *nj_scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&nj_scratch_map, &cpu);
}

/* Where the next record of the batch starts: the mask is a no-op (off is
 * kept 8-aligned and below NJ_BATCH_FLUSH) that gives the verifier a bound. */
#define NJ_BATCH_POS(sc) ((sc)->off & (NJ_BATCH_FLUSH - 8))
/* Where the value of the next string part goes. */
#define NJ_PART_DATA(sc) (&(sc)->buf[NJ_BATCH_POS(sc) + sizeof(struct nj_str)])

/*
 * This CPU's batch, emptied and held for an event of `family`; or NULL.
 *
 * Held through the busy word, a count of the programs between their add and
 * their release: a program owns the batch when the count is 1 right after
 * its own add (non-fetching atomic adds, see nj_stat_add). A program that
 * finds the batch held by another one on this CPU (preempted, or
 * interrupted by a softirq) drops its event and counts it as lost, rather
 * than write over the other's half-built records.
 */
static __always_inline struct nj_scratch *nj_batch_hold(__u8 family)
{
	struct nj_scratch *sc = nj_scratch_get();
	struct nj_cpu_stats *st;

	if (!sc)
		return NULL;
	__sync_fetch_and_add(&sc->busy, 1);
	if (NJ_READ_ONCE(sc->busy) != 1) {
		__sync_fetch_and_add(&sc->busy, -1);
		st = nj_stats_get();
		if (st && family < NJ_FAM_MAX) {
			nj_stat_add(&st->scratch_busy, 1);
			nj_stat_add(&st->lost[family], 1);
		}
		return NULL;
	}
	sc->off = 0;
	sc->nrec = 0;
	sc->lost_parts = 0;
	sc->family = family;
	sc->ts_ns = bpf_ktime_get_boot_ns();
	return sc;
}

static __always_inline void nj_batch_release(struct nj_scratch *sc)
{
	__sync_fetch_and_add(&sc->busy, -1);
}

/*
 * The only way to use a batch: `body` (an expression, normally a call of a
 * function that builds and sends the event through `sc`) runs with this
 * CPU's batch held, and the batch is released after it whatever it did, so
 * no way out of the body can leave the busy word taken.
 */
#define NJ_BATCH(sc, family, body)                             \
	do {                                                   \
		struct nj_scratch *sc = nj_batch_hold(family); \
		if (sc) {                                      \
			body;                                  \
			nj_batch_release(sc);                  \
		}                                              \
	} while (0)

/* Send what the batch holds. Returns how many records were lost. */
static __always_inline __u32 nj_batch_flush(void *ctx, struct nj_scratch *sc)
{
	__u32 size = sc->off, nrec = sc->nrec;

	sc->off = 0;
	sc->nrec = 0;
	if (!nrec)
		return 0;
	if (nj_output_n(ctx, sc->buf, size & (2 * NJ_STR_MAX - 1), sc->family & (NJ_FAM_MAX - 1),
			nrec))
		return nrec;
	return 0;
}

/* Seal the string part whose value (len bytes) is already at
 * NJ_PART_DATA(sc), and never send early: only for a part that provably
 * fits the batch where it starts (a caller without the context to send). */
static __always_inline int nj_part_seal(struct nj_scratch *sc, __u64 event_id, __u8 backend,
					__u16 field, __u16 index, __u16 flags, __u32 len, __u32 dev,
					__u64 ino)
{
	struct nj_str *s = (struct nj_str *)&sc->buf[NJ_BATCH_POS(sc)];
	__u32 size;

	if (len > NJ_STR_MAX)
		len = NJ_STR_MAX;
	size = sizeof(*s) + len;
	nj_hdr_init_ts(&s->hdr, sc->family, NJ_REC_PART, size, event_id, backend, sc->ts_ns);
	s->field = field;
	s->index = index;
	s->flags = flags;
	s->_pad0 = 0;
	s->len = len;
	s->dev = dev;
	s->ino = ino;
	sc->off = NJ_BATCH_POS(sc) + ((size + 7) & ~7);
	sc->nrec++;
	return 1;
}

/* nj_part_seal, and the batch sent early once it reaches NJ_BATCH_FLUSH.
 * Returns 1: one more part for the closing record to expect (its caller
 * takes off sc->lost_parts, the parts an early send lost). */
static __always_inline int nj_part_commit(void *ctx, struct nj_scratch *sc, __u64 event_id,
					  __u8 backend, __u16 field, __u16 index, __u16 flags,
					  __u32 len, __u32 dev, __u64 ino)
{
	nj_part_seal(sc, event_id, backend, field, index, flags, len, dev, ino);
	if (sc->off >= NJ_BATCH_FLUSH)
		sc->lost_parts += nj_batch_flush(ctx, sc);
	return 1;
}

/* Append the closing record (a filled struct; its size is its type's) and
 * send the batch. The record says how many parts to wait for: those built
 * before it (`parts`), less those an early send lost. */
#define nj_batch_close(ctx, sc, rec, parts)                                                      \
	({                                                                                       \
		(rec)->hdr.nparts = (parts) > (sc)->lost_parts ? (parts) - (sc)->lost_parts : 0; \
		__builtin_memcpy(&(sc)->buf[NJ_BATCH_POS(sc)], (rec), sizeof(*(rec)));           \
		(sc)->off = NJ_BATCH_POS(sc) + ((sizeof(*(rec)) + 7) & ~7);                      \
		(sc)->nrec++;                                                                    \
		nj_batch_flush((ctx), (sc));                                                     \
	})

/* A NUL-terminated kernel string as one part. */
static __always_inline int nj_part_kstr(void *ctx, struct nj_scratch *sc, __u64 event_id,
					__u8 backend, __u16 field, __u16 index, const char *str,
					__u32 dev, __u64 ino)
{
	long n;

	if (!str)
		return 0;
	n = bpf_probe_read_kernel_str(NJ_PART_DATA(sc), NJ_PATH_MAX, str);
	if (n < 0) {
		nj_count_read_error();
		return 0;
	}
	return nj_part_commit(ctx, sc, event_id, backend, field, index,
			      n >= NJ_PATH_MAX ? NJ_STR_TRUNCATED : 0, n > 0 ? n - 1 : 0, dev, ino);
}

/* A NUL-terminated user string as one part. */
static __always_inline int nj_part_ustr(void *ctx, struct nj_scratch *sc, __u64 event_id,
					__u8 backend, __u16 field, const char *str)
{
	__u32 flags = 0;
	long n;

	if (!str)
		return 0;
	n = bpf_probe_read_user_str(NJ_PART_DATA(sc), NJ_PATH_MAX, str);
	if (n < 0) {
		nj_count_read_error();
		return 0;
	}
	/* n == NJ_PATH_MAX is also a string of exactly PATH_MAX - 1 bytes (the
	 * longest path a syscall takes): cut only if the caller's string has
	 * no NUL where the copy put one. */
	if (n >= NJ_PATH_MAX) {
		char last = 1;

		if (bpf_probe_read_user(&last, 1, str + NJ_PATH_MAX - 1) || last)
			flags = NJ_STR_TRUNCATED;
	}
	return nj_part_commit(ctx, sc, event_id, backend, field, 0, flags, n > 0 ? n - 1 : 0, 0, 0);
}

static __always_inline __u32 nj_inode_dev(struct inode *inode, bool btf)
{
	return NJ_RD(btf, inode, i_sb, s_dev);
}

/*
 * Global functions (bpf/lib/): the verifier checks each once, on its own,
 * instead of once per way out of every loop multiplied through the rest of
 * the caller. They only take and return scalars; results are packed.
 */
/* The path of `dentry` on mount `vfsmount` (a struct path's two halves,
 * passed as numbers: a hook's own BTF pointers are not scalars) as the
 * batch's next part value: (flags << 16) | length, or < 0. */
int nj_build_path(__u64 vfsmount, __u64 dentry);
/* Failed exec's argv as the batch's next part value:
 * length | argc << 32 | NJ_EXEC_* flags << 48, or < 0. */
long nj_build_user_argv(__u64 argv);

/* A dentry on a mount as one part (see nj_build_path for the encoding). */
static __always_inline int nj_part_dpath(void *ctx, struct nj_scratch *sc, __u64 event_id,
					 __u8 backend, __u16 field, __u64 vfsmount, __u64 dentry,
					 __u32 dev, __u64 ino)
{
	int r = nj_build_path(vfsmount, dentry);

	if (r < 0)
		return 0;
	return nj_part_commit(ctx, sc, event_id, backend, field, 0, (r >> 16) & 0xffff, r & 0xffff,
			      dev, ino);
}

/* A struct path as one part. */
static __always_inline int nj_part_path(void *ctx, struct nj_scratch *sc, __u64 event_id,
					__u8 backend, __u16 field, const struct path *path,
					__u32 dev, __u64 ino)
{
	return nj_part_dpath(ctx, sc, event_id, backend, field, (__u64)BPF_CORE_READ(path, mnt),
			     (__u64)BPF_CORE_READ(path, dentry), dev, ino);
}

/*
 * argv of the current image from mm->arg_start..arg_end, in parts of at most
 * NJ_STR_MAX bytes. Pages that are not resident cannot be faulted in from
 * here: the exec is still reported, flagged NJ_EXEC_ARGV_UNREADABLE.
 */
static __always_inline __u32 nj_part_mm_argv(void *ctx, struct nj_scratch *sc, __u64 event_id,
					     __u8 backend, struct mm_struct *mm, __u32 *exec_flags)
{
	__u64 start, end, total, off = 0, len;
	__u32 parts = 0, limit = nj_argv_max;

	if (!mm)
		return 0;
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	if (end <= start)
		return 0;
	total = end - start;
	if (limit > NJ_ARGV_CHUNKS * NJ_STR_MAX)
		limit = NJ_ARGV_CHUNKS * NJ_STR_MAX;
	if (total > limit) {
		*exec_flags |= NJ_EXEC_ARGV_TRUNCATED;
		total = limit;
	}
#pragma clang loop unroll(disable)
	for (__u16 i = 0; i < NJ_ARGV_CHUNKS; i++) {
		if (off >= total)
			break;
		len = total - off;
		if (len > NJ_STR_MAX)
			len = NJ_STR_MAX;
		len &= (2 * NJ_STR_MAX - 1);
		if (len == 0 || len > NJ_STR_MAX)
			break;
		if (bpf_probe_read_user(NJ_PART_DATA(sc), len, (void *)(start + off))) {
			*exec_flags |= NJ_EXEC_ARGV_UNREADABLE;
			nj_count_read_error();
			break;
		}
		parts += nj_part_commit(ctx, sc, event_id, backend, NJ_F_ARGV, i, 0, len, 0, 0);
		off += len;
	}
	return parts;
}

/* argv of a failed exec, from the caller's own user array (still mapped). */
static __always_inline __u32 nj_part_user_argv(void *ctx, struct nj_scratch *sc, __u64 event_id,
					       __u8 backend, const char *const *argv,
					       __u32 *exec_flags, __u32 *argc)
{
	long r = nj_build_user_argv((__u64)argv);
	__u32 len;

	if (r < 0)
		return 0;
	len = r & 0xffffffff;
	*argc = (r >> 32) & 0xffff;
	*exec_flags |= (r >> 48) & 0x7fff;
	if (len == 0)
		return 0;
	return nj_part_commit(ctx, sc, event_id, backend, NJ_F_ARGV, 0, 0, len, 0, 0);
}

#define NJ_S_IFMT 00170000
#define NJ_S_IFSOCK 0140000

/* The current task's open file `fd`, or NULL. */
static __always_inline struct file *nj_fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0 || !fdt)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffffff]))
		return NULL;
	return f;
}

#endif /* NJ_HELPERS_H */
