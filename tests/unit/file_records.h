// File family test helpers: a closing record of any file action and its
// parts, built as the BPF side lays them out (every action shares struct
// nj_file_op) and run through decode().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records.h"

namespace njt {

// Kernel dev_t (MAJOR << 20 | MINOR), as s_dev holds it.
constexpr uint32_t kdev(uint32_t major, uint32_t minor) { return (major << 20) | minor; }

// A path as the kernel's dentry walker sends it: segments leaf first, each
// NUL-terminated ("/a/b/c" -> "c\0b\0a\0").
inline std::string segments(const std::vector<std::string>& root_first) {
  std::string out;
  for (auto it = root_first.rbegin(); it != root_first.rend(); ++it) out += *it + '\0';
  return out;
}

// A walked path part (NJ_FF_PATH, NJ_FF_DIR, NJ_FF_DIR2) of an absolute path.
inline Bytes walked(uint64_t id, uint16_t field, const std::vector<std::string>& root_first, uint16_t flags = 0) {
  return str_bytes(id, field, 0, segments(root_first), static_cast<uint16_t>(flags | NJ_STR_PATH_ROOTED));
}

// A file action's closing record (every NJ_REC_FILE_* has this layout).
inline nj_file_create file_rec(uint16_t type, uint64_t event_id, uint16_t nparts, uint32_t syscall,
                               int64_t retval = 0) {
  nj_file_create r{};
  r.hdr = make_hdr(type, sizeof(r), event_id, 1'000'000, NJ_BACKEND_TRACEPOINT, NJ_FAM_FILE);
  r.hdr.nparts = nparts;
  r.op.task = make_task(300, "touch");
  r.op.retval = retval;
  r.op.syscall = syscall;
  return r;
}

// An Event as the assembler hands it over: the record and its parts, decoded.
inline nj::Event file_event(const nj_file_create& r, const std::vector<Bytes>& parts) {
  nj::Event ev{decode_ok(bytes_of(r)), {}, false};
  for (const Bytes& p : parts) ev.parts.push_back(std::get<nj::StrPart>(decode_ok(p)));
  return ev;
}

}  // namespace njt
