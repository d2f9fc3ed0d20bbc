// Process events from real actions on this machine's kernel, asserted field
// by field, once per transport.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "harness.h"

namespace nj::e2e {
namespace {

std::map<std::string, std::unique_ptr<SensorProcess>>& sensors() {
  static std::map<std::string, std::unique_ptr<SensorProcess>> s;
  return s;
}

class ProcessEvents : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [transport, s] : sensors()) {
      // A clean stop: drained, a final sensor-stopped event, exit 0.
      EXPECT_EQ(s->stop(), 0) << transport << ": " << s->stderr_text();
      auto ev = s->events();
      ASSERT_FALSE(ev.empty());
      EXPECT_EQ(ev.front()["event"]["action"], "sensor-started");
      EXPECT_EQ(ev.back()["event"]["action"], "sensor-stopped");
      EXPECT_EQ(ev.back()["nightjar"]["loss"]["kernel_lost_total"], 0) << transport;
      EXPECT_EQ(ev.back()["nightjar"]["loss"]["incomplete_total"], 0) << transport;
      EXPECT_EQ(ev.back()["nightjar"]["loss"]["records_sent_total"],
                ev.back()["nightjar"]["loss"]["records_read_total"])
          << transport;
      expect_schema_valid(s->output_path());
    }
    sensors().clear();
  }
  // Started before the test's first action, shared by the tests of one
  // transport.
  void SetUp() override {
    auto& s = sensors()[GetParam()];
    if (!s) s = std::make_unique<SensorProcess>(std::vector<std::string>{"--transport", GetParam()});
  }
  SensorProcess& sensor() { return *sensors()[GetParam()]; }
  json exec_of(long pid) {
    json e = sensor().wait_for([&](const json& x) { return is_exec(x, pid); });
    EXPECT_FALSE(e.is_null()) << "no exec event for pid " << pid;
    return e;
  }
};

std::string cwd() { return std::filesystem::current_path().string(); }

std::string dev_of(const std::string& path) {
  struct stat st;
  stat(path.c_str(), &st);
  return std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
}

uint64_t ino_of(const std::string& path) {
  struct stat st;
  stat(path.c_str(), &st);
  return st.st_ino;
}

void expect_common(const json& e, long pid, long ppid) {
  EXPECT_EQ(e["event"]["kind"], "event");
  EXPECT_EQ(e["event"]["category"], json::array({"process"}));
  EXPECT_EQ(e["event"]["module"], "nightjar");
  EXPECT_TRUE(e["@timestamp"].is_string());
  EXPECT_EQ(e["host"]["name"].get<std::string>().empty(), false);
  EXPECT_EQ(e["process"]["pid"], pid);
  if (ppid >= 0) {
    EXPECT_EQ(e["process"]["parent"]["pid"], ppid);
  }
  // boot id prefix - tgid - start ticks; the same process keeps it.
  std::string id = e["process"]["entity_id"];
  EXPECT_NE(id.find("-" + std::to_string(pid) + "-"), std::string::npos) << id;
  EXPECT_TRUE(e["process"]["parent"]["entity_id"].is_string());
  EXPECT_EQ(e["process"]["user"]["id"], "0");
  EXPECT_EQ(e["process"]["real_user"]["id"], "0");
  EXPECT_EQ(e["process"]["group"]["id"], "0");
  EXPECT_EQ(e["nightjar"]["backend"], backend());
}

