// Per-family settings the trackers need, gathered so the enrichment stage
// carries them without knowing any of them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "families/file/rules.h"

namespace nj {

struct FileOptions {
  // null: the default rules.
  std::shared_ptr<const FileRules> rules;
  // Called when a file a read or exclude rule covers appears after start
  // (the kernel's watch map learns its identity); may be empty.
  std::function<void(const Watch&)> watch;
  // The path by which rule number `rule` watches the identity (dev, ino),
  // for a file the kernel matched by identity alone; may be empty. The
  // daemon's WatchIndex, current with the kernel's map (rebuilt at every
  // install of the watches, told of the ones `watch` adds).
  std::function<std::optional<std::string>(uint32_t rule, uint32_t dev, uint64_t ino)> watched_path;
};

struct FamilyOptions {
  FileOptions file;
};

}  // namespace nj
