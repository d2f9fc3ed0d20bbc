// The file family's tracker: puts each file event's paths together (view),
// applies the path rules (tags; exclusions the kernel could not apply, for
// paths it only saw as strings) and tells the kernel's watch map about
// watched files created after start.
#pragma once

#include <cstdint>
#include <memory>

#include "enrich/tracker.h"
#include "families/file/mounts.h"
#include "families/options.h"

namespace nj {

class FileTracker final : public Tracker {
 public:
  explicit FileTracker(const TrackerContext& ctx);

  void track(const Event& ev, Enrichment& en, uint64_t now_ns) override;
  void reconfigure(const FamilyOptions& o) override;
  void add_stats(EnricherStats& s) const override;

 private:
  void on(uint16_t type, const nj_file_op& op, const Event& ev, Enrichment& en, uint64_t now_ns);
  // Whether an exclude-fs rule covers the event's object.
  bool on_excluded_fs(const nj_file_op& op, const std::string& path, uint64_t now_ns);

  std::string proc_root_;
  UserDb* users_;
  FileOptions opts_;
  std::shared_ptr<const FileRules> rules_;
  MountTable mounts_;
  uint64_t mounts_read_ns_ = 0;
  uint64_t excluded_ = 0;
  uint64_t watches_added_ = 0;
};

}  // namespace nj
