// credential_change from commit_creds (kprobe/fentry): its values[] and
// args[] layout decoded, what changed, the syscall in flight named, and the
// encoded document through the real schema validator.
#include <sys/syscall.h>

#include <cstdlib>
#include <fstream>

#include "encoder_fixture.h"
#include "families/tamper/creds.h"
#include "temp_dir.h"

namespace njt {
namespace {

constexpr uint64_t kFull = 0x1ffffffffffull;
constexpr uint32_t kNsOld = 4026531837u, kNsNew = 4026532561u;

uint64_t pair(uint64_t lo, uint64_t hi) { return lo | hi << 32; }

// A kernel exploit's commit_creds(prepare_kernel_cred(&init_task)) from an
// ioctl: uid and gid 1000 become 0, no capabilities become all.
nj_tmp_creds exploit() {
  nj_tmp_creds r{};
  r.hdr = make_hdr(NJ_REC_TMP_CREDS, sizeof(r), 81, kTs);
  r.op.task = full_task();
  r.op.task.uid = r.op.task.euid = r.op.task.gid = r.op.task.egid = 0;
  r.op.syscall = NJ_SYS_COMMIT_CREDS;
  for (int i = 0; i < 8; i += 2) {
    r.op.values[i] = pair(1000, 1000);
    r.op.values[i + 1] = 0;
  }
  r.op.args[0] = r.op.args[2] = 0;
  r.op.args[1] = r.op.args[3] = kFull;
  r.op.args[4] = SYS_ioctl | static_cast<uint64_t>(NJ_CC_GROUPS) << 32;
  r.op.args[5] = pair(kNsOld, kNsOld);
  return r;
}

TEST(TamperCommitCreds, ValuesAndArgsDecodeIntoBothSides) {
  const nj_tmp_creds r = exploit();
  const CredsChange c = decode_creds(r.op);
  EXPECT_EQ(c.kind, CredsKind::all);
  EXPECT_EQ(c.before.ids, (std::array<uint32_t, 4>{1000, 1000, 1000, 1000}));
  EXPECT_EQ(c.before.gids, (std::array<uint32_t, 4>{1000, 1000, 1000, 1000}));
  EXPECT_EQ(c.after.ids, (std::array<uint32_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(c.after.gids, (std::array<uint32_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(c.before.capset[0], 0u);
  EXPECT_EQ(c.after.capset[0], kFull);
  EXPECT_EQ(c.after.capset[1], kFull);
  EXPECT_EQ(c.before.user_ns, kNsOld);
  EXPECT_EQ(c.after.user_ns, kNsOld);
  ASSERT_TRUE(c.in_syscall);
  EXPECT_EQ(*c.in_syscall, static_cast<uint32_t>(SYS_ioctl));
  EXPECT_EQ(c.other_changes, NJ_CC_GROUPS);
  EXPECT_EQ(c.folded, 0u);
}

TEST(TamperCommitCreds, AnUnknownSyscallAndAFoldCountComeFromArgs4) {
  nj_tamper_op op{};
  op.syscall = NJ_SYS_COMMIT_CREDS;
  op.args[4] = NJ_CC_NR_UNKNOWN | static_cast<uint64_t>(NJ_CC_BOUNDING) << 32 | 40ull << 48;
  const CredsChange c = decode_creds(op);
  EXPECT_FALSE(c.in_syscall);
  EXPECT_EQ(c.other_changes, NJ_CC_BOUNDING);
  EXPECT_EQ(c.folded, 40u);
}

TEST(TamperCommitCreds, ChangedListsIdsByRoleThenCapabilitiesThenTheRest) {
  nj_tmp_creds r = exploit();
  r.op.args[4] =
      SYS_unshare |
      static_cast<uint64_t>(NJ_CC_BOUNDING | NJ_CC_AMBIENT | NJ_CC_SECUREBITS | NJ_CC_INHERITABLE | NJ_CC_GROUPS) << 32;
  r.op.args[5] = pair(kNsOld, kNsNew);
  r.op.values[3] = pair(1000, 1000);  // saved|fs uid unchanged
  r.op.values[4] = r.op.values[5];    // real|effective gid unchanged
  EXPECT_EQ(
      creds_changed(decode_creds(r.op)),
      (std::vector<std::string>{"real_user", "effective_user", "saved_group", "fs_group", "effective_capabilities",
                                "permitted_capabilities", "inheritable_capabilities", "ambient_capabilities",
                                "bounding_capabilities", "securebits", "groups", "user_namespace"}));
}

TEST(TamperCommitCreds, IdsToNameAreTheUsersAndTheGroupsOfBothSides) {
  const CredsIds ids = creds_ids(exploit().op);
  EXPECT_EQ(ids.users, (std::vector<uint32_t>{1000, 1000, 1000, 1000, 0, 0, 0, 0}));
  EXPECT_EQ(ids.groups, (std::vector<uint32_t>{1000, 1000, 1000, 1000, 0, 0, 0, 0}));
}

TEST(TamperCommitCreds, NativeSyscallNamesComeFromThisArchitecturesNumbers) {
  EXPECT_STREQ(native_syscall_name(SYS_ioctl), "ioctl");
  EXPECT_STREQ(native_syscall_name(SYS_unshare), "unshare");
  EXPECT_STREQ(native_syscall_name(SYS_prctl), "prctl");
  EXPECT_STREQ(native_syscall_name(SYS_execve), "execve");
  EXPECT_EQ(native_syscall_name(SYS_getpid), nullptr);  // not in the table: shown by number only
  EXPECT_EQ(native_syscall_name(NJ_CC_NR_UNKNOWN), nullptr);
}

using TamperCommitCredsEncoder = EncoderTest;

TEST_F(TamperCommitCredsEncoder, AnExploitsRootIsEveryIdAndCapability) {
  const json j = encode(Event{Record{exploit()}, {}, false});
  EXPECT_EQ(j["event"]["action"], "credential_change");
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_FALSE(j["nightjar"].contains("syscall")) << "commit_creds is not a syscall";
  EXPECT_EQ(j["process"]["user"]["id"], "0");
  const json& c = j["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(c["kind"], "all");
  EXPECT_EQ(c["via"], "commit_creds");
  EXPECT_EQ(c["in_syscall"], "ioctl");
  EXPECT_EQ(c["in_syscall_number"], SYS_ioctl);
  const json k1000 = {{"id", "1000"}}, root = {{"id", "0"}};
  const json r1000 = {{"real", k1000}, {"effective", k1000}, {"saved", k1000}, {"fs", k1000}};
  const json r0 = {{"real", root}, {"effective", root}, {"saved", root}, {"fs", root}};
  const json none = {{"hex", "0x0000000000000000"}, {"names", json::array()}};
  EXPECT_EQ(c["old"], json({{"user", r1000},
                            {"group", r1000},
                            {"capabilities", {{"effective", none}, {"permitted", none}}},
                            {"user_namespace_inode", kNsOld}}));
  EXPECT_EQ(c["new"]["user"], r0);
  EXPECT_EQ(c["new"]["group"], r0);
  EXPECT_EQ(c["new"]["capabilities"]["effective"]["hex"], "0x000001ffffffffff");
  EXPECT_EQ(c["new"]["capabilities"]["permitted"]["names"].size(), 41u);
  EXPECT_EQ(c["changed"],
            json::array({"real_user", "effective_user", "saved_user", "fs_user", "real_group", "effective_group",
                         "saved_group", "fs_group", "effective_capabilities", "permitted_capabilities", "groups"}));
  EXPECT_FALSE(c.contains("requested"));
  EXPECT_FALSE(c.contains("effective_capabilities"));
  EXPECT_FALSE(c.contains("folded_so_far"));
}

TEST_F(TamperCommitCredsEncoder, WhereTheKernelDoesNotSayTheSyscallIsUnknown) {
  nj_tmp_creds r = exploit();
  r.op.args[4] = NJ_CC_NR_UNKNOWN;
  const json c = encode(Event{Record{r}, {}, false})["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(c["in_syscall"], "unknown");
  EXPECT_FALSE(c.contains("in_syscall_number"));
  r.op.args[4] = SYS_getpid;  // a number without a name
  const json d = encode(Event{Record{r}, {}, false})["nightjar"]["tamper"]["credentials"];
  EXPECT_EQ(d["in_syscall"], "unknown");
  EXPECT_EQ(d["in_syscall_number"], SYS_getpid);
}

// The commit_creds shapes and a pair's through tools/validate-events.py:
// the schema requires nightjar.syscall of the one and forbids it on the other.
TEST_F(TamperCommitCredsEncoder, TheSchemaTakesCommitCredsEventsAndTellsThemFromThePairs) {
  TempDir dir("commit-creds");
  const std::string good = (dir.path() / "good.jsonl").string(), bad = (dir.path() / "bad.jsonl").string();
  nj_tmp_creds folded = exploit();
  folded.op.args[4] = SYS_prctl | static_cast<uint64_t>(NJ_CC_BOUNDING) << 32 | 3ull << 48;
  folded.op.flags = NJ_TMP_FOLDED;
  {
    std::ofstream f(good);
    f << enc.encode(Event{Record{exploit()}, {}, false}) << '\n';
    f << enc.encode(Event{Record{folded}, {}, false}) << '\n';
  }
  json pair_without_syscall = encode(Event{Record{exploit()}, {}, false});
  pair_without_syscall["nightjar"]["tamper"]["credentials"].erase("via");
  std::ofstream(bad) << pair_without_syscall.dump() << '\n';
  const std::string validate = std::string("/usr/bin/python3 ") + NJ_SOURCE_DIR + "/tools/validate-events.py " +
                               NJ_SOURCE_DIR + "/docs/schema/event.schema.json ";
  EXPECT_EQ(std::system((validate + good + " >&2").c_str()), 0) << "schema rejected a commit_creds event";
  EXPECT_NE(std::system((validate + bad + " >/dev/null 2>&1").c_str()), 0)
      << "schema took a credential_change with neither nightjar.syscall nor via";
}

}  // namespace
}  // namespace njt
