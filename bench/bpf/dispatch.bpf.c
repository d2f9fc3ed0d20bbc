/* SPDX-License-Identifier: GPL-2.0 */
/* Prototype for docs/bench/raw-syscall-dispatch.md: syscall hooks on the raw
 * tracepoints raw_syscalls:sys_enter / sys_exit instead of one
 * syscalls:sys_{enter,exit}_<name> tracepoint per syscall. The raw
 * tracepoints call their programs straight from the syscall path
 * (bpf_trace_run2), without the per-syscall events' perf buffer and
 * argument copy, but they fire for every syscall of the machine: the
 * dispatcher is what everyone pays.
 *
 * Variants (the observer, bench/dispatch.c, loads one pair at a time):
 *   rd__btf_{enter,exit}_empty    tp_btf programs that return at once
 *   rd__raw_{enter,exit}_empty    the same as raw_tp programs
 *   rd__btf_{enter,exit}_tail     tp_btf dispatcher: a tail call through a
 *                                 prog array indexed by syscall number, a
 *                                 miss (empty slot) for unhooked syscalls
 *   rd__raw_{enter,exit}_tail     the same with raw_tp programs (no BTF
 *                                 pointer: the exit reads orig_ax with a
 *                                 helper)
 *   rd__btf_{enter,exit}_flag     tp_btf dispatcher without tail calls: a
 *                                 flag per syscall number, then a direct
 *                                 call
 * Tail-call targets (loaded, never attached): a target's program type, and
 * for tracing programs its attach target too (the fix for CVE-2024-50063,
 * 6.12 and stable 6.6.57+) and its expected attach type (2025), must match
 * the dispatcher's, so each target is declared on the same tracepoint. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "record.h"

/* x86_64's syscall table has under 512 entries (ia32's under 460). */
#define NJD_SLOTS 512

#define NJD_PROG_ARRAY(name)                           \
	struct {                                       \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY); \
		__uint(max_entries, NJD_SLOTS);        \
		__type(key, __u32);                    \
		__type(value, __u32);                  \
	} name SEC(".maps")

NJD_PROG_ARRAY(njd_btf_enter);
NJD_PROG_ARRAY(njd_btf_exit);
NJD_PROG_ARRAY(njd_raw_enter);
NJD_PROG_ARRAY(njd_raw_exit);

/* (b) the floor of a raw syscall hook */
SEC("tp_btf/sys_enter")
int BPF_PROG(rd__btf_enter_empty, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rd__btf_exit_empty, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int rd__raw_enter_empty(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int rd__raw_exit_empty(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

/* (c) dispatchers. A miss (no program at the index, or an index past the
 * array: a negative id reads as a large __u32) falls through to return. */
SEC("tp_btf/sys_enter")
int BPF_PROG(rd__btf_enter_tail, struct pt_regs *regs, long id)
{
	bpf_tail_call(ctx, &njd_btf_enter, (__u32)id);
	return 0;
}

/* sys_exit carries no syscall number: x86_64 keeps it in orig_ax (what
 * syscall_get_nr() reads). regs is a BTF pointer here: a direct load. */
SEC("tp_btf/sys_exit")
int BPF_PROG(rd__btf_exit_tail, struct pt_regs *regs, long ret)
{
	bpf_tail_call(ctx, &njd_btf_exit, (__u32)regs->orig_ax);
	return 0;
}

SEC("raw_tp/sys_enter")
int rd__raw_enter_tail(struct bpf_raw_tracepoint_args *ctx)
{
	bpf_tail_call(ctx, &njd_raw_enter, (__u32)ctx->args[1]);
	return 0;
}

SEC("raw_tp/sys_exit")
int rd__raw_exit_tail(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];

	bpf_tail_call(ctx, &njd_raw_exit, (__u32)BPF_CORE_READ(regs, orig_ax));
	return 0;
}

/* (c'') the other way to dispatch: a flag per syscall number (an array map
 * lookup, which the verifier inlines) and a direct call of the body, a
 * global function (no tail call: on a kernel with retpolines the JIT turns
 * each tail call into an indirect jump through a retpoline). Nightjar's
 * bodies would be the callees; here an empty one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NJD_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} njd_hooked_enter SEC(".maps"), njd_hooked_exit SEC(".maps");

__noinline int njd_body(__u64 nr)
{
	return nr == (__u64)-1;
}

static __always_inline int njd_flagged(void *flags, __u32 nr)
{
	__u8 *f = bpf_map_lookup_elem(flags, &nr);

	if (!f || !*f)
		return 0;
	return njd_body(nr);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(rd__btf_enter_flag, struct pt_regs *regs, long id)
{
	return njd_flagged(&njd_hooked_enter, (__u32)id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rd__btf_exit_flag, struct pt_regs *regs, long ret)
{
	return njd_flagged(&njd_hooked_exit, (__u32)regs->orig_ax);
}

/* Tail-call targets: one per direction and body, placed at every hooked
 * syscall's index. */
SEC("tp_btf/sys_enter")
int BPF_PROG(rt__btf_enter_empty, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rt__btf_exit_empty, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int rt__raw_enter_empty(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int rt__raw_exit_empty(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

/* (d) the minimal record behind the dispatcher; the record's hook is the
 * syscall number (exits: + 1000). */
SEC("tp_btf/sys_enter")
int BPF_PROG(rt__btf_enter_min, struct pt_regs *regs, long id)
{
	return njb_emit((__u32)id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rt__btf_exit_min, struct pt_regs *regs, long ret)
{
	return njb_emit(1000 + (__u32)regs->orig_ax);
}
