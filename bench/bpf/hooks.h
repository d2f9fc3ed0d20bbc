/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks nightjar attaches with its tracepoint backend
 * (src/loader/program_table.cpp), as an X-macro: X(kind, category, name).
 * kind: TP (tracepoint syscalls:<name>) or BTF (tp_btf <name>). */
#ifndef NJB_HOOKS_H
#define NJB_HOOKS_H

#define NJB_HOOKS(X)                                                           \
	X(TP, syscalls, sys_enter_execve, 0)                                   \
	X(TP, syscalls, sys_enter_execveat, 1)                                 \
	X(BTF, , sched_process_exec, 2)                                        \
	X(TP, syscalls, sys_exit_execve, 3)                                    \
	X(TP, syscalls, sys_exit_execveat, 4)                                  \
	X(TP, syscalls, sys_enter_clone, 5)                                    \
	X(TP, syscalls, sys_enter_clone3, 6)                                   \
	X(TP, syscalls, sys_enter_fork, 7)                                     \
	X(TP, syscalls, sys_enter_vfork, 8)                                    \
	X(BTF, , sched_process_fork, 9)                                        \
	X(BTF, , sched_process_exit, 10)                                       \
	X(TP, syscalls, sys_enter_unshare, 11)                                 \
	X(TP, syscalls, sys_exit_unshare, 12)

#define NJB_SEC_TP(cat, name) "tracepoint/" #cat "/" #name
#define NJB_SEC_BTF(cat, name) "tp_btf/" #name

#endif
