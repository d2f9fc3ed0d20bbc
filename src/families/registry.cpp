#include "families/registry.h"

namespace nj {

const char* to_string(Family f) {
  switch (f) {
#define NJ_FAMILY_NAME(value, name) \
  case Family::name: return #name;
    NJ_FAMILIES(NJ_FAMILY_NAME)
#undef NJ_FAMILY_NAME
  }
  return "?";
}

std::optional<Family> family_from_string(std::string_view s) {
#define NJ_FAMILY_PARSE(value, name) \
  if (s == #name) return Family::name;
  NJ_FAMILIES(NJ_FAMILY_PARSE)
#undef NJ_FAMILY_PARSE
  return std::nullopt;
}

const std::vector<Family>& all_families() {
  static const std::vector<Family> all = {
#define NJ_FAMILY_LIST(value, name) Family::name,
      NJ_FAMILIES(NJ_FAMILY_LIST)
#undef NJ_FAMILY_LIST
  };
  return all;
}

const std::vector<RecordInfo>& record_types() {
  static const std::vector<RecordInfo> types = {
#define NJ_RECORD_INFO(type, T, family, action, hooks) {type, static_cast<Family>(family), action, sizeof(T), hooks},
      NJ_RECORDS(NJ_RECORD_INFO)
#undef NJ_RECORD_INFO
  };
  return types;
}

const RecordInfo* record_info(uint16_t type) {
  for (const RecordInfo& r : record_types())
    if (r.type == type) return &r;
  return nullptr;
}

}  // namespace nj
