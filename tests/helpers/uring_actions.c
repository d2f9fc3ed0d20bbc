/*
 * uring_actions.c - file operations submitted through io_uring, which run
 * no syscall of their own (the file family reports them from the io_uring
 * submit tracepoint), and a TCP connect submitted the same way (the
 * network family reports it from the socket's state change). Raw io_uring_setup / io_uring_enter and the UAPI
 * ring layout: no liburing, so the helper runs in the matrix VMs as is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "actions.h"
#include "net_actions.h"

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void ring_open(struct ring *r)
{
	struct io_uring_params p;
	void *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		die_errno("io_uring_setup");
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		die_errno("mmap io_uring");
	r->sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	r->cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
}

/* Submit one request and wait for its completion; returns its result. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	int res;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		die_errno("io_uring_enter");
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		die(1, "io_uring: no completion");
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* A file created by an io_uring OPENAT (v5.6+): no open syscall runs. */
static void act_io_uring_openat(void)
{
	struct io_uring_sqe sqe;
	struct ring r;
	char path[4096];
	int fd;

	join_path(path, sizeof(path), workdir(), "uring-created.txt");
	ring_open(&r);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (uint64_t)(uintptr_t)path;
	sqe.open_flags = O_CREAT | O_WRONLY | O_CLOEXEC;
	sqe.len = 0600;
	fd = ring_run(&r, &sqe);
	if (fd == -EINVAL || fd == -EOPNOTSUPP)
		die(77, "io_uring OPENAT not supported");
	if (fd < 0) {
		errno = -fd;
		die_errno("io_uring OPENAT");
	}
	close(fd);
	close(r.fd);
	j_begin(g_action);
	j_num("pid", getpid());
	j_str("path", path);
}

/* A TCP connect by an io_uring CONNECT (v5.5+): no connect syscall runs. */
static void act_io_uring_connect(void)
{
	struct io_uring_sqe sqe;
	struct net_addr srv;
	struct ring r;
	int lfd, fd, res, afd;

	lfd = tcp_listener("127.0.0.1", &srv);
	fd = net_socket(AF_INET, SOCK_STREAM);
	ring_open(&r);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = fd;
	sqe.addr = (uint64_t)(uintptr_t)&srv.ss;
	sqe.off = srv.len;
	res = ring_run(&r, &sqe);
	if (res == -EINVAL || res == -EOPNOTSUPP)
		die(77, "io_uring CONNECT not supported");
	if (res < 0) {
		errno = -res;
		die_errno("io_uring CONNECT");
	}
	afd = tcp_accept(lfd);
	j_begin(g_action);
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("client_port", local_port(fd));
	close_settle(fd);
	close_settle(afd);
	close(lfd);
	close(r.fd);
}

const struct action uring_actions[] = {
	{"io_uring_openat", act_io_uring_openat},
	{"io_uring_connect", act_io_uring_connect},
	{NULL, NULL},
};
