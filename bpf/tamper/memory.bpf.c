/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory made executable: mprotect, pkey_mprotect and mmap that give
 * anonymous or writable memory PROT_EXEC (shellcode staged in a buffer,
 * an unpacker, a JIT).
 *
 * What each call is judged by:
 *   mmap: its arguments say everything: anonymous (MAP_ANONYMOUS) or
 *     writable (PROT_WRITE) and executable is reported; a file mapped
 *     executable and not writable (every shared library) is not, and costs
 *     the entry program one test.
 *   mprotect, pkey_mprotect: what the memory was matters (a JIT's RW -> RX
 *     is the signal, a library's R -> RX is not), and the kernel's
 *     find_vma() cannot be called from BPF. On the kprobe and fentry
 *     backends security_file_mprotect(), which the kernel calls for each
 *     VMA of the range before changing it (every kernel we support,
 *     CONFIG_SECURITY), hands over the VMA: its old vm_flags and its file
 *     land in the syscall's slot, and the exit reports anonymous memory,
 *     memory that had VM_WRITE, or W+X at once. The tracepoint backend has
 *     no hook inside the call: its entries look the range's VMAs up with
 *     bpf_find_vma() (v5.17, commit 7c7e3d31e785) where the kernel has it,
 *     in programs of their own (tpvma__*) that the loader picks only there
 *     (the 5.10 verifier refuses a program that merely references a
 *     callback, dead branch or not). Before 5.17 (walking the VMA tree by
 *     hand means an rbtree before 6.1 and the maple tree from 6.1 on,
 *     neither a stable layout) every mprotect that asks for PROT_EXEC is
 *     reported by the requested protections alone and says so (values[1]
 *     without NJ_MEM_VMA_SEEN).
 *
 * Rate: JITs change protections all day. Per process, the first reported
 * call of a window (nj_exec_mem_window_ns) is sent and the later ones only
 * counted; the count rides on the process's next report (NJ_TMP_FOLDED,
 * values[7]). Inside a window a call the arguments decide (mmap, W+X, any
 * mprotect while no VMA hook runs) is counted at its entry, failed or not,
 * and so is any mprotect asking PROT_EXEC whose VMAs the entry would look
 * up itself (tracepoint, v5.17+): the look-up is saved.
 */
#include "tamper.h"

#define NJ_PROT_WRITE 0x2
#define NJ_PROT_EXEC 0x4
#define NJ_MAP_ANONYMOUS 0x20
#define NJ_VM_WRITE 0x2

/* The window of the rate limit; set by the loader (--exec-memory-window-ms). */
const volatile __u64 nj_exec_mem_window_ns = 10000000000ULL;

/* Per process (tgid; its start time tells a reused pid from it). */
struct nj_exec_mem_rate {
	__u64 start_ns;
	__u64 window_ns; /* when the window of the last report opened */
	__u64 folded; /* calls counted, not sent, since then */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct nj_exec_mem_rate);
} nj_exec_mem_rate_map SEC(".maps");

/* Set once the VMA hook has run: from then on an mprotect without
 * PROT_WRITE is judged at its exit, by what the memory was. */
volatile bool nj_mem_vma_hooked;

/* Slots this file's entries saved and its exits have not taken yet. While
 * it is zero (a JIT's storm: its RW calls save nothing, its RX calls are
 * folded at the entry) the exits and the VMA hook skip the slot's lookup,
 * the most of what they cost. A slot whose exit never ran (a thread inside
 * the call while the sensor attached) keeps it above zero for good: the
 * lookups then run as before, so an error here costs time, never an event. */
volatile __u64 nj_mem_slots;

/* A call of a process inside its window whose verdict the arguments give
 * is counted here, at the entry, and nothing is saved: a JIT's storm
 * costs a lookup and an add per call instead of a slot's update and
 * delete. */
static __always_inline bool mem_fold_early(const struct nj_sys_args *a, __u64 id, bool by_request)
{
	__u32 tgid = id >> 32;
	struct nj_exec_mem_rate *r;

	if (a->syscall != NJ_SYS_MMAP && !(a->args[2] & NJ_PROT_WRITE) && !by_request)
		return false;
	r = bpf_map_lookup_elem(&nj_exec_mem_rate_map, &tgid);
	if (!r || bpf_ktime_get_boot_ns() - r->window_ns >= nj_exec_mem_window_ns)
		return false;
	/* a reused pid inside the window: its first call is not a fold */
	if (r->start_ns !=
	    nj_current_leader_start((struct task_struct *)bpf_get_current_task(), id))
		return false;
	nj_stat_add(&r->folded, 1);
	return true;
}

/* Whether the entry saves the call for its exit. by_request: a call inside
 * its process's window is counted whatever its memory was. */
