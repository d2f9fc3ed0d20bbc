/*
 * uring_actions.c - file operations submitted through io_uring, which run
 * no syscall of their own (the file family reports them from the io_uring
 * submit tracepoint), and a TCP connect submitted the same way (the
 * network family reports it from the socket's state change), and TCP
 * accepts (reported from the completion). Raw io_uring_setup /
 * io_uring_enter and the UAPI ring layout: no liburing, so the helper runs in the matrix VMs as is.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* Whether the ring's workers are threads of this process (iou-wrk-<tid>):
 * io-wq since v5.12, and some older stable kernels with io_uring
 * backported (Debian's 5.10); before, kernel threads. Asked right after a
 * request that went to a worker (O_CREAT: never tried inline), which idles
 * for seconds before it exits. */
static void j_worker_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	while (dir && (e = readdir(dir))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && strncmp(comm, "iou-wrk-", 8) == 0)
			found = 1;
		fclose(f);
	}
	if (dir)
		closedir(dir);
	j_num("worker_threads", found);
}

/* One request on a fresh ring; its result (-errno on failure). */
static int ring_once(struct io_uring_sqe *sqe)
{
	struct ring r;
	int res;

	ring_open(&r);
	res = ring_run(&r, sqe);
	close(r.fd);
	return res;
}

static struct io_uring_sqe at_sqe(__u8 opcode, const char *path)
{
	struct io_uring_sqe sqe;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = opcode;
	sqe.fd = AT_FDCWD;
	sqe.addr = (uint64_t)(uintptr_t)path;
	return sqe;
}

/* An OPENAT request (v5.6+) of `path` with `flags` (mode 0600); its fd.
 * A kernel without it ends the action with 77. */
static int uring_openat(const char *path, int flags, const char *key)
{
	struct io_uring_sqe sqe = at_sqe(IORING_OP_OPENAT, path);
	int fd;

	sqe.open_flags = (__u32)flags;
	sqe.len = 0600;
	fd = ring_once(&sqe);
	if (fd == -EINVAL || fd == -EOPNOTSUPP)
		die(77, "io_uring OPENAT not supported");
	if (fd < 0) {
		errno = -fd;
		die_errno(key);
	}
	return fd;
}

/* A request whose opcode this kernel may lack (v5.11: UNLINKAT, RENAMEAT;
 * v5.15: MKDIRAT, SYMLINKAT, LINKAT): its result under `key`, and false
 * when the kernel lacks it. Any other failure ends the action. */
static bool uring_step(const char *key, struct io_uring_sqe *sqe)
{
	int res = ring_once(sqe);

	if (res == -EINVAL || res == -EOPNOTSUPP)
		return false;
	if (res < 0) {
		errno = -res;
		die_errno(key);
	}
	j_num(key, res);
	return true;
}

static long long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die_errno("fstat");
	close(fd);
	return (long long)st.st_ino;
}

/* A request on two paths (LINKAT, RENAMEAT). */
static struct io_uring_sqe two_sqe(__u8 opcode, const char *from, const char *to)
{
	struct io_uring_sqe sqe = at_sqe(opcode, from);

	sqe.len = (__u32)AT_FDCWD;
	sqe.addr2 = (uint64_t)(uintptr_t)to;
	return sqe;
}

/* A file created by an io_uring OPENAT (v5.6+): no open syscall runs. */
static void act_io_uring_openat(void)
{
	char path[4096];

	join_path(path, sizeof(path), workdir(), "uring-created.txt");
	close(uring_openat(path, O_CREAT | O_WRONLY | O_CLOEXEC, "io_uring OPENAT"));
	j_begin(g_action);
	j_num("pid", getpid());
	j_str("path", path);
	j_worker_threads();
}

/* What io_uring can do to files, one request each, on paths in the work
 * directory d: MKDIRAT d; OPENAT d/new.txt (O_CREAT); SYMLINKAT d/sym ->
 * new.txt; LINKAT d/hard.txt to new.txt; OPENAT d/other.txt (O_CREAT);
 * RENAMEAT d/hard.txt over d/other.txt; UNLINKAT d/other.txt, d/sym,
 * d/new.txt; UNLINKAT d (AT_REMOVEDIR). The JSON has each step's result
 * under its name; a step the kernel lacks (v5.11: UNLINKAT, RENAMEAT;
 * v5.15: MKDIRAT, SYMLINKAT, LINKAT) ends the action there. */
static void act_io_uring_files(void)
{
	char d[4096], file[4096], sym[4096], hard[4096], other[4096];
	struct io_uring_sqe sqe;

	join_path(d, sizeof(d), workdir(), "uring-dir");
	join_path(file, sizeof(file), d, "new.txt");
	join_path(sym, sizeof(sym), d, "sym");
	join_path(hard, sizeof(hard), d, "hard.txt");
	join_path(other, sizeof(other), d, "other.txt");
	j_begin(g_action);
	j_num("pid", getpid());
	j_str("dir", d);
	j_str("file", file);
	j_str("sym", sym);
	j_str("hard", hard);
	j_str("other", other);
	sqe = at_sqe(IORING_OP_MKDIRAT, d);
	sqe.len = 0750;
	if (!uring_step("mkdirat", &sqe) && mkdir(d, 0750))
		die_errno("mkdir");
	j_num("file_ino", ino_of(uring_openat(file, O_CREAT | O_WRONLY | O_CLOEXEC, "OPENAT new")));
	j_worker_threads();
	sqe = at_sqe(IORING_OP_SYMLINKAT, sym);
	sqe.addr = (uint64_t)(uintptr_t) "new.txt";
	sqe.addr2 = (uint64_t)(uintptr_t)sym;
	if (!uring_step("symlinkat", &sqe))
		return;
	sqe = two_sqe(IORING_OP_LINKAT, file, hard);
	if (!uring_step("linkat", &sqe))
		return;
	j_num("other_ino",
	      ino_of(uring_openat(other, O_CREAT | O_WRONLY | O_CLOEXEC, "OPENAT other")));
	sqe = two_sqe(IORING_OP_RENAMEAT, hard, other);
	if (!uring_step("renameat", &sqe))
		return;
	sqe = at_sqe(IORING_OP_UNLINKAT, other);
	uring_step("unlinkat", &sqe);
	sqe = at_sqe(IORING_OP_UNLINKAT, sym);
	uring_step("unlinkat_sym", &sqe);
	sqe = at_sqe(IORING_OP_UNLINKAT, file);
	uring_step("unlinkat_file", &sqe);
	sqe = at_sqe(IORING_OP_UNLINKAT, d);
	sqe.unlink_flags = AT_REMOVEDIR;
	uring_step("rmdir", &sqe);
}

