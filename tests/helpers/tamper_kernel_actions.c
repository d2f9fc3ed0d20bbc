/*
 * tamper_kernel_actions.c - the tamper family's kernel and namespace
 * actions for nj-actions: mounts in a private mount namespace (a tmpfs, a
 * bind mount over a decoy's /proc/<pid>, the new mount API), setns into a
 * decoy's UTS namespace by namespace file and by pidfd, BPF program loads
 * and a cgroup attach (in a cgroup2 hierarchy mounted in a private mount
 * namespace), and kernel modules (the failure paths, and a real
 * load of a small module where the running kernel has one on disk).
 *
 * Mount actions unshare their own mount namespace first and make it
 * private, so nothing they mount is seen outside this short-lived process.
 * Each prints the acting pid ("pid") and what a test needs to find and
 * check the sensor's events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions.h"

/* A child that unshares `arg`'s namespaces (a CLONE_NEW* mask, may be 0)
 * and waits; its pipe's EOF says it is ready. */
static void decoy_body(int wfd, void *arg)
{
	int flags = *(int *)arg;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (flags && unshare(flags))
		die_errno("unshare");
	child_val(wfd, VAL_TID, getpid());
	close(wfd);
	for (;;)
		pause();
}

static pid_t decoy(int flags, int *rfd)
{
	pid_t pid = spawn(decoy_body, &flags, rfd);
	char c;

	while (read(*rfd, &c, 1) > 0)
		;
	return pid;
}

static void end_decoy(pid_t pid, int rfd)
{
	int status;

	kill(pid, SIGKILL);
	close(rfd);
	wait_pid(pid, &status);
}

/* This process in its own mount namespace, with nothing propagating out. */
static void private_mounts(void)
{
	if (unshare(CLONE_NEWNS))
		die_errno("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die_errno("mount / private");
}

static void make_dir(char *out, size_t n, const char *name)
{
	join_path(out, n, workdir(), name);
	if (mkdir(out, 0700) && errno != EEXIST)
		die_errno("mkdir");
}

/* A tmpfs, bound over a decoy's /proc/<pid> (which hides it from ps),
 * then both unmounted. */
static void act_mount_hide(void)
{
	char dir[512], proc[64];
	int rfd;
	pid_t d = decoy(0, &rfd);

	private_mounts();
	make_dir(dir, sizeof dir, "mnt");
	if (mount("nj-tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700"))
		die_errno("mount tmpfs");
	snprintf(proc, sizeof proc, "/proc/%d", (int)d);
	if (mount(dir, proc, NULL, MS_BIND, NULL))
		die_errno("bind mount over /proc/<pid>");
	if (umount2(proc, MNT_DETACH) || umount2(dir, 0))
		die_errno("umount2");
	end_decoy(d, rfd);
	j_begin("tamper-mount-hide");
	j_num("pid", getpid());
	j_num("target_pid", d);
	j_str("dir", dir);
	j_str("proc_dir", proc);
}

struct nj_mount_attr {
	__u64 attr_set, attr_clr, propagation, userns_fd;
};

/* fsopen, fsconfig x2, fsmount, move_mount, open_tree, mount_setattr
 * (ENOSYS before v5.12: recorded, not fatal), umount2. */
static void act_mount_api(void)
{
	struct nj_mount_attr attr = {.attr_set = 0x1 /* MOUNT_ATTR_RDONLY */};
	char dir[512];
	int fs, mnt, tree, setattr_errno = 0;

	private_mounts();
	make_dir(dir, sizeof dir, "api");
	fs = (int)syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
	if (fs < 0)
		die_errno("fsopen");
	if (syscall(SYS_fsconfig, fs, 1 /* SET_STRING */, "size", "2m", 0))
		die_errno("fsconfig size");
	if (syscall(SYS_fsconfig, fs, 6 /* CMD_CREATE */, NULL, NULL, 0))
		die_errno("fsconfig create");
	mnt = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, 0x4 /* MOUNT_ATTR_NODEV */);
	if (mnt < 0)
		die_errno("fsmount");
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, dir, 0x4 /* MOVE_MOUNT_F_EMPTY_PATH */))
		die_errno("move_mount");
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, dir, 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
	if (tree < 0)
		die_errno("open_tree");
	if (syscall(SYS_mount_setattr, AT_FDCWD, dir, 0, &attr, sizeof attr))
		setattr_errno = errno;
	if (umount2(dir, MNT_DETACH))
		die_errno("umount2");
	j_begin("tamper-mount-api");
	j_num("pid", getpid());
	j_str("dir", dir);
	j_num("fs_fd", fs);
	j_num("mount_fd", mnt);
	j_num("tree_fd", tree);
	j_num("setattr_errno", setattr_errno);
}

