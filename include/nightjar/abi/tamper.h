/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tamper family's wire records (docs/events/tamper.md): what an attacker
 * does after landing — injection into other processes, executable memory,
 * credential changes, kernel code, namespaces and mounts, renames, signals.
 *
 * As in the file and network families, every event is one closing record
 * of one layout (struct nj_tamper_op behind the header) with a distinct
 * type per action: one emitter, one decoder path, one registry row and one
 * encoder overload per action. Strings (paths, names, mount options) travel
 * as parts before it.
 */
#ifndef NIGHTJAR_ABI_TAMPER_H
#define NIGHTJAR_ABI_TAMPER_H

enum nj_rec_tamper {
	NJ_REC_TMP_PTRACE =
		NJ_REC_FIRST(NJ_FAM_TAMPER), /* ptrace(2) requests that touch another process */
	NJ_REC_TMP_VM_READ, /* process_vm_readv(2) */
	NJ_REC_TMP_VM_WRITE, /* process_vm_writev(2) */
	NJ_REC_TMP_MEM_OPEN, /* /proc/<pid>/mem opened for writing, or another's for reading */
	NJ_REC_TMP_EXEC_MEMORY, /* mprotect/pkey_mprotect/mmap making writable or anonymous memory executable */
	NJ_REC_TMP_CREDS, /* set*id, setgroups, capset: a process's credentials changed */
	NJ_REC_TMP_MODULE_LOAD, /* init_module, finit_module */
	NJ_REC_TMP_MODULE_UNLOAD, /* delete_module */
	NJ_REC_TMP_BPF, /* bpf(2) program loads and attaches by others than the sensor */
	NJ_REC_TMP_MOUNT, /* mount(2) */
	NJ_REC_TMP_UMOUNT, /* umount2(2) */
	NJ_REC_TMP_MOUNT_API, /* fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr */
	NJ_REC_TMP_SETNS, /* setns(2) */
	NJ_REC_TMP_RENAME, /* prctl(PR_SET_NAME), a write to /proc/<pid>/comm */
	NJ_REC_TMP_SIGNAL, /* kill, tkill, tgkill, pidfd_send_signal, rt_(tg)sigqueueinfo to another process */
};

/* nj_str.field of the tamper family's parts. */
enum nj_tamper_field {
	NJ_TF_PATH = 1, /* a file: the map's, the module's, the /proc file's, the namespace fd's */
	NJ_TF_SOURCE = 2, /* mount: source, as the caller passed it */
	NJ_TF_TARGET = 3, /* mount, umount, move_mount: the mount point */
	NJ_TF_FSTYPE = 4, /* mount, fsopen: filesystem type */
	NJ_TF_NAME = 5, /* module name, bpf program name, fsconfig key */
	NJ_TF_DATA = 6, /* mount options, module parameters, fsconfig value */
	NJ_TF_MAX
};

/* nj_tamper_op.flags */
#define NJ_TMP_NO_ENTER (1u << 0) /* syscall entry unseen: arguments unknown */
#define NJ_TMP_PARTS_LOST (1u << 1) /* some parts could not be sent (buffer full) */
/* exec_memory: earlier events of this process were folded into this one
 * (values[7] says how many): JITs do this all day; credential_change: the
 * same, for its folded calls (values[7]) */
#define NJ_TMP_FOLDED (1u << 2)

/* exec_memory: values[1] */
#define NJ_MEM_VMA_SEEN (1ull << 63) /* the memory's state is known, not only the request */
#define NJ_MEM_VMA_ANON (1ull << 62) /* some of it is anonymous */
#define NJ_MEM_VMA_FILE (1ull << 61) /* some of it maps a file (NJ_TF_PATH: the first one) */
#define NJ_MEM_VM_FLAGS_MASK \
	0xffffffffull /* old vm_flags (VM_READ 1, VM_WRITE 2, VM_EXEC 4, VM_SHARED 8) */

/* credential_change from commit_creds (syscall NJ_SYS_COMMIT_CREDS):
 * args[4] bits 32..47, the sets shown only as changed */
