/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mounts: mount(2), umount2(2) and the mount API of v5.2 (fsopen,
 * fsconfig, fsmount, move_mount, open_tree) and v5.12 (mount_setattr).
 * A bind mount over /proc/<pid> hides that process from ps and from
 * anything reading /proc: the event carries source, target, type and flags
 * as the caller passed them, which is what user space judges it by.
 *
 * umount2 is SYSCALL_DEFINE2(umount, ...) in fs/namespace.c: its
 * tracepoints and symbols are named umount. mount_setattr does not exist
 * before v5.12 (commit 2a1867219c7b): it is the last syscall of its hook,
 * so older kernels skip it alone. open_tree_attr (v6.15) is not hooked.
 */
#include "kernel.h"

#define NJ_MOUNT_FIRST NJ_SYS_MOUNT
#define NJ_MOUNT_LAST NJ_SYS_MOUNT_SETATTR

#define NJ_FSCONFIG_SET_STRING 1
#define NJ_FSCONFIG_SET_PATH 3
#define NJ_FSCONFIG_SET_PATH_EMPTY 4

/* struct mount_attr (uapi/linux/mount.h) */
struct nj_mount_attr {
	__u64 attr_set;
	__u64 attr_clr;
	__u64 propagation;
	__u64 userns_fd;
};

/* The filesystem type of an fs context fd (fsopen's), as a part. Read only
 * after a call on it succeeded, which proves the fd was one. */
static __always_inline __u32 nj_fs_context_type(void *ctx, struct nj_scratch *sc, __u64 event_id,
						__u8 backend, struct task_struct *task, int fd)
{
	struct file *f = nj_fd_file(task, fd);
	struct fs_context *fc;
	const char *name;

	if (!f)
		return 0;
	fc = BPF_CORE_READ(f, private_data);
	if (!fc)
		return 0;
	name = BPF_CORE_READ(fc, fs_type, name);
	return nj_part_kstr(ctx, sc, event_id, backend, NJ_TF_FSTYPE, 0, name, 0, 0);
}

static __always_inline void mount_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					struct nj_sys_args *a, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 event_id = nj_new_event_id();
	struct nj_tmp_mount_api rec = {};
	__u16 type = NJ_REC_TMP_MOUNT_API;
	__u32 parts = 0;

	switch (a->syscall) {
	case NJ_SYS_MOUNT:
		type = NJ_REC_TMP_MOUNT;
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_SOURCE, a->args[0]);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_TARGET, a->args[1]);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_FSTYPE, a->args[2]);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_DATA, a->args[4]);
		break;
	case NJ_SYS_UMOUNT2:
		type = NJ_REC_TMP_UMOUNT;
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_TARGET, a->args[0]);
		break;
	case NJ_SYS_FSOPEN:
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_FSTYPE, a->args[0]);
		break;
	case NJ_SYS_FSCONFIG:
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_NAME, a->args[2]);
		if (a->args[1] == NJ_FSCONFIG_SET_STRING || a->args[1] == NJ_FSCONFIG_SET_PATH ||
		    a->args[1] == NJ_FSCONFIG_SET_PATH_EMPTY)
			parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_DATA, a->args[3]);
		if (ret >= 0)
			parts += nj_fs_context_type(ctx, sc, event_id, backend, task,
						    (int)a->args[0]);
		break;
	case NJ_SYS_FSMOUNT:
		if (ret >= 0)
			parts += nj_fs_context_type(ctx, sc, event_id, backend, task,
						    (int)a->args[0]);
		break;
	case NJ_SYS_MOVE_MOUNT:
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_SOURCE, a->args[1]);
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_TARGET, a->args[3]);
		break;
	case NJ_SYS_OPEN_TREE:
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_SOURCE, a->args[1]);
		break;
	default: { /* mount_setattr */
		struct nj_mount_attr at = {};

		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_TARGET, a->args[1]);
		if (a->args[3] && !bpf_probe_read_user(&at, sizeof(at), (const void *)a->args[3])) {
			rec.op.values[0] = at.attr_set;
			rec.op.values[1] = at.attr_clr;
			rec.op.values[2] = at.propagation;
			rec.op.values[3] = at.userns_fd;
			rec.op.values[4] = 1;
		}
		break;
	}
	}
	nj_tamper_op_fill(&rec.op, task, a, ret);
	nj_tamper_close(ctx, sc, (struct nj_tmp_signal *)&rec, type, event_id, backend, parts);
}

static __always_inline int mount_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_MOUNT_FIRST, NJ_MOUNT_LAST, &a))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER, mount_build(ctx, sc, backend, &a, ret));
	return 0;
}

NJ_SYSCALL_ENTER(mount, NJ_SYS_MOUNT, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(mount, mount_exit)
NJ_SYSCALL_ENTER(umount, NJ_SYS_UMOUNT2, 2, nj_sys_enter_save)
NJ_SYSCALL_EXIT(umount, mount_exit)
NJ_SYSCALL_ENTER(fsopen, NJ_SYS_FSOPEN, 2, nj_sys_enter_save)
NJ_SYSCALL_EXIT(fsopen, mount_exit)
NJ_SYSCALL_ENTER(fsconfig, NJ_SYS_FSCONFIG, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(fsconfig, mount_exit)
NJ_SYSCALL_ENTER(fsmount, NJ_SYS_FSMOUNT, 3, nj_sys_enter_save)
NJ_SYSCALL_EXIT(fsmount, mount_exit)
NJ_SYSCALL_ENTER(move_mount, NJ_SYS_MOVE_MOUNT, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(move_mount, mount_exit)
NJ_SYSCALL_ENTER(open_tree, NJ_SYS_OPEN_TREE, 3, nj_sys_enter_save)
NJ_SYSCALL_EXIT(open_tree, mount_exit)
NJ_SYSCALL_ENTER(mount_setattr, NJ_SYS_MOUNT_SETATTR, 5, nj_sys_enter_save)
NJ_SYSCALL_EXIT(mount_setattr, mount_exit)
