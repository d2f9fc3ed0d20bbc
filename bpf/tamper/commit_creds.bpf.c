/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Credential changes the syscall pairs (creds.bpf.c) cannot see, from the
 * kernel's commit_creds(new) on the kprobe and fentry backends: the one
 * function every replacement of a task's own credentials goes through
 * (kernel/cred.c, every kernel we support). What it adds:
 *   - a kernel exploit's commit_creds(prepare_kernel_cred(...)) or
 *     commit_creds(&init_cred) from an ioctl, a write, a sendmsg...: uid
 *     1000 becomes 0 with no set*id call. The detection this hook is for.
 *     (Since v6.2, commit 5a17f040fa33, prepare_kernel_cred(NULL) returns
 *     NULL instead of init_cred's copy; exploits pass &init_task. Either
 *     way the result is committed here.)
 *   - unshare(CLONE_NEWUSER) and setns() into a user namespace: no
 *     capabilities become all of them (set_cred_user_ns);
 *   - prctl(PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_SECUREBITS),
 *     keyctl's session keyring, an LSM's /proc/self/attr write.
 * The tracepoint backend has nothing there: no tracepoint fires in
 * commit_creds, and pairs on every syscall that might reach it would be
 * every syscall (an exploit picks its own).
 *
 * What is compared: the thread's credentials (real_cred; commit_creds
 * requires cred == real_cred) with `new`: uid and gid quads, effective and
 * permitted capabilities by value; the user namespace by its inode number;
 * inheritable, ambient and bounding capabilities, securebits and the
 * supplementary groups (group_info replaced) by a bit each (no room in the
 * record for their values: include/nightjar/abi/tamper.h). Keyrings and
 * LSM labels are not shown, so a change of only those (pam_keyinit's
 * session keyring on every login) is not reported: the pairs' rule, a
 * change nothing shows is not reported.
 *
 * Not reported here, because another event already is:
 *   - a thread inside setuid...capset: the pair reports the call (its
 *     entry saved it in nj_sys_args_map under the thread's pid_tgid).
 *   - execve/execveat: a set-id exec's gain is the process family's
 *     privilege_change. Told from the syscall in flight, not from
 *     nj_sys_args_map, which exec entries fill only when the process family
 *     runs: bpf_task_pt_regs() (v5.15, commit dd6e10fbd9fb) gives the
 *     thread's user-entry registers, whose syscall number (x86 orig_ax,
 *     arm64 syscallno) says which syscall it is in. Before 5.15 the
 *     helper is absent (the branch is dead code the verifier drops, guarded
 *     by bpf_core_enum_value_exists) and task->in_execve, set by
 *     bprm_execve across the exec, says it; kernels that dropped that bit
 *     all have the helper (the rename hook's fallback, fs->in_exec, is
 *     per fs_struct, shared with CLONE_FS threads: not needed here). A
 *     32-bit (compat) exec on x86-64 carries the ia32 numbers and is
 *     reported by this hook on kernels that decide by number.
 *   - kernel threads (PF_KTHREAD) and tasks without an mm: a usermode
 *     helper commits its credentials before it execs, with no mm yet,
 *     whether or not its kernel marks it PF_KTHREAD (newer kernels start
 *     it with user_mode_thread(), which does not); an exploit runs in a
 *     process that has one.
 *   - the sensor itself.
 * A clone(CLONE_NEWUSER) child gets its credentials in copy_creds without
 * commit_creds: not seen (its process family clone event says it), and
 * neither is an exploit that writes cred fields in place.
 *
 * Rate: a change of only the quiet sets (inheritable, ambient, bounding,
 * securebits) is folded per process for NJ_CC_FOLD_NS after one is sent:
 * systemd drops each capability of a service's bounding set with its own
 * prctl, up to 41 commits per service start. The count rides on the
 * process's next quiet event. Anything else is always sent.
 */
#include "tamper.h"

#define NJ_CC_FOLD_NS 1000000000ull
#define NJ_CC_QUIET (NJ_CC_INHERITABLE | NJ_CC_AMBIENT | NJ_CC_BOUNDING | NJ_CC_SECUREBITS)

struct task_struct___nj_cc_old {
	unsigned int in_execve : 1;
} __attribute__((preserve_access_index));

struct nj_cc_fold {
	__u64 start_ns; /* the process's start: a reused pid starts afresh */
	__u64 ts_ns; /* when the last quiet event was sent */
	__u64 folded; /* quiet changes folded since */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct nj_cc_fold);
} nj_cc_fold_map SEC(".maps");

static __always_inline bool nj_cc_in_exec(struct task_struct *task, long nr)
{
#ifdef NJ_NR_EXECVE
	if (nr >= 0)
		return nr == NJ_NR_EXECVE || nr == NJ_NR_EXECVEAT;
#endif
	if (bpf_core_field_exists(((struct task_struct___nj_cc_old *)task)->in_execve))
		return BPF_CORE_READ_BITFIELD_PROBED((struct task_struct___nj_cc_old *)task,
						     in_execve);
	return false;
}

static __always_inline __u64 nj_cc_pair(__u32 lo, __u32 hi)
{
	return (__u64)lo | ((__u64)hi << 32);
}

static __always_inline __u64 nj_cc_cap(const kernel_cap_t *cap)
{
	__u64 v = 0;

	/* 8 bytes whole: {u32 cap[2]} before v6.3, {u64 val} since (creds.bpf.c) */
	bpf_core_read(&v, sizeof(v), cap);
	return v;
}

