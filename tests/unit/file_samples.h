// Plausible file-family events for the completeness test
// (registry_test.cpp): the zero record has no caller (the family keeps its
// task inside op, where sample_record does not look), no syscall and no
// path, none of which a real file event lacks.
#pragma once

#include <string>

#include "records.h"

namespace njt {

namespace file_sample {

using namespace std::string_literals;

// The caller sample_record gives the families whose record has a task.
inline void caller(nj_file_op& op) {
  op.task = make_task(4242, "sample");
  op.task.start_ns = 4'000'000'000ull;
  op.task.parent_start_ns = 1'000'000'000ull;
}

inline void add(nj::Event& ev, nj_hdr& h, uint16_t field, const std::string& data, uint32_t dev = 0, uint64_t ino = 0) {
  ev.parts.push_back(part(h.event_id, field, 0, data, 0, dev, ino));
  h.nparts = static_cast<uint16_t>(ev.parts.size());
}

// An object the exit had open: identity and the path walked from it.
inline void opened(nj::Event& ev, nj_hdr& h, nj_file_op& op, const std::string& segments, uint32_t mode) {
  op.flags |= NJ_FILE_OBJ_KNOWN;
  op.obj.ino = 1234;
  op.obj.dev = (254u << 20) | 1u;
  op.obj.mode = mode;
  op.obj.nlink = 1;
  add(ev, h, NJ_FF_PATH, segments, op.obj.dev, op.obj.ino);
}

// An object named by path: the name as passed and, when relative, the
// directory it was resolved against.
inline void named(nj::Event& ev, nj_hdr& h, const std::string& name, const std::string& dir_segments = "") {
  add(ev, h, NJ_FF_NAME, name);
  if (!dir_segments.empty()) add(ev, h, NJ_FF_DIR, dir_segments);
}

}  // namespace file_sample

inline void complete_sample(nj::Event& ev, nj_file_create& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_OPENAT;
  r.op.args[0] = 01 | 0100 | 01000;  // O_WRONLY | O_CREAT | O_TRUNC
  r.op.args[1] = 0644;
  opened(ev, r.hdr, r.op, "notes.txt\0tmp\0"s, 0100644);
}

inline void complete_sample(nj::Event& ev, nj_file_modify& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_FTRUNCATE;
  opened(ev, r.hdr, r.op, "notes.txt\0tmp\0"s, 0100644);
}

inline void complete_sample(nj::Event& ev, nj_file_delete& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_UNLINKAT;
  named(ev, r.hdr, "notes.txt", "tmp\0"s);
}

inline void complete_sample(nj::Event& ev, nj_file_rename& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_RENAMEAT2;
  r.op.args[0] = 1;  // RENAME_NOREPLACE
  named(ev, r.hdr, "notes.txt", "tmp\0"s);
  add(ev, r.hdr, NJ_FF_NAME2, "/tmp/reports/notes.txt");
}

inline void complete_sample(nj::Event& ev, nj_file_chmod& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_FCHMODAT;
  r.op.args[0] = 04755;
  named(ev, r.hdr, "/tmp/notes.txt");
}

inline void complete_sample(nj::Event& ev, nj_file_chown& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_FCHOWNAT;
  r.op.args[0] = 65534;
  r.op.args[1] = 0xffffffffu;  // group unchanged
  named(ev, r.hdr, "/tmp/notes.txt");
}

inline void complete_sample(nj::Event& ev, nj_file_times& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_UTIMENSAT;
  r.op.args[0] = 1577836800;        // atime 2020-01-01T00:00:00Z
  r.op.args[1] = 0;                 // its nanoseconds
  r.op.args[2] = 0;                 // mtime
  r.op.args[3] = (1ull << 30) - 2;  // UTIME_OMIT
  opened(ev, r.hdr, r.op, "notes.txt\0tmp\0"s, 0100644);
}

inline void complete_sample(nj::Event& ev, nj_file_xattr& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_SETXATTR;
  r.op.args[1] = 20;  // the value's size
  named(ev, r.hdr, "/tmp/notes.txt");
  add(ev, r.hdr, NJ_FF_XATTR, "security.capability");
}

inline void complete_sample(nj::Event& ev, nj_file_memfd& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_MEMFD_CREATE;
  r.op.args[0] = 1;  // MFD_CLOEXEC
  opened(ev, r.hdr, r.op, "memfd:payload\0"s, 0100777);
}

inline void complete_sample(nj::Event& ev, nj_file_read& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_OPENAT;
  r.op.rule = 1;
  opened(ev, r.hdr, r.op, "shadow\0etc\0"s, 0100640);
}

inline void complete_sample(nj::Event& ev, nj_file_chattr& r) {
  using namespace file_sample;
  caller(r.op);
  r.op.syscall = NJ_SYS_IOCTL;
  r.op.args[0] = 0x80010;  // FS_IMMUTABLE_FL | FS_EXTENT_FL
  r.op.args[1] = NJ_CHATTR_SETFLAGS;
  opened(ev, r.hdr, r.op, "cron-job\0njdoc\0tmp\0"s, 0100644);
}

inline void complete_sample(nj::Event&, nj_file_uring& r) {
  file_sample::caller(r.op);
  r.op.args[0] = 18;  // IORING_OP_OPENAT
}

}  // namespace njt
