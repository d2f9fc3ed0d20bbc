// Per-family settings the trackers need, gathered so the enrichment stage
// carries them without knowing any of them.
#pragma once

#include <functional>
#include <memory>

#include "families/file/rules.h"

namespace nj {

struct FileOptions {
  // null: the default rules.
  std::shared_ptr<const FileRules> rules;
  // Called when a file a read or exclude rule covers appears after start
  // (the kernel's watch map learns its identity); may be empty.
  std::function<void(const Watch&)> watch;
};

struct FamilyOptions {
  FileOptions file;
};

}  // namespace nj
