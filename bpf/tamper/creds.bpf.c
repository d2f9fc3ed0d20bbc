/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Credential changes: setuid, setreuid, setresuid, setfsuid, their gid
 * twins, setgroups and capset (a privilege drop, a refused escalation, a
 * capability given up).
 *
 * Why the syscall pair and the task's credentials rather than the
 * arguments: what a call asks for (-1 "unchanged", a saved id, an id the
 * caller may not take) is not what it gets; the entry reads the calling
 * thread's real_cred before, the exit reads it after, and the event holds
 * both. commit_creds (kprobe/fentry) would see every path that replaces
 * credentials, including execve of a set-id file and keyctl; those are not
 * these syscalls: the exec's gain is on the exec event (user space
 * compares the ids before and after, docs/events/process.md).
 *
 * Not reported: a successful call that changed nothing the event shows
 * (setuid(0) by root, setgroups of the same groups: daemons do it on every
 * start "to be sure"); failures are always reported (a refused
 * escalation is the point). setfsuid/setfsgid cannot fail: they return the
 * previous id; a call whose id did not become the one asked for is a
 * refusal, which the exit sends as -EPERM (the kernel's own check refused
 * it; docs/events/tamper.md says so).
 *
 * One event per process, not per thread: Linux credentials are per
 * thread, so glibc's setuid() and friends run the syscall in every thread
 * of the process (its SIGSETXID handler). The first thread's call is
 * reported; the others, with the same syscall and the same result within
 * NJ_CREDS_FOLD_NS of the reported one, are folded into it and counted in
 * the fold map. nj_cpu_stats has no free field, and one more would change
 * a layout every family shares, so the count travels in the next event of
 * the same process and syscall (values[7], "folded so far"); a lone
 * multi-threaded setuid()'s count is therefore never shown, only its one
 * event. The same window rate-limits a loop of refused setuid(0) calls to
 * one event per second.
 *
 * Kernel versions: kernel_cap_t is { u32 cap[2] } before v6.3 and
 * { u64 val } since (commit f122a08b197d); both are 8 bytes with the low
 * capabilities first on little-endian, so the field is read whole, never
 * by member name. group_info's usage became refcount_t in v4.11; only
 * ngroups and gid[] are read, by name.
 */
#include "tamper.h"

#define NJ_CREDS_FIRST NJ_SYS_SETUID
#define NJ_CREDS_LAST NJ_SYS_CAPSET
#define NJ_CREDS_FOLD_NS 1000000000ull
#define NJ_CREDS_GROUPS 4 /* supplementary groups shown, old and new */

#define NJ_EPERM 1

struct nj_creds_fold_key {
	__u64 start_ns; /* the process's start: a reused pid is a new key */
	__u32 tgid;
	__u32 syscall;
};

struct nj_creds_fold {
	__u64 ts_ns; /* when the reported event was sent */
	__u64 result[3]; /* the reported event's new values (see nj_creds_result) */
	__s64 retval;
	__u64 folded; /* calls folded into this key's events so far */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct nj_creds_fold_key);
	__type(value, struct nj_creds_fold);
} nj_creds_fold_map SEC(".maps");

static __always_inline bool nj_is_gid_call(__u32 sc)
{
	return sc >= NJ_SYS_SETGID && sc <= NJ_SYS_SETFSGID;
}

static __always_inline __u64 nj_pair(__u32 lo, __u32 hi)
{
	return (__u64)lo | ((__u64)hi << 32);
}

static __always_inline __u64 nj_cap_read(const kernel_cap_t *cap)
{
	__u64 v = 0;

	bpf_core_read(&v, sizeof(v), cap);
	return v;
}

/* Count and the first NJ_CREDS_GROUPS supplementary groups: [0] count,
 * [1] groups 0 and 1, [2] groups 2 and 3 (0 beyond the count). */