/* setns into a decoy's UTS namespace by /proc/<pid>/ns/uts, then by pidfd
 * (v5.8+; EINVAL before: recorded). */
static void act_setns(void)
{
	char path[64];
	struct stat st;
	int rfd, fd, pidfd, pidfd_errno = 0;
	pid_t d = decoy(CLONE_NEWUTS, &rfd);

	snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)d);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die_errno("open ns/uts");
	if (setns(fd, CLONE_NEWUTS))
		die_errno("setns(nsfd)");
	pidfd = (int)syscall(SYS_pidfd_open, d, 0);
	if (pidfd < 0 || setns(pidfd, CLONE_NEWUTS))
		pidfd_errno = errno;
	end_decoy(d, rfd);
	j_begin("tamper-setns");
	j_num("pid", getpid());
	j_num("target_pid", d);
	j_num("ns_fd", fd);
	j_num("ns_inode", (long long)st.st_ino);
	j_num("pidfd", pidfd);
	j_num("pidfd_errno", pidfd_errno);
}

/* A two-instruction program (r0 = ret; exit) of `type`. */
static int load_prog(__u32 type, int ret, const char *name)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.prog_type = type;
	a.insn_cnt = 2;
	a.insns = (__u64)(unsigned long)insns;
	a.license = (__u64)(unsigned long)"GPL";
	snprintf(a.prog_name, sizeof a.prog_name, "%s", name);
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
}

/* The tag and id the kernel shows for program fd (fdinfo). */
static void prog_info(int fd, char *tag, size_t n, long *id)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		die_errno("fdinfo");
	tag[0] = 0;
	*id = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "prog_tag:", 9))
			sscanf(line + 9, " %31s", tag);
		else if (!strncmp(line, "prog_id:", 8))
			*id = strtol(line + 8, NULL, 10);
	}
	fclose(f);
	(void)n;
}

/* A socket filter loaded; a cgroup_skb program attached to (and detached
 * from) a new, empty cgroup, where it filters nothing. */
static void act_bpf(void)
{
	char tag[32], skb_tag[32], cg[512];
	long id, skb_id;
	int fd = load_prog(BPF_PROG_TYPE_SOCKET_FILTER, 0, "nj_test_filter");
	int skb, cgfd, attach_errno = 0;
	union bpf_attr a;

	if (fd < 0)
		die_errno("bpf(BPF_PROG_LOAD)");
	prog_info(fd, tag, sizeof tag, &id);
	skb = load_prog(BPF_PROG_TYPE_CGROUP_SKB, 1, "nj_test_skb");
	if (skb < 0)
		die_errno("bpf(BPF_PROG_LOAD cgroup_skb)");
	prog_info(skb, skb_tag, sizeof skb_tag, &skb_id);
	/* A cgroup2 hierarchy of our own (the machine may have only v1). */
	private_mounts();
	make_dir(cg, sizeof cg, "cgroup2");
	if (mount("cgroup2", cg, "cgroup2", 0, NULL) && errno != EBUSY)
		die_errno("mount cgroup2");
	join_path(cg, sizeof cg, workdir(), "cgroup2/nj-actions");
	if (mkdir(cg, 0700))
		die_errno("mkdir cgroup");
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		die_errno("open cgroup");
	memset(&a, 0, sizeof a);
	a.target_fd = cgfd;
	a.attach_bpf_fd = skb;
	a.attach_type = BPF_CGROUP_INET_INGRESS;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a))
		attach_errno = errno;
	else if (syscall(SYS_bpf, BPF_PROG_DETACH, &a, sizeof a))
		die_errno("bpf(BPF_PROG_DETACH)");
	close(cgfd);
	rmdir(cg);
	j_begin("tamper-bpf");
	j_num("pid", getpid());
	j_num("prog_fd", fd);
	j_str("tag", tag);
	j_num("prog_id", id);
	j_num("skb_fd", skb);
	j_str("skb_tag", skb_tag);
	j_num("skb_id", skb_id);
	j_num("cgroup_fd", cgfd);
	j_num("attach_errno", attach_errno);
}

