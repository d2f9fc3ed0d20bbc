/* SPDX-License-Identifier: GPL-2.0 */
/* The tamper family's hooks on nightjar's tracepoint backend
 * (src/families/tamper/hooks.cpp), as an X-macro row list for NJB_HOOKS
 * in hooks.h: X(kind, category, name, id); see hooks.h for the columns.
 * Ids 110..199 are this family's, in blocks by area (signals from 110,
 * injection from 130, credentials, memory and renames from 150, kernel,
 * namespaces and mounts from 170); the file family's later additions
 * take 200..209, the next family continues at 210. */
#ifndef NJB_TAMPER_HOOKS_H
#define NJB_TAMPER_HOOKS_H

/* Credential changes (bpf/tamper/creds.bpf.c): ids 150..164 hold 7 of its 10
 * syscall pairs; setreuid, setregid and setfsgid run the same bodies as
 * setresuid, setresgid and setfsuid and are left out for want of ids.
 * commit_creds (bpf/tamper/commit_creds.bpf.c) is a kprobe/fentry hook,
 * like security_file_mprotect: the tracepoint backend measured here has
 * no program there, so it has no row. */
#define NJB_TAMPER_CREDS_HOOKS(X)                 \
	X(TP, syscalls, sys_enter_setuid, 150)    \
	X(TP, syscalls, sys_exit_setuid, 151)     \
	X(TP, syscalls, sys_enter_setresuid, 152) \
	X(TP, syscalls, sys_exit_setresuid, 153)  \
	X(TP, syscalls, sys_enter_setfsuid, 154)  \
	X(TP, syscalls, sys_exit_setfsuid, 155)   \
	X(TP, syscalls, sys_enter_setgid, 156)    \
	X(TP, syscalls, sys_exit_setgid, 157)     \
	X(TP, syscalls, sys_enter_setresgid, 158) \
	X(TP, syscalls, sys_exit_setresgid, 159)  \
	X(TP, syscalls, sys_enter_setgroups, 160) \
	X(TP, syscalls, sys_exit_setgroups, 161)  \
	X(TP, syscalls, sys_enter_capset, 162)    \
	X(TP, syscalls, sys_exit_capset, 163)

#define NJB_TAMPER_HOOKS(X)                               \
	X(TP, syscalls, sys_enter_kill, 110)              \
	X(TP, syscalls, sys_exit_kill, 111)               \
	X(TP, syscalls, sys_enter_tkill, 112)             \
	X(TP, syscalls, sys_exit_tkill, 113)              \
	X(TP, syscalls, sys_enter_tgkill, 114)            \
	X(TP, syscalls, sys_exit_tgkill, 115)             \
	X(TP, syscalls, sys_enter_pidfd_send_signal, 116) \
	X(TP, syscalls, sys_exit_pidfd_send_signal, 117)  \
	X(TP, syscalls, sys_enter_rt_sigqueueinfo, 118)   \
	X(TP, syscalls, sys_exit_rt_sigqueueinfo, 119)    \
	X(TP, syscalls, sys_enter_rt_tgsigqueueinfo, 120) \
	X(TP, syscalls, sys_exit_rt_tgsigqueueinfo, 121)  \
	X(BTF, , signal_generate, 122)                    \
	X(TP, syscalls, sys_enter_mprotect, 165)          \
	X(TP, syscalls, sys_exit_mprotect, 166)           \
	X(TP, syscalls, sys_enter_pkey_mprotect, 167)     \
	X(TP, syscalls, sys_exit_pkey_mprotect, 168)      \
	X(TP, syscalls, sys_enter_mmap, 169)              \
	X(TP, syscalls, sys_exit_mmap, 190)               \
	X(TP, syscalls, sys_enter_prctl, 191)             \
	X(TP, syscalls, sys_exit_prctl, 192)              \
	X(BTF, , task_rename, 193)                        \
	NJB_TAMPER_INJECT_HOOKS(X)                        \
	NJB_TAMPER_CREDS_HOOKS(X)                         \
	NJB_TAMPER_KERNEL_HOOKS(X)

/* Kernel code, mounts and namespaces: one pair per distinct exit body.
 * init_module and delete_module run finit_module's body, mount_setattr the
 * mount API's; module:module_load (tp_btf) is left out because the
 * observer cannot tell a missing BTF tracepoint (no CONFIG_MODULES) from a
 * broken one. */
#define NJB_TAMPER_KERNEL_HOOKS(X)                   \
	X(TP, syscalls, sys_enter_finit_module, 170) \
	X(TP, syscalls, sys_exit_finit_module, 171)  \
	X(TP, syscalls, sys_enter_bpf, 172)          \
	X(TP, syscalls, sys_exit_bpf, 173)           \
	X(TP, syscalls, sys_enter_mount, 174)        \
	X(TP, syscalls, sys_exit_mount, 175)         \
	X(TP, syscalls, sys_enter_umount, 176)       \
	X(TP, syscalls, sys_exit_umount, 177)        \
	X(TP, syscalls, sys_enter_setns, 178)        \
	X(TP, syscalls, sys_exit_setns, 179)         \
	X(TP, syscalls, sys_enter_fsopen, 180)       \
	X(TP, syscalls, sys_exit_fsopen, 181)        \
	X(TP, syscalls, sys_enter_fsconfig, 182)     \
	X(TP, syscalls, sys_exit_fsconfig, 183)      \
	X(TP, syscalls, sys_enter_fsmount, 184)      \
	X(TP, syscalls, sys_exit_fsmount, 185)       \
	X(TP, syscalls, sys_enter_move_mount, 186)   \
	X(TP, syscalls, sys_exit_move_mount, 187)    \
	X(TP, syscalls, sys_enter_open_tree, 188)    \
	X(TP, syscalls, sys_exit_open_tree, 189)

/* inject: ptrace and process_vm_readv/writev pairs. The /proc/<pid>/mem
 * programs run on the open syscalls' exits, which the file family's rows
 * (13/14, 19/20) already cover: a second minimal program there would only
 * double the same tracepoint's cost. */
#define NJB_TAMPER_INJECT_HOOKS(X)                        \
	X(TP, syscalls, sys_enter_ptrace, 130)            \
	X(TP, syscalls, sys_exit_ptrace, 131)             \
	X(TP, syscalls, sys_enter_process_vm_readv, 132)  \
	X(TP, syscalls, sys_exit_process_vm_readv, 133)   \
	X(TP, syscalls, sys_enter_process_vm_writev, 134) \
	X(TP, syscalls, sys_exit_process_vm_writev, 135)

#endif
