// credential_change: values[] decoded, capability names, the ids named,
// the encoded document; and the exec's privilege_change worked out against
// the process table (families/process/privilege.h).
#include <sys/stat.h>

#include "encoder_fixture.h"
#include "families/process/privilege.h"
#include "families/process/tracker.h"
#include "families/tamper/creds.h"
#include "families/tamper/tracker.h"
#include "util/host.h"

namespace njt {
namespace {

constexpr uint64_t kNobody = 65534;

uint64_t pair(uint64_t lo, uint64_t hi) { return lo | hi << 32; }

// root's setresuid(65534, 65534, 65534): every uid and the capabilities change.
nj_tmp_creds drop_to_nobody() {
  nj_tmp_creds r{};
  r.hdr = make_hdr(NJ_REC_TMP_CREDS, sizeof(r), 77, kTs);
  r.op.task = full_task();
  r.op.task.uid = r.op.task.euid = kNobody;
  r.op.syscall = NJ_SYS_SETRESUID;
  r.op.args[0] = kNobody;
  r.op.args[1] = 0xffffffffull;  // -1: unchanged
  r.op.args[2] = kNobody;
  r.op.values[0] = pair(0, 0);
  r.op.values[1] = pair(kNobody, kNobody);
  r.op.values[2] = pair(0, 0);
  r.op.values[3] = pair(kNobody, kNobody);
  r.op.values[4] = 0x1ffffffffffull;
  r.op.values[5] = 0;
  return r;
}

TEST(TamperCreds, UidValuesDecodeIntoOldAndNewSets) {
  const nj_tmp_creds r = drop_to_nobody();
  const CredsChange c = decode_creds(r.op);
  EXPECT_EQ(c.kind, CredsKind::uid);
  EXPECT_EQ(c.before.ids, (std::array<uint32_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(c.after.ids, (std::array<uint32_t, 4>{65534, 65534, 65534, 65534}));
  EXPECT_EQ(c.before.caps, 0x1ffffffffffull);
  EXPECT_EQ(c.after.caps, 0u);
  EXPECT_EQ(c.folded, 0u);
}

TEST(TamperCreds, GroupsKeepOnlyAsManyAsTheCountSays) {
  nj_tamper_op op{};
  op.syscall = NJ_SYS_SETGROUPS;
  op.values[0] = 0;
  op.values[1] = 3;
  op.values[3] = pair(65534, 100);
  op.values[5] = pair(4, 0);
  op.values[7] = 2;
  const CredsChange c = decode_creds(op);
  EXPECT_EQ(c.kind, CredsKind::groups);
  EXPECT_EQ(c.before.group_count, 0u);
  EXPECT_TRUE(c.before.groups.empty());
  EXPECT_EQ(c.after.group_count, 3u);
  EXPECT_EQ(c.after.groups, (std::vector<uint32_t>{65534, 100, 4}));
  EXPECT_EQ(c.folded, 2u);
}

TEST(TamperCreds, CapsetSetsInterleaveOldAndNew) {
  nj_tamper_op op{};
  op.syscall = NJ_SYS_CAPSET;
  for (int i = 0; i < 6; i++) op.values[i] = 100 + i;
  const CredsChange c = decode_creds(op);
  EXPECT_EQ(c.kind, CredsKind::capabilities);
  EXPECT_EQ(c.before.capset, (std::array<uint64_t, 3>{100, 102, 104}));
  EXPECT_EQ(c.after.capset, (std::array<uint64_t, 3>{101, 103, 105}));
}

TEST(TamperCreds, KindFollowsTheSyscall) {
  EXPECT_EQ(creds_kind(NJ_SYS_SETFSUID), CredsKind::uid);
  EXPECT_EQ(creds_kind(NJ_SYS_SETREGID), CredsKind::gid);
  EXPECT_EQ(creds_kind(NJ_SYS_SETFSGID), CredsKind::gid);
  EXPECT_EQ(creds_kind(NJ_SYS_SETGROUPS), CredsKind::groups);
  EXPECT_EQ(creds_kind(NJ_SYS_CAPSET), CredsKind::capabilities);
}

TEST(TamperCreds, CapabilityNamesAndHex) {
  EXPECT_EQ(capability_name(0), "CAP_CHOWN");
  EXPECT_EQ(capability_name(13), "CAP_NET_RAW");
  EXPECT_EQ(capability_name(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(capability_name(41), "CAP_41");
  EXPECT_EQ(capability_names((1ull << 13) | (1ull << 21)), (std::vector<std::string>{"CAP_NET_RAW", "CAP_SYS_ADMIN"}));
  EXPECT_TRUE(capability_names(0).empty());
  EXPECT_EQ(capability_names(0x1ffffffffffull).size(), 41u);
  EXPECT_EQ(capability_hex(0x1ffffffffffull), "0x000001ffffffffff");
  EXPECT_EQ(capability_hex(0), "0x0000000000000000");
}

TEST(TamperCreds, IdsToNameAreOldNewAndRequestedButNotMinusOne) {
  const nj_tmp_creds r = drop_to_nobody();
  const CredsIds ids = creds_ids(r.op);
  EXPECT_TRUE(ids.groups.empty());
  EXPECT_NE(std::find(ids.users.begin(), ids.users.end(), 0u), ids.users.end());
  EXPECT_NE(std::find(ids.users.begin(), ids.users.end(), 65534u), ids.users.end());
  EXPECT_EQ(std::find(ids.users.begin(), ids.users.end(), 0xffffffffu), ids.users.end());
}

using TamperCredsEncoder = EncoderTest;

TEST_F(TamperCredsEncoder, ADropToNobodyShowsOldNewRequestedAndTheCapabilitiesLost) {
  const nj_tmp_creds r = drop_to_nobody();
  const json j = encode(Event{Record{r}, {}, false});
  EXPECT_EQ(j["event"]["action"], "credential_change");
  EXPECT_EQ(j["event"]["category"], json::array({"process"}));
  EXPECT_EQ(j["event"]["type"], json::array({"change"}));
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["nightjar"]["syscall"], "setresuid");
  const json& c = j["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(c["kind"], "uid");
  for (const char* role : {"real", "effective", "saved", "fs"}) {
    EXPECT_EQ(c["old"][role], json({{"id", "0"}})) << role;
    EXPECT_EQ(c["new"][role], json({{"id", "65534"}})) << role;
  }
  EXPECT_EQ(c["changed"], json::array({"real", "effective", "saved", "fs", "effective_capabilities"}));
  EXPECT_EQ(c["requested"], json({{"real", {{"id", "65534"}}}, {"saved", {{"id", "65534"}}}}));
  EXPECT_EQ(c["effective_capabilities"]["old"]["hex"], "0x000001ffffffffff");
  EXPECT_EQ(c["effective_capabilities"]["old"]["names"].size(), 41u);
  EXPECT_EQ(c["effective_capabilities"]["new"], json({{"hex", "0x0000000000000000"}, {"names", json::array()}}));
  EXPECT_FALSE(c.contains("folded_so_far"));
}

TEST_F(TamperCredsEncoder, ARefusalIsAFailureWithTheIdAskedFor) {
  nj_tmp_creds r{};
  r.hdr = make_hdr(NJ_REC_TMP_CREDS, sizeof(r), 78, kTs);
  r.op.task = full_task();
  r.op.syscall = NJ_SYS_SETUID;
  r.op.retval = -1;
  r.op.values[0] = r.op.values[1] = r.op.values[2] = r.op.values[3] = pair(kNobody, kNobody);
  r.op.values[7] = 3;
  r.op.flags = NJ_TMP_FOLDED;
  const json j = encode(Event{Record{r}, {}, false});
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"]["code"], "EPERM");
  const json& c = j["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(c["changed"], json::array());
  EXPECT_EQ(c["requested"], json({{"id", {{"id", "0"}}}}));
  EXPECT_EQ(c["folded_so_far"], 3);
  EXPECT_FALSE(c.contains("effective_capabilities"));
}

TEST_F(TamperCredsEncoder, CapsetNamesEachSet) {
  nj_tmp_creds r{};
  r.hdr = make_hdr(NJ_REC_TMP_CREDS, sizeof(r), 79, kTs);
  r.op.task = full_task();
  r.op.syscall = NJ_SYS_CAPSET;
  r.op.values[0] = r.op.values[2] = (1ull << 13) | 1;
  r.op.values[1] = r.op.values[3] = 1;
  const json j = encode(Event{Record{r}, {}, false});
  const json& c = j["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(c["kind"], "capabilities");
  EXPECT_EQ(c["old"]["effective"]["names"], json::array({"CAP_CHOWN", "CAP_NET_RAW"}));
  EXPECT_EQ(c["new"]["permitted"], json({{"hex", "0x0000000000000001"}, {"names", {"CAP_CHOWN"}}}));
  EXPECT_EQ(c["new"]["inheritable"]["names"], json::array());
  EXPECT_EQ(c["changed"], json::array({"effective", "permitted"}));
  EXPECT_FALSE(c.contains("requested"));
}

// privilege_change: the exec's effective ids against the table's.
TEST(ExecPrivilege, ASetuidRootExecByNobodyIsAGain) {
  const auto c = privilege_change({65534, 65534, 65534, 65534}, {65534, 0, 65534, 65534}, S_IFREG | S_ISUID | 0755);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->from_euid, 65534u);
  EXPECT_EQ(c->to_euid, 0u);
  EXPECT_EQ(c->from_egid, 65534u);
  EXPECT_EQ(c->to_egid, 65534u);
  EXPECT_EQ(c->setuid, true);
  EXPECT_EQ(c->setgid, false);
}

TEST(ExecPrivilege, NoChangeOrAStaleTableSaysNothing) {
  EXPECT_FALSE(privilege_change({1000, 1000, 1000, 1000}, {1000, 1000, 1000, 1000}, std::nullopt));
  // The real uid changed: the table missed a setuid(); nothing can be said.
  EXPECT_FALSE(privilege_change({0, 0, 0, 0}, {65534, 65534, 0, 0}, std::nullopt));
  const auto sgid = privilege_change({1000, 1000, 1000, 1000}, {1000, 1000, 1000, 42}, std::nullopt);
  ASSERT_TRUE(sgid);
  EXPECT_FALSE(sgid->setuid);  // mode unknown: not claimed either way
  EXPECT_EQ(sgid->to_egid, 42u);
}

constexpr long kTicks = 100;

TEST(ExecPrivilege, TheTrackerComparesWithTheIdsOfTheLastCredentialChange) {
  ProcessTable table;
  ProcessTracker processes{TrackerContext{table, "/fake-proc", kTicks, 0}};
  TamperTracker tamper{TrackerContext{table, "/fake-proc", kTicks, 0}};
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(f), 1);
  f.task = make_task(10, "bash");  // root
  f.child_pid = 100;
  Enrichment fen;
  processes.track(Event{Record{f}, {}, false}, fen, 0);

  // The child drops to nobody...
  nj_tmp_creds r = drop_to_nobody();
  r.op.task = make_task(100, "sh");
  r.op.task.uid = r.op.task.euid = r.op.task.gid = r.op.task.egid = kNobody;
  Enrichment cen;
  tamper.track(Event{Record{r}, {}, false}, cen, 0);
  EXPECT_EQ(table.find(ProcKey{100, 0})->euid, kNobody);

  // ... and execs a setuid-root file: the exec's task has euid 0.
  nj_exec e = exec_rec(2, 0);
  e.task.uid = e.task.gid = e.task.egid = kNobody;
  e.task.euid = 0;
  Enrichment een;
  processes.track(Event{Record{e}, {}, false}, een, 0);
  const auto& v = std::get<ExecView>(een.view);
  ASSERT_TRUE(v.privilege);
  EXPECT_EQ(v.privilege->from_euid, kNobody);
  EXPECT_EQ(v.privilege->to_euid, 0u);
  EXPECT_FALSE(v.privilege->setuid);  // no file to look at
  EXPECT_EQ(table.find(ProcKey{100, 0})->euid, 0u);
}

TEST(ExecPrivilege, WithoutTheCredentialChangeTheStaleTableIsNotBelieved) {
  ProcessTable table;
  ProcessTracker processes{TrackerContext{table, "/fake-proc", kTicks, 0}};
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(f), 1);
  f.task = make_task(10, "bash");
  f.child_pid = 100;
  Enrichment fen;
  processes.track(Event{Record{f}, {}, false}, fen, 0);
  nj_exec e = exec_rec(2, 0);
  e.task.uid = e.task.gid = e.task.egid = kNobody;
  e.task.euid = 0;
  Enrichment een;
  processes.track(Event{Record{e}, {}, false}, een, 0);
  EXPECT_FALSE(std::get<ExecView>(een.view).privilege);
}

}  // namespace
}  // namespace njt
