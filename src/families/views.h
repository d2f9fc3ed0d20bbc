// What a family's tracker decodes once per event for its encoder to read
// again (an exec's parts, put back together): one alternative per family
// that keeps one, so the generic Enrichment carries it without knowing it.
#pragma once

#include <variant>

#include "families/file/view.h"
#include "families/network/view.h"
#include "families/process/exec_view.h"
#include "families/tamper/view.h"

namespace nj {

using FamilyView = std::variant<std::monostate, ExecView, FileView, NetView, TamperView>;

}  // namespace nj
