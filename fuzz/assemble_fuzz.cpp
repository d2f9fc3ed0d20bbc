// The assembler on arbitrary record sequences: parts before, after and
// without their closing record, duplicate ids, a cap of a few pending
// events, expiry at arbitrary times. Whatever comes, every record that
// goes in comes out exactly once: in an emitted event or counted as an
// orphan part.
//
// Input: 8 control bytes (window, cap, when to expire), then the records.
#include <cstdint>
#include <cstring>

#include "assemble/assembler.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t control;
  std::memcpy(&control, data, sizeof(control));
  const uint64_t window = (control & 0xff) * 1000;
  const size_t cap = ((control >> 8) & 0xf) + 1;
  uint64_t expire_bits = control >> 12;

  uint64_t events = 0, parts_out = 0;
  nj::Assembler a(window, cap, [&](nj::Event&& ev) {
    if (nj::is_part(ev.main)) njf::fail("a part emitted as an event", "");
    const uint64_t id = nj::header_of(ev.main).event_id;
    for (const nj::StrPart& p : ev.parts)
      if (p.hdr.event_id != id) njf::fail("a part in another event", p.data);
    if (!ev.incomplete && ev.parts.size() < nj::expected_parts(ev.main)) njf::fail("complete with parts missing", "");
    events++;
    parts_out += ev.parts.size();
  });

  uint64_t mains_in = 0, parts_in = 0, now = 0;
  for (nj::Record& r : njf::decode_all(data + 8, size - 8)) {
    now += nj::header_of(r).ts_ns & 0xfff;
    (nj::is_part(r) ? parts_in : mains_in)++;
    a.push(std::move(r), now);
    if (expire_bits & 1) a.expire(now);
    expire_bits = (expire_bits >> 1) | (expire_bits << 51);
    if (a.stats().pending > cap) njf::fail("more pending than the cap", "");
  }
  a.flush_all();
  const nj::AssemblerStats& s = a.stats();
  if (s.pending != 0) njf::fail("pending after flush_all", "");
  if (s.completed + s.incomplete != events) njf::fail("emitted events miscounted", "");
  if (events != mains_in) njf::fail("a closing record lost", "");
  if (parts_out + s.orphan_parts != parts_in) njf::fail("a part lost", "");
  return 0;
}
