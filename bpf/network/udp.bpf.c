/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP: sendto, sendmsg, sendmmsg, recvfrom, recvmsg, recvmmsg. One event
 * per process, endpoints and direction within nj_udp_window_ns (the
 * datagrams folded in between are counted in the next one), and every DNS
 * message (remote port 53) with its first NJ_DNS_MAX bytes for user space
 * to parse. A sendmmsg or recvmmsg is each of its datagrams in turn.
 *
 * The entry saves the arguments only for UDP sockets: sendmsg and recvmsg
 * also carry every netlink and unix-socket message on the machine, which
 * should cost one fd lookup, not a map update.
 * Not seen: write(2)/read(2) on a connected UDP socket (hooking every read
 * and write costs far more than it finds; docs/events/network.md).
 */
#include "net.h"

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

/* Where the datagram's bytes and its peer's address are, per syscall. */
struct udp_msg {
	const void *buf;
	const void *name;
	__u64 len; /* bytes of the datagram */
};

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

/* The DNS event: the payload part, then the closing record, built in the
 * batch itself from a copy of rec. rec (on the stack) is left as it was:
 * the DNS event's ways out (busy batch, read error, parts lost, a send
 * refused) then leave the verifier one state, not one each, for the rest
 * of a sendmmsg's loop, which it walks once per message. */
static __always_inline void udp_dns_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					  const struct nj_net_udp *rec, const struct udp_msg *m)
{
	__u64 event_id = nj_new_event_id();
	__u32 n = m->len > NJ_DNS_MAX ? NJ_DNS_MAX : m->len;
	__u16 type = NJ_REC_NET_DNS_QUERY;
	struct nj_net_udp *out;
	__u32 parts, lost;

	if (!m->buf)
		return;
	n &= 2 * NJ_DNS_MAX - 1;
	if (bpf_probe_read_user(NJ_PART_DATA(sc), n, m->buf)) {
		nj_count_read_error();
		return;
	}
	/* QR, the header's first flag bit: a response. */
	if (n > 2 && (NJ_PART_DATA(sc)[2] & 0x80))
		type = NJ_REC_NET_DNS_ANSWER;
	parts = nj_part_commit(ctx, sc, event_id, backend, NJ_NF_PAYLOAD, 0,
			       m->len > NJ_DNS_MAX ? NJ_STR_TRUNCATED : 0, n, 0, 0);
	/* As nj_batch_close, with the record written where it is sent from. */
	lost = sc->lost_parts;
	out = (struct nj_net_udp *)&sc->buf[NJ_BATCH_POS(sc)];
	__builtin_memcpy(out, rec, sizeof(*out));
	nj_hdr_init_ts(&out->hdr, NJ_FAM_NETWORK, type, sizeof(*out), event_id, backend, sc->ts_ns);
	out->hdr.nparts = parts > lost ? parts - lost : 0;
	if (lost)
		out->op.flags |= NJ_NET_PARTS_LOST;
	sc->off = NJ_BATCH_POS(sc) + ((sizeof(*out) + 7) & ~7);
	sc->nrec++;
	nj_batch_flush(ctx, sc);
}

static __always_inline void udp_dns(void *ctx, __u8 backend, const struct nj_net_udp *rec,
				    const struct udp_msg *m)
{
	NJ_BATCH(sc, NJ_FAM_NETWORK, udp_dns_build(ctx, sc, backend, rec, m));
}

/* One datagram: its peer, its flow's window, its DNS payload, its event.
 * `filled`: the caller filled rec->op.task already (mmsg, once per call);
 * else it is filled only when something is reported, as most datagrams
 * fold. */
static __always_inline void udp_one(void *ctx, struct task_struct *task, __u8 backend,
				    struct nj_net_udp *rec, const struct udp_msg *m, bool ingress,
				    bool filled)
{
	bool folded, dns;

	if (m->name)
		nj_user_sockaddr(m->name, &rec->op.ep);
	rec->op.bytes_out = m->len;
	if (ingress)
		rec->op.flags |= NJ_NET_INGRESS;
	if (!rec->op.ep.rport && nj_addr_zero(rec->op.ep.remote))
		rec->op.flags |= NJ_NET_REMOTE_UNKNOWN;
	/* Every DNS message is reported; other datagrams once per window. */
	dns = rec->op.ep.rport == NJ_DNS_PORT;
	folded = nj_udp_folded(task, &rec->op, 1, &rec->op.count);
	if (folded && !dns)
		return;
	if (!filled)
		nj_fill_task(&rec->op.task, task, false);
	if (dns)
		udp_dns(ctx, backend, rec, m);
	if (folded)
		return;
	nj_net_send(ctx, (struct nj_net_connect *)rec, NJ_REC_NET_UDP, nj_new_event_id(), backend,
		    bpf_ktime_get_boot_ns());
}

/*
 * sendmmsg, recvmmsg: ret datagrams, each one its own peer, length and
 * payload (glibc's resolver sends its A and AAAA queries in one call).
 * The first NJ_MMSG_MAX are examined; the rest is counted, here and in
 * the call's events (op.state). The loop stays rolled and its body
 * inline: the verifier walks it once per message either way, and on 5.10
 * a global function could not take the context it needs to send.
 */
static __always_inline void udp_mmsg(void *ctx, struct task_struct *task, __u8 backend,
				     struct nj_net_udp *rec, const struct mmsghdr *mm, long ret,
				     bool ingress)
{
	struct nj_net_endpoints ep0 = rec->op.ep; /* a message without a name: the socket's peer */
	__u32 n = ret > NJ_MMSG_MAX ? NJ_MMSG_MAX : ret;

	if (ret > n) {
		struct nj_cpu_stats *st = nj_stats_get();

		rec->op.state = ret - n;
		if (st)
			nj_stat_add(&st->net_udp_unexamined, ret - n);
	}
	/* The same caller for every message: its most costly reads once. */
	nj_fill_task(&rec->op.task, task, false);
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < NJ_MMSG_MAX; i++) {
		struct udp_msg m = {};
		__u32 len = 0;

		if (i >= n)
			break;
		if (!bpf_probe_read_user(&len, sizeof(len), &mm[i].msg_len))
			m.len = len;
		udp_from_msghdr(&mm[i].msg_hdr, &m, ingress);
		rec->op.ep = ep0;
		rec->op.flags = 0;
		rec->op.count = 0;
		udp_one(ctx, task, backend, rec, &m, ingress, true);
	}
}

static __always_inline int udp_exit(void *ctx, long ret, __u8 backend, __u32 sys, bool ingress)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct nj_net_udp rec = {};
	struct udp_msg m = {.len = ret};
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), sys, sys, &a) || ret <= 0)
		return 0;
	nj_sk_endpoints((struct sock *)a.args[5], &rec.op.ep);
	rec.op.retval = ret;
	rec.op.syscall = sys;
	switch (sys) {
	case NJ_SYS_SENDTO:
	case NJ_SYS_RECVFROM:
		m.buf = (const void *)a.args[1];
		m.name = (const void *)a.args[4];
		break;
	case NJ_SYS_SENDMSG:
	case NJ_SYS_RECVMSG:
		udp_from_msghdr((const struct user_msghdr *)a.args[1], &m, ingress);
		break;
	default:
		udp_mmsg(ctx, task, backend, &rec, (const struct mmsghdr *)a.args[1], ret, ingress);
		return 0;
	}
	udp_one(ctx, task, backend, &rec, &m, ingress, false);
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
