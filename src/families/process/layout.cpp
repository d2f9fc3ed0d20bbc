// The process family's wire layout, pinned (see src/decode/layout.cpp).
#include <cstddef>

#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_exec) == 152);
NJ_ASSERT_LAYOUT(nj_exec, task, 32);
NJ_ASSERT_LAYOUT(nj_exec, retval, 104);
NJ_ASSERT_LAYOUT(nj_exec, ino, 136);
NJ_ASSERT_LAYOUT(nj_exec, old_tid, 144);

static_assert(sizeof(nj_fork) == 136);
NJ_ASSERT_LAYOUT(nj_fork, child_pid, 104);
NJ_ASSERT_LAYOUT(nj_fork, clone_flags, 120);

static_assert(sizeof(nj_exit) == 120);
NJ_ASSERT_LAYOUT(nj_exit, exit_code, 104);

static_assert(sizeof(nj_unshare) == 120);
NJ_ASSERT_LAYOUT(nj_unshare, flags, 104);
