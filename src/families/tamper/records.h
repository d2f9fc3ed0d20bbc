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
  X(NJ_REC_TMP_CREDS, nj_tmp_creds, NJ_FAM_TAMPER, "credential_change",                                                \
    "tamper.creds tamper.creds.enter tamper.creds.commit")                                                             \
  X(NJ_REC_TMP_EXEC_MEMORY, nj_tmp_exec_memory, NJ_FAM_TAMPER, "memory_exec",                                          \
    "tamper.memory_exec tamper.memory_exec.enter tamper.memory_exec.vma")                                              \
  X(NJ_REC_TMP_RENAME, nj_tmp_rename, NJ_FAM_TAMPER, "process_rename",                                                 \
    "tamper.rename tamper.rename.enter "                                                                               \
    "tamper.rename.exit")                                                                                              \
  NJ_TAMPER_KERNEL_RECORDS(X)

// Kernel code and namespaces (bpf/tamper/{module,bpf,mount,setns}.bpf.c).
#define NJ_TAMPER_KERNEL_RECORDS(X)                                                                                \
  X(NJ_REC_TMP_MODULE_LOAD, nj_tmp_module_load, NJ_FAM_TAMPER, "module_load",                                      \
    "tamper.module tamper.module.enter tamper.module_load")                                                        \
  X(NJ_REC_TMP_MODULE_UNLOAD, nj_tmp_module_unload, NJ_FAM_TAMPER, "module_unload",                                \
    "tamper.module tamper.module.enter")                                                                           \
  X(NJ_REC_TMP_BPF, nj_tmp_bpf, NJ_FAM_TAMPER, "bpf", "tamper.bpf tamper.bpf.enter")                               \
  X(NJ_REC_TMP_MOUNT, nj_tmp_mount, NJ_FAM_TAMPER, "mount", "tamper.mount tamper.mount.enter")                     \
  X(NJ_REC_TMP_UMOUNT, nj_tmp_umount, NJ_FAM_TAMPER, "umount", "tamper.mount tamper.mount.enter")                  \
  X(NJ_REC_TMP_MOUNT_API, nj_tmp_mount_api, NJ_FAM_TAMPER, "mount_api", "tamper.mount_api tamper.mount_api.enter") \
  X(NJ_REC_TMP_SETNS, nj_tmp_setns, NJ_FAM_TAMPER, "setns", "tamper.setns tamper.setns.enter")
