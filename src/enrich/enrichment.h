// What the enrichment stage attaches to an event, and what its trackers ask
// of it on the way.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "enrich/container.h"
#include "enrich/hasher.h"
#include "enrich/table.h"
#include "families/views.h"

namespace nj {

// Whom an event is about, when that is not simply its task: left unset, the
// task itself and its parent.
struct Subject {
  std::optional<ProcKey> self;
  std::optional<ProcKey> parent;
  bool ancestry = false;  // wanted even when not asked for on every event
};

// A file to hash: found through /proc/<pid>/exe while the process lives,
// else through its path; either must be the file with this identity.
struct HashRequest {
  std::string proc_exe;
  std::string path;  // "" when it has none (memfd, unlinked)
  FileId id;
};

struct Enrichment {
  // Snapshots of the process table's entries (shared, never changed).
  std::shared_ptr<const ProcInfo> self;                    // the process itself (exit, unshare, fork's caller image)
  std::shared_ptr<const ProcInfo> parent;                  // the event's parent
  std::vector<std::shared_ptr<const ProcInfo>> ancestors;  // parent first
  std::optional<std::string> user, real_user, group, real_group;  // names
  std::optional<ContainerInfo> container;
  std::optional<std::string> systemd_unit;
  std::optional<std::string> sha256;
  std::string hash_reason;  // why there is no hash ("" when hashed or not attempted)
  bool seeded_parent = false;
  FamilyView view;  // decoded once by the family's tracker, read again by its encoder

  // Set by trackers for the enricher's generic steps; never encoded.
  Subject subject;
  std::optional<HashRequest> hash_request;
};

struct EnrichedEvent {
  Event ev;
  Enrichment en;
};

struct EnricherStats {
  ProcessTableStats table;
  HasherStats hasher;
  uint64_t users_reloads = 0;
  uint64_t cgroup_cache_size = 0, cgroup_cache_hits = 0, cgroup_cache_misses = 0, cgroup_cache_evictions = 0;
  uint64_t parked = 0;
  uint64_t hash_timeouts = 0;
  uint64_t hash_queue_full = 0;
};

}  // namespace nj
