// The tamper family's wire layout, pinned (see src/decode/layout.cpp).
#include <cstddef>

#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_tamper_target) == 48);
NJ_ASSERT_LAYOUT(nj_tamper_target, start_ns, 8);
NJ_ASSERT_LAYOUT(nj_tamper_target, flags, 24);
NJ_ASSERT_LAYOUT(nj_tamper_target, comm, 32);
static_assert(sizeof(nj_tamper_op) == 248);
NJ_ASSERT_LAYOUT(nj_tamper_op, target, 72);
NJ_ASSERT_LAYOUT(nj_tamper_op, retval, 120);
NJ_ASSERT_LAYOUT(nj_tamper_op, args, 128);
NJ_ASSERT_LAYOUT(nj_tamper_op, values, 176);
NJ_ASSERT_LAYOUT(nj_tamper_op, syscall, 240);
NJ_ASSERT_LAYOUT(nj_tamper_op, flags, 244);

// Every action's record is the header and one nj_tamper_op.
#define NJ_ASSERT_TAMPER_RECORD(T) \
  static_assert(sizeof(T) == 280); \
  NJ_ASSERT_LAYOUT(T, op, 32);
NJ_ASSERT_TAMPER_RECORD(nj_tmp_ptrace)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_vm_read)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_vm_write)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_mem_open)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_exec_memory)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_creds)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_module_load)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_module_unload)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_bpf)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_mount)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_umount)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_mount_api)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_setns)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_rename)
NJ_ASSERT_TAMPER_RECORD(nj_tmp_signal)
