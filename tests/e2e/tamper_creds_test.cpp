// credential_change events from real set*id / setgroups / capset calls on
// this machine's kernel, asserted field by field (old and new ids with
// their names, what was asked for, the capabilities lost), once per
// transport; one event for a multi-threaded setuid(); runuser to nobody;
// and the exec of a setuid-root file by nobody, whose exec event shows the
// gain (nightjar.privilege_change); on kprobe and fentry, the changes
// only commit_creds() sees (nobody's unshare(CLONE_NEWUSER), a prctl
// bounding-set drop), and none of its events for the calls and the exec
// other events report.
//
// Events are found by the acting process's pid, never by counting what the
// machine does meanwhile.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <bit>
#include <cstdio>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>

#include "harness.h"
#include "tamper_suite.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kWaitMs = 30000;

std::string user_name(uint32_t uid) {
  const passwd* p = getpwuid(uid);
  return p ? p->pw_name : "";
}

std::string group_name(uint32_t gid) {
  const group* g = getgrgid(gid);
  return g ? g->gr_name : "";
}

// {"id": "<id>", "name": "<name>"} as the sensor writes a named id.
json named(uint32_t id, const std::string& name) {
  json j = {{"id", std::to_string(id)}};
  if (!name.empty()) j["name"] = name;
  return j;
}
json user(uint32_t id) { return named(id, user_name(id)); }
json group_(uint32_t id) { return named(id, group_name(id)); }

class TamperCredsEvents : public TamperSuite<TamperCredsEvents> {
 protected:
  void SetUp() override { start({"\"action\":\"credential_change\"", "\"privilege_change\""}); }

  static bool is_creds(const json& x, long pid, const std::string& syscall) {
    return x.contains("process") && get(x, "event.action") == "credential_change" && get(x, "process.pid") == pid &&
           get(x, "nightjar.syscall") == syscall;
  }
  json find(long pid, const std::string& syscall, const std::function<bool(const json&)>& extra = {}) {
    return sensor().wait_for([&](const json& x) { return is_creds(x, pid, syscall) && (!extra || extra(x)); }, kWaitMs);
  }
  // commit_creds events (kprobe/fentry): no nightjar.syscall, a `via`.
  static bool is_commit(const json& x, long pid) {
    return x.contains("process") && get(x, "event.action") == "credential_change" && get(x, "process.pid") == pid &&
           get(x, "nightjar.tamper.credentials.via") == "commit_creds";
  }
  json find_commit(long pid) {
    return sensor().wait_for([&](const json& x) { return is_commit(x, pid); }, kWaitMs);
  }
  std::vector<json> commits_of(long pid, int settle_ms = 1000) {
    return sensor().all([&](const json& x) { return is_commit(x, pid); }, settle_ms);
  }
};

// Only the kprobe and fentry backends hook commit_creds().
bool commit_creds_seen() { return backend() != "tracepoint"; }

// bpf_task_pt_regs (5.15) gives the syscall in flight; before, "unknown".
bool kernel_names_syscall() {
  utsname u{};
  int major = 0, minor = 0;
  if (uname(&u) || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 5 || (major == 5 && minor >= 15);
}

void expect_common(const json& e, const std::string& kind, const std::string& outcome) {
  EXPECT_EQ(get(e, "event.kind"), "event");
  EXPECT_EQ(get(e, "event.category"), json::array({"process"}));
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "event.outcome"), outcome);
  EXPECT_EQ(get(e, "process.name"), "nj-actions");
  EXPECT_EQ(get(e, "process.executable"), NJ_ACTIONS);
  EXPECT_EQ(get(e, "nightjar.backend"), backend());
  EXPECT_EQ(get(e, "nightjar.tamper.credentials.kind"), kind);
  EXPECT_FALSE(has(e, "target"));
}

// Each role of a uid or gid side.
void expect_side(const json& side, const json& real, const json& effective, const json& saved, const json& fsid) {
  EXPECT_EQ(side, json({{"real", real}, {"effective", effective}, {"saved", saved}, {"fs", fsid}}));
}

