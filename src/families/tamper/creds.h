// credential_change: the values[] of a set*id / setgroups / capset record
// (include/nightjar/abi/tamper.h) decoded into old and new sets, the names
// of their ids, and capability names; pure functions, unit-tested
// (tests/unit/tamper_creds_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nightjar/abi.h"

namespace nj {

class UserDb;

// all: commit_creds (kprobe/fentry), every id and the capabilities at once.
enum class CredsKind { uid, gid, groups, capabilities, all };

// One side (old or new) of a change.
struct CredsSet {
  std::array<uint32_t, 4> ids{};     // uid/gid: real, effective, saved, fs
  uint64_t caps = 0;                 // uid: effective capabilities
  uint32_t group_count = 0;          // groups
  std::vector<uint32_t> groups;      // groups: the first ones (at most 4)
  std::array<uint64_t, 3> capset{};  // capabilities: effective, permitted, inheritable
  std::array<uint32_t, 4> gids{};    // all: real, effective, saved, fs gid (ids: the uids)
  uint32_t user_ns = 0;              // all: the user namespace's inode number
};

struct CredsChange {
  CredsKind kind = CredsKind::uid;
  CredsSet before, after;
  uint64_t folded = 0;  // calls folded into earlier events so far
  // all: the syscall in flight (std::nullopt: the kernel did not say) and
  // the NJ_CC_* sets that changed without their values in the record.
  std::optional<uint32_t> in_syscall;
  uint32_t other_changes = 0;
};

CredsKind creds_kind(uint32_t syscall);
CredsChange decode_creds(const nj_tamper_op& op);

// Which shown values differ: "real", "effective", ... per kind (the
// event's `changed`); for `all` "real_user" ... "fs_group",
// "effective_capabilities", ..., "user_namespace".
std::vector<std::string> creds_changed(const CredsChange& c);

// The name of this architecture's syscall `nr` where the table knows it
// (the ones that change credentials and the usual ways into the kernel).
const char* native_syscall_name(uint32_t nr);

// "CAP_CHOWN", ...; "CAP_<n>" for bits this list predates.
std::string capability_name(unsigned bit);
std::vector<std::string> capability_names(uint64_t set);
// "0x000001ffffffffff"
std::string capability_hex(uint64_t set);

// Every id the event names (old, new, requested), for the name lookups.
struct CredsIds {
  std::vector<uint32_t> users, groups;
};
CredsIds creds_ids(const nj_tamper_op& op);

// The names of those ids, as the user database has them.
struct CredsNames {
  std::map<uint32_t, std::string> users, groups;
};
CredsNames creds_names(const nj_tamper_op& op, UserDb& db);

}  // namespace nj