static __always_inline bool mem_wanted(const struct nj_sys_args *a, __u64 id, bool by_request)
{
	__u64 prot = a->args[2];

	if (!(prot & NJ_PROT_EXEC))
		return false;
	/* a file mapped executable and read-only: a library, not a signal */
	if (a->syscall == NJ_SYS_MMAP && !(prot & NJ_PROT_WRITE) &&
	    !(a->args[3] & NJ_MAP_ANONYMOUS))
		return false;
	return !mem_fold_early(a, id, by_request);
}

/* mprotect's args[4] and [5] (never passed) take the VMA hook's findings:
 * the union of the old vm_flags and the first file. */
static __always_inline void mem_vma_add(struct nj_sys_args *a, __u64 flags, __u64 file)
{
	a->args[4] |= NJ_MEM_VMA_SEEN | (flags & NJ_MEM_VM_FLAGS_MASK) |
		      (file ? NJ_MEM_VMA_FILE : NJ_MEM_VMA_ANON);
	if (file && !a->args[5])
		a->args[5] = file;
}

static __always_inline int mem_save(struct nj_sys_args *a, __u64 id)
{
	if (nj_sys_enter_store(a, id))
		nj_stat_add((__u64 *)&nj_mem_slots, 1);
	return 0;
}

static __always_inline int mem_enter(struct nj_sys_args *a)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!mem_wanted(a, id, !nj_mem_vma_hooked))
		return 0;
	return mem_save(a, id);
}

/* Tracepoint entries on v5.17+: the VMAs of the range, before the change,
 * as security_file_mprotect() shows them to the other backends. The first
 * NJ_MEM_VMAS of them: a range over more (a JIT's code cache is one or a
 * few) is judged by those. A VMA that cannot be looked up (mmap_lock
 * contended: bpf_find_vma only tries it) ends the look-up; with none
 * found, the call is judged by its request as before 5.17. */
#define NJ_MEM_VMAS 4

struct nj_mem_found {
	__u64 flags, file, end;
};

static long mem_vma_found(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct nj_mem_found *f = data;

	(void)task;
	f->flags = BPF_CORE_READ(vma, vm_flags);
	f->file = (__u64)BPF_CORE_READ(vma, vm_file);
	f->end = BPF_CORE_READ(vma, vm_end);
	return 0;
}

static __always_inline int mem_enter_vma(struct nj_sys_args *a)
{
	__u64 id = bpf_get_current_pid_tgid(), addr = a->args[0], end = a->args[0] + a->args[1];
	struct task_struct *task = bpf_get_current_task_btf();
	struct nj_mem_found f;

	/* The look-up is what a JIT's storm would pay on every call: inside
	 * the window the call is counted first, its memory unseen (the count
	 * may then include calls that were no signal). */
	if (!mem_wanted(a, id, true))
		return 0;
	for (int i = 0; i < NJ_MEM_VMAS && addr < end; i++) {
		f.end = 0;
		if (bpf_find_vma(task, addr, mem_vma_found, &f, 0) || f.end <= addr)
			break;
		mem_vma_add(a, f.flags, f.file);
		addr = f.end;
	}
	return mem_save(a, id);
}

/* kprobe/fentry: one VMA of an mprotect's range, before the change. The
 * slot keeps the union of their old flags and the first file seen. */
static __always_inline int mem_vma(struct vm_area_struct *vma, bool btf)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_sys_args *a;
	struct file *file;
	__u64 flags;

	if (!nj_mem_slots)
		return 0;
	a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
	if (!a || (a->syscall != NJ_SYS_MPROTECT && a->syscall != NJ_SYS_PKEY_MPROTECT))
		return 0;
	if (!nj_mem_vma_hooked)
		nj_mem_vma_hooked = true;
	flags = NJ_RD(btf, vma, vm_flags);
	file = NJ_RD(btf, vma, vm_file);
	mem_vma_add(a, flags, (__u64)file);
	return 0;
}

SEC("kprobe/security_file_mprotect")
int BPF_KPROBE(kp__security_file_mprotect, struct vm_area_struct *vma)
{
	return mem_vma(vma, false);
}

SEC("fentry/security_file_mprotect")
int BPF_PROG(fe__security_file_mprotect, struct vm_area_struct *vma)
{
	return mem_vma(vma, true);
}

/* Whether a call that asked for PROT_EXEC is one to report. */
static __always_inline bool mem_signal(const struct nj_sys_args *a)
{
	__u64 prot = a->args[2], vma = a->args[4];

	if (prot & NJ_PROT_WRITE)
		return true; /* W+X at once */
	if (a->syscall == NJ_SYS_MMAP)
		return true; /* anonymous (the entry let no other through) */
	if (!(vma & NJ_MEM_VMA_SEEN))
		return true; /* tracepoint backend: by the requested protections */
	return (vma & NJ_MEM_VMA_ANON) || (vma & NJ_VM_WRITE);
}

