/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks nightjar attaches with its tracepoint backend
 * (src/loader/program_table.cpp), as an X-macro: X(kind, category, name, id).
 * kind: TP (tracepoint syscalls:<name>) or BTF (tp_btf <name>).
 * id: the hook's number in the minimal observer's records (struct
 * njb_record.hook); unique across all families.
 *
 * One header per event family, <family>_hooks.h defining
 * NJB_<FAMILY>_HOOKS(X); a new family adds its header and one line in each
 * list below, and numbers its ids on from the previous family's last id
 * (each family header says where the next one starts).
 *
 * NJB_FAMILIES(F): F(family, row list), for the observer's --families
 * (which hooks belong to which family). */
#ifndef NJB_HOOKS_H
#define NJB_HOOKS_H

#include "process_hooks.h"
#include "file_hooks.h"
#include "network_hooks.h"
#include "tamper_hooks.h"

#define NJB_HOOKS(X) NJB_PROCESS_HOOKS(X) NJB_FILE_HOOKS(X) NJB_NETWORK_HOOKS(X) NJB_TAMPER_HOOKS(X)

#define NJB_FAMILIES(F)               \
	F(process, NJB_PROCESS_HOOKS) \
	F(file, NJB_FILE_HOOKS) F(network, NJB_NETWORK_HOOKS) F(tamper, NJB_TAMPER_HOOKS)

#define NJB_SEC_TP(cat, name) "tracepoint/" #cat "/" #name
#define NJB_SEC_BTF(cat, name) "tp_btf/" #name

#endif