TEST_P(ProcessEvents, Execve) {
  json a = act("exec");
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["event"]["type"], json::array({"start"}));
  EXPECT_EQ(e["event"]["outcome"], "success");
  EXPECT_EQ(e["process"]["name"], "true");
  EXPECT_EQ(e["process"]["executable"], std::filesystem::canonical("/bin/true").string());
  EXPECT_EQ(e["process"]["args"], json::array({"true", "arg one", "quote\"d", "back\\slash"}));
  EXPECT_EQ(e["process"]["args_count"], 4);
  EXPECT_EQ(e["process"]["command_line"], "true arg one quote\"d back\\slash");
  EXPECT_EQ(e["process"]["working_directory"], cwd());
  EXPECT_EQ(e["nightjar"]["syscall"], "execve");
  EXPECT_EQ(e["nightjar"]["filename"], "/bin/true");
  EXPECT_EQ(e["nightjar"]["argc"], 4);
  EXPECT_EQ(e["nightjar"]["exe"]["inode"], ino_of("/bin/true"));
  EXPECT_EQ(e["nightjar"]["exe"]["device"], dev_of("/bin/true"));
  EXPECT_EQ(e["nightjar"]["exe"]["nlink"], 1);
  EXPECT_TRUE(e["nightjar"]["cgroup_id"].is_number());
  EXPECT_FALSE(e["nightjar"].contains("argv_truncated"));
  EXPECT_FALSE(e["nightjar"].contains("escaped_fields"));

  // The fork that made the child names the same process.
  json f = sensor().wait_for([&](const json& x) { return is_action(x, "fork", a["pid"]); });
  ASSERT_FALSE(f.is_null());
  EXPECT_EQ(f["process"]["entity_id"], e["process"]["entity_id"]);
  EXPECT_EQ(f["process"]["parent"]["pid"], a["ppid"]);
  EXPECT_EQ(f["process"]["parent"]["entity_id"], e["process"]["parent"]["entity_id"]);
}

TEST_P(ProcessEvents, Execveat) {
  json a = act("execveat");
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["nightjar"]["syscall"], "execveat");
  EXPECT_EQ(e["nightjar"]["dirfd"], a["dirfd"]);
  EXPECT_EQ(e["nightjar"]["at_flags"], 0);
  EXPECT_EQ(e["nightjar"]["filename"], "/dev/fd/" + std::to_string(a["dirfd"].get<int>()) + "/true");
  EXPECT_EQ(e["process"]["executable"], std::filesystem::canonical("/usr/bin/true").string());
  EXPECT_EQ(e["process"]["args"], json::array({"true", "via-execveat"}));
}

TEST_P(ProcessEvents, FexecveOfMemfd) {
  json a = act("fexecve-memfd");
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["nightjar"]["syscall"], "execveat");
  EXPECT_EQ(e["nightjar"]["at_flags"], 0x1000);  // AT_EMPTY_PATH
  EXPECT_EQ(e["nightjar"]["filename"], "/dev/fd/" + std::to_string(a["fd"].get<int>()));
  // What readlink /proc/<pid>/exe shows for it.
  EXPECT_EQ(e["process"]["executable"], "/memfd:nj-memfd (deleted)");
  EXPECT_EQ(e["nightjar"]["exe"]["nlink"], 0);
  EXPECT_EQ(e["process"]["args"], json::array({"nj-memfd-true", "m1"}));
}

TEST_P(ProcessEvents, ScriptThroughTwoInterpreters) {
  std::string dir = temp_dir();
  json a = act("script-chain", dir);
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["process"]["executable"], std::filesystem::canonical("/bin/sh").string());
  // The kernel's rewritten argv: interpreters outermost first, then the script.
  EXPECT_EQ(e["process"]["args"], json::array({"/bin/sh", a["interpreter1"], "outer-arg", a["script"], "s1"}));
  EXPECT_EQ(e["nightjar"]["filename"], a["script"]);
  const json& s = e["nightjar"]["script"];
  EXPECT_EQ(s["path"], a["script"]);
  ASSERT_EQ(s["interpreters"].size(), 2u) << s.dump();
  EXPECT_EQ(s["interpreters"][0]["path"], a["interpreter1"]);
  EXPECT_EQ(s["interpreters"][0]["args"], json::array({"outer-arg"}));
  EXPECT_EQ(s["interpreters"][1]["path"], "/bin/sh");
  if (kernel_sees_script_levels()) {
    // Each level as the kernel opened it: device and inode of the file.
    EXPECT_EQ(s["source"], "kernel");
    EXPECT_EQ(s["interpreters"][0]["inode"], ino_of(a["interpreter1"]));
    EXPECT_EQ(s["interpreters"][0]["device"], dev_of(a["interpreter1"]));
    EXPECT_EQ(s["interpreters"][1]["inode"], ino_of("/bin/sh"));
  } else {
    // Tracepoints see no level in between: rebuilt from the shebang lines
    // and checked against the kernel's argv.
    EXPECT_EQ(s["source"], "shebang");
    EXPECT_FALSE(s["interpreters"][0].contains("inode"));
  }
  std::filesystem::remove_all(dir);
}

