/* SPDX-License-Identifier: GPL-2.0 */
/* The network family's hooks on nightjar's tracepoint backend
 * (src/families/network/hooks.cpp), as an X-macro row list for NJB_HOOKS
 * in hooks.h: X(kind, category, name, id); see hooks.h for the columns.
 * The UDP pairs first: sendmsg and recvmsg also carry every netlink and
 * unix-socket message on the machine, the hottest hooks of the family.
 * Ids 91..109 are this family's; the next family continues at 110. */
#ifndef NJB_NETWORK_HOOKS_H
#define NJB_NETWORK_HOOKS_H

#define NJB_NETWORK_HOOKS(X)                     \
	X(TP, syscalls, sys_enter_sendmsg, 91)   \
	X(TP, syscalls, sys_exit_sendmsg, 92)    \
	X(TP, syscalls, sys_enter_recvmsg, 93)   \
	X(TP, syscalls, sys_exit_recvmsg, 94)    \
	X(TP, syscalls, sys_enter_sendto, 95)    \
	X(TP, syscalls, sys_exit_sendto, 96)     \
	X(TP, syscalls, sys_enter_recvfrom, 97)  \
	X(TP, syscalls, sys_exit_recvfrom, 98)   \
	X(TP, syscalls, sys_enter_sendmmsg, 99)  \
	X(TP, syscalls, sys_exit_sendmmsg, 100)  \
	X(TP, syscalls, sys_enter_recvmmsg, 101) \
	X(TP, syscalls, sys_exit_recvmmsg, 102)  \
	X(TP, syscalls, sys_enter_connect, 103)  \
	X(TP, syscalls, sys_exit_connect, 104)   \
	X(TP, syscalls, sys_exit_accept4, 105)   \
	X(TP, syscalls, sys_exit_accept, 106)    \
	X(TP, syscalls, sys_enter_listen, 107)   \
	X(TP, syscalls, sys_exit_listen, 108)    \
	X(TP, sock, inet_sock_set_state, 109)

#endif