/* errno of a module syscall that is meant to fail; ENOSYS (a kernel
 * without CONFIG_MODULES) makes the action a skip. */
static int module_errno(long r, const char *what)
{
	if (r == 0)
		die(1, "%s succeeded", what);
	if (errno == ENOSYS)
		die(77, "%s: ENOSYS (kernel without module support)", what);
	return errno;
}

/* finit_module of a file that is no module, init_module of garbage,
 * delete_module of a module that is not loaded. */
static void act_module_fail(void)
{
	static const char garbage[64] = "not an ELF module";
	char path[512];
	int fd, finit_errno, init_errno, delete_errno;

	join_path(path, sizeof path, workdir(), "not-a-module.ko");
	write_file(path, "not an ELF module\n", 0600);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open");
	finit_errno = module_errno(syscall(SYS_finit_module, fd, "nj_param=1", 0), "finit_module");
	init_errno =
		module_errno(syscall(SYS_init_module, garbage, sizeof garbage, ""), "init_module");
	delete_errno = module_errno(syscall(SYS_delete_module, "nj_no_such_module", O_NONBLOCK),
				    "delete_module");
	j_begin("tamper-module-fail");
	j_num("pid", getpid());
	j_str("path", path);
	j_num("fd", fd);
	j_num("finit_errno", finit_errno);
	j_num("init_errno", init_errno);
	j_num("delete_errno", delete_errno);
}

/* Small modules without dependencies whose loading changes nothing:
 * CRC tables, and the dummy network driver told to create no device. */
static const struct {
	const char *file, *name, *params;
} candidates[] = {
	{"lib/crc7", "crc7", ""},
	{"lib/crc-itu-t", "crc_itu_t", ""},
	{"drivers/net/dummy", "dummy", "numdummies=0"},
};

/* The first candidate on disk and not loaded yet: its fd, or -1. */
static int find_module(char *path, size_t n, int *which, int *compressed)
{
	static const char *const exts[] = {".ko", ".ko.xz", ".ko.zst"};
	struct utsname u;
	char sys[128];

	if (uname(&u))
		die_errno("uname");
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		snprintf(sys, sizeof sys, "/sys/module/%s", candidates[i].name);
		if (access(sys, F_OK) == 0)
			continue;
		for (size_t e = 0; e < 3; e++) {
			int fd;

			snprintf(path, n, "/lib/modules/%s/kernel/%s%s", u.release,
				 candidates[i].file, exts[e]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				*which = (int)i;
				*compressed = e > 0;
				return fd;
			}
		}
	}
	return -1;
}

/* finit_module of a real module, then delete_module. */
static void act_module_load(void)
{
	char path[512];
	int which, compressed, fd, load_errno = 0, unload_errno = 0;
	unsigned flags;

	fd = find_module(path, sizeof path, &which, &compressed);
	if (fd < 0)
		die(77, "no unloaded candidate module under /lib/modules/<release>/kernel");
	flags = compressed ? 4 /* MODULE_INIT_COMPRESSED_FILE */ : 0;
	if (syscall(SYS_finit_module, fd, candidates[which].params, flags))
		load_errno = errno;
	else if (syscall(SYS_delete_module, candidates[which].name, O_NONBLOCK))
		unload_errno = errno;
	j_begin("tamper-module-load");
	j_num("pid", getpid());
	j_str("path", path);
	j_str("name", candidates[which].name);
	j_str("parameters", candidates[which].params);
	j_num("fd", fd);
	j_num("flags", flags);
	j_num("load_errno", load_errno);
	j_num("unload_errno", unload_errno);
}

const struct action tamper_kernel_actions[] = {
	{"tamper-mount-hide", act_mount_hide},
	{"tamper-mount-api", act_mount_api},
	{"tamper-setns", act_setns},
	{"tamper-bpf", act_bpf},
	{"tamper-module-fail", act_module_fail},
	{"tamper-module-load", act_module_load},
	{NULL, NULL},
};
