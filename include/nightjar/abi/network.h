/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network family's wire records (docs/events/network.md).
 *
 * As in the file family, every network event is one closing record of one
 * layout (struct nj_net_op behind the header) with a distinct type per
 * action: one BPF emitter, one decoder path, one registry row and encoder
 * overload per action. Only DNS messages carry a part (the payload).
 */
#ifndef NIGHTJAR_ABI_NETWORK_H
#define NIGHTJAR_ABI_NETWORK_H

enum nj_rec_network {
	NJ_REC_NET_CONNECT = NJ_REC_FIRST(NJ_FAM_NETWORK), /* connect(2) on a TCP socket */
	NJ_REC_NET_CONNECT_RESULT, /* a connect that was in progress settled */
	NJ_REC_NET_ACCEPT, /* accept(2), accept4(2): a TCP connection accepted */
	NJ_REC_NET_LISTEN, /* listen(2) on a TCP socket */
	NJ_REC_NET_CLOSE, /* a reported TCP connection ended: duration and bytes */
	NJ_REC_NET_UDP, /* a UDP flow's first datagram in a window (send or receive) */
	NJ_REC_NET_DNS_QUERY, /* a DNS message without QR sent to or received from port 53 */
	NJ_REC_NET_DNS_ANSWER, /* a DNS message with QR */
};

/* nj_str.field of the network family's parts. */
enum nj_net_field {
	NJ_NF_PAYLOAD = 1, /* the datagram's first bytes (DNS), raw */
	NJ_NF_MAX
};

/* Bytes of a DNS datagram captured: the classic 512-byte limit and EDNS's
 * usual 1232 both fit. */
#define NJ_DNS_MAX 2048

/* Datagrams of one sendmmsg/recvmmsg examined (peer, length, DNS payload),
 * each as if sent or received alone; the rest of a longer batch is only
 * counted (nj_net_op.state, nj_cpu_stats.net_udp_unexamined). glibc's
 * resolver sends 2; 8 keeps the exit programs' verification small on 5.10. */
#define NJ_MMSG_MAX 8

/* nj_net_op.flags */
#define NJ_NET_NO_ENTER (1u << 0) /* syscall entry unseen: arguments unknown */
#define NJ_NET_OPENER \
	(1u << 1) /* task is the process that connected or accepted, kept since then */
#define NJ_NET_PARTS_LOST (1u << 2) /* the payload could not be sent (buffer full) */
#define NJ_NET_INGRESS (1u << 3) /* UDP, DNS: received; else sent */
#define NJ_NET_REMOTE_UNKNOWN (1u << 4) /* the peer's address was not available */
/* made by a call the syscall pairs do not hook (write, read, io_uring) */
#define NJ_NET_OTHER_CALL (1u << 5)

/* Both ends of a socket, as the socket saw them. IPv4 addresses fill the
 * first 4 bytes; an IPv6 socket talking to IPv4 keeps its ::ffff:a.b.c.d
 * form (family AF_INET6). */
struct nj_net_endpoints {
	nj_u8 local[16];
	nj_u8 remote[16];
	nj_u16 lport; /* host byte order */
	nj_u16 rport;
	nj_u16 family; /* AF_INET, AF_INET6 */
	nj_u16 protocol; /* IPPROTO_TCP, IPPROTO_UDP */
};

struct nj_net_op {
	struct nj_task task; /* the caller; with NJ_NET_OPENER the connection's opener */
	struct nj_net_endpoints ep;
	nj_s64 retval; /* the syscall's return value (0 for kernel-side events) */
	nj_u64 conn_id; /* connect_result, close: event id of the connect or accept */
	nj_u64 duration_ns; /* close: since the connection was established or accepted */
	nj_u64 bytes_out; /* close: payload bytes sent (resends once); UDP, DNS: this datagram's */
	nj_u64 bytes_in; /* close: bytes received */
	nj_u64 count; /* UDP: datagrams of the flow folded since its previous report;
		       * listen: the backlog */
	nj_u32 syscall; /* enum nj_syscall; 0 for kernel-side events */
	nj_u32 flags; /* NJ_NET_* */
	nj_s32 result; /* connect, connect_result: 0 established, else an errno
			* (EINPROGRESS: in progress) */
	/* connect_result, close: the TCP state left (TCP_SYN_SENT, ...);
	 * UDP, DNS: datagrams of this sendmmsg/recvmmsg call past the first
	 * NJ_MMSG_MAX, not examined */
	nj_u32 state;
};

#define NJ_NET_RECORD(name)          \
	struct name {                \
		struct nj_hdr hdr;   \
		struct nj_net_op op; \
	}

NJ_NET_RECORD(nj_net_connect);
NJ_NET_RECORD(nj_net_connect_result);
NJ_NET_RECORD(nj_net_accept);
NJ_NET_RECORD(nj_net_listen);
NJ_NET_RECORD(nj_net_close);
NJ_NET_RECORD(nj_net_udp);
NJ_NET_RECORD(nj_net_dns_query);
NJ_NET_RECORD(nj_net_dns_answer);

#endif /* NIGHTJAR_ABI_NETWORK_H */
