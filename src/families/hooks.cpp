// The hook table: every family's rows, in the order `nightjar probe` lists
// them and the loader attaches them.
#include "families/file/hooks.h"
#include "families/network/hooks.h"
#include "families/process/hooks.h"
#include "families/tamper/hooks.h"
#include "loader/program_table.h"

namespace nj {

std::vector<Hook> family_hooks() {
  std::vector<Hook> all;
  for (auto* rows : {&process_hooks, &file_hooks, &network_hooks, &tamper_hooks}) {
    auto hooks = rows();
    all.insert(all.end(), hooks.begin(), hooks.end());
  }
  return all;
}

}  // namespace nj