#define NJ_CC_INHERITABLE (1u << 0) /* inheritable capabilities */
#define NJ_CC_AMBIENT (1u << 1) /* ambient capabilities */
#define NJ_CC_BOUNDING (1u << 2) /* the capability bounding set */
#define NJ_CC_SECUREBITS (1u << 3) /* securebits */
#define NJ_CC_GROUPS (1u << 4) /* the supplementary groups (group_info replaced) */
#define NJ_CC_NR_UNKNOWN 0xffffffffu /* args[4] low 32 bits: syscall not known */

/* rename: values[4] */
#define NJ_RENAME_PRCTL 1 /* prctl(PR_SET_NAME) of the caller's own thread */
#define NJ_RENAME_PROC_COMM 2 /* a write to /proc/<pid>/comm or /proc/<pid>/task/<tid>/comm */

/* nj_tamper_target.flags */
/* filled from the target's task_struct: pid, tid, start_ns, uid, comm are the kernel's */
#define NJ_TGT_TASK (1u << 0)
/* only the number the caller passed is known (pid, tid) and the caller's
 * pid namespace is the initial one: user space may resolve it */
#define NJ_TGT_GLOBAL_PID (1u << 1)
/* only the number the caller passed is known and it is relative to the
 * caller's (non-initial) pid namespace */
#define NJ_TGT_NS_PID (1u << 2)
/* a signal to a process group (pid < -1 or 0) or to every process (-1) */
#define NJ_TGT_GROUP (1u << 3)

/* The process an action was aimed at. Ids from the initial namespaces. */
struct nj_tamper_target {
	nj_u32 pid; /* tgid (see flags) */
	nj_u32 tid;
	nj_u64 start_ns; /* its group leader's start_boottime; 0: unknown */
	nj_u32 uid; /* real uid */
	nj_u32 euid;
	nj_u32 flags; /* NJ_TGT_*; 0: no target */
	nj_u32 _pad0;
	char comm[NJ_COMM_LEN];
};

