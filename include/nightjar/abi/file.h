/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The file family's wire records (docs/events/file.md).
 *
 * Every file event is one closing record of the same layout (struct
 * nj_file_op behind the header) and its string parts; the record type says
 * which action it is. One layout keeps one BPF body per syscall shape and
 * one decoder path; distinct types keep one registry row, encoder overload
 * and documented example per action.
 */
#ifndef NIGHTJAR_ABI_FILE_H
#define NIGHTJAR_ABI_FILE_H

enum nj_rec_file {
	NJ_REC_FILE_CREATE =
		NJ_REC_FIRST(NJ_FAM_FILE), /* open that created, mkdir, mknod, symlink, link */
	NJ_REC_FILE_MODIFY, /* open for writing or O_TRUNC, truncate, ftruncate */
	NJ_REC_FILE_DELETE, /* unlink, unlinkat, rmdir */
	NJ_REC_FILE_RENAME, /* rename, renameat, renameat2 */
	NJ_REC_FILE_CHMOD, /* chmod family */
	NJ_REC_FILE_CHOWN, /* chown family */
	NJ_REC_FILE_TIMES, /* utime, utimes, futimesat, utimensat */
	NJ_REC_FILE_XATTR, /* setxattr and removexattr families */
	NJ_REC_FILE_MEMFD, /* memfd_create */
	NJ_REC_FILE_READ, /* an open for reading that a watch rule reports */
	NJ_REC_FILE_URING, /* an io_uring file operation submitted (no syscall of its own) */
	NJ_REC_FILE_CHATTR, /* inode flags set (ioctl FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR) */
};

/* nj_str.field of the file family's parts. A path arrives either walked
 * from the kernel's own dentry (PATH, DIR: segments leaf first, NUL each,
 * as the process family's NJ_F_EXE) or as the caller passed it (NAME, a
 * user string, relative to DIR when it does not start with '/'). */
enum nj_file_field {
	NJ_FF_PATH = 1, /* the object, walked from its open file; dev/ino set */
	NJ_FF_DIR = 2, /* directory NAME is relative to (its dirfd or the cwd), walked */
	NJ_FF_NAME = 3, /* the object's path as passed */
	NJ_FF_DIR2 = 4, /* rename, link: directory of NAME2 */
	NJ_FF_NAME2 = 5, /* rename: the new path; link: the existing path */
	NJ_FF_TARGET = 6, /* symlink: the target as passed */
	NJ_FF_XATTR = 7, /* setxattr, removexattr: the attribute's name */
	NJ_FF_MAX
};

/* nj_file_op.flags */
#define NJ_FILE_NO_ENTER (1u << 0) /* syscall entry unseen: arguments unknown */
#define NJ_FILE_OBJ_KNOWN (1u << 1) /* obj holds the object's identity */
#define NJ_FILE_PARTS_LOST (1u << 2) /* a part could not be sent (buffer full) */
#define NJ_FILE_DIR_UNKNOWN (1u << 3) /* a relative name's directory could not be walked */
#define NJ_FILE_REPLACED \
	(1u << 4) /* rename: the new name replaced a file: args[1..3] = its mode, ino, dev */
/* Seen by a VFS hook inside an io_uring request, which runs no syscall of
 * its own (kprobe, fentry): syscall is the call the request does the work
 * of, for its arguments' meaning only; retval is not known. */
#define NJ_FILE_IO_URING (1u << 5)
#define NJ_FILE_IO_WORKER (1u << 6) /* with IO_URING: run by the ring's kernel-side thread */

/* nj_file_op.args[1] of NJ_REC_FILE_CHATTR: which call, so which flags
 * args[0] holds (the set the caller asked for). */
