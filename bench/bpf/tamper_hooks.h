/* SPDX-License-Identifier: GPL-2.0 */
/* The tamper family's hooks on nightjar's tracepoint backend
 * (src/families/tamper/hooks.cpp), as an X-macro row list for NJB_HOOKS
 * in hooks.h: X(kind, category, name, id); see hooks.h for the columns.
 * Ids 110..199 are this family's, in blocks by area (signals from 110,
 * injection from 130, credentials, memory and renames from 150, kernel,
 * namespaces and mounts from 170); the next family continues at 200. */
#ifndef NJB_TAMPER_HOOKS_H
#define NJB_TAMPER_HOOKS_H

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

#endif
