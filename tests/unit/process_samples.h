// Plausible process-family events for the completeness test
// (registry_test.cpp): what the zero record alone would not make valid.
#pragma once

#include "records.h"

namespace njt {

// A successful exec closes its event with the parts the kernel sends.
inline void complete_sample(nj::Event& ev, nj_exec& r) {
  using namespace std::string_literals;
  const uint64_t id = r.hdr.event_id;
  for (const Bytes& b : {str_bytes(id, NJ_F_FILENAME, 0, "/bin/true"), str_bytes(id, NJ_F_EXE, 0, "true\0bin\0"s),
                         str_bytes(id, NJ_F_CWD, 0, "tmp\0"s), str_bytes(id, NJ_F_ARGV, 0, "true\0"s)})
    ev.parts.push_back(std::get<nj::StrPart>(decode_ok(b)));
  r.hdr.nparts = static_cast<uint16_t>(ev.parts.size());
  r.argc = 1;
}

inline void complete_sample(nj::Event&, nj_fork& r) {
  r.child_pid = 4243;
  r.child_start_ns = 4'500'000'000ull;
  r.syscall = NJ_SYS_CLONE;
}

}  // namespace njt
