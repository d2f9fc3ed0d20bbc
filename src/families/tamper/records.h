// The tamper family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_TAMPER_RECORDS(X)                                                  \
  X(NJ_REC_TMP_SIGNAL, nj_tmp_signal, NJ_FAM_TAMPER, "signal",                \
    "tamper.signal tamper.signal.enter tamper.signal_generate")               \
  X(NJ_REC_TMP_EXEC_MEMORY, nj_tmp_exec_memory, NJ_FAM_TAMPER, "memory_exec", \
    "tamper.memory_exec tamper.memory_exec.enter tamper.memory_exec.vma")     \
  X(NJ_REC_TMP_RENAME, nj_tmp_rename, NJ_FAM_TAMPER, "process_rename",        \
    "tamper.rename tamper.rename.enter "                                      \
    "tamper.rename.exit")
