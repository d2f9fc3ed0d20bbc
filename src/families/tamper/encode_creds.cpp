// credential_change: nightjar.tamper.credentials (docs/events/tamper.md).
//
// ECS event.category "process", type "change": "iam" is for accounts and
// groups (a user created, a membership changed); this is one running
// process taking other credentials, which ECS files under the process's
// own changes. The acting process block shows the credentials after the
// call (the exit reads them); the old ones are only here.
#include "families/tamper/creds.h"
#include "families/tamper/encode.h"

namespace nj {

namespace {

constexpr const char* kRoles[] = {"real", "effective", "saved", "fs"};

// User and group names come from /etc/passwd and /etc/group: escaped as
// any other string that is not the sensor's own.
void id_value(Encoder& e, uint32_t id, const std::map<uint32_t, std::string>& names) {
  e.w().kv("id", std::to_string(id));
  if (auto it = names.find(id); it != names.end()) e.str("name", it->second, "nightjar.tamper.credentials.name");
}

void id_object(Encoder& e, std::string_view key, uint32_t id, const std::map<uint32_t, std::string>& names) {
  auto& w = e.w();
  w.key(key);
  w.begin_object();
  id_value(e, id, names);
  w.end_object();
}

void caps_object(Encoder& e, std::string_view key, uint64_t set) {
  auto& w = e.w();
  w.key(key);
  w.begin_object();
  w.kv("hex", capability_hex(set));
  e.string_array("names", capability_names(set));
  w.end_object();
}

void roles_object(Encoder& e, std::string_view key, const std::array<uint32_t, 4>& ids,
                  const std::map<uint32_t, std::string>& names) {
  auto& w = e.w();
  w.key(key);
  w.begin_object();
  for (size_t i = 0; i < 4; i++) id_object(e, kRoles[i], ids[i], names);
  w.end_object();
}

// commit_creds: every id and the capability sets at once.
void side_all(Encoder& e, const CredsSet& s, const CredsNames& n) {
  auto& w = e.w();
  roles_object(e, "user", s.ids, n.users);
  roles_object(e, "group", s.gids, n.groups);
  w.key("capabilities");
  w.begin_object();
  caps_object(e, "effective", s.capset[0]);
  caps_object(e, "permitted", s.capset[1]);
  w.end_object();
  w.kn("user_namespace_inode", s.user_ns);
}

// One side of a change: its ids with names, its groups, or its capability sets.
void side(Encoder& e, const char* key, const CredsChange& c, const CredsSet& s, const CredsNames& n) {
  auto& w = e.w();
  const auto& names = c.kind == CredsKind::uid ? n.users : n.groups;
  w.key(key);
  w.begin_object();
  switch (c.kind) {
    case CredsKind::all: side_all(e, s, n); break;
    case CredsKind::uid:
    case CredsKind::gid:
      for (size_t i = 0; i < 4; i++) id_object(e, kRoles[i], s.ids[i], names);
      break;
    case CredsKind::groups:
      w.kn("count", s.group_count);
      w.key("groups");
      w.begin_array();
      for (uint32_t g : s.groups) {
        w.begin_object();
        id_value(e, g, names);
        w.end_object();
      }
      w.end_array();
      break;
    case CredsKind::capabilities:
      caps_object(e, "effective", s.capset[0]);
      caps_object(e, "permitted", s.capset[1]);
      caps_object(e, "inheritable", s.capset[2]);
      break;
  }
  w.end_object();
}

// What the caller asked for: the ids it passed (-1, "unchanged", left
// out); setuid/setgid name one id, which the kernel gives to all of real,
// effective and saved for a privileged caller and to effective otherwise.
void requested(Encoder& e, const nj_tamper_op& op, const CredsNames& n) {
  auto& w = e.w();
  const auto& names = creds_kind(op.syscall) == CredsKind::uid ? n.users : n.groups;
  std::vector<std::pair<const char*, uint64_t>> asked;
  switch (op.syscall) {
    case NJ_SYS_SETUID:
    case NJ_SYS_SETGID: asked = {{"id", op.args[0]}}; break;
    case NJ_SYS_SETREUID:
    case NJ_SYS_SETREGID: asked = {{"real", op.args[0]}, {"effective", op.args[1]}}; break;
    case NJ_SYS_SETRESUID:
    case NJ_SYS_SETRESGID: asked = {{"real", op.args[0]}, {"effective", op.args[1]}, {"saved", op.args[2]}}; break;
    case NJ_SYS_SETFSUID:
    case NJ_SYS_SETFSGID: asked = {{"fs", op.args[0]}}; break;
    case NJ_SYS_SETGROUPS:
      w.key("requested");
      w.begin_object();
      w.kn("count", static_cast<uint32_t>(op.args[0]));
      w.end_object();
      return;
    default: return;  // capset: its sets are in user memory, not read
  }
  w.key("requested");
  w.begin_object();
  for (const auto& [role, v] : asked)
    if (static_cast<uint32_t>(v) != UINT32_MAX) id_object(e, role, static_cast<uint32_t>(v), names);
  w.end_object();
}

const char* kind_name(CredsKind k) {
  switch (k) {
    case CredsKind::uid: return "uid";
    case CredsKind::gid: return "gid";
    case CredsKind::groups: return "groups";
    case CredsKind::capabilities: return "capabilities";
    case CredsKind::all: return "all";
  }
  return "uid";
}

}  // namespace

void encode_record(Encoder& e, const Event& ev, const nj_tmp_creds& r) {
  const nj_tamper_op& op = r.op;
  encode_tamper(e, ev, r, {"credential_change", "process", "change"}, [&](const TamperView& v) {
    auto& w = e.w();
    const CredsChange c = decode_creds(op);
    w.key("credentials");
    w.begin_object();
    w.kv("kind", kind_name(c.kind));
    if (c.kind == CredsKind::all) {
      // The syscall the commit happened in, when the kernel says (5.15+).
      w.kv("via", "commit_creds");
      const char* name = c.in_syscall ? native_syscall_name(*c.in_syscall) : nullptr;
      w.kv("in_syscall", name ? name : "unknown");
      if (c.in_syscall) w.kn("in_syscall_number", *c.in_syscall);
    }
    side(e, "old", c, c.before, v.creds);
    side(e, "new", c, c.after, v.creds);
    e.string_array("changed", creds_changed(c));
    requested(e, op, v.creds);
    if (c.kind == CredsKind::uid && c.before.caps != c.after.caps) {
      w.key("effective_capabilities");
      w.begin_object();
      caps_object(e, "old", c.before.caps);
      caps_object(e, "new", c.after.caps);
      w.end_object();
    }
    if (c.folded) w.kn("folded_so_far", c.folded);
    w.end_object();
  });
}

}  // namespace nj
