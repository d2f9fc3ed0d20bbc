#pragma once

#include <vector>

#include "encode/compact_fields.h"

namespace nj {

// The network family's rows of the terminal view (encode/compact_fields.h).
std::vector<CompactAction> network_compact();

}  // namespace nj
