#pragma once

#include <vector>

#include "loader/program_table.h"

namespace nj {

std::vector<Hook> file_hooks();

}  // namespace nj
