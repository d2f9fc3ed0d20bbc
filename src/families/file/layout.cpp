// The file family's wire layout, pinned (see src/decode/layout.cpp).
#include <cstddef>
#include <type_traits>

#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_file_obj) == 32);
static_assert(sizeof(nj_file_op) == 160);
NJ_ASSERT_LAYOUT(nj_file_op, obj, 72);
NJ_ASSERT_LAYOUT(nj_file_op, retval, 104);
NJ_ASSERT_LAYOUT(nj_file_op, args, 112);
NJ_ASSERT_LAYOUT(nj_file_op, syscall, 144);
NJ_ASSERT_LAYOUT(nj_file_op, rule, 152);

// Every action's record is the header and one nj_file_op.
#define NJ_ASSERT_FILE_RECORD(T)   \
  static_assert(sizeof(T) == 192); \
  NJ_ASSERT_LAYOUT(T, op, 32);
NJ_ASSERT_FILE_RECORD(nj_file_create)
NJ_ASSERT_FILE_RECORD(nj_file_modify)
NJ_ASSERT_FILE_RECORD(nj_file_delete)
NJ_ASSERT_FILE_RECORD(nj_file_rename)
NJ_ASSERT_FILE_RECORD(nj_file_chmod)
NJ_ASSERT_FILE_RECORD(nj_file_chown)
NJ_ASSERT_FILE_RECORD(nj_file_times)
NJ_ASSERT_FILE_RECORD(nj_file_xattr)
NJ_ASSERT_FILE_RECORD(nj_file_memfd)
NJ_ASSERT_FILE_RECORD(nj_file_read)

static_assert(sizeof(nj_watch_key) == 16);
static_assert(sizeof(nj_watch) == 8);
