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

// The caller alone (no target), and a string part of the tamper family.
inline void caller(nj_tamper_op& op, uint32_t syscall) {
  op.task = make_task(4242, "sample");
  op.task.start_ns = 4'000'000'000ull;
  op.task.parent_start_ns = 1'000'000'000ull;
  op.syscall = syscall;
}

inline void add_part(nj::Event& ev, nj_hdr& h, uint16_t field, const std::string& data) {
  ev.parts.push_back(part(h.event_id, field, 0, data));
  h.nparts = static_cast<uint16_t>(ev.parts.size());
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

// Kernel code and namespaces.
inline void complete_sample(nj::Event& ev, nj_tmp_module_load& r) {
  tamper_sample::caller(r.op, NJ_SYS_FINIT_MODULE);
  r.op.args[0] = 3;
  r.op.values[0] = 1;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_NAME, "dummy");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_PATH, "/lib/modules/6.1.0-sample/kernel/drivers/net/dummy.ko");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_DATA, "numdummies=0");
}

inline void complete_sample(nj::Event& ev, nj_tmp_module_unload& r) {
  tamper_sample::caller(r.op, NJ_SYS_DELETE_MODULE);
  r.op.args[1] = 04000;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_NAME, "dummy");
}

inline void complete_sample(nj::Event& ev, nj_tmp_bpf& r) {
  tamper_sample::caller(r.op, NJ_SYS_BPF);
  r.op.retval = 5;
  r.op.values[0] = 5;
  r.op.values[1] = 1;
  r.op.values[2] = 2;
  r.op.values[3] = 0x0123456789abcdefull;
  r.op.values[4] = 77;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_NAME, "nj_test_filter");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_DATA, "GPL");
}

inline void complete_sample(nj::Event& ev, nj_tmp_mount& r) {
  tamper_sample::caller(r.op, NJ_SYS_MOUNT);
  r.op.args[3] = 4096;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_SOURCE, "/tmp/empty");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_TARGET, "/proc/4343");
}

inline void complete_sample(nj::Event& ev, nj_tmp_umount& r) {
  tamper_sample::caller(r.op, NJ_SYS_UMOUNT2);
  r.op.args[1] = 2;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_TARGET, "/proc/4343");
}

inline void complete_sample(nj::Event& ev, nj_tmp_mount_api& r) {
  tamper_sample::caller(r.op, NJ_SYS_FSCONFIG);
  r.op.args[0] = 3;
  r.op.args[1] = 1;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_NAME, "size");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_DATA, "2m");
  tamper_sample::add_part(ev, r.hdr, NJ_TF_FSTYPE, "tmpfs");
}

inline void complete_sample(nj::Event&, nj_tmp_setns& r) {
  tamper_sample::with_target(r.op, NJ_SYS_SETNS);
  r.op.args[0] = 4;
  r.op.args[1] = 0x04000000;
  r.op.values[2] = 2;
}

}  // namespace njt