#define NJ_CHATTR_SETFLAGS 0 /* ioctl FS_IOC_SETFLAGS: FS_*_FL, what chattr(1) sets */
#define NJ_CHATTR_FSSETXATTR 1 /* ioctl FS_IOC_FSSETXATTR: fsxattr.fsx_xflags, FS_XFLAG_* */
#define NJ_CHATTR_FILE_SETATTR 2 /* file_setattr (6.17): file_attr.fa_xflags, FS_XFLAG_* */
#define NJ_CHATTR_KIND_MASK 0xff
#define NJ_CHATTR_FLAGS_UNKNOWN 0x100 /* the caller's flags could not be read */
/* args[3]: the inode's i_flags after a call that succeeded on an fd, with
 * this bit: the state the kernel made, whatever was asked. */
#define NJ_CHATTR_STATE_KNOWN (1ull << 32)
#define NJ_S_APPEND 0x4 /* i_flags */
#define NJ_S_IMMUTABLE 0x8

/* The object an event is about, as the kernel saw it after the syscall. */
struct nj_file_obj {
	nj_u64 ino;
	nj_u32 dev; /* kernel dev_t of the filesystem */
	nj_u32 mode; /* i_mode: type and permission bits */
	nj_u32 uid; /* owner, in the initial user namespace */
	nj_u32 gid;
	nj_u32 nlink;
	nj_u32 fs_magic; /* the filesystem's s_magic */
};

struct nj_file_op {
	struct nj_task task; /* the caller */
	struct nj_file_obj obj; /* when NJ_FILE_OBJ_KNOWN */
	nj_s64 retval; /* the syscall's return value */
	/* The arguments that matter, per syscall (docs/events/file.md):
	 * open: flags, mode; mknod: mode, dev; rename: flags; chmod: mode;
	 * chown: uid, gid; truncate: length; times: atime s, ns, mtime s, ns
	 * rename: flags, and with NJ_FILE_REPLACED the replaced file's mode,
	 * ino, dev;
	 * (nanoseconds UTIME_NOW / UTIME_OMIT as the kernel defines them);
	 * xattr: flags, value size; memfd: flags; link: flags;
	 * io_uring: opcode (IORING_OP_*), submitted by the SQ poll thread;
	 * chattr: the flags set, the ioctl (NJ_CHATTR_*). */
	nj_u64 args[4];
	nj_u32 syscall; /* enum nj_syscall */
	nj_u32 flags; /* NJ_FILE_* */
	nj_u32 rule; /* the kernel watch rule that matched (1-based), 0 none */
	nj_u32 _pad;
};

#define NJ_FILE_RECORD(name)          \
	struct name {                 \
		struct nj_hdr hdr;    \
		struct nj_file_op op; \
	}

NJ_FILE_RECORD(nj_file_create);
NJ_FILE_RECORD(nj_file_modify);
NJ_FILE_RECORD(nj_file_delete);
NJ_FILE_RECORD(nj_file_rename);
NJ_FILE_RECORD(nj_file_chmod);
NJ_FILE_RECORD(nj_file_chown);
NJ_FILE_RECORD(nj_file_times);
NJ_FILE_RECORD(nj_file_xattr);
NJ_FILE_RECORD(nj_file_memfd);
NJ_FILE_RECORD(nj_file_read);
NJ_FILE_RECORD(nj_file_uring);
NJ_FILE_RECORD(nj_file_chattr);

/* The kernel's watch rules: (dev, ino) of a watched file or directory, set
 * by user space from the path rules; a directory covers what is below it
 * up to nj_watch_depth levels. */
struct nj_watch_key {
	nj_u32 dev;
	nj_u32 _pad;
	nj_u64 ino;
};

#define NJ_WATCH_READ (1u << 0) /* report reads of what the rule covers */
#define NJ_WATCH_EXCLUDE (1u << 1) /* report nothing the rule covers */

struct nj_watch {
	nj_u32 rule; /* 1-based rule number, reported in nj_file_op.rule */
	nj_u32 flags; /* NJ_WATCH_* */
};

#endif /* NIGHTJAR_ABI_FILE_H */
