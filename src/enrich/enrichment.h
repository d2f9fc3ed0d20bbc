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

// An event a tracker holds back until until_ns (CLOCK_BOOTTIME) in case a
// later event with the same key absorbs it: the failed execs of a PATH
// search, folded into the exec that worked. Not absorbed by then, it
// leaves on its own, in its place.
struct Hold {
  uint64_t key;
  uint64_t until_ns;
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

  // Held events this one absorbed (see Hold), in the order they came.
  std::vector<Event> absorbed;

  // Set by trackers for the enricher's generic steps; never encoded.
  Subject subject;
  std::optional<HashRequest> hash_request;
  std::optional<Hold> hold;
  std::optional<uint64_t> absorb;  // the key of the held events to take in
  bool drop = false;               // a rule says the event is not reported (the tracker counts it)
  // The event acted on this sensor (a signal to it, a ptrace of it, its
  // memory opened): how, in a word the sensor-tampered event repeats. Set
  // by a family's tracker; the daemon adds a sensor-tampered event.
  const char* aimed_at_sensor = nullptr;
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
  uint64_t file_excluded = 0;       // file events an exclude rule dropped in user space
  uint64_t file_watches_added = 0;  // watched files that appeared after start
  uint64_t dns_malformed = 0;       // DNS payloads that did not parse
  uint64_t dns_cache_size = 0, dns_cache_hits = 0, dns_cache_misses = 0, dns_cache_evictions = 0;
};

}  // namespace nj
