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

static __always_inline __u64 nj_new_event_id(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	__u64 cpu = bpf_get_smp_processor_id();
	__u64 seq = 0;

	if (st)
		seq = ++st->event_seq;
	return (cpu << NJ_EVENT_ID_CPU_SHIFT) | (seq & ((1ULL << NJ_EVENT_ID_CPU_SHIFT) - 1));
}

static __always_inline void nj_hdr_init(struct nj_hdr *h, __u16 type, __u32 size, __u64 event_id,
					__u8 backend)
{
	h->type = type;
	h->version = NJ_ABI_VERSION;
	h->backend = backend;
	h->size = size;
	h->event_id = event_id;
	h->ts_ns = bpf_ktime_get_boot_ns();
}

/* Every record leaves through here, so every loss is counted. */
static __always_inline long nj_output(void *ctx, void *data, __u32 size, int family)
{
	struct nj_cpu_stats *st = nj_stats_get();
	long err;

	if (nj_use_ringbuf) {
		__u64 flags = 0;

		if (nj_wakeup_bytes) {
			flags = BPF_RB_NO_WAKEUP;
			if (bpf_ringbuf_query(&nj_rb, BPF_RB_AVAIL_DATA) >= nj_wakeup_bytes)
				flags = BPF_RB_FORCE_WAKEUP;
		}
		err = bpf_ringbuf_output(&nj_rb, data, size, flags);
	} else {
		err = bpf_perf_event_output(ctx, &nj_perf, BPF_F_CURRENT_CPU, data, size);
	}
	if (st && family >= 0 && family < NJ_FAM_MAX) {
		if (err) {
			st->lost[family]++;
			st->lost_bytes[family] += size;
		} else {
			st->sent[family]++;
		}
	}
	return err;
}

static __always_inline void nj_count_read_error(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	if (st)
		st->read_errors++;
}

static __always_inline void nj_count_enter_full(void)
{
	struct nj_cpu_stats *st = nj_stats_get();
	if (st)
		st->enter_map_full++;
}

static __always_inline bool nj_is_kthread(struct task_struct *task)
{
	return BPF_CORE_READ(task, flags) & PF_KTHREAD;
}

static __always_inline bool nj_ignored(struct task_struct *task)
{
	if (nj_is_kthread(task))
		return true;
	return nj_self_pid && (__u32)BPF_CORE_READ(task, tgid) == nj_self_pid;
}

static __always_inline __u64 nj_leader_start(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/* The acting task's identity. Credentials are the objective ones
 * (real_cred), which is what ps and /proc report. */
static __always_inline void nj_fill_task(struct nj_task *t, struct task_struct *task)
{
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	const struct cred *cred = BPF_CORE_READ(task, real_cred);

	t->pid = BPF_CORE_READ(task, tgid);
	t->tid = BPF_CORE_READ(task, pid);
	t->ppid = BPF_CORE_READ(parent, tgid);
	t->uid = BPF_CORE_READ(cred, uid.val);
	t->euid = BPF_CORE_READ(cred, euid.val);
	t->gid = BPF_CORE_READ(cred, gid.val);
	t->egid = BPF_CORE_READ(cred, egid.val);
	if (bpf_core_field_exists(task->loginuid))
		t->loginuid = BPF_CORE_READ(task, loginuid.val);
	else
		t->loginuid = (__u32)-1;
	t->start_ns = nj_leader_start(task);
	t->parent_start_ns = nj_leader_start(parent);
	t->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&t->comm, task, comm);
}

static __always_inline struct nj_scratch *nj_scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&nj_scratch_map, &cpu);
}

/* Send the scratch string part. Returns 1 if it was delivered (one more part
 * for the closing record to expect), 0 otherwise. */
static __always_inline int nj_emit_str(void *ctx, struct nj_scratch *sc, __u64 event_id,
				       __u8 backend, __u16 field, __u16 index, __u16 flags, __u32 len)
{
	if (len > NJ_STR_MAX)
		len = NJ_STR_MAX;
	sc->s.field = field;
	sc->s.index = index;
	sc->s.flags = flags;
	sc->s._pad0 = 0;
	sc->s.len = len;
	nj_hdr_init(&sc->s.hdr, NJ_REC_STR, sizeof(struct nj_str) + len, event_id, backend);
	return nj_output(ctx, sc, (sizeof(struct nj_str) + len) & (2 * NJ_STR_MAX - 1),
			 NJ_FAM_PROCESS) == 0;
}

