#pragma once

#include <vector>

#include "loader/program_table.h"

namespace nj {

std::vector<Hook> network_hooks();

}  // namespace nj