TEST_P(ProcessEvents, FailedExecIsReported) {
  json a = act("exec-fail");
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["event"]["outcome"], "failure");
  EXPECT_EQ(e["error"]["code"], "ENOENT");
  EXPECT_EQ(e["error"]["message"], "No such file or directory");
  // The process is still the caller: its name and image, not the path it
  // asked for (that is the event's file).
  EXPECT_EQ(e["process"]["name"], "nj-actions");
  EXPECT_EQ(e["process"]["executable"], NJ_ACTIONS);
  EXPECT_EQ(e["process"]["working_directory"], cwd());
  EXPECT_EQ(e["file"]["path"], "/nonexistent/nj-nope");
  EXPECT_EQ(e["file"]["name"], "nj-nope");
  EXPECT_EQ(e["nightjar"]["attempt"]["args"], json::array({"nj-nope", "x"}));
  EXPECT_EQ(e["nightjar"]["attempt"]["args_count"], 2);
  EXPECT_FALSE(e["nightjar"].contains("caller_name"));
}

// Every event names its process, even one the kernel only knows by its
// comm: the child a thread of a multi-threaded program spawns through a
// PATH of directories that do not exist fails one exec per directory.
TEST_P(ProcessEvents, SpawnFromAThreadThroughAMissingPath) {
  json a = act("spawnp-thread");
  // glibc reaps a child whose exec failed and reports no pid: its events
  // are found through its parent and the paths it tried.
  auto failed = sensor().all(
      [&](const json& e) {
        return e["event"]["action"] == "exec" && e["event"]["outcome"] == "failure" &&
               e["process"]["parent"]["pid"] == a["pid"] && e.contains("file") &&
               e["file"]["path"].get<std::string>().rfind("/nonexistent-", 0) == 0;
      },
      1500);
  ASSERT_EQ(failed.size(), 2u);
  const char* tried[] = {"/nonexistent-a/nj-spawn-nope", "/nonexistent-b/nj-spawn-nope"};
  for (size_t i = 0; i < failed.size(); i++) {
    const json& e = failed[i];
    EXPECT_EQ(e["process"]["name"], "spawner") << "the spawning thread's comm";
    EXPECT_EQ(e["process"]["executable"], NJ_ACTIONS) << "the child runs its parent's image until an exec works";
    EXPECT_EQ(e["process"]["parent"]["pid"], a["pid"]);
    EXPECT_EQ(e["error"]["code"], "ENOENT");
    EXPECT_EQ(e["file"]["path"], tried[i]);
    EXPECT_EQ(e["nightjar"]["attempt"]["args"], json::array({"nj-spawn-nope", "-x"}));
  }
}

