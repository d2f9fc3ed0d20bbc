// A tamper event's parts and target, put together once by the tracker for
// the encoder: the strings by field, and the target process as the process
// table knows it (its executable, which the kernel side does not read).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "assemble/assembler.h"
#include "enrich/table.h"
#include "families/tamper/creds.h"
#include "nightjar/abi.h"

namespace nj {

struct TamperString {
  std::string value;  // NJ_TF_PATH: the walked path, joined
  bool truncated = false;
  uint32_t dev = 0;
  uint64_t ino = 0;
};

struct TamperView {
  uint16_t type = 0;
  std::array<std::optional<TamperString>, NJ_TF_MAX> strings;  // by enum nj_tamper_field
  std::shared_ptr<const ProcInfo> target;  // the process table's entry for the target, if it has one
  bool target_is_sensor = false;           // the action was aimed at this sensor
  CredsNames creds;                        // credential_change: names of the ids it shows
};

TamperView make_tamper_view(uint16_t type, const Event& ev);
// A field's string, or null.
const TamperString* string_of(const TamperView& v, uint16_t field);

}  // namespace nj
