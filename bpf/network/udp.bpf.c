/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP: sendto, sendmsg, sendmmsg, recvfrom, recvmsg, recvmmsg. One event
 * per process, endpoints and direction within nj_udp_window_ns (the
 * datagrams folded in between are counted in the next one), and every DNS
 * message (remote port 53) with its first NJ_DNS_MAX bytes for user space
 * to parse. A sendmmsg or recvmmsg is each of its datagrams in turn, each
 * examined by one global function (nj_udp_mmsg_one).
 *
 * The entry saves the arguments only for UDP sockets: sendmsg and recvmsg
 * also carry every netlink and unix-socket message on the machine, which
 * should cost one fd lookup, not a map update.
 * write(2), read(2) and the rest reach sock_length.bpf.c instead.
 */
#include "dns.h"

/* The socket found here rides in args[5], which none of these syscalls'
 * saved arguments use: the exit need not walk the fd table again (the
 * syscall holds a reference to the file meanwhile). */
static __always_inline int udp_enter(struct nj_sys_args *a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sock *sk = nj_fd_sock(task, (__s32)a->args[0]);

	if (!nj_sk_is(sk, NJ_IPPROTO_UDP))
		return 0;
	a->args[5] = (__u64)sk;
	return nj_sys_enter_save(a);
}

static __always_inline void udp_from_msghdr(const struct user_msghdr *um, struct udp_msg *m,
					    bool ingress)
{
	struct user_msghdr h;
	struct iovec iov;

	if (bpf_probe_read_user(&h, sizeof(h), um))
		return;
	/* recvmsg: the kernel wrote msg_namelen back; 0 means no address. */
	if (!ingress || h.msg_namelen > 0)
		m->name = h.msg_name;
	if (h.msg_iovlen > 0 && !bpf_probe_read_user(&iov, sizeof(iov), h.msg_iov)) {
		m->buf = iov.iov_base;
		if (iov.iov_len < m->len)
			m->len = iov.iov_len;
	}
}

/* What a datagram is to report (udp_examine). */
#define UDP_DNS (1 << 0) /* a DNS message: its event, whatever its flow's window */
#define UDP_NEW (1 << 1) /* its flow's window was closed: a udp event */

/* The datagram's peer, length and flags into rec, and its flow's window.
 * Returns UDP_* bits: 0 when it only folded into an open window. */
static __always_inline int udp_examine(struct task_struct *task, struct nj_net_udp *rec,
				       const struct udp_msg *m, bool ingress)
{
	int r = 0;

	if (m->name)
		nj_user_sockaddr(m->name, &rec->op.ep);
	rec->op.bytes_out = m->len;
	if (ingress)
		rec->op.flags |= NJ_NET_INGRESS;
	if (!rec->op.ep.rport && nj_addr_zero(rec->op.ep.remote))
		rec->op.flags |= NJ_NET_REMOTE_UNKNOWN;
	/* Every DNS message is reported; other datagrams once per window. */
	if (rec->op.ep.rport == NJ_DNS_PORT)
		r |= UDP_DNS;
	if (!nj_udp_folded(task, &rec->op, 1, &rec->op.count))
		r |= UDP_NEW;
	return r;
}

/* One datagram of sendto, sendmsg, recvfrom or recvmsg: its peer, its
 * flow's window, its DNS event, its udp event. The caller's identity is
 * filled only when something is reported, as most datagrams fold. */
static __always_inline void udp_one(void *ctx, struct task_struct *task, __u8 backend,
				    struct nj_net_udp *rec, const struct udp_msg *m, bool ingress)
{
	int r = udp_examine(task, rec, m, ingress);

	if (!r)
		return;
	nj_fill_task(&rec->op.task, task, false);
	if (r & UDP_DNS)
		NJ_BATCH(sc, NJ_FAM_NETWORK, udp_dns_send(ctx, sc, backend, rec, m));
	if (r & UDP_NEW)
		nj_net_send(ctx, (struct nj_net_connect *)rec, NJ_REC_NET_UDP, nj_new_event_id(),
			    backend, bpf_ktime_get_boot_ns());
}

/*
 * Message i of a sendmmsg/recvmmsg, as udp_one, with the call's state in
 * sc->mm and the batch held by the caller: its DNS event left in the batch
 * and its udp event in sc->mm.rec, for the caller to send (this function
 * has no context to send with). Returns the UDP_* bits of what is there,
 * or < 0.
 *
 * A global function: the verifier checks it once, on its own, and each
 * call costs the exit one step. Walked inline, the exit cost one message's
 * paths per message, and on 6.1 (and 5.10), which track precisely every
 * scalar stored to the stack through a pointer, the paths of each message
 * multiplied those of the next: 558k and 815k instructions.
 */
__noinline int nj_udp_mmsg_one(__u32 i)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_scratch *sc = nj_scratch_get();
	const struct mmsghdr *mm;
	struct udp_msg m = {};
	struct nj_mmsg *st;
	__u32 len = 0;
	int r;

	if (!sc)
		return -1;
	st = &sc->mm;
	mm = (const struct mmsghdr *)st->mm + i;
	if (!bpf_probe_read_user(&len, sizeof(len), &mm->msg_len))
		m.len = len;
	udp_from_msghdr(&mm->msg_hdr, &m, st->ingress);
	st->rec.op.ep = st->ep0;
	st->rec.op.flags = 0;
	st->rec.op.count = 0;
	r = udp_examine(task, &st->rec, &m, st->ingress);
	if (r & UDP_DNS) {
		sc->off = 0;
		sc->nrec = 0;
		sc->lost_parts = 0;
		sc->ts_ns = bpf_ktime_get_boot_ns();
		if (!udp_dns_build(sc, st->backend, &st->rec, &m))
			r &= ~UDP_DNS;
	}
	if (r & UDP_NEW)
		nj_hdr_init_ts(&st->rec.hdr, NJ_FAM_NETWORK, NJ_REC_NET_UDP, sizeof(st->rec),
			       nj_new_event_id(), st->backend, bpf_ktime_get_boot_ns());
	return r;
}

