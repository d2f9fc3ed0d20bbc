// The tamper family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_TAMPER_RECORDS(X)                                    \
  X(NJ_REC_TMP_SIGNAL, nj_tmp_signal, NJ_FAM_TAMPER, "signal",  \
    "tamper.signal tamper.signal.enter tamper.signal_generate") \
  X(NJ_REC_TMP_CREDS, nj_tmp_creds, NJ_FAM_TAMPER, "credential_change", "tamper.creds tamper.creds.enter")
