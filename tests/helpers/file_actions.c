/*
 * file_actions.c - the file family's actions for nj-actions: every syscall
 * the family hooks, each called through syscall(SYS_x) so that exactly that
 * variant runs (glibc would turn open() into openat(), futimens() into
 * utimensat(), ...); relative names against a dirfd and against the cwd,
 * ".." components, a 4095-byte path, names that are not plain text, a file
 * deleted while open, a denied write, watched and unwatched reads, opens by
 * handle.
 *
 * Each action works in WORKDIR (made absolute; the test passes a fresh
 * one) and prints the paths it used, its pid and, where the object is open,
 * its inode and device ("major:minor") from fstat, under keys named after
 * the syscall: {"action":"file-chmod","pid":..,"chmod_path":..,...}.
 * Files an action needs beforehand are made by a child process (make_file):
 * the modify window is per process, and a file the action itself created
 * would fold the action's later modification of it.
 *
 * Legacy syscalls (open, creat, mkdir, ...) are absent on arm64: those
 * actions exit 77 there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "actions.h"

#if !defined(SYS_openat2)
#define SYS_openat2 437 /* same number on every architecture */
#endif
#if !defined(SYS_fchmodat2)
#define SYS_fchmodat2 452 /* same number on every architecture */
#endif
#if !defined(SYS_memfd_create) && defined(__NR_memfd_create)
#define SYS_memfd_create __NR_memfd_create
#endif
#if !defined(SYS_renameat2) && defined(__NR_renameat2)
#define SYS_renameat2 __NR_renameat2
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_BENEATH 0x08
#endif
#ifndef UTIME_OMIT
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

/* struct open_how (linux/openat2.h, 5.6 headers). */
struct nj_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

/* Where an action is built for an architecture without the legacy call. */
#define NO_LEGACY(name) die(77, "%s: no such syscall on this architecture", name)

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

/* A syscall() result: dies (77 for ENOSYS) when it failed. */
static long ok(long r, const char *what)
{
	if (r < 0)
		die_errno(what);
	return r;
}

/* WORKDIR + "/" + name, in one of a few rotating static buffers. */
static const char *wpath(const char *name)
{
	static char bufs[16][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 16];

	join_path(b, PATH_MAX, workdir(), name);
	return b;
}

/* key = value with the pid of the caller. */
static void begin(const char *action)
{
	j_begin(action);
	j_num("pid", getpid());
	j_str("workdir", workdir());
}

/* <prefix>_ino, <prefix>_dev of an open file. */
static void j_ident(const char *prefix, int fd)
{
	char k[64], v[32];
	struct stat st;

	if (fstat(fd, &st) != 0)
		die_errno("fstat");
	snprintf(k, sizeof k, "%s_ino", prefix);
	j_num(k, (long long)st.st_ino);
	snprintf(k, sizeof k, "%s_dev", prefix);
	snprintf(v, sizeof v, "%u:%u", major(st.st_dev), minor(st.st_dev));
	j_str(k, v);
}

/* The file made by a child process, so that this one has no modify window
 * open on it (see the top of this file). */
static void make_file(const char *path, const char *content, mode_t mode)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		write_file(path, content, mode);
		_exit(0);
	}
	if (wait_pid(pid, &status) != 0)
		die_errno("waitpid");
	expect_exit("make_file child", status, 0);
}

static void make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		die(1, "mkdir %s: %s", path, strerror(errno));
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die(1, "open %s O_PATH|O_DIRECTORY: %s", path, strerror(errno));
	return fd;
}

static void enter_workdir(void)
{
	if (chdir(workdir()) != 0)
		die_errno("chdir WORKDIR");
}

/* ------------------------------------------------------------------------ */
/* open, openat, openat2, creat.                                             */

static void act_open(void)
{
#ifdef SYS_open
	const char *p = wpath("open-new.txt");
	int fd = (int)ok(syscall(SYS_open, p, O_WRONLY | O_CREAT | O_EXCL, 0640), "open");

	begin("file-open");
	j_str("path", p);
	j_ident("obj", fd);
#else
	NO_LEGACY("open");
#endif
}

/* openat: a create relative to a dirfd through "..", then a modify of an
 * existing file relative to the cwd. */
static void act_openat(void)
{
	const char *created = wpath("openat-new.txt"), *existing = wpath("openat-existing.txt"),
		   *linked = wpath("linked-target.txt");
	int dfd, fd1, fd2, fd3;

	make_dir(wpath("sub"), 0755);
	make_file(existing, "old contents\n", 0644);
	make_file(linked, "linked\n", 0644);
	if (symlink("linked-target.txt", wpath("via-link")) != 0)
		die_errno("symlink via-link");
	dfd = open_dir(workdir());
	enter_workdir();
	fd1 = (int)ok(
		syscall(SYS_openat, dfd, "sub/../openat-new.txt", O_RDWR | O_CREAT | O_EXCL, 0600),
		"openat create");
	fd2 = (int)ok(syscall(SYS_openat, AT_FDCWD, "./openat-existing.txt", O_WRONLY | O_TRUNC),
		      "openat modify");
	fd3 = (int)ok(syscall(SYS_openat, dfd, "via-link", O_WRONLY | O_APPEND),
		      "openat through a symlink");
	begin("file-openat");
	j_str("create_path", created);
	j_ident("create", fd1);
	j_str("modify_path", existing);
	j_ident("modify", fd2);
	j_str("symlink_path", wpath("via-link"));
	j_str("symlink_target_path", linked);
	j_ident("symlink_target", fd3);
}

/* An unnamed file (O_TMPFILE), written, then given a name (linkat of its
 * fd with AT_EMPTY_PATH): how a file appears without ever being created
 * under its name. */
