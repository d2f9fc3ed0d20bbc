/* SPDX-License-Identifier: GPL-2.0 */
/* The minimal record (64 bytes, reserved, filled and submitted in a ring
 * buffer), shared by the reference programs on nightjar's hooks
 * (minimal.bpf.c) and the raw-syscall dispatch prototype (dispatch.bpf.c),
 * each of which is its own skeleton with its own buffer. */
#ifndef NJB_RECORD_H
#define NJB_RECORD_H

struct njb_record {
	__u64 ts_ns;
	__u64 pid_tgid;
	__u64 uid_gid;
	__u64 cgroup_id;
	__u32 hook;
	__u32 cpu;
	char comm[16];
	__u64 seq;
};
_Static_assert(sizeof(struct njb_record) == 64, "64-byte record");

const volatile bool njb_batched = false;
const volatile __u32 njb_wakeup_bytes = 256 << 10;

__u64 njb_lost = 0;
__u64 njb_seq = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* nightjar's default */
} njb_rb SEC(".maps");

static __always_inline int njb_emit(__u32 hook)
{
	struct njb_record *r = bpf_ringbuf_reserve(&njb_rb, sizeof(*r), 0);
	__u64 flags = 0;

	if (!r) {
		__sync_fetch_and_add(&njb_lost, 1);
		return 0;
	}
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->pid_tgid = bpf_get_current_pid_tgid();
	r->uid_gid = bpf_get_current_uid_gid();
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->hook = hook;
	r->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->seq = __sync_fetch_and_add(&njb_seq, 1);
	if (njb_batched) {
		flags = BPF_RB_NO_WAKEUP;
		if (bpf_ringbuf_query(&njb_rb, BPF_RB_AVAIL_DATA) >= njb_wakeup_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(r, flags);
	return 0;
}

#endif