static __always_inline void nj_groups_read(const struct cred *cred, __u64 out[3])
{
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	__u32 g[NJ_CREDS_GROUPS] = {};
	int n = 0;

	if (gi)
		n = BPF_CORE_READ(gi, ngroups);
	if (n > 0) {
		const kgid_t *gid = gi->gid;

		for (int i = 0; i < NJ_CREDS_GROUPS; i++)
			if (i < n)
				bpf_probe_read_kernel(&g[i], sizeof(g[i]), &gid[i]);
	}
	out[0] = n < 0 ? 0 : n;
	out[1] = nj_pair(g[0], g[1]);
	out[2] = nj_pair(g[2], g[3]);
}

/* The three values a call of `sc` changes, as the thread holds them:
 * uid calls: real|effective, saved|fs, effective capabilities (setuid to or
 * from 0 changes them); gid calls: the gid twins and 0; setgroups: the
 * groups; capset: effective, permitted, inheritable. */
static __always_inline void nj_creds_read(__u32 sc, __u64 out[3])
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, real_cred);

	out[2] = 0;
	if (sc == NJ_SYS_SETGROUPS) {
		nj_groups_read(cred, out);
	} else if (sc == NJ_SYS_CAPSET) {
		out[0] = nj_cap_read(&cred->cap_effective);
		out[1] = nj_cap_read(&cred->cap_permitted);
		out[2] = nj_cap_read(&cred->cap_inheritable);
	} else if (nj_is_gid_call(sc)) {
		out[0] = nj_pair(BPF_CORE_READ(cred, gid.val), BPF_CORE_READ(cred, egid.val));
		out[1] = nj_pair(BPF_CORE_READ(cred, sgid.val), BPF_CORE_READ(cred, fsgid.val));
	} else {
		out[0] = nj_pair(BPF_CORE_READ(cred, uid.val), BPF_CORE_READ(cred, euid.val));
		out[1] = nj_pair(BPF_CORE_READ(cred, suid.val), BPF_CORE_READ(cred, fsuid.val));
		out[2] = nj_cap_read(&cred->cap_effective);
	}
}

/* The credentials before the call ride in the unused argument slots 3..5
 * (no call here takes more than three); the exit moves them to values[]. */
static __always_inline int creds_enter(struct nj_sys_args *a)
{
	__u64 old[3];

	nj_creds_read(a->syscall, old);
	a->args[3] = old[0];
	a->args[4] = old[1];
	a->args[5] = old[2];
	return nj_sys_enter_save(a);
}

static __always_inline bool nj_creds_same(const struct nj_creds_fold *f, __u64 ts,
					  const __u64 now[3], long ret)
{
	/* signed: another CPU's entry may carry a slightly later clock */
	return (__s64)(ts - f->ts_ns) < (__s64)NJ_CREDS_FOLD_NS && f->retval == ret &&
	       f->result[0] == now[0] && f->result[1] == now[1] && f->result[2] == now[2];
}

/* Whether this call is folded into the process's earlier event, and if
 * not, the count of those folded so far (for values[7]). The threads of one
 * glibc setxid run the syscall at the same time on different CPUs: the
 * first insert (BPF_NOEXIST) decides which of them reports. */
static __always_inline bool nj_creds_folded(struct task_struct *task, __u32 sc, const __u64 now[3],
					    long ret, __u64 *folded)
{
	struct nj_creds_fold_key key = {
		.start_ns = nj_leader_start(task, false),
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.syscall = sc,
	};
	struct nj_creds_fold *f = bpf_map_lookup_elem(&nj_creds_fold_map, &key);
	struct nj_creds_fold fresh = {};
	__u64 ts = bpf_ktime_get_ns();

	if (f && nj_creds_same(f, ts, now, ret)) {
		__sync_fetch_and_add(&f->folded, 1);
		return true;
	}
	fresh.ts_ns = ts;
	fresh.result[0] = now[0];
	fresh.result[1] = now[1];
	fresh.result[2] = now[2];
	fresh.retval = ret;
	fresh.folded = f ? f->folded : 0;
	*folded = fresh.folded;
	if (!f && bpf_map_update_elem(&nj_creds_fold_map, &key, &fresh, BPF_NOEXIST)) {
		/* another thread of the process inserted first */
		f = bpf_map_lookup_elem(&nj_creds_fold_map, &key);
		if (f && nj_creds_same(f, ts, now, ret)) {
			__sync_fetch_and_add(&f->folded, 1);
			return true;
		}
	}
	if (f)
		bpf_map_update_elem(&nj_creds_fold_map, &key, &fresh, BPF_ANY);
	return false;
}

