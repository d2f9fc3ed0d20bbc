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
	bool cut; /* a stream's message that continues in later calls */
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
			     m->len > NJ_DNS_MAX || m->cut ? NJ_STR_TRUNCATED : 0, n, 0, 0);
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
 * sendmsg, recvmsg) has the `len` bytes it sent or received, from its
 * user-entry registers (5.15+; sock:sock_send_length and sock_recv_length,
 * the callers, are 6.3+): the first buffer of an iovec array, *second the
 * next one when the first holds only two bytes (glibc's resolver writes a
 * TCP query's length and the query as one writev of two buffers; on a
 * stream only), and *next a second message the same way in buffers 3 and
 * 4. Kernel threads and io_uring's workers run no syscall of their own:
 * nothing. sk: the socket the bytes went through, which the syscall's fd
 * must be.
 */
static __always_inline bool nj_msg_from_syscall(struct task_struct *task, struct sock *sk,
						struct udp_msg *m, struct udp_msg *second,
						struct udp_msg *next, bool stream)
{
	struct pt_regs *regs = nj_current_regs();
	const struct iovec *vec = NULL;
	struct iovec iov[4] = {};
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
		return m->buf != NULL;
	}
	if (nr == NJ_NR_READV || nr == NJ_NR_WRITEV) {
		vec = (const struct iovec *)arg;
		cnt = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else {
		struct user_msghdr h;

		if (bpf_probe_read_user(&h, sizeof(h), (const void *)arg))
			return false;
		vec = h.msg_iov;
		cnt = h.msg_iovlen;
	}
	if (!cnt || bpf_probe_read_user(iov, (cnt > 3 ? 4 : cnt > 1 ? 2 : 1) * sizeof(iov[0]), vec))
		return false;
	m->buf = iov[0].iov_base;
	if (stream && cnt > 1 && iov[0].iov_len == 2 && m->len > 2) {
		second->buf = iov[1].iov_base;
		second->len = m->len - 2;
		if (iov[1].iov_len < second->len)
			second->len = iov[1].iov_len;
		/* And a second length and message: glibc's parallel A and
		 * AAAA queries, in one writev of four buffers. */
		if (cnt > 3 && iov[2].iov_len == 2 && m->len > 4 + second->len) {
			next->buf = iov[3].iov_base;
			next->len = m->len - 4 - second->len;
			if (iov[3].iov_len < next->len)
				next->len = iov[3].iov_len;
		}
		m->len = 2;
	} else if (iov[0].iov_len < m->len) {
		m->len = iov[0].iov_len;
	}
	return m->buf != NULL;
}

/*
 * A TCP call's bytes (m, and second when its length came in a buffer of
 * its own) to the DNS message they start, if any, in m. A stream is a
 * two-byte length, then the message: a call at a message boundary starts
 * with the length (passed over), a call of the length alone makes the
 * next one a message start, and the calls that carry the rest of a
 * message (a large answer read in pieces) are none: only a message's first
 * call is parsed (message_cut when it did not hold it whole).
 */
static __always_inline bool nj_dns_stream_frame(struct sock *sk, bool ingress, struct udp_msg *m,
						const struct udp_msg *second)
{
	struct nj_dns_stream_key key = {.sk = (__u64)sk, .ingress = ingress};
	struct nj_dns_stream *st = bpf_map_lookup_elem(&nj_dns_stream_map, &key);
	struct nj_dns_stream fresh = {};
	__be16 pfx = 0;
	__u32 len;

	if (st && st->left) {
		st->left = m->len + second->len >= st->left ? 0 : st->left - m->len - second->len;
		return false;
	}
	if (st && st->len) {
		len = st->len;
		st->len = 0;
	} else {
		if (bpf_probe_read_user(&pfx, sizeof(pfx), m->buf))
			return false;
		len = bpf_ntohs(pfx);
		if (m->len == 2 && !second->buf) {
			fresh.len = len;
			bpf_map_update_elem(&nj_dns_stream_map, &key, &fresh, BPF_ANY);
			return false;
		}
		if (second->buf) {
			*m = *second;
		} else {
			m->buf = (const __u8 *)m->buf + 2;
			m->len -= 2;
		}
	}
	if (m->len > len)
		m->len = len;
	fresh.left = len - m->len;
	if (fresh.left) {
		m->cut = true;
		bpf_map_update_elem(&nj_dns_stream_map, &key, &fresh, BPF_ANY);
	}
	return m->len >= NJ_DNS_HEADER;
}

#endif /* NJ_BPF_NET_DNS_H */