/* One side's ids into the record's interleaved slots: values[2 * i + side]. */
static __always_inline void nj_cc_ids(const struct cred *c, __u64 *values, int side)
{
	values[0 + side] = nj_cc_pair(BPF_CORE_READ(c, uid.val), BPF_CORE_READ(c, euid.val));
	values[2 + side] = nj_cc_pair(BPF_CORE_READ(c, suid.val), BPF_CORE_READ(c, fsuid.val));
	values[4 + side] = nj_cc_pair(BPF_CORE_READ(c, gid.val), BPF_CORE_READ(c, egid.val));
	values[6 + side] = nj_cc_pair(BPF_CORE_READ(c, sgid.val), BPF_CORE_READ(c, fsgid.val));
}

/* NJ_CC_* for the sets shown only by a bit. */
static __always_inline __u32 nj_cc_bits(const struct cred *o, const struct cred *n)
{
	__u32 b = 0;

	if (nj_cc_cap(&o->cap_inheritable) != nj_cc_cap(&n->cap_inheritable))
		b |= NJ_CC_INHERITABLE;
	if (nj_cc_cap(&o->cap_ambient) != nj_cc_cap(&n->cap_ambient))
		b |= NJ_CC_AMBIENT;
	if (nj_cc_cap(&o->cap_bset) != nj_cc_cap(&n->cap_bset))
		b |= NJ_CC_BOUNDING;
	if (BPF_CORE_READ(o, securebits) != BPF_CORE_READ(n, securebits))
		b |= NJ_CC_SECUREBITS;
	if (BPF_CORE_READ(o, group_info) != BPF_CORE_READ(n, group_info))
		b |= NJ_CC_GROUPS;
	return b;
}

/* Whether what the record holds by value changed, or a set that is not quiet. */
static __always_inline bool nj_cc_loud(const struct nj_tamper_op *op, __u32 bits)
{
	for (int i = 0; i < 8; i += 2)
		if (op->values[i] != op->values[i + 1])
			return true;
	return op->args[0] != op->args[1] || op->args[2] != op->args[3] ||
	       (__u32)op->args[5] != (__u32)(op->args[5] >> 32) || (bits & ~NJ_CC_QUIET);
}

/* A quiet change: false if folded; else *folded is the count so far. */
static __always_inline bool nj_cc_quiet_pass(struct task_struct *task, __u64 *folded)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 start = nj_leader_start(task, false), now = bpf_ktime_get_boot_ns();
	struct nj_cc_fold *f = bpf_map_lookup_elem(&nj_cc_fold_map, &tgid);
	struct nj_cc_fold fresh = {.start_ns = start, .ts_ns = now};

	*folded = 0;
	if (f && f->start_ns == start) {
		if (now - f->ts_ns < NJ_CC_FOLD_NS) {
			nj_stat_add(&f->folded, 1);
			return false;
		}
		*folded = f->folded;
	}
	bpf_map_update_elem(&nj_cc_fold_map, &tgid, &fresh, BPF_ANY);
	return true;
}

static __always_inline int commit_creds_hook(void *ctx, const struct cred *new, __u8 backend)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid(), folded = 0;
	struct nj_tmp_creds rec = {};
	const struct cred *old;
	struct nj_sys_args *a;
	__u32 bits;
	long nr;

	if (nj_ignored(task, false) || !BPF_CORE_READ(task, mm))
		return 0;
	a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
	if (a && a->syscall >= NJ_SYS_SETUID && a->syscall <= NJ_SYS_CAPSET)
		return 0;
	nr = nj_current_syscall_nr();
	if (nj_cc_in_exec(task, nr))
		return 0;
	old = BPF_CORE_READ(task, real_cred);
	nj_cc_ids(old, rec.op.values, 0);
	nj_cc_ids(new, rec.op.values, 1);
	rec.op.args[0] = nj_cc_cap(&old->cap_effective);
	rec.op.args[1] = nj_cc_cap(&new->cap_effective);
	rec.op.args[2] = nj_cc_cap(&old->cap_permitted);
	rec.op.args[3] = nj_cc_cap(&new->cap_permitted);
	rec.op.args[5] = nj_cc_pair(BPF_CORE_READ(old, user_ns, ns.inum),
				    BPF_CORE_READ(new, user_ns, ns.inum));
	bits = nj_cc_bits(old, new);
	if (!nj_cc_loud(&rec.op, bits)) {
		if (!bits || !nj_cc_quiet_pass(task, &folded))
			return 0;
		if (folded > 0xffff)
			folded = 0xffff;
	}
	rec.op.args[4] = (nr < 0 ? NJ_CC_NR_UNKNOWN : (__u32)nr) | (__u64)bits << 32 | folded << 48;
	if (folded)
		rec.op.flags |= NJ_TMP_FOLDED;
	rec.op.syscall = NJ_SYS_COMMIT_CREDS;
	nj_fill_task(&rec.op.task, task, false);
	/* the process as it is after the commit, like the pairs' exits */
	rec.op.task.uid = (__u32)rec.op.values[1];
	rec.op.task.euid = rec.op.values[1] >> 32;
	rec.op.task.gid = (__u32)rec.op.values[5];
	rec.op.task.egid = rec.op.values[5] >> 32;
	nj_tamper_send(ctx, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_CREDS, backend);
	return 0;
}

SEC("kprobe/commit_creds")
int BPF_KPROBE(kp__commit_creds, struct cred *new)
{
	return commit_creds_hook(ctx, new, NJ_BACKEND_KPROBE);
}

SEC("fentry/commit_creds")
int BPF_PROG(fe__commit_creds, struct cred *new)
{
	return commit_creds_hook(ctx, new, NJ_BACKEND_FENTRY);
}