// Causal order: in the order lines are written, every process's fork comes
// before its exec and its exec before its exit. Each of the 200 processes
// runs its own copy of true, so every exec waits for a hash the cache does
// not have while the process has already exited; with perf buffers the
// fork and the child's events also leave from different CPUs.
TEST_P(ProcessEvents, CausalOrderOf200ShortLivedProcesses) {
  namespace fs = std::filesystem;
  const std::string dir = temp_dir();
  std::set<long> children;
  for (int i = 0; i < 200; i++) {
    const std::string bin = dir + "/true-" + std::to_string(i);
    fs::copy_file("/bin/true", bin);
    fs::permissions(bin, fs::perms::owner_all);
    pid_t pid = fork();
    if (pid == 0) {
      execl(bin.c_str(), "true", static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid, 0);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(status, 0);
    children.insert(pid);
  }
  // entity id -> positions of fork, exec, exit in the output.
  std::map<std::string, std::array<long, 3>> seen;
  int inversions = 0, missing = 0;
  auto scan = [&] {
    seen.clear();
    long line = 0;
    for (const json& e : sensor().events()) {
      line++;
      if (!e.contains("process") || !children.count(e["process"].value("pid", 0L))) continue;
      const std::string action = e["event"]["action"];
      const int slot = action == "fork" ? 0 : action == "exec" ? 1 : action == "exit" ? 2 : -1;
      if (slot < 0) continue;
      auto [it, fresh] = seen.try_emplace(e["process"]["entity_id"].get<std::string>(), std::array<long, 3>{0, 0, 0});
      it->second[slot] = line;
    }
    inversions = missing = 0;
    for (auto& [id, at] : seen) {
      if (!at[0] || !at[1] || !at[2]) {
        missing++;
        continue;
      }
      if (at[1] < at[0] || at[2] < at[1]) inversions++;
    }
    return seen.size() == children.size() && missing == 0;
  };
  // Every process's three events, however long a loaded machine takes:
  // an exec waits for its hash, and another process's later exit may come
  // first (only each process's own events are ordered).
  for (int waited_ms = 0; !scan() && waited_ms < 30000; waited_ms += 200)
    sensor().all([](const json&) { return false; }, 200);
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(missing, 0) << "processes without their fork, exec or exit";
  EXPECT_EQ(inversions, 0) << "processes whose events were written out of causal order";
  fs::remove_all(dir);
}

// A PATH search is one event: env tries each PATH directory in turn; the
// failures are folded into the exec that worked, each listed there.
TEST_P(ProcessEvents, PathSearchIsOneEvent) {
  const std::string dir = temp_dir();
  json a = act("exec-path-search", dir);
  json e = exec_of(a["pid"]);
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["event"]["outcome"], "success");
  EXPECT_EQ(e["process"]["executable"], "/usr/bin/true");
  const json& tried = e["nightjar"]["failed_attempts"];
  ASSERT_EQ(tried.size(), 2u) << e.dump();
  EXPECT_EQ(tried[0]["path"], dir + "/a/true");
  EXPECT_EQ(tried[1]["path"], dir + "/b/true");
  EXPECT_EQ(tried[0]["error"], "ENOENT");
  EXPECT_TRUE(tried[1]["event_id"].is_number());
  // None of them is reported on its own.
  auto alone = sensor().all(
      [&](const json& x) {
        return x["event"]["action"] == "exec" && x["event"]["outcome"] == "failure" &&
               x["process"]["pid"] == e["process"]["pid"];
      },
      300);
  EXPECT_TRUE(alone.empty()) << alone.size() << " failed execs of the search reported alone";
}

TEST_P(ProcessEvents, ExecOfNonExecutableFails) {
  std::string dir = temp_dir();
  json a = act("exec-eacces", dir);
  json e = exec_of(a["pid"]);
  EXPECT_EQ(e["event"]["outcome"], "failure");
  EXPECT_EQ(e["error"]["code"], "EACCES");
  EXPECT_EQ(e["file"]["path"], a["path"]);
  EXPECT_EQ(e["process"]["name"], "nj-actions");
  std::filesystem::remove_all(dir);
}

struct ForkCase {
  const char* action;
  const char* syscall;
  uint64_t flags;
};

