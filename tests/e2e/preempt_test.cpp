// Many programs at once on few CPUs: processes in parallel exec (and fail
// to exec) with long, distinct argv from deep, distinct directories. Every
// event must carry exactly its own process's fields; an event may only be
// missing or flagged incomplete if the sensor counted a loss for it. On a
// preemptible kernel (the kernel matrix boots one with preempt=full) BPF
// programs of one CPU interleave, which is what this is about.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace nj::e2e {
namespace {

constexpr const char* kTag = "nj-storm:";
constexpr int kIterations = 12;
constexpr int kArgs = 10;         // a successful exec's argv: ~40 KiB, two parts
constexpr size_t kArgLen = 4000;  // bytes per argument
constexpr int kFailArgs = 5;      // a failed exec's argv (read from the caller)
constexpr size_t kFailArgLen = 900;

// An argument no other process of the storm has: who, which exec, which
// argument, then filler that depends on all three.
std::string storm_arg(int worker, int iter, int k, size_t len) {
  std::string s =
      std::string(kTag) + "w" + std::to_string(worker) + ":j" + std::to_string(iter) + ":a" + std::to_string(k) + ":";
  const size_t seed = static_cast<size_t>(worker * 7 + iter * 3 + k);
  while (s.size() < len) s.push_back(static_cast<char>('a' + (seed + s.size()) % 26));
  return s;
}

std::vector<std::string> storm_argv(const std::string& argv0, int worker, int iter, bool fail) {
  std::vector<std::string> v{argv0};
  const int n = fail ? kFailArgs : kArgs;
  for (int k = 1; k < n; k++) v.push_back(storm_arg(worker, iter, k, fail ? kFailArgLen : kArgLen));
  return v;
}

struct Spawn {
  int worker = 0;
  int iter = 0;
  bool fail = false;
};

struct Worker {
  std::string cwd;  // a deep directory of its own
  std::string exe;  // its own copy of true, in cwd
};

// One worker: kIterations rounds of a failed exec (a path that does not
// exist) and a successful one, each in a child of its own. The pid of each
// child goes to `report` as "pid worker iter fail" (one short write: atomic
// on a pipe).
[[noreturn]] void run_worker(int worker, const Worker& w, int report) {
  for (int j = 0; j < kIterations; j++) {
    for (bool fail : {true, false}) {
      const std::string path = fail ? w.cwd + "/missing-" + std::to_string(j) : w.exe;
      std::vector<std::string> args = storm_argv(
          fail ? "missing-" + std::to_string(j) : std::filesystem::path(w.exe).filename().string(), worker, j, fail);
      pid_t pid = fork();
      if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (chdir(w.cwd.c_str()) != 0) _exit(126);
        execv(path.c_str(), argv.data());
        _exit(fail ? 0 : 127);
      }
      if (pid < 0) _exit(2);
      const std::string line = std::to_string(pid) + " " + std::to_string(worker) + " " + std::to_string(j) + " " +
                               (fail ? "1" : "0") + "\n";
      if (write(report, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
      int st = 0;
      waitpid(pid, &st, 0);
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) _exit(4);
    }
  }
  _exit(0);
}

TEST(Preempt, ParallelExecStormKeepsEveryEventIntact) {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  const int workers = static_cast<int>(std::max(8u, 4 * cpus));  // more runnable tasks than CPUs
  const std::string root = temp_dir();
  std::vector<Worker> ws;
  for (int i = 0; i < workers; i++) {
    // Deep, so the dentry walks for cwd and exe take long.
    std::string d = root + "/storm-w" + std::to_string(i);
    for (int level = 0; level < 12; level++) d += "/level-" + std::to_string(level) + "-of-w" + std::to_string(i);
    std::filesystem::create_directories(d);
    const std::string exe = d + "/nj-true-w" + std::to_string(i);
    std::filesystem::copy_file("/bin/true", exe);
    chmod(exe.c_str(), 0755);
    ws.push_back({d, exe});
  }

  SensorProcess s({"--events", "process", "--no-hash"});
  s.keep_lines_with({kTag});
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < workers; i++) {
    pid_t p = fork();
    if (p == 0) {
      close(fds[0]);
      run_worker(i, ws[static_cast<size_t>(i)], fds[1]);
    }
    ASSERT_GT(p, 0);
    pids.push_back(p);
  }
  close(fds[1]);
  std::string reported;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) reported.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  for (pid_t p : pids) {
    int st = 0;
    waitpid(p, &st, 0);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "worker failed: status " << st;
  }
  std::map<long, Spawn> spawned;
  {
    std::istringstream in(reported);
    long pid;
    Spawn sp;
    int fail;
    while (in >> pid >> sp.worker >> sp.iter >> fail) {
      sp.fail = fail != 0;
      spawned[pid] = sp;
    }
  }
  ASSERT_EQ(spawned.size(), static_cast<size_t>(workers * kIterations * 2));

  // Settle, then stop: the final report has every count.
  s.all([](const json&) { return false; }, 1500);
  json last = expect_clean_stop(s, "storm");
  ASSERT_FALSE(last.is_null());
  const json& loss = last["nightjar"]["loss"];
  // A run the kernel skipped (the same fentry program already running on
  // that CPU, its task preempted) is an event missing as well, counted too.
  const uint64_t lost = lost_total(s) + loss.value("program_runs_missed_total", 0ull);

  std::map<long, int> seen;
  uint64_t flagged = 0;
  for (const json& e : s.events()) {
    if (!e.contains("process") || e["event"]["action"] != "exec") continue;
    const bool failed = e["event"]["outcome"] == "failure";
    const json& args = failed ? get(e, "nightjar.attempt.args") : e["process"]["args"];
    if (!args.is_array() || args.size() < 2 || args[1].get<std::string>().rfind(kTag, 0) != 0) continue;
    const long pid = e["process"]["pid"].get<long>();
    auto it = spawned.find(pid);
    ASSERT_NE(it, spawned.end()) << "a storm argv on a process that did not run it: " << e.dump().substr(0, 400);
    const Spawn& sp = it->second;
    seen[pid]++;
    if (get(e, "nightjar.incomplete") == true || get(e, "nightjar.parts_lost") == true) {
      flagged++;
      continue;
    }
    const Worker& w = ws[static_cast<size_t>(sp.worker)];
    const std::string what =
        "worker " + std::to_string(sp.worker) + " exec " + std::to_string(sp.iter) + (sp.fail ? " (failed)" : "");
    EXPECT_EQ(failed, sp.fail) << what;
    EXPECT_EQ(e["process"]["working_directory"], w.cwd) << what;
    const std::string argv0 =
        sp.fail ? "missing-" + std::to_string(sp.iter) : std::filesystem::path(w.exe).filename().string();
    const auto want = storm_argv(argv0, sp.worker, sp.iter, sp.fail);
    // Compared whole; shown short (the argv is ~40 KiB).
    EXPECT_TRUE(args == json(want)) << what << ": argv differs, " << args.size() << " args, starting "
                                    << args.dump().substr(0, 200);
    if (sp.fail) {
      EXPECT_EQ(e["file"]["path"], w.cwd + "/missing-" + std::to_string(sp.iter)) << what;
      EXPECT_EQ(get(e, "nightjar.attempt.args_count"), kFailArgs) << what;
    } else {
      EXPECT_EQ(e["process"]["executable"], w.exe) << what;
      EXPECT_EQ(e["process"]["args_count"], kArgs) << what;
    }
  }
  uint64_t missing = 0, missing_failed = 0;
  for (const auto& [pid, sp] : spawned) {
    const int n = seen.count(pid) ? seen[pid] : 0;
    EXPECT_LE(n, 1) << "pid " << pid << " reported " << n << " times";
    if (n == 0) missing++;
    if (n == 0 && sp.fail) missing_failed++;
  }
  // Every event that is missing or short of a part cost at least one record
  // the sensor counted as lost.
  EXPECT_LE(missing + flagged, lost) << missing << " missing (" << missing_failed << " of them failed execs) and "
                                     << flagged << " incomplete, but only " << lost << " counted lost: " << loss.dump();
  EXPECT_EQ(loss["records_sent_total"], loss["records_read_total"]);
  // Most of the storm is there: a run where everything was dropped proves nothing.
  EXPECT_GT(spawned.size() - missing - flagged, spawned.size() / 2) << loss.dump();
  RecordProperty("missing", static_cast<int>(missing));
  RecordProperty("incomplete", static_cast<int>(flagged));
  RecordProperty("scratch_busy", static_cast<int>(loss.value("scratch_busy_total", 0ull)));
  std::printf("storm: %zu execs, %llu missing, %llu incomplete, lost %llu (scratch busy %llu, runs missed %llu)\n",
              spawned.size(), static_cast<unsigned long long>(missing), static_cast<unsigned long long>(flagged),
              static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(loss.value("scratch_busy_total", 0ull)),
              static_cast<unsigned long long>(loss.value("program_runs_missed_total", 0ull)));
  std::error_code ec;
  if (all_passed()) std::filesystem::remove_all(root, ec);
}

}  // namespace
}  // namespace nj::e2e
