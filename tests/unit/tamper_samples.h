// Plausible tamper-family events for the completeness test
// (registry_test.cpp): the zero record has no caller and no target, which
// no real tamper event lacks.
#pragma once

#include <cstring>

#include "records.h"

namespace njt {

namespace tamper_sample {

// A caller, and a target known from its task_struct.
inline void with_target(nj_tamper_op& op, uint32_t syscall) {
  op.task = make_task(4242, "sample");
  op.task.start_ns = 4'000'000'000ull;
  op.task.parent_start_ns = 1'000'000'000ull;
  op.syscall = syscall;
  op.target.pid = op.target.tid = 4343;
  op.target.start_ns = 4'500'000'000ull;
  op.target.uid = op.target.euid = 1000;
  op.target.flags = NJ_TGT_TASK;
  std::strncpy(op.target.comm, "victim", sizeof(op.target.comm));
}

}  // namespace tamper_sample

inline void complete_sample(nj::Event&, nj_tmp_signal& r) {
  tamper_sample::with_target(r.op, NJ_SYS_KILL);
  r.op.args[0] = 4343;
  r.op.args[1] = 9;
  r.op.values[0] = 9;
  r.op.values[3] = 1;
  r.op.values[4] = 1;
}

// The memory area: an anonymous RW -> RX mprotect whose VMA was seen, and a
// prctl rename to a kernel thread's name.
inline void complete_sample(nj::Event&, nj_tmp_exec_memory& r) {
  tamper_sample::with_target(r.op, NJ_SYS_MPROTECT);
  r.op.target = {};
  r.op.args[0] = 0x7f0000001000ull;
  r.op.args[1] = 4096;
  r.op.args[2] = 0x5;
  r.op.values[0] = 0x5;
  r.op.values[1] = NJ_MEM_VMA_SEEN | NJ_MEM_VMA_ANON | 0x3;
  r.op.values[7] = 12;
  r.op.flags = NJ_TMP_FOLDED;
}

inline void complete_sample(nj::Event&, nj_tmp_rename& r) {
  tamper_sample::with_target(r.op, NJ_SYS_PRCTL);
  r.op.target = {};
  r.op.args[0] = 15;
  std::memcpy(&r.op.values[0], "sample", 7);
  std::memcpy(&r.op.values[2], "[kworker/0:1]", 14);
  r.op.values[4] = NJ_RENAME_PRCTL;
}

}  // namespace njt
