// The tamper family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_TAMPER_RECORDS(X)                                    \
  X(NJ_REC_TMP_SIGNAL, nj_tmp_signal, NJ_FAM_TAMPER, "signal",  \
    "tamper.signal tamper.signal.enter tamper.signal_generate") \
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
