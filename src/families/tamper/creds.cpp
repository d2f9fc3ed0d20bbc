#include "families/tamper/creds.h"

#include <cstdio>
#include <utility>

#include "enrich/users.h"

namespace nj {

namespace {

uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }

// values[] interleaves old and new: [0] old, [1] new, [2] old, [3] new, ...
CredsSet side(CredsKind kind, const nj_tamper_op& op, int which) {
  const uint64_t a = op.values[0 + which], b = op.values[2 + which], c = op.values[4 + which];
  CredsSet s;
  switch (kind) {
    case CredsKind::uid:
    case CredsKind::gid:
      s.ids = {lo(a), hi(a), lo(b), hi(b)};
      s.caps = c;
      break;
    case CredsKind::groups: {
      s.group_count = lo(a);
      const uint32_t g[4] = {lo(b), hi(b), lo(c), hi(c)};
      for (uint32_t i = 0; i < 4 && i < s.group_count; i++) s.groups.push_back(g[i]);
      break;
    }
    case CredsKind::capabilities: s.capset = {a, b, c}; break;
    case CredsKind::all: {
      const uint64_t g0 = op.values[4 + which], g1 = op.values[6 + which];
      s.ids = {lo(a), hi(a), lo(b), hi(b)};
      s.gids = {lo(g0), hi(g0), lo(g1), hi(g1)};
      s.capset = {op.args[0 + which], op.args[2 + which], 0};
      s.caps = s.capset[0];
      s.user_ns = which ? hi(op.args[5]) : lo(op.args[5]);
      break;
    }
  }
  return s;
}

constexpr const char* kRoles[] = {"real", "effective", "saved", "fs"};

// commit_creds: the sets shown only as changed (NJ_CC_*), in this order.
constexpr std::pair<uint32_t, const char*> kOtherChanges[] = {
    {NJ_CC_INHERITABLE, "inheritable_capabilities"},
    {NJ_CC_AMBIENT, "ambient_capabilities"},
    {NJ_CC_BOUNDING, "bounding_capabilities"},
    {NJ_CC_SECUREBITS, "securebits"},
    {NJ_CC_GROUPS, "groups"},
};

void changed_all(const CredsChange& c, std::vector<std::string>& out) {
  for (size_t i = 0; i < 4; i++)
    if (c.before.ids[i] != c.after.ids[i]) out.push_back(std::string(kRoles[i]) + "_user");
  for (size_t i = 0; i < 4; i++)
    if (c.before.gids[i] != c.after.gids[i]) out.push_back(std::string(kRoles[i]) + "_group");
  if (c.before.capset[0] != c.after.capset[0]) out.emplace_back("effective_capabilities");
  if (c.before.capset[1] != c.after.capset[1]) out.emplace_back("permitted_capabilities");
  for (const auto& [bit, name] : kOtherChanges)
    if (c.other_changes & bit) out.emplace_back(name);
  if (c.before.user_ns != c.after.user_ns) out.emplace_back("user_namespace");
}

constexpr const char* kCapNames[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

// The ids a call asked for, -1 ("unchanged") left out.
void requested_ids(const nj_tamper_op& op, std::vector<uint32_t>& out) {
  int n = 0;
  switch (op.syscall) {
    case NJ_SYS_SETUID:
    case NJ_SYS_SETGID:
    case NJ_SYS_SETFSUID:
    case NJ_SYS_SETFSGID: n = 1; break;
    case NJ_SYS_SETREUID:
    case NJ_SYS_SETREGID: n = 2; break;
    case NJ_SYS_SETRESUID:
    case NJ_SYS_SETRESGID: n = 3; break;
    default: break;
  }
  for (int i = 0; i < n; i++)
    if (lo(op.args[i]) != UINT32_MAX) out.push_back(lo(op.args[i]));
}

}  // namespace

CredsKind creds_kind(uint32_t syscall) {
  switch (syscall) {
    case NJ_SYS_SETGID:
    case NJ_SYS_SETREGID:
    case NJ_SYS_SETRESGID:
    case NJ_SYS_SETFSGID: return CredsKind::gid;
    case NJ_SYS_SETGROUPS: return CredsKind::groups;
    case NJ_SYS_CAPSET: return CredsKind::capabilities;
    case NJ_SYS_COMMIT_CREDS: return CredsKind::all;
    default: return CredsKind::uid;
  }
}

CredsChange decode_creds(const nj_tamper_op& op) {
  CredsChange c;
  c.kind = creds_kind(op.syscall);
  c.before = side(c.kind, op, 0);
  c.after = side(c.kind, op, 1);
  if (c.kind == CredsKind::all) {
    const uint64_t v = op.args[4];
    if (lo(v) != NJ_CC_NR_UNKNOWN) c.in_syscall = lo(v);
    c.other_changes = hi(v) & 0xffff;
    c.folded = v >> 48;
  } else {
    c.folded = op.values[7];
  }
  return c;
}

std::vector<std::string> creds_changed(const CredsChange& c) {
  std::vector<std::string> out;
  switch (c.kind) {
    case CredsKind::uid:
    case CredsKind::gid:
      for (size_t i = 0; i < 4; i++)
        if (c.before.ids[i] != c.after.ids[i]) out.emplace_back(kRoles[i]);
      if (c.before.caps != c.after.caps) out.emplace_back("effective_capabilities");
      break;
    case CredsKind::groups:
      if (c.before.group_count != c.after.group_count || c.before.groups != c.after.groups) out.emplace_back("groups");
      break;
    case CredsKind::capabilities: {
      constexpr const char* kSets[] = {"effective", "permitted", "inheritable"};
      for (size_t i = 0; i < 3; i++)
        if (c.before.capset[i] != c.after.capset[i]) out.emplace_back(kSets[i]);
      break;
    }
    case CredsKind::all: changed_all(c, out); break;
  }
  return out;
}

std::string capability_name(unsigned bit) {
  if (bit < sizeof(kCapNames) / sizeof(kCapNames[0])) return kCapNames[bit];
  return "CAP_" + std::to_string(bit);
}

std::vector<std::string> capability_names(uint64_t set) {
  std::vector<std::string> out;
  for (unsigned bit = 0; bit < 64; bit++)
    if (set >> bit & 1) out.push_back(capability_name(bit));
  return out;
}

std::string capability_hex(uint64_t set) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(set));
  return buf;
}

