#pragma once

#include <vector>

#include "loader/program_table.h"

namespace nj {

std::vector<Hook> tamper_hooks();

}  // namespace nj
