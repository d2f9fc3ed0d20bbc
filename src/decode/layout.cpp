// The wire format's shared layout, checked at compile time: a BPF-side
// change that moves a field breaks the build here instead of corrupting
// events. Every registered record type is checked for what the decoder and
// the batch layout rely on; each family pins its own fields in
// src/families/<family>/layout.cpp.
#include <cstddef>
#include <type_traits>

#include "families/registry.h"
#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_hdr) == 32);
NJ_ASSERT_LAYOUT(nj_hdr, type, 0);
NJ_ASSERT_LAYOUT(nj_hdr, version, 2);
NJ_ASSERT_LAYOUT(nj_hdr, backend, 3);
NJ_ASSERT_LAYOUT(nj_hdr, size, 4);
NJ_ASSERT_LAYOUT(nj_hdr, family, 8);
NJ_ASSERT_LAYOUT(nj_hdr, nparts, 10);
NJ_ASSERT_LAYOUT(nj_hdr, event_id, 16);
NJ_ASSERT_LAYOUT(nj_hdr, ts_ns, 24);

static_assert(sizeof(nj_task) == 72);
NJ_ASSERT_LAYOUT(nj_task, loginuid, 28);
NJ_ASSERT_LAYOUT(nj_task, start_ns, 32);
NJ_ASSERT_LAYOUT(nj_task, cgroup_id, 48);
NJ_ASSERT_LAYOUT(nj_task, comm, 56);

static_assert(sizeof(nj_str) == 56);
NJ_ASSERT_LAYOUT(nj_str, field, 32);
NJ_ASSERT_LAYOUT(nj_str, len, 40);
NJ_ASSERT_LAYOUT(nj_str, dev, 44);
NJ_ASSERT_LAYOUT(nj_str, ino, 48);

static_assert(sizeof(nj_cpu_stats) == 8 * (2 * NJ_FAM_MAX + 13));

// Every record: header first, a size the batch keeps 8-aligned, copyable
// with memcpy, numbered inside its family's block.
#define NJ_ASSERT_RECORD(type, T, family, action, hooks)                                      \
  static_assert(offsetof(T, hdr) == 0, #T ": the header comes first");                        \
  static_assert(sizeof(T) % 8 == 0, #T ": size must be a multiple of 8");                     \
  static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>, #T);         \
  static_assert((type) / NJ_REC_BLOCK == (family) + 1, #type ": outside its family's block"); \
  static_assert((family) < NJ_FAM_MAX, #T ": family out of range");
NJ_RECORDS(NJ_ASSERT_RECORD)
#undef NJ_ASSERT_RECORD
