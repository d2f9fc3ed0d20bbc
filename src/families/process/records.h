// The process family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action).
#pragma once

#include "nightjar/abi.h"

#define NJ_PROCESS_RECORDS(X)                         \
  X(NJ_REC_EXEC, nj_exec, NJ_FAM_PROCESS, "exec")     \
  X(NJ_REC_FORK, nj_fork, NJ_FAM_PROCESS, "fork")     \
  X(NJ_REC_EXIT, nj_exit, NJ_FAM_PROCESS, "exit")     \
  X(NJ_REC_UNSHARE, nj_unshare, NJ_FAM_PROCESS, "unshare")
