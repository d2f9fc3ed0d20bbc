// Test helpers: build wire records as the BPF side lays them out (memcpy of
// the abi.h structs, trailing data for nj_str) and run them through decode(),
// so every test sees records exactly as the daemon does.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "decode/decode.h"
#include "nightjar/abi.h"

namespace njt {

using Bytes = std::vector<uint8_t>;

inline nj_hdr make_hdr(uint16_t type, uint32_t size, uint64_t event_id, uint64_t ts_ns = 1'000'000,
                       uint8_t backend = NJ_BACKEND_TRACEPOINT, uint8_t family = NJ_FAM_PROCESS) {
  nj_hdr h{};
  h.type = type;
  h.family = family;
  h.version = NJ_ABI_VERSION;
  h.backend = backend;
  h.size = size;
  h.event_id = event_id;
  h.ts_ns = ts_ns;
  return h;
}

inline nj_task make_task(uint32_t pid, const char* comm) {
  nj_task t{};
  t.pid = pid;
  t.tid = pid;
  t.ppid = 1;
  t.loginuid = 0xffffffffu;
  std::strncpy(t.comm, comm, sizeof(t.comm));
  return t;
}

template <typename T>
Bytes bytes_of(const T& rec) {
  Bytes b(sizeof(T));
  std::memcpy(b.data(), &rec, sizeof(T));
  return b;
}

// An NJ_REC_PART record: header + payload, hdr.size covering both.
inline Bytes str_bytes(uint64_t event_id, uint16_t field, uint16_t index, const std::string& data, uint16_t flags = 0,
                       uint32_t dev = 0, uint64_t ino = 0, uint8_t backend = NJ_BACKEND_TRACEPOINT) {
  nj_str s{};
  s.hdr = make_hdr(NJ_REC_PART, static_cast<uint32_t>(sizeof(nj_str) + data.size()), event_id, 1'000'000, backend);
  s.field = field;
  s.index = index;
  s.flags = flags;
  s.len = static_cast<uint32_t>(data.size());
  s.dev = dev;
  s.ino = ino;
  std::string buf(sizeof(nj_str), '\0');
  std::memcpy(buf.data(), &s, sizeof(s));
  buf += data;
  return Bytes(buf.begin(), buf.end());
}

// decode() that must succeed (throws otherwise: gtest reports it as a failure).
inline nj::Record decode_ok(const Bytes& b) {
  auto r = nj::decode(b.data(), b.size());
  if (!r.ok()) throw std::runtime_error("decode failed: " + r.error().message);
  return std::move(r.value());
}

inline nj::StrPart part(uint64_t event_id, uint16_t field, uint16_t index, const std::string& data, uint16_t flags = 0,
                        uint32_t dev = 0, uint64_t ino = 0) {
  return std::get<nj::StrPart>(decode_ok(str_bytes(event_id, field, index, data, flags, dev, ino)));
}

inline nj_exec exec_rec(uint64_t event_id, uint16_t nparts, int32_t retval = 0, uint32_t flags = 0) {
  nj_exec e{};
  e.hdr = make_hdr(NJ_REC_EXEC, sizeof(nj_exec), event_id);
  e.task = make_task(100, "sh");
  e.retval = retval;
  e.flags = flags;
  e.syscall = NJ_SYS_EXECVE;
  e.hdr.nparts = nparts;
  e.old_tid = 100;
  return e;
}

// An exec record through the wire: bytes -> decode().
inline nj::Record exec_record(uint64_t event_id, uint16_t nparts, int32_t retval = 0, uint32_t flags = 0) {
  return decode_ok(bytes_of(exec_rec(event_id, nparts, retval, flags)));
}

// An Event as the assembler hands it over, from decoded records.
inline nj::Event event_of(const nj_exec& e, const std::vector<Bytes>& parts) {
  nj::Event ev{decode_ok(bytes_of(e)), {}, false};
  for (const Bytes& p : parts) ev.parts.push_back(std::get<nj::StrPart>(decode_ok(p)));
  return ev;
}

}  // namespace njt
