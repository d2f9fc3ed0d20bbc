/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring's IORING_OP_ACCEPT: a connection accepted through a ring runs no
 * accept(2), so accept.bpf.c never sees it (a bind shell or an implant
 * built on io_uring). The submit tracepoint (every request, with its
 * opcode) marks the ring's accept requests; the completion tracepoint
 * carries the result, the new fd, in the process's context (the
 * submitting thread's task work, or one of its io_uring worker threads,
 * which share its fd table), where the fd is turned into its socket as at
 * accept's exit. A multishot accept (5.19+) completes once per connection,
 * with no request pointer on its interim completions: hence the mark keyed
 * by ring and user_data, which every kernel's completion tracepoint has.
 * Tracepoints, so the same on every backend.
 *
 * The submit tracepoint is io_uring_submit_sqe before v6.0 (3bb3c7b4f6f2
 * renamed it io_uring_submit_req); its req field is there since v5.16.
 */
#include "net.h"

#define NJ_IORING_OP_ACCEPT 13
#define NJ_IORING_CQE_F_MORE (1u << 1)

struct trace_event_raw_io_uring_submit_req___nj_net {
	void *ctx;
	void *req;
	__u64 user_data;
	__u8 opcode;
} __attribute__((preserve_access_index));

struct trace_event_raw_io_uring_submit_sqe___nj_net {
	void *ctx;
	void *req;
	__u64 user_data;
	__u8 opcode;
} __attribute__((preserve_access_index));

struct trace_event_raw_io_uring_complete___nj_net {
	void *ctx;
	void *req;
	__u64 user_data;
	int res;
	unsigned int cflags;
} __attribute__((preserve_access_index));

struct io_kiocb___nj {
	__u8 opcode;
} __attribute__((preserve_access_index));

/* The accept's part of the request (io_kiocb_to_cmd: at its start). */
struct io_accept___nj {
	__u32 file_slot;
} __attribute__((preserve_access_index));

static __always_inline int uring_submit(void *ring, void *req, __u64 user_data, __u8 op)
{
	struct nj_uring_key key = {.ring = (__u64)ring, .user_data = user_data};
	struct nj_uring_accept a = {};

	if (op != NJ_IORING_OP_ACCEPT)
		return 0;
	/* Prepared before the tracepoint: a direct accept (5.15+) names
	 * its slot here. */
	if (req && bpf_core_field_exists(((struct io_accept___nj *)req)->file_slot))
		a.direct = BPF_CORE_READ((struct io_accept___nj *)req, file_slot) != 0;
	bpf_map_update_elem(&nj_uring_accept_map, &key, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/io_uring/io_uring_submit_req")
int tp__net_uring_submit_req(struct trace_event_raw_io_uring_submit_req___nj_net *ctx)
{
	if (!bpf_core_field_exists(ctx->opcode))
		return 0;
	return uring_submit(ctx->ctx, ctx->req, ctx->user_data, ctx->opcode);
}

SEC("tracepoint/io_uring/io_uring_submit_sqe")
int tp__net_uring_submit_sqe(struct trace_event_raw_io_uring_submit_sqe___nj_net *ctx)
{
	void *req = NULL;

	if (!bpf_core_field_exists(ctx->opcode))
		return 0;
	if (bpf_core_field_exists(ctx->req))
		req = ctx->req;
	return uring_submit(ctx->ctx, req, ctx->user_data, ctx->opcode);
}

/* The result: a long before the tracepoint's "use correct int type" fix
 * (backported to some 5.10s, not all), an int since. CO-RE resizes no
 * signed field, so it is read at its size and sign-extended here. */
static __always_inline int uring_res(struct trace_event_raw_io_uring_complete___nj_net *ctx)
{
	__u64 v = 0;

	if (bpf_core_read(&v, bpf_core_field_size(ctx->res), &ctx->res))
		return -1;
	return bpf_core_field_size(ctx->res) == 4 ? (int)(__u32)v : (int)(long)v;
}

SEC("tracepoint/io_uring/io_uring_complete")
int tp__net_uring_complete(struct trace_event_raw_io_uring_complete___nj_net *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_uring_key key = {};
	struct nj_uring_accept *a;
	struct sock *sk;
	int res;

	if (!bpf_core_field_exists(ctx->user_data))
		return 0;
	key.ring = (__u64)ctx->ctx;
	key.user_data = ctx->user_data;
	a = bpf_map_lookup_elem(&nj_uring_accept_map, &key);
	if (!a)
		return 0;
	/* user_data is the application's and may tag other requests too: a
	 * completion that names its request (5.16+; not a multishot's
	 * interim ones) must be an accept's. */
	if (bpf_core_field_exists(ctx->req)) {
		void *req = ctx->req;

		if (req &&
		    BPF_CORE_READ((struct io_kiocb___nj *)req, opcode) != NJ_IORING_OP_ACCEPT)
			return 0;
	}
	res = uring_res(ctx);
	if (a->direct || res < 0 || nj_ignored(task, false))
		goto done;
	sk = nj_fd_sock(task, res);
	if (nj_sk_is(sk, NJ_IPPROTO_TCP))
		nj_accept_report(ctx, task, sk, res, 0, NJ_NET_OTHER_CALL, NJ_BACKEND_TRACEPOINT);
done:
	/* No cflags before v5.12's tracepoint: no multishot either. */
	if (!bpf_core_field_exists(ctx->cflags) || !(ctx->cflags & NJ_IORING_CQE_F_MORE))
		bpf_map_delete_elem(&nj_uring_accept_map, &key);
	return 0;
}
