/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS messages for user space to parse: the event (the payload's first
 * NJ_DNS_MAX bytes, then the flow's record), and where a message sent or
 * received by a call the UDP syscall pairs do not hook (write, read,
 * writev, readv, and every call on a TCP socket) is in user memory.
 */
#ifndef NJ_BPF_NET_DNS_H
#define NJ_BPF_NET_DNS_H

#include "net.h"

/* Where the datagram's bytes and its peer's address are, per syscall. */
struct udp_msg {
	const void *buf;
	const void *name;
	__u64 len; /* bytes of the datagram */
};

/* A batch started empty holds a DNS event whole: its part is never sent
 * ahead of its closing record, so no part of it is ever lost apart. */
_Static_assert(sizeof(struct nj_str) + NJ_DNS_MAX + 8 + sizeof(struct nj_net_udp) < NJ_BATCH_FLUSH,
	       "a DNS event fits an empty batch");

/* The DNS event into the (empty) batch: the payload part, then the closing
 * record, a copy of rec written where it is sent from. Returns whether the
 * batch holds it, for the caller to send. */
static __always_inline bool udp_dns_build(struct nj_scratch *sc, __u8 backend,
					  const struct nj_net_udp *rec, const struct udp_msg *m)
{
	__u64 event_id = nj_new_event_id();
	__u32 n = m->len > NJ_DNS_MAX ? NJ_DNS_MAX : m->len;
	__u16 type = NJ_REC_NET_DNS_QUERY;
	struct nj_net_udp *out;
	__u32 parts;

	if (!m->buf)
		return false;
	n &= 2 * NJ_DNS_MAX - 1;
	if (bpf_probe_read_user(NJ_PART_DATA(sc), n, m->buf)) {
		nj_count_read_error();
		return false;
	}
	/* QR, the header's first flag bit: a response. */
	if (n > 2 && (NJ_PART_DATA(sc)[2] & 0x80))
		type = NJ_REC_NET_DNS_ANSWER;
	parts = nj_part_seal(sc, event_id, backend, NJ_NF_PAYLOAD, 0,
			     m->len > NJ_DNS_MAX ? NJ_STR_TRUNCATED : 0, n, 0, 0);
	out = (struct nj_net_udp *)&sc->buf[NJ_BATCH_POS(sc)];
	__builtin_memcpy(out, rec, sizeof(*out));
	nj_hdr_init_ts(&out->hdr, NJ_FAM_NETWORK, type, sizeof(*out), event_id, backend, sc->ts_ns);
	out->hdr.nparts = parts;
	sc->off = NJ_BATCH_POS(sc) + ((sizeof(*out) + 7) & ~7);
	sc->nrec++;
	return true;
}

static __always_inline void udp_dns_send(void *ctx, struct nj_scratch *sc, __u8 backend,
					 const struct nj_net_udp *rec, const struct udp_msg *m)
{
	if (udp_dns_build(sc, backend, rec, m))
		nj_batch_flush(ctx, sc);
}

/* A DNS message on a stream (TCP) is its length in two bytes, then the
 * message. Nothing shorter than a DNS header is one (a reader's two-byte
 * read of the length is skipped). */
#define NJ_DNS_HEADER 12

/*
 * Where the current syscall (write, read, writev, readv, sendto, recvfrom,
 * sendmsg, recvmsg) has the message of `len` bytes it sent or received,
 * from its user-entry registers (5.15+; sock:sock_send_length and
 * sock_recv_length, the callers, are 6.3+). The first buffer of an iovec
 * array; on a stream, a two-byte first buffer is the length and the
 * second the message (glibc's resolver: one writev of both), and a length
 * in front of the message is passed over. Kernel threads and io_uring's
 * workers run no syscall of their own: nothing. sk: the socket the
 * message went through, which the syscall's fd must be.
 */
static __always_inline bool nj_msg_from_syscall(struct task_struct *task, struct sock *sk,
						struct udp_msg *m, bool stream)
{
	struct pt_regs *regs = nj_current_regs();
	const struct iovec *vec = NULL;
	struct iovec iov[2] = {};
	__u64 cnt = 0, arg;
	long nr;

	if (!regs || (BPF_CORE_READ(task, flags) & (PF_KTHREAD | NJ_PF_IO_WORKER)))
		return false;
	nr = nj_regs_syscall_nr(regs);
	if (nr != NJ_NR_READ && nr != NJ_NR_WRITE && nr != NJ_NR_READV && nr != NJ_NR_WRITEV &&
	    nr != NJ_NR_SENDTO && nr != NJ_NR_RECVFROM && nr != NJ_NR_SENDMSG &&
	    nr != NJ_NR_RECVMSG)
		return false;
	/* The registers are the thread's last syscall's: io_uring's task
	 * work, run on the way back from any syscall (or an exception, whose
	 * error code x86 leaves in orig_ax), sends as that thread. Only a
	 * syscall on this very socket's fd holds its message. */
	if (nj_fd_sock(task, (long)PT_REGS_PARM1_CORE_SYSCALL(regs)) != sk)
		return false;
	arg = PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (nr == NJ_NR_READ || nr == NJ_NR_WRITE || nr == NJ_NR_SENDTO || nr == NJ_NR_RECVFROM) {
		m->buf = (const void *)arg;
	} else if (nr == NJ_NR_READV || nr == NJ_NR_WRITEV) {
		vec = (const struct iovec *)arg;
		cnt = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else if (nr == NJ_NR_SENDMSG || nr == NJ_NR_RECVMSG) {
		struct user_msghdr h;

		if (bpf_probe_read_user(&h, sizeof(h), (const void *)arg))
			return false;
		vec = h.msg_iov;
		cnt = h.msg_iovlen;
	}
	if (vec) {
		if (!cnt || bpf_probe_read_user(iov, (cnt > 1 ? 2 : 1) * sizeof(iov[0]), vec))
			return false;
		m->buf = iov[0].iov_base;
		if (stream && cnt > 1 && iov[0].iov_len == 2) {
			m->buf = iov[1].iov_base;
			m->len -= 2;
			if (iov[1].iov_len < m->len)
				m->len = iov[1].iov_len;
			return m->buf != NULL;
		}
		if (iov[0].iov_len < m->len)
			m->len = iov[0].iov_len;
	}
	if (!m->buf)
		return false;
	if (stream) {
		__be16 pfx = 0;

		if (bpf_probe_read_user(&pfx, sizeof(pfx), m->buf))
			return false;
		if (bpf_ntohs(pfx) == m->len - 2) {
			m->buf = (const __u8 *)m->buf + 2;
			m->len -= 2;
		}
		if (m->len < NJ_DNS_HEADER)
			return false;
	}
	return true;
}

#endif /* NJ_BPF_NET_DNS_H */