/* The rate limit: true if this call is sent, with *folded the calls
 * counted since the last one. */
static __always_inline bool mem_rate_pass(struct task_struct *task, __u64 id, __u64 *folded)
{
	__u32 tgid = id >> 32;
	__u64 start = nj_current_leader_start(task, id), now = bpf_ktime_get_boot_ns();
	struct nj_exec_mem_rate *r = bpf_map_lookup_elem(&nj_exec_mem_rate_map, &tgid);
	struct nj_exec_mem_rate fresh = {.start_ns = start, .window_ns = now};

	*folded = 0;
	if (r && r->start_ns == start) {
		if (now - r->window_ns < nj_exec_mem_window_ns) {
			nj_stat_add(&r->folded, 1);
			return false;
		}
		/* A fold that lands between this read and the update is lost
		 * from the count (no exchange without 5.12's atomics): a
		 * count of calls, never of events. */
		*folded = r->folded;
	}
	bpf_map_update_elem(&nj_exec_mem_rate_map, &tgid, &fresh, BPF_ANY);
	return true;
}

static __always_inline void mem_build(void *ctx, struct nj_scratch *sc, struct task_struct *task,
				      const struct nj_sys_args *a, long ret, __u64 folded,
				      __u8 backend)
{
	struct nj_tmp_exec_memory rec = {};
	__u64 event_id = nj_new_event_id();
	struct file *file = NULL;
	__u32 parts = 0;

	if (a->syscall == NJ_SYS_MMAP) {
		if (!(a->args[3] & NJ_MAP_ANONYMOUS))
			file = nj_fd_file(task, (int)a->args[4]);
	} else {
		file = (struct file *)a->args[5];
	}
	if (file)
		parts = nj_part_path(ctx, sc, event_id, backend, NJ_TF_PATH, &file->f_path,
				     BPF_CORE_READ(file, f_inode, i_sb, s_dev),
				     BPF_CORE_READ(file, f_inode, i_ino));
	nj_tamper_op_fill(&rec.op, task, a, ret);
	if (a->syscall != NJ_SYS_MMAP) {
		rec.op.args[4] = 0;
		rec.op.args[5] = 0;
		rec.op.values[1] = a->args[4];
	} else {
		rec.op.values[1] =
			NJ_MEM_VMA_SEEN |
			(a->args[3] & NJ_MAP_ANONYMOUS ? NJ_MEM_VMA_ANON : NJ_MEM_VMA_FILE);
	}
	rec.op.values[0] = a->args[2];
	if (folded) {
		rec.op.flags |= NJ_TMP_FOLDED;
		rec.op.values[7] = folded;
	}
	if (sc->lost_parts)
		rec.op.flags |= NJ_TMP_PARTS_LOST;
	nj_hdr_init_ts(&rec.hdr, NJ_FAM_TAMPER, NJ_REC_TMP_EXEC_MEMORY, sizeof(rec), event_id,
		       backend, sc->ts_ns);
	nj_batch_close(ctx, sc, &rec, parts);
}

static __always_inline int mem_exit(void *ctx, long ret, __u8 backend)
{
	struct task_struct *task;
	struct nj_sys_args a;
	__u64 id, folded;

	if (!nj_mem_slots)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!nj_sys_take(id, NJ_SYS_MPROTECT, NJ_SYS_MMAP, &a))
		return 0;
	nj_stat_add((__u64 *)&nj_mem_slots, -1);
	task = (struct task_struct *)bpf_get_current_task();
	if (!mem_signal(&a) || !mem_rate_pass(task, id, &folded))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER, mem_build(ctx, sc, task, &a, ret, folded, backend));
	return 0;
}

NJ_TP_SYSCALL_ENTER(tpvma__, mprotect, NJ_SYS_MPROTECT, 3, mem_enter_vma)
NJ_TP_SYSCALL_ENTER(tpvma__, pkey_mprotect, NJ_SYS_PKEY_MPROTECT, 4, mem_enter_vma)
NJ_SYSCALL_ENTER(mprotect, NJ_SYS_MPROTECT, 3, mem_enter)
NJ_SYSCALL_EXIT(mprotect, mem_exit)
NJ_SYSCALL_ENTER(pkey_mprotect, NJ_SYS_PKEY_MPROTECT, 4, mem_enter)
NJ_SYSCALL_EXIT(pkey_mprotect, mem_exit)
NJ_SYSCALL_ENTER(mmap, NJ_SYS_MMAP, 5, mem_enter)
NJ_SYSCALL_EXIT(mmap, mem_exit)