static void act_tmpfile(void)
{
	const char *named = wpath("materialized.bin");
	int fd = (int)syscall(SYS_openat, AT_FDCWD, workdir(), O_TMPFILE | O_WRONLY, 0600);

	if (fd < 0 && errno == EOPNOTSUPP)
		die(77, "O_TMPFILE: not supported by this filesystem");
	if (fd < 0)
		die_errno("openat O_TMPFILE");
	if (write(fd, "payload", 7) != 7)
		die_errno("write");
	ok(syscall(SYS_linkat, fd, "", AT_FDCWD, named, AT_EMPTY_PATH), "linkat AT_EMPTY_PATH");
	begin("file-tmpfile");
	j_str("path", named);
	j_ident("obj", fd);
}

static void act_openat2(void)
{
	const char *p = wpath("openat2-new.txt");
	struct nj_open_how how = {O_WRONLY | O_CREAT | O_EXCL, 0600, RESOLVE_BENEATH};
	int dfd = open_dir(workdir());
	int fd = (int)ok(syscall(SYS_openat2, dfd, "openat2-new.txt", &how, sizeof how), "openat2");

	begin("file-openat2");
	j_str("path", p);
	j_ident("obj", fd);
}

static void act_creat(void)
{
#ifdef SYS_creat
	const char *p = wpath("creat-new.txt");
	int fd;

	enter_workdir();
	fd = (int)ok(syscall(SYS_creat, "creat-new.txt", 0644), "creat");
	begin("file-creat");
	j_str("path", p);
	j_ident("obj", fd);
#else
	NO_LEGACY("creat");
#endif
}

/* Opens of the same file for writing by one process are one modification
 * within the window, and a create opens the window too. A chmod (never
 * folded) marks the end. */
static void act_modify_twice(void)
{
	const char *existing = wpath("twice-existing.txt"), *created = wpath("twice-created.txt");
	int i;

	make_file(existing, "x\n", 0644);
	for (i = 0; i < 2; i++)
		close((int)ok(syscall(SYS_openat, AT_FDCWD, existing, O_WRONLY | O_APPEND),
			      "openat existing"));
	close((int)ok(syscall(SYS_openat, AT_FDCWD, created, O_WRONLY | O_CREAT | O_EXCL, 0644),
		      "openat create"));
	close((int)ok(syscall(SYS_openat, AT_FDCWD, created, O_WRONLY | O_TRUNC),
		      "openat created again"));
	ok(syscall(SYS_fchmodat, AT_FDCWD, created, 0600), "fchmodat end marker");
	begin("file-modify-twice");
	j_str("existing", existing);
	j_str("created", created);
}

/*
 * Reads: an O_PATH open and a read of an unwatched file first (neither
 * reported), then reads of /etc/shadow (watched by the default rules) and
 * of WORKDIR/watched/secret.txt through a dirfd (the test's rules watch
 * WORKDIR/watched/ with `read`), then a write to the watched file.
 */
static void act_read(void)
{
	const char *secret = wpath("watched/secret.txt"), *plain = wpath("unwatched.txt");
	int dfd, fd;

	make_dir(wpath("watched"), 0755);
	make_file(secret, "s3cret\n", 0600);
	make_file(plain, "nothing\n", 0644);
	close((int)ok(syscall(SYS_openat, AT_FDCWD, secret, O_PATH), "openat O_PATH"));
	close((int)ok(syscall(SYS_openat, AT_FDCWD, plain, O_RDONLY), "openat unwatched"));
	begin("file-read");
	j_str("unwatched_path", plain);
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY);
	if (fd < 0)
		die_errno("openat /etc/shadow");
	j_ident("shadow", fd);
	close(fd);
	dfd = open_dir(wpath("watched"));
	fd = (int)ok(syscall(SYS_openat, dfd, "secret.txt", O_RDONLY | O_CLOEXEC),
		     "openat watched");
	j_str("watched_path", secret);
	j_ident("watched", fd);
	close(fd);
	close((int)ok(syscall(SYS_openat, dfd, "secret.txt", O_WRONLY | O_APPEND),
		      "openat watched for writing"));
}

/* PATH's handle (name_to_handle_at), to open it by. */
static struct file_handle *handle_of(const char *path)
{
	struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
	int mount_id;

	if (!fh)
		die_errno("malloc");
	fh->handle_bytes = MAX_HANDLE_SZ;
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, path, fh, &mount_id, 0) != 0) {
		if (errno == EOPNOTSUPP)
			die(77, "name_to_handle_at: not supported by this filesystem");
		die_errno("name_to_handle_at");
	}
	return fh;
}

/* Opens PATH by its handle, as a process outside the file's root or mount
 * namespace can (CAP_DAC_READ_SEARCH): no path is walked. */
static int open_handle(int mount_fd, const char *path, int flags)
{
	struct file_handle *fh = handle_of(path);
	int fd = (int)ok(syscall(SYS_open_by_handle_at, mount_fd, fh, flags), "open_by_handle_at");

	free(fh);
	return fd;
}

/* A watched file read and another opened for appending, both by handle. */
static void act_open_by_handle(void)
{
	const char *secret = wpath("watched/handle-secret.txt"),
		   *target = wpath("handle-target.txt");
	int mount_fd, fd;

	make_dir(wpath("watched"), 0755);
	make_file(secret, "s3cret\n", 0600);
	make_file(target, "old\n", 0644);
	/* An O_PATH descriptor does not do: the kernel wants an open file. */
	mount_fd = (int)ok(syscall(SYS_openat, AT_FDCWD, workdir(), O_RDONLY | O_DIRECTORY),
			   "openat WORKDIR");
	begin("file-open-by-handle");
	fd = open_handle(mount_fd, secret, O_RDONLY);
	j_str("read_path", secret);
	j_ident("read", fd);
	close(fd);
	fd = open_handle(mount_fd, target, O_WRONLY | O_APPEND);
	j_str("modify_path", target);
	j_ident("modify", fd);
	close(fd);
	close(mount_fd);
}

/* Whether FD's file is reached through a dentry no name leads to: the
 * kernel's own d_path then names it "/". */
