/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring: file operations submitted through a ring run no syscall of
 * their own (openat, unlinkat, renameat, ... are opcodes), so the syscall
 * programs never see them. The submit tracepoint fires for every request,
 * on every backend, with its opcode: the file-changing opcodes are
 * reported, one event per process and opcode within the modify window (a
 * ring-based server submits thousands per second). What they act on is not
 * known here (docs/events/file.md).
 *
 * The tracepoint is io_uring_submit_sqe before v6.0 (renamed by commit
 * 3bb3c7b4f6f2 as io_uring_submit_req); the opcode field has the same
 * name in both, found by CO-RE.
 */
#include "file.h"

struct trace_event_raw_io_uring_submit_sqe___nj {
	u8 opcode;
	bool sq_thread;
} __attribute__((preserve_access_index));

struct trace_event_raw_io_uring_submit_req___nj {
	u8 opcode;
	bool sq_thread;
} __attribute__((preserve_access_index));

/* IORING_OP_* (uapi, stable numbering) that create, change or remove
 * files or names: writes, fallocate, openat(2), renameat, unlinkat,
 * mkdirat, symlinkat, linkat, (f)setxattr, ftruncate. */
static __always_inline bool uring_op_reported(__u8 op)
{
	switch (op) {
	case 2: /* WRITEV */
	case 5: /* WRITE_FIXED */
	case 17: /* FALLOCATE */
	case 18: /* OPENAT */
	case 23: /* WRITE */
	case 28: /* OPENAT2 */
	case 35: /* RENAMEAT */
	case 36: /* UNLINKAT */
	case 37: /* MKDIRAT */
	case 38: /* SYMLINKAT */
	case 39: /* LINKAT */
	case 41: /* FSETXATTR */
	case 42: /* SETXATTR */
	case 55: /* FTRUNCATE */
		return true;
	default:
		return false;
	}
}

static __always_inline int uring_submit(void *ctx, __u8 op, bool sq_thread)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_file_obj key = {.ino = (1ULL << 63) | op};
	struct nj_file_uring rec = {};

	if (!uring_op_reported(op) || nj_ignored(task, false))
		return 0;
	/* The modify window's map, keyed by an identity no file has. */
	if (nj_modify_seen(task, &key, true))
		return 0;
	rec.op.syscall = NJ_SYS_UNKNOWN;
	rec.op.args[0] = op;
	rec.op.args[1] = sq_thread;
	nj_fill_task(&rec.op.task, task, false);
	nj_hdr_init(&rec.hdr, NJ_FAM_FILE, NJ_REC_FILE_URING, sizeof(rec), nj_new_event_id(),
		    NJ_BACKEND_TRACEPOINT);
	nj_output(ctx, &rec, sizeof(rec), NJ_FAM_FILE);
	return 0;
}

SEC("tracepoint/io_uring/io_uring_submit_req")
int tp__io_uring_submit_req(struct trace_event_raw_io_uring_submit_req___nj *ctx)
{
	if (!bpf_core_field_exists(ctx->opcode))
		return 0;
	return uring_submit(ctx, BPF_CORE_READ(ctx, opcode), BPF_CORE_READ(ctx, sq_thread));
}

SEC("tracepoint/io_uring/io_uring_submit_sqe")
int tp__io_uring_submit_sqe(struct trace_event_raw_io_uring_submit_sqe___nj *ctx)
{
	if (!bpf_core_field_exists(ctx->opcode))
		return 0;
	return uring_submit(ctx, BPF_CORE_READ(ctx, opcode), BPF_CORE_READ(ctx, sq_thread));
}
