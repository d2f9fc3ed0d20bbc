#pragma once

#include <vector>

#include "encode/compact_fields.h"

namespace nj {

// The tamper family's rows of the terminal view (encode/compact_fields.h).
std::vector<CompactAction> tamper_compact();

}  // namespace nj
