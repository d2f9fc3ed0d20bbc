#pragma once

#include <vector>

#include "encode/compact_fields.h"

namespace nj {

// The file family's rows of the terminal view (encode/compact_fields.h).
std::vector<CompactAction> file_compact();

}  // namespace nj