TEST_P(ProcessEvents, ForkVforkCloneClone3) {
  const ForkCase cases[] = {
#if defined(__aarch64__)
    // arm64 has no fork or vfork syscall (nj-actions' fork refuses to
    // build there if one appears): glibc's vfork() is
    // clone(CLONE_VM | CLONE_VFORK | SIGCHLD), and the event says so.
    {"vfork", "clone", 0x4000 | 0x100 | 17},
#else
    {"fork", "fork", 17},  // SIGCHLD
    {"vfork", "vfork", 0x4000 | 0x100 | 17},
#endif
    {"clone", "clone", 17},
    {"clone3", "clone3", 17},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.action);
    json a = act(c.action);
    json e = sensor().wait_for([&](const json& x) { return is_action(x, "fork", a["child"]); });
    ASSERT_FALSE(e.is_null());
    EXPECT_EQ(e["event"]["type"], json::array({"start"}));
    EXPECT_EQ(e["process"]["pid"], a["child"]);
    EXPECT_EQ(e["process"]["name"], "nj-actions");
    EXPECT_EQ(e["process"]["parent"]["pid"], a["pid"]);
    EXPECT_EQ(e["process"]["parent"]["name"], "nj-actions");
    EXPECT_EQ(e["nightjar"]["syscall"], c.syscall);
    EXPECT_EQ(e["nightjar"]["clone_flags_raw"], c.flags);
    EXPECT_EQ(e["nightjar"]["exit_signal"], 17);
    // Its exit closes the same entity.
    json x = sensor().wait_for([&](const json& y) { return is_action(y, "exit", a["child"]); });
    ASSERT_FALSE(x.is_null());
    EXPECT_EQ(x["process"]["entity_id"], e["process"]["entity_id"]);
    EXPECT_EQ(x["process"]["exit_code"], 0);
  }
}

TEST_P(ProcessEvents, ThreadsAreNotProcesses) {
  json a = act("thread");
  // The helper's own exit first: in a slow guest (perf buffers merged by
  // time) it may come after the settling time alone.
  json first = sensor().wait_for([&](const json& y) { return is_action(y, "exit", a["pid"]); });
  ASSERT_FALSE(first.is_null());
  auto forks = sensor().all([&](const json& x) {
    return x.contains("process") && x["event"]["action"] == "fork" && x["process"]["pid"] == a["tid"];
  });
  EXPECT_TRUE(forks.empty());
  auto exits = sensor().all([&](const json& x) {
    return x.contains("process") && x["event"]["action"] == "exit" && x["process"]["pid"] == a["pid"];
  });
  EXPECT_EQ(exits.size(), 1u);  // the helper itself, once
}

TEST_P(ProcessEvents, Unshare) {
  json a = act("unshare");
  json e = sensor().wait_for([&](const json& x) { return is_action(x, "unshare", a["pid"]); });
  ASSERT_FALSE(e.is_null());
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["event"]["type"], json::array({"change"}));
  EXPECT_EQ(e["event"]["outcome"], "success");
  EXPECT_EQ(e["nightjar"]["unshare"]["flags"], json::array({"CLONE_NEWUTS"}));
  EXPECT_EQ(e["nightjar"]["unshare"]["flags_raw"], a["flags"]);
}

TEST_P(ProcessEvents, ExitCode) {
  json a = act("exit3");
  json e = sensor().wait_for([&](const json& x) { return is_action(x, "exit", a["pid"]); });
  ASSERT_FALSE(e.is_null());
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["event"]["type"], json::array({"end"}));
  EXPECT_EQ(e["process"]["exit_code"], 3);
  EXPECT_EQ(e["nightjar"]["exit"]["status"], 3 << 8);
  EXPECT_FALSE(e["nightjar"]["exit"].contains("signal"));
  EXPECT_TRUE(e["process"]["end"].is_string());
}

TEST_P(ProcessEvents, DeathBySignal) {
  json a = act("kill9");
  json e = sensor().wait_for([&](const json& x) { return is_action(x, "exit", a["pid"]); });
  ASSERT_FALSE(e.is_null());
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_FALSE(e["process"].contains("exit_code"));
  EXPECT_EQ(e["nightjar"]["exit"]["signal"], 9);
  EXPECT_EQ(e["nightjar"]["exit"]["signal_name"], "SIGKILL");
  EXPECT_EQ(e["nightjar"]["exit"]["core_dumped"], false);
}