static __always_inline int creds_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_tmp_creds rec = {};
	__u64 old[3], now[3], folded = 0;
	struct nj_sys_args a;

	if (!nj_sys_take(id, NJ_CREDS_FIRST, NJ_CREDS_LAST, &a))
		return 0;
	old[0] = a.args[3];
	old[1] = a.args[4];
	old[2] = a.args[5];
	a.args[3] = a.args[4] = a.args[5] = 0;
	nj_creds_read(a.syscall, now);
	if (a.syscall == NJ_SYS_SETFSUID || a.syscall == NJ_SYS_SETFSGID) {
		/* the fs id is the high half of now[1] */
		if ((__u32)a.args[0] != (__u32)-1 && (__u32)a.args[0] != (__u32)(now[1] >> 32))
			ret = -NJ_EPERM;
		else
			ret = 0;
	}
	if (ret == 0 && old[0] == now[0] && old[1] == now[1] && old[2] == now[2])
		return 0;
	if (nj_creds_folded(task, a.syscall, now, ret, &folded))
		return 0;
	nj_tamper_op_fill(&rec.op, task, &a, ret);
	/* old and new interleaved per value: [0] old, [1] new, ... [4] old, [5] new */
	rec.op.values[0] = old[0];
	rec.op.values[1] = now[0];
	rec.op.values[2] = old[1];
	rec.op.values[3] = now[1];
	rec.op.values[4] = old[2];
	rec.op.values[5] = now[2];
	rec.op.values[7] = folded;
	if (folded)
		rec.op.flags |= NJ_TMP_FOLDED;
	nj_tamper_send(ctx, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_CREDS, backend);
	return 0;
}

NJ_SYSCALL_ENTER(setuid, NJ_SYS_SETUID, 1, creds_enter)
NJ_SYSCALL_EXIT(setuid, creds_exit)
NJ_SYSCALL_ENTER(setreuid, NJ_SYS_SETREUID, 2, creds_enter)
NJ_SYSCALL_EXIT(setreuid, creds_exit)
NJ_SYSCALL_ENTER(setresuid, NJ_SYS_SETRESUID, 3, creds_enter)
NJ_SYSCALL_EXIT(setresuid, creds_exit)
NJ_SYSCALL_ENTER(setfsuid, NJ_SYS_SETFSUID, 1, creds_enter)
NJ_SYSCALL_EXIT(setfsuid, creds_exit)
NJ_SYSCALL_ENTER(setgid, NJ_SYS_SETGID, 1, creds_enter)
NJ_SYSCALL_EXIT(setgid, creds_exit)
NJ_SYSCALL_ENTER(setregid, NJ_SYS_SETREGID, 2, creds_enter)
NJ_SYSCALL_EXIT(setregid, creds_exit)
NJ_SYSCALL_ENTER(setresgid, NJ_SYS_SETRESGID, 3, creds_enter)
NJ_SYSCALL_EXIT(setresgid, creds_exit)
NJ_SYSCALL_ENTER(setfsgid, NJ_SYS_SETFSGID, 1, creds_enter)
NJ_SYSCALL_EXIT(setfsgid, creds_exit)
NJ_SYSCALL_ENTER(setgroups, NJ_SYS_SETGROUPS, 2, creds_enter)
NJ_SYSCALL_EXIT(setgroups, creds_exit)
NJ_SYSCALL_ENTER(capset, NJ_SYS_CAPSET, 2, creds_enter)
NJ_SYSCALL_EXIT(capset, creds_exit)
