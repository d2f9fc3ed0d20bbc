/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit: one event when the last thread of a process is gone, whatever the
 * cause (exit, exit_group, a fatal signal, the OOM killer), with the wait
 * status the parent will see.
 */
#include "helpers.h"

/* group_dead: 1 last thread, 0 not last, -1 unknown (older kernels). */
static __always_inline int exit_done(void *ctx, struct task_struct *task, int group_dead,
				     __u8 backend)
{
	/* kprobes see a number; tp_btf and fentry a typed pointer. */
	const bool btf = backend != NJ_BACKEND_KPROBE;
	struct nj_exit rec = {};

	if (nj_ignored(task, btf))
		return 0;
	/* signal->live is decremented before either hook runs: zero means no
	 * thread of the group is left. A thread that was already past its own
	 * decrement can see zero too, so the first one to record the exit wins. */
	if (group_dead < 0) {
		struct nj_exit_key key = {
			.tgid = NJ_RD(btf, task, tgid),
			.start_ns = nj_leader_start(task, btf),
		};
		__u8 one = 1;

		if (NJ_RD(btf, task, signal, live.counter) != 0)
			return 0;
		if (bpf_map_update_elem(&nj_exit_once_map, &key, &one, BPF_NOEXIST))
			return 0;
		group_dead = 1;
	}
	if (!group_dead)
		return 0;
	/* do_exit stored the code it was given: the group's exit status, or
	 * the fatal signal (plus 0x80 for a core dump). */
	rec.exit_code = NJ_RD(btf, task, exit_code);
	if (rec.exit_code & 0x7f)
		rec.flags |= NJ_EXIT_SIGNALED;
	nj_fill_task(&rec.task, task, btf);
	nj_hdr_init(&rec.hdr, NJ_FAM_PROCESS, NJ_REC_EXIT, sizeof(rec), nj_new_event_id(), backend);
	nj_output(ctx, &rec, sizeof(rec), NJ_FAM_PROCESS);
	return 0;
}

/* Why sched_process_exit: every thread passes it in do_exit after
 * exit_code is set, including threads killed by signals, which never call
 * exit(2). v6.16+ tells us whether this was the last thread. */
SEC("tp_btf/sched_process_exit")
int tpbtf__sched_process_exit(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	int group_dead = -1;

	if (bpf_core_field_exists(struct trace_event_raw_sched_process_exit___nj, group_dead))
		group_dead = (__u8)ctx[1];
	return exit_done(ctx, task, group_dead, NJ_BACKEND_TRACEPOINT);
}

/* Why taskstats_exit: called from do_exit after exit_code is set, with
 * group_dead as an argument on every kernel. */
SEC("kprobe/taskstats_exit")
int BPF_KPROBE(kp__taskstats_exit, struct task_struct *task, int group_dead)
{
	return exit_done(ctx, task, group_dead, NJ_BACKEND_KPROBE);
}

SEC("fentry/taskstats_exit")
int BPF_PROG(fe__taskstats_exit, struct task_struct *task, int group_dead)
{
	return exit_done(ctx, task, group_dead, NJ_BACKEND_FENTRY);
}