TEST_P(TamperCredsEvents, RootDropsToNobodyWithSetresuid) {
  ACT(a, "tamper-creds-setresuid");
  const long pid = a["pid"];
  FIND(e, "setresuid event", pid, "setresuid");
  expect_common(e, "uid", "success");
  const json c = get(e, "nightjar.tamper.credentials");
  expect_side(c["old"], user(0), user(0), user(0), user(0));
  expect_side(c["new"], user(65534), user(65534), user(65534), user(65534));
  EXPECT_EQ(c["old"]["real"]["name"], "root");
  EXPECT_EQ(c["changed"], json::array({"real", "effective", "saved", "fs", "effective_capabilities"}));
  EXPECT_EQ(c["requested"], json({{"real", user(65534)}, {"effective", user(65534)}, {"saved", user(65534)}}));
  // Root's capabilities go with the uid: none left.
  EXPECT_EQ(c["effective_capabilities"]["new"], json({{"hex", "0x0000000000000000"}, {"names", json::array()}}));
  const json old_caps = c["effective_capabilities"]["old"]["names"];
  EXPECT_NE(std::find(old_caps.begin(), old_caps.end(), "CAP_SETUID"), old_caps.end()) << old_caps;
  // The acting process is shown as it is after the call.
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  EXPECT_EQ(get(e, "process.real_user.id"), "65534");
  // commit_creds inside the pair's call is the pair's event, not another.
  EXPECT_EQ(commits_of(pid).size(), 0u);
}

TEST_P(TamperCredsEvents, Setresgid) {
  ACT(a, "tamper-creds-setresgid");
  const long pid = a["pid"];
  const uint32_t real = a["real_gid"].get<uint32_t>();
  FIND(e, "setresgid event", pid, "setresgid");
  expect_common(e, "gid", "success");
  const json c = get(e, "nightjar.tamper.credentials");
  expect_side(c["old"], group_(real), group_(real), group_(real), group_(real));
  expect_side(c["new"], group_(real), group_(65534), group_(65534), group_(65534));
  EXPECT_EQ(c["changed"], json::array({"effective", "saved", "fs"}));
  EXPECT_EQ(c["requested"], json({{"effective", group_(65534)}, {"saved", group_(65534)}}));
  EXPECT_FALSE(c.contains("effective_capabilities"));
  EXPECT_EQ(get(e, "process.group.id"), "65534");
}

TEST_P(TamperCredsEvents, Setgroups) {
  ACT(a, "tamper-creds-setgroups");
  const long pid = a["pid"];
  FIND(e, "setgroups event", pid, "setgroups",
       [](const json& x) { return get(x, "nightjar.tamper.credentials.new.count") == 3; });
  expect_common(e, "groups", "success");
  const json c = get(e, "nightjar.tamper.credentials");
  EXPECT_EQ(c["old"], json({{"count", 0}, {"groups", json::array()}}));
  // The kernel keeps them sorted.
  EXPECT_EQ(c["new"], json({{"count", 3}, {"groups", {group_(4), group_(100), group_(65534)}}}));
  EXPECT_EQ(c["changed"], json::array({"groups"}));
  EXPECT_EQ(c["requested"], json({{"count", 3}}));
}

TEST_P(TamperCredsEvents, CapsetDropsACapability) {
  ACT(a, "tamper-creds-capset");
  const long pid = a["pid"];
  FIND(e, "capset event", pid, "capset");
  expect_common(e, "capabilities", "success");
  const json c = get(e, "nightjar.tamper.credentials");
  EXPECT_EQ(c["changed"], json::array({"effective", "permitted"}));
  for (const char* set : {"effective", "permitted"}) {
    const uint64_t before = std::stoull(c["old"][set]["hex"].get<std::string>(), nullptr, 16);
    const uint64_t after = std::stoull(c["new"][set]["hex"].get<std::string>(), nullptr, 16);
    EXPECT_EQ(before & ~after, 1ull << 13) << set << ": only CAP_NET_RAW went";
    EXPECT_EQ(after & ~before, 0u) << set;
    const json names = c["old"][set]["names"], now = c["new"][set]["names"];
    EXPECT_NE(std::find(names.begin(), names.end(), "CAP_NET_RAW"), names.end()) << names;
    EXPECT_EQ(std::find(now.begin(), now.end(), "CAP_NET_RAW"), now.end()) << now;
    EXPECT_EQ(names.size(), now.size() + 1);
  }
  EXPECT_EQ(c["old"]["inheritable"], c["new"]["inheritable"]);
  EXPECT_FALSE(c.contains("requested"));
}

TEST_P(TamperCredsEvents, NobodyRefusedSetuidZero) {
  ACT(a, "tamper-creds-refused");
  const long pid = a["pid"];
  FIND(e, "refused setuid event", pid, "setuid");
  expect_common(e, "uid", "failure");
  EXPECT_EQ(get(e, "error.code"), "EPERM");
  const json c = get(e, "nightjar.tamper.credentials");
  expect_side(c["old"], user(65534), user(65534), user(65534), user(65534));
  EXPECT_EQ(c["new"], c["old"]);
  EXPECT_EQ(c["changed"], json::array());
  EXPECT_EQ(c["requested"], json({{"id", user(0)}}));
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  // The drop before it was seen too.
  FIND(drop, "setresuid event before the refusal", pid, "setresuid");
  EXPECT_EQ(get(drop, "event.outcome"), "success");
}

