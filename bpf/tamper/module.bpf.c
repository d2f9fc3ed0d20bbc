/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel modules: init_module and finit_module (the module's name, the
 * file finit_module read it from, its parameters), delete_module.
 *
 * Why module:module_load inside the syscall pair: the name a module gets
 * is in the image (its .modinfo and this_module), not in the arguments;
 * the tracepoint fires in load_module once the image is laid out, before
 * the module's init runs, so a load whose init fails still has its name.
 * Its typed form (tp_btf, vmlinux BTF has the tracepoint since v5.5) is
 * used on every backend. Without CONFIG_MODULES the three syscalls, their
 * tracepoints and module_load do not exist: the hooks are optional.
 */
#include "kernel.h"

#define NJ_MODULE_FIRST NJ_SYS_INIT_MODULE
#define NJ_MODULE_LAST NJ_SYS_DELETE_MODULE

/* MODULE_NAME_LEN on 64-bit */
#define NJ_MODULE_NAME_LEN 56

struct nj_module_name {
	char name[NJ_MODULE_NAME_LEN];
};

/* The name module_load saw, by thread, until the syscall's exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct nj_module_name);
} nj_tmp_module_map SEC(".maps");

static __always_inline int module_enter(struct nj_sys_args *a)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&nj_tmp_module_map, &id);
	return nj_sys_enter_save(a);
}

SEC("tp_btf/module_load")
int BPF_PROG(tpbtf__module_load, struct module *mod)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct nj_sys_args *a = bpf_map_lookup_elem(&nj_sys_args_map, &id);
	struct nj_module_name n = {};

	if (!a || (a->syscall != NJ_SYS_INIT_MODULE && a->syscall != NJ_SYS_FINIT_MODULE))
		return 0;
	bpf_probe_read_kernel_str(n.name, sizeof(n.name), mod->name);
	bpf_map_update_elem(&nj_tmp_module_map, &id, &n, BPF_ANY);
	return 0;
}

static __always_inline void module_build(void *ctx, struct nj_scratch *sc, __u8 backend,
					 struct nj_sys_args *a, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u64 event_id = nj_new_event_id();
	struct nj_tmp_module_load rec = {};
	__u16 type = NJ_REC_TMP_MODULE_LOAD;
	struct nj_module_name *n;
	__u64 params = a->args[2];
	__u32 parts = 0;

	if (a->syscall == NJ_SYS_DELETE_MODULE) {
		type = NJ_REC_TMP_MODULE_UNLOAD;
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_NAME, a->args[0]);
	} else {
		n = bpf_map_lookup_elem(&nj_tmp_module_map, &id);
		if (n) {
			parts += nj_part_kstr(ctx, sc, event_id, backend, NJ_TF_NAME, 0, n->name, 0,
					      0);
			rec.op.values[0] = 1;
			bpf_map_delete_elem(&nj_tmp_module_map, &id);
		}
		if (a->syscall == NJ_SYS_FINIT_MODULE) {
			struct file *f = nj_fd_file(task, (int)a->args[0]);

			params = a->args[1];
			if (f) {
				struct inode *inode = BPF_CORE_READ(f, f_inode);
				__u32 dev = nj_inode_dev(inode, false);
				__u64 ino = BPF_CORE_READ(inode, i_ino);

				rec.op.values[1] = dev;
				rec.op.values[2] = ino;
				parts += nj_part_path(ctx, sc, event_id, backend, NJ_TF_PATH,
						      __builtin_preserve_access_index(&f->f_path),
						      dev, ino);
			}
		}
		parts += nj_tamper_ustr(ctx, sc, event_id, backend, NJ_TF_DATA, params);
	}
	nj_tamper_op_fill(&rec.op, task, a, ret);
	nj_tamper_close(ctx, sc, (struct nj_tmp_signal *)&rec, type, event_id, backend, parts);
}

static __always_inline int module_exit(void *ctx, long ret, __u8 backend)
{
	struct nj_sys_args a;

	if (!nj_sys_take(bpf_get_current_pid_tgid(), NJ_MODULE_FIRST, NJ_MODULE_LAST, &a))
		return 0;
	NJ_BATCH(sc, NJ_FAM_TAMPER, module_build(ctx, sc, backend, &a, ret));
	return 0;
}

NJ_SYSCALL_ENTER(init_module, NJ_SYS_INIT_MODULE, 3, module_enter)
NJ_SYSCALL_EXIT(init_module, module_exit)
NJ_SYSCALL_ENTER(finit_module, NJ_SYS_FINIT_MODULE, 3, module_enter)
NJ_SYSCALL_EXIT(finit_module, module_exit)
NJ_SYSCALL_ENTER(delete_module, NJ_SYS_DELETE_MODULE, 2, nj_sys_enter_save)
NJ_SYSCALL_EXIT(delete_module, module_exit)
