#pragma once

#include <vector>

#include "encode/compact_fields.h"

namespace nj {

// The process family's rows of the terminal view (encode/compact_fields.h).
std::vector<CompactAction> process_compact();

}  // namespace nj