static int disconnected(int fd)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	return n == 1 && buf[0] == '/';
}

/* Opens FH after the kernel dropped its unused dentries, so that the file
 * decodes to a new, disconnected dentry; exit 77 where that cannot happen
 * (tmpfs keeps every dentry for as long as its file exists). Tried with
 * O_PATH, which is not reported: the real open, made while that one holds
 * the disconnected dentry, finds it again, and is the only one reported. */
static int open_uncached(int mount_fd, struct file_handle *fh, int flags)
{
	for (int i = 0; i < 5; i++) {
		int pfd, fd, dc;

		syncfs(mount_fd); /* a dirty inode is not evicted */
		dc = (int)ok(open("/proc/sys/vm/drop_caches", O_WRONLY), "open drop_caches");
		ok(write(dc, "2", 1), "drop_caches");
		close(dc);
		pfd = (int)ok(syscall(SYS_open_by_handle_at, mount_fd, fh, O_PATH),
			      "open_by_handle_at O_PATH");
		if (!disconnected(pfd)) {
			close(pfd);
			continue;
		}
		fd = (int)ok(syscall(SYS_open_by_handle_at, mount_fd, fh, flags),
			     "open_by_handle_at");
		close(pfd);
		if (!disconnected(fd))
			die(1, "open_by_handle_at: a dentry held open was connected");
		return fd;
	}
	die(77, "the file's dentry stays cached on this filesystem");
	return -1;
}

/* A watched file (an exact-path rule: the suite's handle-exact.txt) read
 * and an unwatched one opened for appending, both by handle and neither's
 * dentry cached: the kernel knows no path for either. */
static void act_open_by_handle_uncached(void)
{
	const char *exact = wpath("handle-exact.txt"), *plain = wpath("handle-plain.txt");
	struct file_handle *fe, *fp;
	int mount_fd, fd;

	make_file(plain, "old\n", 0644);
	fe = handle_of(exact);
	fp = handle_of(plain);
	mount_fd = (int)ok(syscall(SYS_openat, AT_FDCWD, workdir(), O_RDONLY | O_DIRECTORY),
			   "openat WORKDIR");
	begin("file-open-by-handle-uncached");
	j_str("exact_path", exact);
	j_str("plain_path", plain);
	fd = open_uncached(mount_fd, fe, O_RDONLY);
	j_ident("exact", fd);
	close(fd);
	fd = open_uncached(mount_fd, fp, O_WRONLY | O_APPEND);
	j_ident("plain", fd);
	close(fd);
	close(mount_fd);
	free(fe);
	free(fp);
}

/*
 * A write refused: uid 65534 opens a root file of mode 0600 for writing,
 * and creates a file in a directory it may not write to (both EACCES);
 * unlinks a name that is not there (ENOENT) and chmods the root file
 * (EPERM).
 */
static void act_denied(void)
{
	const char *p = wpath("root-only.txt"), *c = wpath("denied-create.txt"),
		   *n = wpath("not-there.txt");
	int status, code;
	pid_t pid;

	make_file(p, "root\n", 0600);
	if (chmod(workdir(), 0755) != 0)
		die_errno("chmod WORKDIR 0755");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		if (syscall(SYS_openat, AT_FDCWD, p, O_WRONLY) >= 0)
			_exit(101);
		if (errno != EACCES)
			_exit(102);
		if (syscall(SYS_openat, AT_FDCWD, c, O_WRONLY | O_CREAT | O_EXCL, 0644) >= 0)
			_exit(103);
		if (errno != EACCES)
			_exit(104);
		/* Not reported: a name that is not there. */
		if (syscall(SYS_unlinkat, AT_FDCWD, n, 0) >= 0 || errno != ENOENT)
			_exit(105);
		/* Reported: a chmod of a file it does not own. */
		if (syscall(SYS_fchmodat, AT_FDCWD, p, 04777) >= 0)
			_exit(106);
		_exit(errno == EPERM ? 0 : 107);
	}
	if (wait_pid(pid, &status) != 0)
		die_errno("waitpid");
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code != 0)
		die(1, "uid 65534 child: step %d did not fail as expected", code);
	j_begin("file-denied");
	j_num("pid", pid);
	j_num("ppid", getpid());
	j_num("uid", 65534);
	j_str("path", p);
	j_str("create_path", c);
	j_str("missing_path", n);
	j_str("workdir", workdir());
}

/* ------------------------------------------------------------------------ */
/* mkdir, mknod, symlink, link.                                              */

static void act_mkdir(void)
{
#ifdef SYS_mkdir
	const char *p = wpath("mkdir-dir");

	ok(syscall(SYS_mkdir, p, 0750), "mkdir");
	begin("file-mkdir");
	j_str("path", p);
#else
	NO_LEGACY("mkdir");
#endif
}

static void act_mkdirat(void)
{
	int dfd;

	make_dir(wpath("parent"), 0755);
	dfd = open_dir(wpath("parent"));
	ok(syscall(SYS_mkdirat, dfd, "mkdirat-dir", 0700), "mkdirat");
	begin("file-mkdirat");
	j_str("path", wpath("parent/mkdirat-dir"));
	j_str("as_passed", "mkdirat-dir");
}

static void act_mknod(void)
{
#ifdef SYS_mknod
	const char *p = wpath("fifo");

	ok(syscall(SYS_mknod, p, S_IFIFO | 0600, 0), "mknod S_IFIFO");
	begin("file-mknod");
	j_str("path", p);
#else
	NO_LEGACY("mknod");
#endif
}

static void act_mknodat(void)
{
	int dfd = open_dir(workdir());

	ok(syscall(SYS_mknodat, dfd, "node.dat", S_IFREG | 0640, 0), "mknodat S_IFREG");
	begin("file-mknodat");
	j_str("path", wpath("node.dat"));
}

