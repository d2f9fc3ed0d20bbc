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

// inject: a poke into a tracee, memory written into and read from another
// process by number, another process's /proc/<pid>/mem opened for writing.
inline void complete_sample(nj::Event&, nj_tmp_ptrace& r) {
  tamper_sample::with_target(r.op, NJ_SYS_PTRACE);
  r.op.args[0] = r.op.values[0] = 4;  // PTRACE_POKETEXT
  r.op.args[1] = 4343;
  r.op.args[2] = 0x401000;
  r.op.args[3] = 0xcccccccccccccccc;
}

inline void vm_sample(nj_tamper_op& op, uint32_t syscall) {
  tamper_sample::with_target(op, syscall);
  op.target = {};
  op.target.pid = op.target.tid = 4343;
  op.target.flags = NJ_TGT_GLOBAL_PID;
  op.args[0] = 4343;
  op.args[2] = op.args[4] = 1;
  op.retval = 4096;
  op.values[0] = 0x7f0000001000;
  op.values[1] = 4096;
  op.values[2] = 1;
}

inline void complete_sample(nj::Event&, nj_tmp_vm_read& r) { vm_sample(r.op, NJ_SYS_PROCESS_VM_READV); }
inline void complete_sample(nj::Event&, nj_tmp_vm_write& r) { vm_sample(r.op, NJ_SYS_PROCESS_VM_WRITEV); }

inline void complete_sample(nj::Event& ev, nj_tmp_mem_open& r) {
  tamper_sample::with_target(r.op, NJ_SYS_OPENAT);
  r.op.retval = 3;
  r.op.values[0] = 2;        // FMODE_WRITE
  r.op.values[1] = 0100001;  // O_WRONLY | O_LARGEFILE
  ev.parts.push_back(part(r.hdr.event_id, NJ_TF_PATH, 0,
                          std::string("mem\0"
                                      "4343\0"
                                      "proc\0",
                                      14),
                          0, 4, 98765));
  r.hdr.nparts = 1;
}

// A root process dropping to nobody with setresuid: every uid and the
// effective capabilities change.
inline void complete_sample(nj::Event&, nj_tmp_creds& r) {
  r.op.task = make_task(4242, "sample");
  r.op.task.start_ns = 4'000'000'000ull;
  r.op.task.parent_start_ns = 1'000'000'000ull;
  r.op.task.uid = r.op.task.euid = 65534;
  r.op.syscall = NJ_SYS_SETRESUID;
  r.op.args[0] = r.op.args[1] = r.op.args[2] = 65534;
  r.op.values[0] = 0;
  r.op.values[1] = 65534ull | 65534ull << 32;
  r.op.values[2] = 0;
  r.op.values[3] = 65534ull | 65534ull << 32;
  r.op.values[4] = 0x1ffffffffffull;
  r.op.values[5] = 0;
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

// Kernel code and namespaces.
inline void complete_sample(nj::Event& ev, nj_tmp_module_load& r) {
  tamper_sample::caller(r.op, NJ_SYS_FINIT_MODULE);
  r.op.args[0] = 3;
  r.op.values[0] = 1;
  tamper_sample::add_part(ev, r.hdr, NJ_TF_NAME, "dummy");
  // As the dentry walk sends it: segments, leaf first.
  tamper_sample::add_part(ev, r.hdr, NJ_TF_PATH,
                          std::string("dummy.ko\0net\0drivers\0kernel\0"
                                      "6.1.0-sample\0modules\0lib\0",
                                      53));
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
