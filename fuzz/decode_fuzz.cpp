// The decoder on arbitrary samples: every record either decodes or is
// refused, never read past its bytes; a decoded record's header says what
// it is.
#include <cstdint>
#include <cstring>

#include "decode/decode.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nj::for_each_record(data, size, [&](const uint8_t* rec, size_t len) {
    if (rec < data || rec + len > data + size) njf::fail("record outside its sample", "");
    auto r = nj::decode(rec, len);
    if (!r.ok()) return;
    const nj_hdr& h = nj::header_of(*r);
    if (h.size > len || h.version != NJ_ABI_VERSION) njf::fail("accepted a bad header", "");
    if (auto* p = std::get_if<nj::StrPart>(&*r)) {
      if (p->data.size() + sizeof(nj_str) > h.size) njf::fail("part data beyond its record", p->data);
      (void)nj::split_nul(p->data);
      (void)nj::walked_path(p->data, p->flags & NJ_STR_TRUNCATED);
    } else if (!nj::record_info(h.type)) {
      njf::fail("decoded an unregistered type", "");
    }
  });
  return 0;
}