TEST_P(ProcessEvents, ThreadGroupExitsOnce) {
  json a = act("exit-thread-group");
  // The exit first (perf buffers hold records for their merge window), then
  // long enough for a second one to show if there were one.
  ASSERT_FALSE(sensor().wait_for([&](const json& x) { return is_action(x, "exit", a["pid"]); }).is_null());
  auto exits = sensor().all([&](const json& x) { return is_action(x, "exit", a["pid"]); }, 500);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0]["process"]["exit_code"], 7);
}

TEST_P(ProcessEvents, ArgvWithNewlinesAndInvalidUtf8) {
  json a = act("exec-weird-argv");
  json e = exec_of(a["pid"]);
  // Valid UTF-8 arguments come back exactly; the invalid one in escaped
  // form, reversible, and the field is named.
  EXPECT_EQ(e["process"]["args"][0], "true");
  EXPECT_EQ(e["process"]["args"][1], "line1\nline2");
  EXPECT_EQ(e["process"]["args"][2], "\\xff\\xfe-bad-utf8");
  EXPECT_EQ(e["process"]["args"][3], "tab\there");
  EXPECT_EQ(e["nightjar"]["escaped_fields"], json::array({"process.args", "process.command_line"}));
  // The raw line has no raw newline or invalid byte in it.
  for (const auto& l : sensor().lines()) {
    if (l.find("\"pid\":" + std::to_string(a["pid"].get<long>()) + ",") != std::string::npos) {
      EXPECT_EQ(l.find("\xff"), std::string::npos);
    }
  }
}

TEST_P(ProcessEvents, LongArgvIsReassembledFromParts) {
  json a = act("exec-long-argv");
  json e = exec_of(a["pid"]);
  ASSERT_EQ(e["process"]["args_count"], 41);
  std::string expected;
  for (int j = 0; j < 1023; j++) expected += static_cast<char>('a' + j % 26);
  for (int i = 1; i <= 40; i++) EXPECT_EQ(e["process"]["args"][i], expected) << i;
  EXPECT_FALSE(e["nightjar"].contains("argv_truncated"));
}

TEST_P(ProcessEvents, HugeArgvIsTruncatedAndFlagged) {
  json a = act("exec-huge-argv");
  json e = exec_of(a["pid"]);
  EXPECT_EQ(e["nightjar"]["argv_truncated"], true);
  EXPECT_EQ(e["nightjar"]["argc"], 101);
  // 64 KiB captured: 64 whole arguments of 1024 bytes (with NUL) less
  // argv[0]'s five, then a cut one.
  EXPECT_EQ(e["process"]["args_count"], 65);
  EXPECT_EQ(e["process"]["args"][0], "true");
}

TEST_P(ProcessEvents, ExecFromNonLeaderThread) {
  json a = act("exec-thread");
  json e = exec_of(a["pid"]);
  expect_common(e, a["pid"], a["ppid"]);
  EXPECT_EQ(e["process"]["args"], json::array({"true", "from-thread"}));
  EXPECT_EQ(e["process"]["thread"]["id"], a["pid"]);
  if (kernel_sees_script_levels()) {
    // Documented difference: by finalize_exec the caller's thread id is
    // gone, so the syscall entry (keyed by it) is not found.
    EXPECT_FALSE(e["nightjar"].contains("exec_thread"));
    EXPECT_EQ(e["nightjar"]["syscall_entry_unseen"], true);
  } else {
    EXPECT_EQ(e["nightjar"]["exec_thread"], a["tid"]);
    EXPECT_EQ(e["nightjar"]["syscall"], "execve");
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, ProcessEvents, ::testing::Values("ringbuf", "perfbuf"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nj::e2e