/* The call's record (the caller's identity read once for every message)
 * and what nj_udp_mmsg_one needs, into the held batch. */
static __always_inline void udp_mmsg_start(struct nj_scratch *sc, struct task_struct *task,
					   const struct nj_sys_args *a, long ret, __u32 n,
					   __u32 sys, __u8 backend, bool ingress)
{
	struct nj_mmsg *st = &sc->mm;

	__builtin_memset(&st->rec, 0, sizeof(st->rec));
	nj_sk_endpoints((struct sock *)a->args[5], &st->rec.op.ep);
	st->rec.op.retval = ret;
	st->rec.op.syscall = sys;
	st->rec.op.state = ret - n;
	nj_fill_task(&st->rec.op.task, task, false);
	/* A message without a name goes to (or came from) the socket's peer. */
	st->ep0 = st->rec.op.ep;
	st->mm = a->args[1];
	st->n = n;
	st->ingress = ingress;
	st->backend = backend;
}

/* Each message's DNS event, then its udp event, as udp_one sends them.
 * Only i is carried from one message to the next. */
static __always_inline bool udp_mmsg_held(void *ctx, struct nj_scratch *sc,
					  struct task_struct *task, const struct nj_sys_args *a,
					  long ret, __u32 n, __u32 sys, __u8 backend, bool ingress)
{
	udp_mmsg_start(sc, task, a, ret, n, sys, backend, ingress);
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < NJ_MMSG_MAX; i++) {
		int r;

		if (i >= sc->mm.n)
			break;
		r = nj_udp_mmsg_one(i);
		if (r < 0)
			break;
		if (r & UDP_DNS)
			nj_batch_flush(ctx, sc);
		if (r & UDP_NEW)
			nj_output(ctx, &sc->mm.rec, sizeof(sc->mm.rec), NJ_FAM_NETWORK);
	}
	return true;
}

/*
 * sendmmsg, recvmmsg: ret datagrams, each one its own peer, length and
 * payload (glibc's resolver sends its A and AAAA queries in one call).
 * The first NJ_MMSG_MAX are examined; the rest is counted, here and in
 * the call's events (op.state). A busy batch (held by a program this one
 * interrupted) is counted by nj_batch_hold, and its call's messages as
 * unexamined.
 */
static __always_inline void udp_mmsg(void *ctx, struct task_struct *task,
				     const struct nj_sys_args *a, long ret, __u32 sys, __u8 backend,
				     bool ingress)
{
	__u32 n = ret > NJ_MMSG_MAX ? NJ_MMSG_MAX : ret;
	__u64 unexamined = ret - n;
	struct nj_cpu_stats *st;
	bool examined = false;

	NJ_BATCH(sc, NJ_FAM_NETWORK,
		 examined = udp_mmsg_held(ctx, sc, task, a, ret, n, sys, backend, ingress));
	if (!examined)
		unexamined += n;
	st = nj_stats_get();
	if (unexamined && st)
		nj_stat_add(&st->net_udp_unexamined, unexamined);
}

static __always_inline int udp_exit(void *ctx, long ret, __u8 backend, __u32 sys, bool ingress)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_net_udp rec = {};
	struct udp_msg m = {.len = ret};
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), sys, sys, &a) || ret <= 0)
		return 0;
	/* Switches, not ||: sys is a constant here, and clang keeps a test of
	 * it joined by || (BPF's passthrough) in every program, with the path
	 * it guards, dead or not. */
	switch (sys) {
	case NJ_SYS_SENDMMSG:
	case NJ_SYS_RECVMMSG:
		udp_mmsg(ctx, task, &a, ret, sys, backend, ingress);
		return 0;
	}
	nj_sk_endpoints((struct sock *)a.args[5], &rec.op.ep);
	rec.op.retval = ret;
	rec.op.syscall = sys;
	switch (sys) {
	case NJ_SYS_SENDTO:
	case NJ_SYS_RECVFROM:
		m.buf = (const void *)a.args[1];
		m.name = (const void *)a.args[4];
		break;
	default:
		udp_from_msghdr((const struct user_msghdr *)a.args[1], &m, ingress);
		break;
	}
	udp_one(ctx, task, backend, &rec, &m, ingress);
	return 0;
}

#define NJ_UDP_PAIR(sys, id, nargs, ingress)                                     \
	static __always_inline int sys##_exit(void *ctx, long ret, __u8 backend) \
	{                                                                        \
		return udp_exit(ctx, ret, backend, id, ingress);                 \
	}                                                                        \
	NJ_SYSCALL_ENTER(sys, id, nargs, udp_enter)                              \
	NJ_SYSCALL_EXIT(sys, sys##_exit)

NJ_UDP_PAIR(sendto, NJ_SYS_SENDTO, 5, false)
NJ_UDP_PAIR(sendmsg, NJ_SYS_SENDMSG, 2, false)
NJ_UDP_PAIR(sendmmsg, NJ_SYS_SENDMMSG, 2, false)
NJ_UDP_PAIR(recvfrom, NJ_SYS_RECVFROM, 5, true)
NJ_UDP_PAIR(recvmsg, NJ_SYS_RECVMSG, 2, true)
NJ_UDP_PAIR(recvmmsg, NJ_SYS_RECVMMSG, 2, true)
