// The wire format's layout, checked at compile time: a BPF-side change that
// moves a field breaks the build here instead of corrupting events.
#include <cstddef>

#include "nightjar/abi.h"

#define NJ_ASSERT_LAYOUT(type, field, off) \
  static_assert(offsetof(type, field) == (off), #type "." #field " moved")

static_assert(sizeof(nj_hdr) == 24);
NJ_ASSERT_LAYOUT(nj_hdr, type, 0);
NJ_ASSERT_LAYOUT(nj_hdr, version, 2);
NJ_ASSERT_LAYOUT(nj_hdr, backend, 3);
NJ_ASSERT_LAYOUT(nj_hdr, size, 4);
NJ_ASSERT_LAYOUT(nj_hdr, event_id, 8);
NJ_ASSERT_LAYOUT(nj_hdr, ts_ns, 16);

static_assert(sizeof(nj_task) == 72);
NJ_ASSERT_LAYOUT(nj_task, loginuid, 28);
NJ_ASSERT_LAYOUT(nj_task, start_ns, 32);
NJ_ASSERT_LAYOUT(nj_task, cgroup_id, 48);
NJ_ASSERT_LAYOUT(nj_task, comm, 56);

static_assert(sizeof(nj_str) == 48);
NJ_ASSERT_LAYOUT(nj_str, field, 24);
NJ_ASSERT_LAYOUT(nj_str, len, 32);
NJ_ASSERT_LAYOUT(nj_str, dev, 36);
NJ_ASSERT_LAYOUT(nj_str, ino, 40);

static_assert(sizeof(nj_exec) == 144);
NJ_ASSERT_LAYOUT(nj_exec, task, 24);
NJ_ASSERT_LAYOUT(nj_exec, retval, 96);
NJ_ASSERT_LAYOUT(nj_exec, ino, 128);
NJ_ASSERT_LAYOUT(nj_exec, nparts, 140);

static_assert(sizeof(nj_fork) == 128);
NJ_ASSERT_LAYOUT(nj_fork, child_pid, 96);
NJ_ASSERT_LAYOUT(nj_fork, clone_flags, 112);

static_assert(sizeof(nj_exit) == 112);
NJ_ASSERT_LAYOUT(nj_exit, exit_code, 96);

static_assert(sizeof(nj_unshare) == 112);
NJ_ASSERT_LAYOUT(nj_unshare, flags, 96);

static_assert(sizeof(nj_cpu_stats) == 8 * (3 * NJ_FAM_MAX + 8));