// glibc's setuid() in a process of four threads: four syscalls (one per
// thread, each thread's credentials are its own), one event.
TEST_P(TamperCredsEvents, MultiThreadedSetuidIsOneEvent) {
  ACT(a, "tamper-creds-threads");
  const long pid = a["pid"];
  FIND(e, "setuid event", pid, "setuid");
  expect_common(e, "uid", "success");
  expect_side(get(e, "nightjar.tamper.credentials.new"), user(65534), user(65534), user(65534), user(65534));
  const auto all = sensor().all([&](const json& x) { return is_creds(x, pid, "setuid"); }, 2000);
  EXPECT_EQ(all.size(), 1u) << "one event for the process, not one per thread";
  EXPECT_EQ(commits_of(pid).size(), 0u) << "no commit_creds event beside the setuid one";
}

// runuser -u nobody -- true: the real user-space path (PAM, initgroups,
// setgid, setuid), in runuser or the child it forks for the session.
TEST_P(TamperCredsEvents, RunuserToNobody) {
  if (!have_program("runuser")) GTEST_SKIP() << "runuser is not installed";
  const ToolRun r = run_tool({"runuser", "-u", "nobody", "--", "true"});
  ASSERT_EQ(r.status, 0) << "runuser -u nobody -- true";
  auto of_runuser = [&](const std::string& syscall) {
    return sensor().wait_for(
        [&](const json& x) {
          return get(x, "event.action") == "credential_change" && get(x, "nightjar.syscall") == syscall &&
                 (get(x, "process.pid") == r.pid || get(x, "process.parent.pid") == r.pid);
        },
        kWaitMs);
  };
  const json uid = of_runuser("setuid"), gid = of_runuser("setgid"), groups = of_runuser("setgroups");
  if ((uid.is_null() || gid.is_null() || groups.is_null()) && lost_since_setup())
    GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_FALSE(uid.is_null()) << "no setuid event of runuser";
  ASSERT_FALSE(gid.is_null()) << "no setgid event of runuser";
  ASSERT_FALSE(groups.is_null()) << "no setgroups event of runuser";
  EXPECT_EQ(get(uid, "process.name"), "runuser");
  expect_side(get(uid, "nightjar.tamper.credentials.new"), user(65534), user(65534), user(65534), user(65534));
  EXPECT_EQ(get(uid, "nightjar.tamper.credentials.old.effective"), user(0));
  EXPECT_EQ(get(gid, "nightjar.tamper.credentials.new.effective"), group_(65534));
  // initgroups("nobody"): nobody's groups, its primary one included.
  const json g = get(groups, "nightjar.tamper.credentials.new.groups");
  ASSERT_TRUE(g.is_array());
  EXPECT_NE(std::find(g.begin(), g.end(), group_(65534)), g.end()) << g;
}