CredsIds creds_ids(const nj_tamper_op& op) {
  const CredsChange c = decode_creds(op);
  CredsIds out;
  std::vector<uint32_t>& ids = c.kind == CredsKind::uid ? out.users : out.groups;
  switch (c.kind) {
    case CredsKind::uid:
    case CredsKind::gid:
      for (const CredsSet* s : {&c.before, &c.after}) ids.insert(ids.end(), s->ids.begin(), s->ids.end());
      requested_ids(op, ids);
      break;
    case CredsKind::groups:
      for (const CredsSet* s : {&c.before, &c.after}) ids.insert(ids.end(), s->groups.begin(), s->groups.end());
      break;
    case CredsKind::capabilities: break;
    case CredsKind::all:
      for (const CredsSet* s : {&c.before, &c.after}) {
        out.users.insert(out.users.end(), s->ids.begin(), s->ids.end());
        out.groups.insert(out.groups.end(), s->gids.begin(), s->gids.end());
      }
      break;
  }
  return out;
}

CredsNames creds_names(const nj_tamper_op& op, UserDb& db) {
  const CredsIds ids = creds_ids(op);
  CredsNames out;
  for (uint32_t id : ids.users)
    if (!out.users.count(id))
      if (auto n = db.user_name(id)) out.users.emplace(id, *n);
  for (uint32_t id : ids.groups)
    if (!out.groups.count(id))
      if (auto n = db.group_name(id)) out.groups.emplace(id, *n);
  return out;
}

}  // namespace nj