static void act_symlink(void)
{
#ifdef SYS_symlink
	const char *p = wpath("sub/link");

	make_dir(wpath("sub"), 0755);
	ok(syscall(SYS_symlink, "../target with space", p), "symlink");
	begin("file-symlink");
	j_str("path", p);
	j_str("target", "../target with space");
#else
	NO_LEGACY("symlink");
#endif
}

static void act_symlinkat(void)
{
	int dfd = open_dir(workdir());

	ok(syscall(SYS_symlinkat, "/etc/passwd", dfd, "passwd-link"), "symlinkat");
	begin("file-symlinkat");
	j_str("path", wpath("passwd-link"));
	j_str("target", "/etc/passwd");
}

static void act_link(void)
{
#ifdef SYS_link
	const char *orig = wpath("orig.txt"), *p = wpath("hard.txt");

	make_file(orig, "o\n", 0644);
	ok(syscall(SYS_link, orig, p), "link");
	begin("file-link");
	j_str("path", p);
	j_str("target", orig);
#else
	NO_LEGACY("link");
#endif
}

/* linkat: the existing name relative to a dirfd, the new one to the cwd;
 * then AT_EMPTY_PATH: the existing file named by its fd alone. */
static void act_linkat(void)
{
	const char *orig = wpath("orig.txt");
	int dfd, fd;

	make_dir(wpath("sub"), 0755);
	make_file(orig, "o\n", 0644);
	dfd = open_dir(workdir());
	enter_workdir();
	ok(syscall(SYS_linkat, dfd, "orig.txt", AT_FDCWD, "sub/hard2.txt", 0), "linkat");
	fd = open(orig, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open orig.txt");
	ok(syscall(SYS_linkat, fd, "", dfd, "hard3.txt", AT_EMPTY_PATH), "linkat AT_EMPTY_PATH");
	begin("file-linkat");
	j_str("target", orig);
	j_str("path", wpath("sub/hard2.txt"));
	j_str("empty_path", wpath("hard3.txt"));
	j_ident("obj", fd);
}

/* ------------------------------------------------------------------------ */
/* unlink, unlinkat, rmdir.                                                  */

static void act_unlink(void)
{
#ifdef SYS_unlink
	const char *p = wpath("unlink.txt");

	make_file(p, "u\n", 0644);
	ok(syscall(SYS_unlink, p), "unlink");
	begin("file-unlink");
	j_str("path", p);
#else
	NO_LEGACY("unlink");
#endif
}

static void act_unlinkat(void)
{
	int dfd;

	make_file(wpath("unlinkat.txt"), "u\n", 0644);
	make_dir(wpath("unlinkat-dir"), 0755);
	dfd = open_dir(workdir());
	ok(syscall(SYS_unlinkat, dfd, "unlinkat.txt", 0), "unlinkat");
	ok(syscall(SYS_unlinkat, dfd, "unlinkat-dir", AT_REMOVEDIR), "unlinkat AT_REMOVEDIR");
	begin("file-unlinkat");
	j_str("path", wpath("unlinkat.txt"));
	j_str("dir_path", wpath("unlinkat-dir"));
}

static void act_rmdir(void)
{
#ifdef SYS_rmdir
	make_dir(wpath("rmdir-dir"), 0755);
	enter_workdir();
	ok(syscall(SYS_rmdir, "rmdir-dir"), "rmdir");
	begin("file-rmdir");
	j_str("path", wpath("rmdir-dir"));
#else
	NO_LEGACY("rmdir");
#endif
}

/* ------------------------------------------------------------------------ */
/* rename, renameat, renameat2.                                              */

/* rename to a new name, then over an existing file. */
static void act_rename(void)
{
#ifdef SYS_rename
	const char *a = wpath("rename-a.txt"), *b = wpath("rename-b.txt"),
		   *c = wpath("rename-c.txt");
	int fd;

	make_file(a, "a\n", 0644);
	make_file(c, "c\n", 0644);
	ok(syscall(SYS_rename, a, b), "rename");
	fd = open(c, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open rename-c.txt");
	j_begin("file-rename");
	j_ident("replaced", fd);
	close(fd);
	ok(syscall(SYS_rename, b, c), "rename over an existing file");
	j_num("pid", getpid());
	j_str("from", a);
	j_str("to", b);
	j_str("over", c);
#else
	NO_LEGACY("rename");
#endif
}

/* renameat from one directory to another, each relative to its dirfd. */
static void act_renameat(void)
{
	int d1, d2;

	make_dir(wpath("from"), 0755);
	make_dir(wpath("to"), 0755);
	make_file(wpath("from/r.txt"), "r\n", 0644);
	d1 = open_dir(wpath("from"));
	d2 = open_dir(wpath("to"));
	ok(syscall(SYS_renameat, d1, "r.txt", d2, "../to/r2.txt"), "renameat");
	begin("file-renameat");
	j_str("from", wpath("from/r.txt"));
	j_str("to", wpath("to/r2.txt"));
}

static void act_renameat2(void)
{
#ifdef SYS_renameat2
	const char *a = wpath("x.txt"), *b = wpath("y.txt"), *c = wpath("z.txt");

	make_file(a, "x\n", 0644);
	make_file(c, "z\n", 0644);
	ok(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE),
	   "renameat2 NOREPLACE");
	ok(syscall(SYS_renameat2, AT_FDCWD, b, AT_FDCWD, c, RENAME_EXCHANGE), "renameat2 EXCHANGE");
	begin("file-renameat2");
	j_str("noreplace_from", a);
	j_str("noreplace_to", b);
	j_str("exchange_from", b);
	j_str("exchange_to", c);
#else
	die(77, "renameat2: no such syscall in these headers");
#endif
}

/* ------------------------------------------------------------------------ */
/* truncate, ftruncate.                                                      */

static void act_truncate(void)
{
	const char *p = wpath("trunc.txt"), *q = wpath("ftrunc.txt");
	int fd;

	make_file(p, "0123456789\n", 0644);
	make_file(q, "0123456789\n", 0644);
	ok(syscall(SYS_truncate, p, 3L), "truncate");
	fd = (int)ok(syscall(SYS_openat, AT_FDCWD, q, O_RDWR), "openat");
	ok(syscall(SYS_ftruncate, fd, 7L), "ftruncate");
	begin("file-truncate");
	j_str("truncate_path", p);
	j_str("ftruncate_path", q);
	j_ident("ftruncate", fd);
}

/* fallocate: space allocated to one file, a hole punched in another. */
static void act_fallocate(void)
{
	const char *p = wpath("falloc.bin"), *q = wpath("punch.bin");
	int fd, fq;

	make_file(p, "", 0644);
	make_file(q, "0123456789abcdef", 0644);
	fd = (int)ok(syscall(SYS_openat, AT_FDCWD, p, O_RDWR), "openat");
	fq = (int)ok(syscall(SYS_openat, AT_FDCWD, q, O_RDWR), "openat");
	if (syscall(SYS_fallocate, fd, 0, 4096L, 8192L) != 0) {
		if (errno == EOPNOTSUPP)
			die(77, "fallocate: not supported by this filesystem");
		die_errno("fallocate");
	}
	if (syscall(SYS_fallocate, fq, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2L, 8L) != 0) {
		if (errno == EOPNOTSUPP)
			die(77, "fallocate: no hole punching on this filesystem");
		die_errno("fallocate punch hole");
	}
	begin("file-fallocate");
	j_str("path", p);
	j_str("punch_path", q);
	j_ident("fd", fd);
	j_ident("punch", fq);
}

/* ------------------------------------------------------------------------ */
/* chmod family.                                                             */

static void act_chmod(void)
{
#ifdef SYS_chmod
	const char *p = wpath("chmod.bin");

	make_file(p, "#!/bin/sh\n", 0755);
	ok(syscall(SYS_chmod, p, 04755), "chmod");
	begin("file-chmod");
	j_str("path", p);
#else
	NO_LEGACY("chmod");
#endif
}

static void act_fchmod(void)
{
	const char *p = wpath("fchmod.bin");
	int fd;

	make_file(p, "#!/bin/sh\n", 0755);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open");
	ok(syscall(SYS_fchmod, fd, 02750), "fchmod");
	begin("file-fchmod");
	j_str("path", p);
	j_ident("obj", fd);
}

static void act_fchmodat(void)
{
	int dfd;

	make_dir(wpath("shared"), 0755);
	dfd = open_dir(workdir());
	ok(syscall(SYS_fchmodat, dfd, "shared", 01777), "fchmodat");
	begin("file-fchmodat");
	j_str("path", wpath("shared"));
}

static void act_fchmodat2(void)
{
	const char *p = wpath("fchmodat2.txt");
	int dfd;

	make_file(p, "f\n", 0644);
	dfd = open_dir(workdir());
	ok(syscall(SYS_fchmodat2, dfd, "fchmodat2.txt", 06711, 0), "fchmodat2");
	begin("file-fchmodat2");
	j_str("path", p);
}

/* ------------------------------------------------------------------------ */
/* chown family.                                                             */

/* chown of a file, then lchown of a symlink (its owner only). */
static void act_chown(void)
{
#if defined(SYS_chown) && defined(SYS_lchown)
	const char *p = wpath("chown.txt"), *l = wpath("chown-link");

	make_file(p, "c\n", 0644);
	if (symlink("chown.txt", l) != 0)
		die_errno("symlink");
	ok(syscall(SYS_chown, p, 65534, 65534), "chown");
	ok(syscall(SYS_lchown, l, 1, (gid_t)-1), "lchown");
	begin("file-chown");
	j_str("path", p);
	j_str("lchown_path", l);
#else
	NO_LEGACY("chown");
#endif
}

static void act_fchown(void)
{
	const char *p = wpath("fchown.txt"), *q = wpath("fchownat.txt");
	int fd, dfd;

	make_file(p, "c\n", 0644);
	make_file(q, "c\n", 0644);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open");
	ok(syscall(SYS_fchown, fd, (uid_t)-1, 65534), "fchown");
	dfd = open_dir(workdir());
	ok(syscall(SYS_fchownat, dfd, "fchownat.txt", 2, 3, 0), "fchownat");
	begin("file-fchown");
	j_str("fchown_path", p);
	j_ident("fchown", fd);
	j_str("fchownat_path", q);
}

/* ------------------------------------------------------------------------ */
/* utime, utimes, futimesat, utimensat.                                      */

/* utime with times, utime with NULL (now), utimes with microseconds,
 * futimesat relative to a dirfd. */
static void act_utime(void)
{
#if defined(SYS_utime) && defined(SYS_utimes) && defined(SYS_futimesat)
	const char *p = wpath("utime.txt"), *q = wpath("utime-now.txt"), *r = wpath("utimes.txt"),
		   *s = wpath("futimesat.txt");
	struct utimbuf ub = {978307200, 1000000000}; /* 2001-01-01, 2001-09-09T01:46:40 */
	struct timeval tv[2] = {{978307200, 500000}, {978307201, 250}};
	int dfd;

	make_file(p, "t\n", 0644);
	make_file(q, "t\n", 0644);
	make_file(r, "t\n", 0644);
	make_file(s, "t\n", 0644);
	ok(syscall(SYS_utime, p, &ub), "utime");
	ok(syscall(SYS_utime, q, NULL), "utime NULL");
	ok(syscall(SYS_utimes, r, tv), "utimes");
	dfd = open_dir(workdir());
	ok(syscall(SYS_futimesat, dfd, "futimesat.txt", tv), "futimesat");
	begin("file-utime");
	j_str("utime_path", p);
	j_str("utime_now_path", q);
	j_str("utimes_path", r);
	j_str("futimesat_path", s);
#else
	NO_LEGACY("utime");
#endif
}

/* utimensat with nanoseconds and UTIME_OMIT, then futimens (a NULL path:
 * the dirfd is the file) with NULL times: now. */
static void act_utimensat(void)
{
	const char *p = wpath("utimensat.txt"), *q = wpath("futimens.txt");
	struct timespec ts[2] = {{978307200, 123456789}, {0, UTIME_OMIT}};
	int dfd, fd;

	make_file(p, "t\n", 0644);
	make_file(q, "t\n", 0644);
	dfd = open_dir(workdir());
	ok(syscall(SYS_utimensat, dfd, "utimensat.txt", ts, AT_SYMLINK_NOFOLLOW), "utimensat");
	fd = open(q, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open");
	ok(syscall(SYS_utimensat, fd, NULL, NULL, 0), "utimensat(fd, NULL) (futimens)");
	begin("file-utimensat");
	j_str("utimensat_path", p);
	j_str("futimens_path", q);
	j_ident("futimens", fd);
}

/* ------------------------------------------------------------------------ */
/* xattrs.                                                                   */

/* A user.* name where the filesystem has them, trusted.* otherwise (tmpfs
 * before 6.6). A symlink takes no user.* attribute: trusted.* there. */
static void act_xattr(void)
{
	const char *p = wpath("xattr.txt"), *q = wpath("fxattr.txt"), *l = wpath("xattr-link");
	const char *name = "user.nj", *fname = "user.nj-fd", *lname = "trusted.nj-link";
	int fd;

	make_file(p, "x\n", 0644);
	make_file(q, "x\n", 0644);
	if (symlink("xattr.txt", l) != 0)
		die_errno("symlink");
	if (syscall(SYS_setxattr, p, name, "v", 1, XATTR_CREATE) != 0) {
		if (errno != EOPNOTSUPP)
			die_errno("setxattr");
		name = "trusted.nj";
		fname = "trusted.nj-fd";
		ok(syscall(SYS_setxattr, p, name, "v", 1, XATTR_CREATE), "setxattr trusted.*");
	}
	ok(syscall(SYS_lsetxattr, l, lname, "vv", 2, 0), "lsetxattr");
	fd = open(q, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open");
	ok(syscall(SYS_fsetxattr, fd, fname, "abc", 3, 0), "fsetxattr");
	ok(syscall(SYS_removexattr, p, name), "removexattr");
	ok(syscall(SYS_lremovexattr, l, lname), "lremovexattr");
	ok(syscall(SYS_fremovexattr, fd, fname), "fremovexattr");
	begin("file-xattr");
	j_str("path", p);
	j_str("name", name);
	j_str("link_path", l);
	j_str("link_name", lname);
	j_str("fd_path", q);
	j_str("fd_name", fname);
	j_ident("fd", fd);
}

/* setxattrat and removexattrat (Linux 6.13), relative to a directory fd;
 * 77 where the kernel has not got them. The numbers are the same on every
 * architecture (the unified table). */
#define NJ_SYS_setxattrat 463
#define NJ_SYS_removexattrat 466

struct nj_xattr_args {
	__u64 value;
	__u32 size;
	__u32 flags;
};

static void act_xattrat(void)
{
	const char *p = wpath("xattrat.txt"), *name = "user.nj-at";
	struct nj_xattr_args args = {(__u64)(unsigned long)"four", 4, XATTR_CREATE};
	int dfd;

	make_file(p, "x\n", 0644);
	dfd = (int)ok(syscall(SYS_openat, AT_FDCWD, workdir(), O_RDONLY | O_DIRECTORY),
		      "open workdir");
	if (syscall(NJ_SYS_setxattrat, dfd, "xattrat.txt", 0, name, &args, sizeof args) != 0) {
		if (errno == ENOSYS)
			die(77, "setxattrat: not in this kernel (6.13+)");
		if (errno != EOPNOTSUPP)
			die_errno("setxattrat");
		name = "trusted.nj-at";
		ok(syscall(NJ_SYS_setxattrat, dfd, "xattrat.txt", 0, name, &args, sizeof args),
		   "setxattrat trusted.*");
	}
	ok(syscall(NJ_SYS_removexattrat, dfd, "xattrat.txt", 0, name), "removexattrat");
	begin("file-xattrat");
	j_str("path", p);
	j_str("name", name);
	j_num("size", 4);
}

/* ------------------------------------------------------------------------ */
/* memfd_create.                                                             */

static void act_memfd(void)
{
#ifdef SYS_memfd_create
	int fd =
		(int)ok(syscall(SYS_memfd_create, "nj-file-memfd", MFD_CLOEXEC | MFD_ALLOW_SEALING),
			"memfd_create");

	begin("file-memfd");
	j_str("name", "nj-file-memfd");
	j_ident("obj", fd);
#else
	die(77, "memfd_create: no such syscall in these headers");
#endif
}

/* ------------------------------------------------------------------------ */
/* Paths.                                                                    */

/* ".." through the cwd and through a dirfd, on path-based calls (the path
 * as passed is kept beside the resolved one). */
static void act_dotdot(void)
{
	int dfd;

	make_dir(wpath("a"), 0755);
	make_dir(wpath("b"), 0755);
	make_file(wpath("dotdot.txt"), "d\n", 0644);
	make_file(wpath("b/gone.txt"), "g\n", 0644);
	if (chdir(wpath("a")) != 0)
		die_errno("chdir a");
	ok(syscall(SYS_fchmodat, AT_FDCWD, "../b/../dotdot.txt", 0600),
	   "fchmodat ../b/../dotdot.txt");
	dfd = open_dir(wpath("a"));
	ok(syscall(SYS_unlinkat, dfd, ".././b//gone.txt", 0), "unlinkat .././b//gone.txt");
	begin("file-dotdot");
	j_str("chmod_path", wpath("dotdot.txt"));
	j_str("chmod_as_passed", "../b/../dotdot.txt");
	j_str("unlink_path", wpath("b/gone.txt"));
	j_str("unlink_as_passed", ".././b//gone.txt");
}

/* A file whose absolute path is 4095 bytes (PATH_MAX less its NUL), below
 * directories of 250-byte names: created by an open, chmod'ed by its whole
 * path, then by its name relative to its directory. */
static void act_long_path(void)
{
	static char path[PATH_MAX + 1];
	char comp[256], leaf[256];
	size_t n = strlen(workdir()), rem, k, i, leaf_len;
	int dfd, fd;

	if (n + 2 >= 4095)
		die(1, "WORKDIR too long");
	rem = 4095 - n; /* "/d1/d2/.../leaf" */
	k = (rem - 2) / 251;
	leaf_len = rem - 1 - k * 251;
	memset(comp, 'd', 250);
	comp[250] = '\0';
	if (leaf_len < 16)
		die(1, "WORKDIR of %zu bytes leaves a leaf of %zu", n, leaf_len);
	memset(leaf, 'f', leaf_len);
	leaf[leaf_len] = '\0';
	memcpy(leaf, "nj-long-", 8); /* what the test looks for */
	memcpy(leaf + leaf_len - 4, ".txt", 4);
	snprintf(path, sizeof path, "%s", workdir());
	dfd = open_dir(workdir());
	for (i = 0; i < k; i++) {
		int next;

		comp[0] = (char)('a' + i % 26);
		if (mkdirat(dfd, comp, 0755) != 0 && errno != EEXIST)
			die_errno("mkdirat");
		next = openat(dfd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			die_errno("openat component");
		close(dfd);
		dfd = next;
		strcat(path, "/");
		strcat(path, comp);
	}
	strcat(path, "/");
	strcat(path, leaf);
	if (strlen(path) != 4095)
		die(1, "built a path of %zu bytes, not 4095", strlen(path));
	fd = (int)ok(syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL, 0644),
		     "openat 4095-byte path");
	ok(syscall(SYS_fchmodat, AT_FDCWD, path, 0600), "fchmodat 4095-byte path");
	ok(syscall(SYS_fchmodat, dfd, leaf, 0640), "fchmodat leaf relative to its directory");
	begin("file-long-path");
	j_str("path", path);
	j_str("leaf", leaf);
	j_ident("obj", fd);
}

/* A file 80 directories down (deeper than the kernel's walk goes), created
 * by a path relative to its directory. */
static void act_deep_path(void)
{
	static char path[4096];
	const char *leaf = "nj-deep.txt";
	int dfd, fd, i;

	snprintf(path, sizeof path, "%s", workdir());
	dfd = open_dir(workdir());
	for (i = 0; i < 80; i++) {
		int next;

		if (mkdirat(dfd, "d", 0755) != 0 && errno != EEXIST)
			die_errno("mkdirat");
		next = openat(dfd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			die_errno("openat component");
		close(dfd);
		dfd = next;
		strcat(path, "/d");
	}
	strcat(path, "/");
	strcat(path, leaf);
	fd = (int)ok(syscall(SYS_openat, dfd, leaf, O_WRONLY | O_CREAT | O_EXCL, 0644),
		     "openat deep file");
	begin("file-deep-path");
	j_str("path", path);
	j_str("leaf", leaf);
	j_ident("obj", fd);
}

/* A name with a newline, a quote and a byte that is not UTF-8: created
 * (open), renamed (path-based), deleted. */
static void act_weird_names(void)
{
	const char *n1 = "new\nline \"q\" \xff.txt", *n2 = "tab\tand\\back\xfe";
	int dfd, fd;

	dfd = open_dir(workdir());
	fd = (int)ok(syscall(SYS_openat, dfd, n1, O_WRONLY | O_CREAT | O_EXCL, 0644),
		     "openat weird name");
	ok(syscall(SYS_renameat, dfd, n1, dfd, n2), "renameat weird names");
	ok(syscall(SYS_unlinkat, dfd, n2, 0), "unlinkat weird name");
	begin("file-weird-names");
	j_str("name1", n1);
	j_str("name2", n2);
	j_ident("obj", fd);
}

/* A file unlinked while open, then changed through its fd. */
static void act_deleted_open(void)
{
	const char *p = wpath("deleted-open.txt");
	int fd;

	fd = (int)ok(syscall(SYS_openat, AT_FDCWD, p, O_RDWR | O_CREAT | O_EXCL, 0644), "openat");
	j_begin("file-deleted-open");
	j_ident("obj", fd);
	ok(syscall(SYS_unlinkat, AT_FDCWD, p, 0), "unlinkat");
	ok(syscall(SYS_fchmod, fd, 0700), "fchmod after unlink");
	ok(syscall(SYS_ftruncate, fd, 1L), "ftruncate after unlink");
	j_num("pid", getpid());
	j_str("path", p);
	j_str("workdir", workdir());
}

/* linux/fs.h's inode flag ioctls, without the header (it clashes with
 * glibc's): the same numbers on every 64-bit architecture. */
struct nj_fsxattr {
	__u32 fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize;
	unsigned char fsx_pad[8];
};
#define NJ_FS_IOC_GETFLAGS _IOR('f', 1, long)
#define NJ_FS_IOC_SETFLAGS _IOW('f', 2, long)
#define NJ_FS_IOC_FSGETXATTR _IOR('X', 31, struct nj_fsxattr)
#define NJ_FS_IOC_FSSETXATTR _IOW('X', 32, struct nj_fsxattr)
#define NJ_FS_IMMUTABLE_FL 0x10
#define NJ_FS_APPEND_FL 0x20
#define NJ_FS_XFLAG_IMMUTABLE 0x8

/* Linux 6.17's file_setattr: the same number on every architecture. */
#define NJ_SYS_file_setattr 469
struct nj_file_attr {
	__u64 fa_xflags;
	__u32 fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

/* FS_XFLAG_IMMUTABLE set on PATH by file_setattr, then the flags put back:
 * 1, or 0 where the kernel has no file_setattr. */
static int file_setattr_twice(const char *path, __u32 orig_x)
{
	struct nj_file_attr fa = {.fa_xflags = orig_x | NJ_FS_XFLAG_IMMUTABLE};

	if (syscall(NJ_SYS_file_setattr, AT_FDCWD, path, &fa, sizeof(fa), 0) != 0) {
		if (errno == ENOSYS)
			return 0;
		die_errno("file_setattr +i");
	}
	fa.fa_xflags = orig_x;
	ok(syscall(NJ_SYS_file_setattr, AT_FDCWD, path, &fa, sizeof(fa), 0), "file_setattr back");
	return 1;
}

/* chattr +ia and back, the immutable bit through FS_IOC_FSSETXATTR and
 * back, then uid 65534 setting it on its own file: refused (EPERM, no
 * CAP_LINUX_IMMUTABLE). Every flag set here is cleared again, or the
 * test could not remove its directory. */
static void act_chattr(void)
{
	const char *p = wpath("chattr.txt"), *own = wpath("chattr-nobody.txt");
	int fd, orig, set, status, code, have_setattr;
	struct nj_fsxattr fsx;
	__u32 orig_x;
	pid_t pid;

	make_file(p, "keep\n", 0644);
	make_file(own, "mine\n", 0644);
	if (chown(own, 65534, 65534) != 0 || chmod(workdir(), 0755) != 0)
		die_errno("chown or chmod");
	fd = (int)ok(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY), "openat");
	if (ioctl(fd, NJ_FS_IOC_GETFLAGS, &orig) != 0) {
		if (errno == ENOTTY || errno == EOPNOTSUPP)
			die(77, "FS_IOC_GETFLAGS: not supported by this filesystem");
		die_errno("FS_IOC_GETFLAGS");
	}
	set = orig | NJ_FS_IMMUTABLE_FL | NJ_FS_APPEND_FL;
	if (ioctl(fd, NJ_FS_IOC_SETFLAGS, &set) != 0) {
		if (errno == EPERM)
			die(77, "FS_IOC_SETFLAGS: no CAP_LINUX_IMMUTABLE here");
		die_errno("FS_IOC_SETFLAGS +ia");
	}
	ok(ioctl(fd, NJ_FS_IOC_SETFLAGS, &orig), "FS_IOC_SETFLAGS back");
	ok(ioctl(fd, NJ_FS_IOC_FSGETXATTR, &fsx), "FS_IOC_FSGETXATTR");
	orig_x = fsx.fsx_xflags;
	fsx.fsx_xflags |= NJ_FS_XFLAG_IMMUTABLE;
	ok(ioctl(fd, NJ_FS_IOC_FSSETXATTR, &fsx), "FS_IOC_FSSETXATTR +i");
	fsx.fsx_xflags = orig_x;
	ok(ioctl(fd, NJ_FS_IOC_FSSETXATTR, &fsx), "FS_IOC_FSSETXATTR back");
	have_setattr = file_setattr_twice(p, orig_x);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		int cfd, imm = NJ_FS_IMMUTABLE_FL;

		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		cfd = (int)syscall(SYS_openat, AT_FDCWD, own, O_RDONLY);
		if (cfd < 0)
			_exit(101);
		if (ioctl(cfd, NJ_FS_IOC_SETFLAGS, &imm) == 0)
			_exit(102);
		_exit(errno == EPERM ? 0 : 103);
	}
	if (wait_pid(pid, &status) != 0)
		die_errno("waitpid");
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code != 0)
		die(1, "uid 65534 child: step %d did not fail as expected", code);
	begin("file-chattr");
	j_str("path", p);
	j_ident("obj", fd);
	j_num("orig_flags", orig);
	j_num("set_flags", set);
	j_num("orig_xflags", orig_x);
	j_num("set_xflags", orig_x | NJ_FS_XFLAG_IMMUTABLE);
	j_num("denied_pid", pid);
	j_str("denied_path", own);
	j_num("file_setattr", have_setattr);
	close(fd);
}

const struct action file_actions[] = {
	{"file-open", act_open},
	{"file-openat", act_openat},
	{"file-openat2", act_openat2},
	{"file-creat", act_creat},
	{"file-tmpfile", act_tmpfile},
	{"file-modify-twice", act_modify_twice},
	{"file-read", act_read},
	{"file-open-by-handle", act_open_by_handle},
	{"file-open-by-handle-uncached", act_open_by_handle_uncached},
	{"file-denied", act_denied},
	{"file-mkdir", act_mkdir},
	{"file-mkdirat", act_mkdirat},
	{"file-mknod", act_mknod},
	{"file-mknodat", act_mknodat},
	{"file-symlink", act_symlink},
	{"file-symlinkat", act_symlinkat},
	{"file-link", act_link},
	{"file-linkat", act_linkat},
	{"file-unlink", act_unlink},
	{"file-unlinkat", act_unlinkat},
	{"file-rmdir", act_rmdir},
	{"file-rename", act_rename},
	{"file-renameat", act_renameat},
	{"file-renameat2", act_renameat2},
	{"file-truncate", act_truncate},
	{"file-chmod", act_chmod},
	{"file-fchmod", act_fchmod},
	{"file-fchmodat", act_fchmodat},
	{"file-fchmodat2", act_fchmodat2},
	{"file-chown", act_chown},
	{"file-fchown", act_fchown},
	{"file-utime", act_utime},
	{"file-utimensat", act_utimensat},
	{"file-xattr", act_xattr},
	{"file-xattrat", act_xattrat},
	{"file-chattr", act_chattr},
	{"file-fallocate", act_fallocate},
	{"file-memfd", act_memfd},
	{"file-dotdot", act_dotdot},
	{"file-long-path", act_long_path},
	{"file-deep-path", act_deep_path},
	{"file-weird-names", act_weird_names},
	{"file-deleted-open", act_deleted_open},
	{NULL, NULL},
};