// A setuid-root copy of true(1) run by nobody: its exec event shows the
// effective uid going from nobody to root.
TEST_P(TamperCredsEvents, SetuidRootExecShowsThePrivilegeGain) {
  const std::string dir = temp_dir();
  struct statvfs st {};
  ASSERT_EQ(statvfs(dir.c_str(), &st), 0) << dir;
  if (st.f_flag & ST_NOSUID) GTEST_SKIP() << dir << " is mounted nosuid: set-id bits do nothing there";
  ACT(a, "tamper-creds-suid-exec", dir);
  const long pid = a["pid"];
  const json e = sensor().wait_for([&](const json& x) { return is_exec(x, pid); }, kWaitMs);
  if (e.is_null() && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_FALSE(e.is_null()) << "no exec event with a privilege_change for " << pid;
  EXPECT_EQ(get(e, "process.executable"), a["path"]);
  EXPECT_EQ(get(e, "process.user.id"), "0");
  EXPECT_EQ(get(e, "process.real_user.id"), "65534");
  EXPECT_EQ(get(e, "nightjar.privilege_change"), json({{"from_euid", 65534},
                                                       {"to_euid", 0},
                                                       {"from_egid", 65534},
                                                       {"to_egid", 65534},
                                                       {"setuid", true},
                                                       {"setgid", false}}));
  // The exec's commit_creds is the exec's privilege_change, not a credential_change.
  EXPECT_EQ(commits_of(pid).size(), 0u);
  fs::remove_all(dir);
}

json roles(const json& id) { return {{"real", id}, {"effective", id}, {"saved", id}, {"fs", id}}; }

json caps(uint64_t set, const json& names) {
  char hex[24];
  std::snprintf(hex, sizeof(hex), "0x%016llx", static_cast<unsigned long long>(set));
  return {{"hex", hex}, {"names", names}};
}

void expect_in_syscall(const json& c, const char* name, long nr) {
  if (kernel_names_syscall()) {
    EXPECT_EQ(c["in_syscall"], name);
    EXPECT_EQ(c["in_syscall_number"], nr);
  } else {
    EXPECT_EQ(c["in_syscall"], "unknown");
    EXPECT_FALSE(c.contains("in_syscall_number"));
  }
}

// nobody's unshare(CLONE_NEWUSER): no set*id or capset call, yet every
// capability in the new namespace. kprobe/fentry see it in commit_creds;
// the tracepoint backend has no hook there and must report nothing.
TEST_P(TamperCredsEvents, NobodyUnsharingAUserNamespaceGainsCapabilities) {
  TAMPER_ACT_OR_SKIP(a, "unprivileged user namespaces are disabled here", "tamper-creds-userns");
  const long pid = a["pid"];
  // The drop before it: the sensor has read this far.
  FIND(drop, "setresuid event of the drop to nobody", pid, "setresuid");
  if (!commit_creds_seen()) {
    EXPECT_EQ(commits_of(pid, 2000).size(), 0u) << "the tracepoint backend has no commit_creds hook";
    return;
  }
  const json e = find_commit(pid);
  if (e.is_null() && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_FALSE(e.is_null()) << "no commit_creds event for " << pid;
  expect_common(e, "all", "success");
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  const json c = get(e, "nightjar.tamper.credentials");
  EXPECT_EQ(c["via"], "commit_creds");
  expect_in_syscall(c, "unshare", SYS_unshare);
  const uint64_t full = std::stoull(a["caps_after"].get<std::string>(), nullptr, 16);
  ASSERT_NE(full, 0u) << "the child had no capabilities in its namespace";
  const json none = caps(0, json::array());
  EXPECT_EQ(c["old"], json({{"user", roles(user(65534))},
                            {"group", roles(group_(65534))},
                            {"capabilities", {{"effective", none}, {"permitted", none}}},
                            {"user_namespace_inode", a["userns_before"]}}));
  const json names = c["new"]["capabilities"]["effective"]["names"];
  EXPECT_EQ(names.size(), static_cast<size_t>(std::popcount(full))) << names;
  EXPECT_NE(std::find(names.begin(), names.end(), "CAP_SYS_ADMIN"), names.end()) << names;
  EXPECT_EQ(c["new"], json({{"user", roles(user(65534))},
                            {"group", roles(group_(65534))},
                            {"capabilities", {{"effective", caps(full, names)}, {"permitted", caps(full, names)}}},
                            {"user_namespace_inode", a["userns_after"]}}));
  json changed = {"effective_capabilities", "permitted_capabilities"};
  if (a["bounding_changed"] == 1) changed.push_back("bounding_capabilities");
  changed.push_back("user_namespace");
  EXPECT_EQ(c["changed"], changed);
  EXPECT_FALSE(c.contains("requested"));
  EXPECT_FALSE(c.contains("folded_so_far"));
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  EXPECT_EQ(commits_of(pid).size(), 1u);
}

// A root child's prctl(PR_CAPBSET_DROP, CAP_NET_RAW): only the bounding set
// changes, which the event names without its values.
TEST_P(TamperCredsEvents, PrctlBoundingSetDrop) {
  ACT(a, "tamper-creds-bset-drop");
  const long pid = a["pid"];
  if (!commit_creds_seen()) {
    EXPECT_EQ(commits_of(pid, 2000).size(), 0u) << "the tracepoint backend has no commit_creds hook";
    return;
  }
  const json e = find_commit(pid);
  if (e.is_null() && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_FALSE(e.is_null()) << "no commit_creds event for " << pid;
  expect_common(e, "all", "success");
  const json c = get(e, "nightjar.tamper.credentials");
  expect_in_syscall(c, "prctl", SYS_prctl);
  EXPECT_EQ(c["changed"], json::array({"bounding_capabilities"}));
  EXPECT_EQ(c["old"], c["new"]);
  EXPECT_EQ(c["old"]["user"], roles(user(0)));
  EXPECT_EQ(c["old"]["group"], roles(group_(getgid())));
  EXPECT_EQ(get(e, "process.user.id"), "0");
  EXPECT_EQ(commits_of(pid).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(TamperCredsTransports, TamperCredsEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
