#include "families/tamper/view.h"

#include "decode/decode.h"

namespace nj {

TamperView make_tamper_view(uint16_t type, const Event& ev) {
  TamperView v;
  v.type = type;
  for (const StrPart& p : ev.parts) {
    if (p.field == 0 || p.field >= NJ_TF_MAX) continue;
    auto& slot = v.strings[p.field];
    if (!slot) slot.emplace();
    slot->value += p.data;  // chunks come in order
    slot->truncated = slot->truncated || (p.flags & NJ_STR_TRUNCATED);
    slot->dev = p.dev;
    slot->ino = p.ino;
  }
  // Every NJ_TF_PATH is a kernel dentry walk (nj_part_path): segments, leaf
  // first. Joined here once, so no encoder sends the raw form.
  if (auto& path = v.strings[NJ_TF_PATH]) path->value = walked_path(path->value, path->truncated);
  return v;
}

const TamperString* string_of(const TamperView& v, uint16_t field) {
  if (field >= NJ_TF_MAX || !v.strings[field]) return nullptr;
  return &*v.strings[field];
}

}  // namespace nj