/*
 * values[] by action (the encoder names them; docs/events/tamper.md):
 *   signal:      [0] signal, [1] si_code, [2] signal_generate's result
 *                (0 delivered, 1 ignored, 2 already pending, 3 queue full,
 *                4 info lost), [3] 1: to the whole thread group,
 *                [4] signal_generate fired (1) or only the syscall was seen (0)
 *   ptrace:      [0] request, [1] SETREGS (x86-64): the instruction pointer
 *                the caller set, [2] 1 when [1] was read; args[] as passed
 *                (request, pid, addr, data: the poke's address and word)
 *   vm_read/vm_write: [0] first remote iovec's base, [1] its length, [2] 1
 *                when [0..1] were read; retval: bytes moved; args[] as passed
 *   mem_open:    [0] the open file's FMODE_READ|FMODE_WRITE bits,
 *                [1] its f_flags; retval: the fd; args[] not read (the
 *                exit alone reports it); the path as NJ_TF_PATH
 *   credential_change (uids and gids: 32-bit halves, low | high << 32;
 *                the values the call changes, old then new, interleaved):
 *                set*uid: [0] old real|effective uid, [1] new real|effective,
 *                         [2] old saved|fs uid, [3] new saved|fs,
 *                         [4] old effective capabilities, [5] new
 *                set*gid: [0]..[3] the same for the gids, [4] [5] 0
 *                setgroups: [0] old group count, [1] new count,
 *                         [2] old groups 0|1, [3] new groups 0|1,
 *                         [4] old groups 2|3, [5] new groups 2|3
 *                capset:  [0] old effective, [1] new, [2] old permitted,
 *                         [3] new, [4] old inheritable, [5] new
 *                [7] same-result calls of this process and syscall folded
 *                into its earlier events so far (other threads of one
 *                glibc set*id(), a retry loop), with NJ_TMP_FOLDED.
 *                setfsuid/setfsgid: retval is -EPERM when the fs id did not
 *                become the one asked for, else 0 (the kernel returns the
 *                previous id either way).
 *                commit_creds (syscall NJ_SYS_COMMIT_CREDS, kprobe/fentry:
 *                a change outside the calls above): [0] old real|effective
 *                uid, [1] new, [2] old saved|fs uid, [3] new, [4]..[7] the
 *                same for the gids; args[0] old effective capabilities,
 *                [1] new, [2] old permitted, [3] new, [4] the syscall in
 *                flight (the architecture's number in bits 0..31,
 *                NJ_CC_NR_UNKNOWN where the kernel does not say), NJ_CC_*
 *                in bits 32..47, quiet changes folded so far in bits
 *                48..63 (with NJ_TMP_FOLDED), [5] the user namespace's
 *                inode number, old | new << 32; retval 0.
 *   exec_memory: [0] the protections asked for (PROT_*), [1] what is known
 *                of the memory: NJ_MEM_VMA_* bits and, from the VMAs an
 *                mprotect changed (kprobe/fentry), the union of their old
 *                vm_flags in the low 32 bits; mmap: anonymous or file from
 *                its flags. [7] calls folded into this event (NJ_TMP_FOLDED).
 *                args as passed (mmap: addr, len, prot, flags, fd).
 *   rename:      [0..1] the old name, [2..3] the new one (the comm's 16
 *                bytes, NUL-padded), [4] how (NJ_RENAME_*)
 *   module_load: [0] 1: module:module_load gave the name (NJ_TF_NAME),
 *                [1] dev, [2] inode of finit_module's file (NJ_TF_PATH);
 *                parameters in NJ_TF_DATA
 *   module_unload: none (name in NJ_TF_NAME, flags in args[1])
 *   bpf:         [0] cmd, [1] program type, [2] instruction count (load),
 *                [3] the program's tag (8 bytes in memory order), [4] its
 *                id (0: not read), [5] attach type (expected one for a
 *                load), [6] target fd / link fd, [7] attach flags; name
 *                NJ_TF_NAME, license NJ_TF_DATA, raw tracepoint NJ_TF_TARGET
 *   mount, umount, mount_api: strings only (NJ_TF_SOURCE, _TARGET,
 *                _FSTYPE, _NAME fsconfig key, _DATA options or value);
 *                mount_setattr: [0] attr_set, [1] attr_clr, [2]
 *                propagation, [3] userns_fd, [4] 1: struct mount_attr read
 *   setns:       [0] the namespace's type (CLONE_NEW*), [1] its inode
 *                number, [2] fd kind (1 namespace file, 2 pidfd, 0 unknown);
 *                its name in NJ_TF_NAME; a pidfd's process is the target
 * Other actions document theirs here as they are added.
 */
struct nj_tamper_op {
	struct nj_task task; /* the caller */
	struct nj_tamper_target target;
	nj_s64 retval; /* the syscall's return value */
	nj_u64 args[6]; /* the syscall's arguments as the caller passed them */
	nj_u64 values[8]; /* what the kernel side read, per action */
	nj_u32 syscall; /* enum nj_syscall */
	nj_u32 flags; /* NJ_TMP_* */
};

#define NJ_TAMPER_RECORD(name)          \
	struct name {                   \
		struct nj_hdr hdr;      \
		struct nj_tamper_op op; \
	}

NJ_TAMPER_RECORD(nj_tmp_ptrace);
NJ_TAMPER_RECORD(nj_tmp_vm_read);
NJ_TAMPER_RECORD(nj_tmp_vm_write);
NJ_TAMPER_RECORD(nj_tmp_mem_open);
NJ_TAMPER_RECORD(nj_tmp_exec_memory);
NJ_TAMPER_RECORD(nj_tmp_creds);
NJ_TAMPER_RECORD(nj_tmp_module_load);
NJ_TAMPER_RECORD(nj_tmp_module_unload);
NJ_TAMPER_RECORD(nj_tmp_bpf);
NJ_TAMPER_RECORD(nj_tmp_mount);
NJ_TAMPER_RECORD(nj_tmp_umount);
NJ_TAMPER_RECORD(nj_tmp_mount_api);
NJ_TAMPER_RECORD(nj_tmp_setns);
NJ_TAMPER_RECORD(nj_tmp_rename);
NJ_TAMPER_RECORD(nj_tmp_signal);

#endif /* NIGHTJAR_ABI_TAMPER_H */
