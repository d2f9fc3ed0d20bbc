// The record registry: one line per family, one line per record type. The
// decoder's dispatch, the Record variant, the generic layout checks and the
// family and action names are all derived from these lists, so a record type
// is added in one place (its family's records.h) and a stage that lacks it
// fails to compile (the encoder has no overload for it) or fails the
// completeness test (tests/unit/registry_test.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "families/file/records.h"
#include "families/network/records.h"
#include "families/process/records.h"
#include "families/tamper/records.h"
#include "nightjar/abi.h"

// X(enum nj_family value, name)
#define NJ_FAMILIES(X) \
  X(NJ_FAM_PROCESS, process) X(NJ_FAM_FILE, file) X(NJ_FAM_NETWORK, network) X(NJ_FAM_TAMPER, tamper)

// X(record type, wire struct, family, action, hooks): `hooks` names, space
// separated, the hook table's hooks whose programs emit the record.
#define NJ_RECORDS(X) NJ_PROCESS_RECORDS(X) NJ_FILE_RECORDS(X) NJ_NETWORK_RECORDS(X) NJ_TAMPER_RECORDS(X)

namespace nj {

enum class Family : uint8_t {
#define NJ_FAMILY_ENUM(value, name) name = value,
  NJ_FAMILIES(NJ_FAMILY_ENUM)
#undef NJ_FAMILY_ENUM
};

const char* to_string(Family f);
std::optional<Family> family_from_string(std::string_view s);
// Every family, in enum order.
const std::vector<Family>& all_families();

struct RecordInfo {
  uint16_t type;
  Family family;
  const char* action;
  size_t size;        // the wire struct's
  const char* hooks;  // hook table names, space separated
};

// Every registered record type, in registry order.
const std::vector<RecordInfo>& record_types();
const RecordInfo* record_info(uint16_t type);

}  // namespace nj
