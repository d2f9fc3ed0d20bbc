/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf(2) by others than this sensor (nj_sys_enter_save skips our own):
 * program loads, and the commands that attach a program to something:
 * BPF_PROG_ATTACH, BPF_PROG_DETACH, BPF_RAW_TRACEPOINT_OPEN,
 * BPF_LINK_CREATE, BPF_LINK_UPDATE (a link's program replaced). Maps,
 * lookups, iterators and object queries are not reported: they run all
 * day and change no kernel code.
 *
 * The program's identity (type, tag, id, name) is the kernel's, read at
 * the exit from the program's fd (the new one for a load, the one the
 * caller named otherwise): the tag is the digest bpftool shows, the id
 * what `bpftool prog show id` takes. It is read only when the command
 * succeeded, which proves the fd was a program's.
 */
#include "kernel.h"

#define NJ_BPF_PROG_LOAD 5
#define NJ_BPF_PROG_ATTACH 8
#define NJ_BPF_PROG_DETACH 9
#define NJ_BPF_RAW_TRACEPOINT_OPEN 17
#define NJ_BPF_LINK_CREATE 28
#define NJ_BPF_LINK_UPDATE 29

/* union bpf_attr by command, as user space lays it out (stable ABI):
 * spelled out so no CO-RE relocation depends on the union's member names,
 * which moved between anonymous unions over the years. */
struct nj_bpf_load_attr {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns;
	__u64 license;
	__u32 log_level;
	__u32 log_size;
	__u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
};

/* PROG_ATTACH/DETACH (target, program, type, flags), LINK_CREATE
 * (program, target, type, flags) and LINK_UPDATE (link, new program,
 * flags, old program) share this shape. */
struct nj_bpf_attach_attr {
	__u32 a;
	__u32 b;
	__u32 c;
	__u32 d;
};

struct nj_bpf_raw_tp_attr {
	__u64 name;
	__u32 prog_fd;
};

static __always_inline bool nj_bpf_reported(__u32 cmd)
{
	return cmd == NJ_BPF_PROG_LOAD || cmd == NJ_BPF_PROG_ATTACH || cmd == NJ_BPF_PROG_DETACH ||
	       cmd == NJ_BPF_RAW_TRACEPOINT_OPEN || cmd == NJ_BPF_LINK_CREATE ||
	       cmd == NJ_BPF_LINK_UPDATE;
}

static __always_inline int bpf_enter(struct nj_sys_args *a)
{
	if (!nj_bpf_reported((__u32)a->args[0]))
		return 0;
	return nj_sys_enter_save(a);
}

/* The program behind fd: its type, tag, id and name (a part). */
static __always_inline __u32 nj_bpf_prog_of(void *ctx, struct nj_scratch *sc, __u64 event_id,
					    __u8 backend, struct task_struct *task, int fd,
					    struct nj_tamper_op *op, bool name)
{
	struct file *f = nj_fd_file(task, fd);
	struct bpf_prog *prog;
	struct bpf_prog_aux *aux;

	if (!f)
		return 0;
	prog = BPF_CORE_READ(f, private_data);
	if (!prog)
		return 0;
	op->values[1] = BPF_CORE_READ(prog, type);
	if (bpf_core_field_exists(prog->tag))
		bpf_core_read(&op->values[3], sizeof(prog->tag), &prog->tag);
	aux = BPF_CORE_READ(prog, aux);
	op->values[4] = BPF_CORE_READ(aux, id);
	if (!name || !aux)
		return 0;
	return nj_part_kstr(ctx, sc, event_id, backend, NJ_TF_NAME, 0,
			    (const char *)aux + bpf_core_field_offset(struct bpf_prog_aux, name), 0,
			    0);
}

static __always_inline void bpf_build(void *ctx, struct nj_scratch *sc, __u8 backend,
				      struct nj_sys_args *a, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 event_id = nj_new_event_id();
	struct nj_tmp_bpf rec = {};
	const void *uattr = (const void *)a->args[1];
	__u32 cmd = (__u32)a->args[0];
	__u32 parts = 0;
	int prog_fd = -1;

	rec.op.values[0] = cmd;
	if (cmd == NJ_BPF_PROG_LOAD) {
		struct nj_bpf_load_attr at = {};

		bpf_probe_read_user(&at, sizeof(at), uattr);
		at.prog_name[sizeof(at.prog_name) - 1] = 0;
		rec.op.values[1] = at.prog_type;
		rec.op.values[2] = at.insn_cnt;
		rec.op.values[5] = at.expected_attach_type;
		if (at.prog_name[0])
			parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_TF_NAME, 0,
					      at.prog_name, 0, 0);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_DATA, at.license);
		if (ret >= 0)
			nj_bpf_prog_of(ctx, sc, event_id, backend, task, (int)ret, &rec.op, false);
	} else if (cmd == NJ_BPF_RAW_TRACEPOINT_OPEN) {
		struct nj_bpf_raw_tp_attr at = {};

		bpf_probe_read_user(&at, sizeof(at), uattr);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_TARGET, at.name);
		prog_fd = at.prog_fd;
	} else {
		struct nj_bpf_attach_attr at = {};

		bpf_probe_read_user(&at, sizeof(at), uattr);
		if (cmd == NJ_BPF_LINK_CREATE) {
			prog_fd = at.a;
			rec.op.values[6] = at.b;
			rec.op.values[5] = at.c;
			rec.op.values[7] = at.d;
		} else if (cmd == NJ_BPF_LINK_UPDATE) {
			prog_fd = at.b;
			rec.op.values[6] = at.a;
			rec.op.values[7] = at.c;
		} else {
			/* a detach may name no program (0: whatever is attached) */
			prog_fd = cmd == NJ_BPF_PROG_DETACH && !at.b ? -1 : (int)at.b;
			rec.op.values[6] = at.a;
			rec.op.values[5] = at.c;
			rec.op.values[7] = at.d;
		}
	}
	if (prog_fd >= 0 && ret >= 0)
		parts += nj_bpf_prog_of(ctx, sc, event_id, backend, task, prog_fd, &rec.op, true);
	nj_tamper_op_fill(&rec.op, task, a, ret);
	nj_tamper_close(ctx, sc, (struct nj_tmp_signal *)&rec, NJ_REC_TMP_BPF, event_id, backend,
			parts);
}

static __always_inline int bpf_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_SYS_BPF, NJ_SYS_BPF, &a))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER, bpf_build(ctx, sc, backend, &a, ret));
	return 0;
}

NJ_SYSCALL_ENTER(bpf, NJ_SYS_BPF, 3, bpf_enter)
NJ_SYSCALL_EXIT(bpf, bpf_exit)
