// The process family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_PROCESS_RECORDS(X)                                        \
  X(NJ_REC_EXEC, nj_exec, NJ_FAM_PROCESS, "exec", "exec exec.leave") \
  X(NJ_REC_FORK, nj_fork, NJ_FAM_PROCESS, "fork", "fork")            \
  X(NJ_REC_EXIT, nj_exit, NJ_FAM_PROCESS, "exit", "exit")            \
  X(NJ_REC_UNSHARE, nj_unshare, NJ_FAM_PROCESS, "unshare", "unshare.leave")