/* A read-only io_uring OPENAT of `name` in the work directory, written
 * first (by open(2)): its dentry is cached, so a v5.12+ kernel completes
 * the request inline, in io_uring_enter, without a worker. */
static void act_io_uring_read(void)
{
	char path[4096];
	int fd;

	join_path(path, sizeof(path), workdir(), "uring-read.txt");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "s3cret\n", 7) != 7 || close(fd))
		die_errno("write");
	close(uring_openat(path, O_RDONLY | O_CLOEXEC, "io_uring OPENAT"));
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

/* Submit one request without waiting for it. */
static void ring_submit(struct ring *r, const struct io_uring_sqe *sqe)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, NULL, 0) < 0)
		die_errno("io_uring_enter (submit)");
}

/* The next completion (waiting for it); its result, *flags its flags. */
static int ring_wait(struct ring *r, unsigned *flags)
{
	unsigned head = *r->cq_head;
	struct io_uring_cqe *cqe;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) &&
	    syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		die_errno("io_uring_enter (wait)");
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		die(1, "io_uring: no completion");
	cqe = &r->cqes[head & *r->cq_mask];
	*flags = cqe->flags;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return cqe->res;
}

/* A connect that the ring's task work may interrupt (EINTR: the
 * handshake goes on), so waited for by poll. */
static int connect_to(const struct net_addr *srv)
{
	int fd = net_socket(AF_INET, SOCK_STREAM), err = 0;
	socklen_t len = sizeof(err);

	if (connect(fd, (const struct sockaddr *)&srv->ss, srv->len) != 0) {
		if (errno != EINTR && errno != EINPROGRESS)
			die(1, "connect to port %d: %s", addr_port(srv), strerror(errno));
		wait_fd(fd, POLLOUT, "the connect");
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			die_errno("getsockopt SO_ERROR");
		if (err)
			die(1, "connect to port %d: %s", addr_port(srv), strerror(err));
	}
	return fd;
}

/*
 * TCP connections accepted by io_uring ACCEPT requests (v5.5+), submitted
 * before the connection comes (so they complete from task work, in this
 * thread): one single-shot, then one multishot (v5.19+) that takes two.
 * No accept syscall runs.
 */
static void act_io_uring_accept(void)
{
	int lfd, cfd[3] = {-1, -1, -1}, afd[3] = {-1, -1, -1}, n = 0, i, res;
	struct io_uring_sqe sqe;
	struct net_addr srv;
	unsigned flags = 0;
	struct ring r;
	char key[16];

	lfd = tcp_listener("127.0.0.1", &srv);
	ring_open(&r);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_ACCEPT;
	sqe.fd = lfd;
	sqe.accept_flags = SOCK_CLOEXEC;
	sqe.user_data = 1;
	ring_submit(&r, &sqe);
	cfd[0] = connect_to(&srv);
	res = ring_wait(&r, &flags);
	if (res == -EINVAL || res == -EOPNOTSUPP)
		die(77, "io_uring ACCEPT not supported");
	if (res < 0) {
		errno = -res;
		die_errno("io_uring ACCEPT");
	}
	afd[n++] = res;
	sqe.ioprio = IORING_ACCEPT_MULTISHOT;
	sqe.user_data = 2;
	ring_submit(&r, &sqe);
	for (i = 1; i < 3; i++) {
		cfd[i] = connect_to(&srv);
		res = ring_wait(&r, &flags);
		if (res == -EINVAL && i == 1)
			break; /* no multishot before 5.19 */
		if (res < 0) {
			errno = -res;
			die_errno("io_uring multishot ACCEPT");
		}
		if (!(flags & IORING_CQE_F_MORE))
			die(1, "io_uring multishot ACCEPT ended early");
		afd[n++] = res;
	}
	j_begin(g_action);
	j_num("pid", getpid());
	j_num("server_port", addr_port(&srv));
	j_num("accepted", n);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "client_port%d", i);
		j_num(key, local_port(cfd[i]));
	}
	for (i = 0; i < 3; i++) {
		if (afd[i] >= 0)
			close_settle(afd[i]);
		if (cfd[i] >= 0)
			close_settle(cfd[i]);
	}
	close(r.fd);
	close(lfd);
}

const struct action uring_actions[] = {
	{"io_uring_openat", act_io_uring_openat}, {"io_uring_files", act_io_uring_files},
	{"io_uring_read", act_io_uring_read},	  {"io_uring_connect", act_io_uring_connect},
	{"io_uring_accept", act_io_uring_accept}, {NULL, NULL},
};
