// The tamper family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_TAMPER_RECORDS(X)                                                                                           \
  X(NJ_REC_TMP_SIGNAL, nj_tmp_signal, NJ_FAM_TAMPER, "signal",                                                         \
    "tamper.signal tamper.signal.enter tamper.signal_generate")                                                        \
  X(NJ_REC_TMP_PTRACE, nj_tmp_ptrace, NJ_FAM_TAMPER, "ptrace", "tamper.ptrace tamper.ptrace.enter")                    \
  X(NJ_REC_TMP_VM_READ, nj_tmp_vm_read, NJ_FAM_TAMPER, "process_vm_read", "tamper.process_vm tamper.process_vm.enter") \
  X(NJ_REC_TMP_VM_WRITE, nj_tmp_vm_write, NJ_FAM_TAMPER, "process_vm_write",                                           \
    "tamper.process_vm tamper.process_vm.enter")                                                                       \
  X(NJ_REC_TMP_MEM_OPEN, nj_tmp_mem_open, NJ_FAM_TAMPER, "proc_mem_open", "tamper.mem_open")                           \
  X(NJ_REC_TMP_CREDS, nj_tmp_creds, NJ_FAM_TAMPER, "credential_change", "tamper.creds tamper.creds.enter")             \
  X(NJ_REC_TMP_EXEC_MEMORY, nj_tmp_exec_memory, NJ_FAM_TAMPER, "memory_exec",                                          \
    "tamper.memory_exec tamper.memory_exec.enter tamper.memory_exec.vma")                                              \
  X(NJ_REC_TMP_RENAME, nj_tmp_rename, NJ_FAM_TAMPER, "process_rename",                                                 \
    "tamper.rename tamper.rename.enter "                                                                               \
    "tamper.rename.exit")
