/* SPDX-License-Identifier: GPL-2.0 */
/* The process family's hooks on nightjar's tracepoint backend
 * (src/loader/program_table.cpp), as an X-macro row list for NJB_HOOKS in
 * hooks.h: X(kind, category, name, id); see hooks.h for the columns.
 * Ids 0..12 are this family's; the next family continues at 13. */
#ifndef NJB_PROCESS_HOOKS_H
#define NJB_PROCESS_HOOKS_H

#define NJB_PROCESS_HOOKS(X)                   \
	X(TP, syscalls, sys_enter_execve, 0)   \
	X(TP, syscalls, sys_enter_execveat, 1) \
	X(BTF, , sched_process_exec, 2)        \
	X(TP, syscalls, sys_exit_execve, 3)    \
	X(TP, syscalls, sys_exit_execveat, 4)  \
	X(TP, syscalls, sys_enter_clone, 5)    \
	X(TP, syscalls, sys_enter_clone3, 6)   \
	X(TP, syscalls, sys_enter_fork, 7)     \
	X(TP, syscalls, sys_enter_vfork, 8)    \
	X(BTF, , sched_process_fork, 9)        \
	X(BTF, , sched_process_exit, 10)       \
	X(TP, syscalls, sys_enter_unshare, 11) \
	X(TP, syscalls, sys_exit_unshare, 12)

#endif