/* A NUL-terminated kernel string as one part. */
static __always_inline int nj_emit_kstr(void *ctx, __u64 event_id, __u8 backend, __u16 field,
					__u16 index, const char *str, __u32 dev, __u64 ino)
{
	struct nj_scratch *sc = nj_scratch_get();
	long n;

	if (!sc || !str)
		return 0;
	n = bpf_probe_read_kernel_str(sc->data, NJ_PATH_MAX, str);
	if (n < 0) {
		nj_count_read_error();
		return 0;
	}
	sc->s.dev = dev;
	sc->s.ino = ino;
	return nj_emit_str(ctx, sc, event_id, backend, field, index,
			   n >= NJ_PATH_MAX ? NJ_STR_TRUNCATED : 0, n > 0 ? n - 1 : 0);
}

/* A NUL-terminated user string as one part. */
static __always_inline int nj_emit_ustr(void *ctx, __u64 event_id, __u8 backend, __u16 field,
					const char *str)
{
	struct nj_scratch *sc = nj_scratch_get();
	long n;

	if (!sc || !str)
		return 0;
	n = bpf_probe_read_user_str(sc->data, NJ_PATH_MAX, str);
	if (n < 0) {
		nj_count_read_error();
		return 0;
	}
	sc->s.dev = 0;
	sc->s.ino = 0;
	return nj_emit_str(ctx, sc, event_id, backend, field, 0,
			   n >= NJ_PATH_MAX ? NJ_STR_TRUNCATED : 0, n > 0 ? n - 1 : 0);
}

static __always_inline __u32 nj_inode_dev(struct inode *inode)
{
	return BPF_CORE_READ(inode, i_sb, s_dev);
}

/*
 * Global functions (bpf/lib/): the verifier checks each once, on its own,
 * instead of once per way out of every loop multiplied through the rest of
 * the caller. They only take and return scalars; results are packed.
 */
/* Path into the scratch data: (flags << 16) | length, or < 0. */
int nj_build_path(__u64 path);
/* Failed exec's argv into the scratch data:
 * length | argc << 32 | NJ_EXEC_* flags << 48, or < 0. */
long nj_build_user_argv(__u64 argv);

/* A struct path as one part (see nj_build_path for the encoding). */
static __always_inline int nj_emit_path(void *ctx, __u64 event_id, __u8 backend, __u16 field,
					const struct path *path, __u32 dev, __u64 ino)
{
	int r = nj_build_path((__u64)path);
	struct nj_scratch *sc = nj_scratch_get();

	if (!sc || r < 0)
		return 0;
	sc->s.dev = dev;
	sc->s.ino = ino;
	return nj_emit_str(ctx, sc, event_id, backend, field, 0, (r >> 16) & 0xffff, r & 0xffff);
}

/*
 * argv of the current image from mm->arg_start..arg_end, in parts of at most
 * NJ_STR_MAX bytes. Pages that are not resident cannot be faulted in from
 * here: the exec is still reported, flagged NJ_EXEC_ARGV_UNREADABLE.
 */
static __always_inline __u32 nj_emit_mm_argv(void *ctx, __u64 event_id, __u8 backend,
					     struct mm_struct *mm, __u32 *exec_flags)
{
	struct nj_scratch *sc = nj_scratch_get();
	__u64 start, end, total, off = 0, len;
	__u32 parts = 0, limit = nj_argv_max;

	if (!sc || !mm)
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
	sc->s.dev = 0;
	sc->s.ino = 0;
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
		if (bpf_probe_read_user(sc->data, len, (void *)(start + off))) {
			*exec_flags |= NJ_EXEC_ARGV_UNREADABLE;
			nj_count_read_error();
			break;
		}
		if (nj_emit_str(ctx, sc, event_id, backend, NJ_F_ARGV, i, 0, len))
			parts++;
		else
			*exec_flags |= NJ_EXEC_PARTS_LOST;
		off += len;
	}
	return parts;
}

/* argv of a failed exec, from the caller's own user array (still mapped). */
static __always_inline __u32 nj_emit_user_argv(void *ctx, __u64 event_id, __u8 backend,
					       const char *const *argv, __u32 *exec_flags,
					       __u32 *argc)
{
	long r = nj_build_user_argv((__u64)argv);
	struct nj_scratch *sc = nj_scratch_get();
	__u32 len;

	if (!sc || r < 0)
		return 0;
	len = r & 0xffffffff;
	*argc = (r >> 32) & 0xffff;
	*exec_flags |= (r >> 48) & 0x7fff;
	if (len == 0)
		return 0;
	sc->s.dev = 0;
	sc->s.ino = 0;
	return nj_emit_str(ctx, sc, event_id, backend, NJ_F_ARGV, 0, 0, len);
}

#endif /* NJ_HELPERS_H */
