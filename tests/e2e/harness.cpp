#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "enrich/sha256.h"
#include "loader/features.h"
#include "loader/program_table.h"

namespace nj::e2e {

namespace {

int decode_status(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

}  // namespace

std::string backend() {
  static const std::string b = [] {
    const char* env = getenv("NJ_E2E_BACKEND");
    if (env && *env) return std::string(env);
    // No forced backend: the table's first choice for the exec hook here.
    SystemFeatures f;
    for (const Choice& c : choose_programs(f, {Family::process}, std::nullopt))
      if (c.hook->name == "exec" && c.variant) return std::string(to_string(c.variant->backend));
    return std::string("tracepoint");
  }();
  return b;
}

bool kernel_sees_script_levels() { return backend() != "tracepoint"; }

std::string temp_dir() {
  char tmpl[] = "/tmp/nj-e2e.XXXXXX";
  char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  return d;
}

Command run_command(const std::vector<std::string>& argv, int uid) {
  std::string dir = temp_dir();
  std::string out = dir + "/out", err = dir + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (uid >= 0 && (setgid(uid) != 0 || setuid(uid) != 0)) _exit(126);
    exec_or_exit(argv);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  Command c{decode_status(st), slurp(out), slurp(err)};
  std::filesystem::remove_all(dir);
  return c;
}

SensorProcess::SensorProcess(std::vector<std::string> extra) {
  path_ = temp_dir() + "/events.jsonl";
  start(std::move(extra), true);
}

SensorProcess::SensorProcess(std::vector<std::string> extra, std::string output) : path_(std::move(output)) {
  start(std::move(extra), false);
}

void SensorProcess::start(std::vector<std::string> extra, bool output_flag) {
  const std::string dir = temp_dir();
  err_path_ = dir + "/stderr";
  const std::string no_config = dir + "/empty.toml";
  if (std::find(extra.begin(), extra.end(), "--config") == extra.end()) {
    std::ofstream{no_config};
    chmod(no_config.c_str(), 0600);
  }
  pid_ = fork();
  if (pid_ == 0) {
    int e = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    std::vector<std::string> argv{NJ_BINARY, "run"};
    if (output_flag) argv.insert(argv.end(), {"--output", path_});
    if (std::find(extra.begin(), extra.end(), "--config") == extra.end())
      argv.insert(argv.end(), {"--config", no_config});
    const char* forced = getenv("NJ_E2E_BACKEND");
    if (forced && *forced && std::find(extra.begin(), extra.end(), "--backend") == extra.end()) {
      argv.push_back("--backend");
      argv.push_back(forced);
    }
    // A test names the families it is about; by default the process
    // family's (every other family's programs would only slow each test's
    // start and stop, most of all in the matrix's emulated VMs).
    if (std::find(extra.begin(), extra.end(), "--events") == extra.end()) {
      argv.push_back("--events");
      argv.push_back("process");
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    exec_or_exit(argv);
  }
  // Attaching a hundred kprobes takes tens of seconds in the matrix's
  // emulated VMs; a sensor that is up is seen at once.
  auto started = wait_for([](const json& e) { return e["event"]["action"] == "sensor-started"; }, 60000);
  if (started.is_null()) {
    ADD_FAILURE() << "sensor did not start: " << stderr_text();
  }
}

SensorProcess::~SensorProcess() {
  if (pid_ > 0) stop();
}

std::string SensorProcess::stderr_text() { return slurp(err_path_); }

std::vector<std::string> SensorProcess::lines() { return lines_of(slurp(path_)); }

void exec_or_exit(const std::vector<std::string>& argv, bool search) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (search) execvp(args[0], args.data());
  else execv(args[0], args.data());
  _exit(127);
}

const std::vector<json>& SensorProcess::events() {
  // Only what was written since the last call: a busy machine's output
  // grows by megabytes a second, and this runs every poll of wait_for.
  std::ifstream f(path_, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(parsed_bytes_));
  std::stringstream ss;
  if (f) ss << f.rdbuf();
  std::string fresh = ss.str();
  // Only whole lines: the writer may be in the middle of one.
  size_t end = fresh.rfind('\n');
  if (end == std::string::npos) return cache_;
  std::istringstream in(fresh.substr(0, end + 1));
  std::string l;
  while (std::getline(in, l)) {
    if (!needles_.empty() && l.find("\"category\":[\"host\"]") == std::string::npos &&
        std::none_of(needles_.begin(), needles_.end(),
                     [&](const std::string& n) { return l.find(n) != std::string::npos; }))
      continue;
    try {
      cache_.push_back(json::parse(l));
    } catch (const std::exception& ex) {
      ADD_FAILURE() << "output line is not valid JSON (" << ex.what() << "): " << l;
    }
  }
  parsed_bytes_ += end + 1;
  return cache_;
}

json SensorProcess::wait_for(const std::function<bool(const json&)>& pred, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  do {
    for (const auto& e : events())
      if (pred(e)) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return json();
}

std::vector<json> SensorProcess::all(const std::function<bool(const json&)>& pred, int settle_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  std::vector<json> out;
  for (const auto& e : events())
    if (pred(e)) out.push_back(e);
  return out;
}

int SensorProcess::stop(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int st = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (waitpid(pid_, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "sensor still running " << timeout_ms << " ms after signal " << sig << ": killed";
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return decode_status(st);
}

namespace {

// nj-actions with `args` (the action first), under `env` if any: its JSON,
// or null when it failed (a test failure) or, with skip_ok, could not run
// here (exit 77).
json run_action(const std::vector<std::string>& args, const std::vector<std::string>& env, bool skip_ok) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv = {"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.push_back(NJ_ACTIONS);
  argv.insert(argv.end(), args.begin(), args.end());
  Command c = run_command(argv);
  if (c.status == 77 && skip_ok) return json();
  if (c.status != 0) {
    ADD_FAILURE() << "nj-actions " << args.front() << " failed (" << c.status << "): " << c.err;
    return json();
  }
  return json::parse(c.out);
}

}  // namespace

json act(const std::string& action, const std::string& workdir) {
  std::vector<std::string> args{action};
  if (!workdir.empty()) args.push_back(workdir);
  return run_action(args, {}, false);
}

json try_act(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  return run_action(args, env, true);
}

void expect_schema_valid(const std::string& jsonl_path) {
  const char* skip = getenv("NJ_E2E_NO_SCHEMA");
  if (skip && std::string(skip) == "1") return;
  Command c = run_command({"/usr/bin/python3", NJ_SOURCE_DIR "/tools/validate-events.py",
                           NJ_SOURCE_DIR "/docs/schema/event.schema.json", jsonl_path});
  EXPECT_EQ(c.status, 0) << c.out << c.err;
}

bool is_exec(const json& e, long pid) {
  return e.contains("process") && e["event"]["action"] == "exec" && e["process"]["pid"] == pid;
}

bool is_action(const json& e, const std::string& action, long pid) {
  return e.contains("process") && e["event"]["action"] == action && e["process"]["pid"] == pid;
}

bool all_passed() {
  return !::testing::Test::HasFailure() && ::testing::UnitTest::GetInstance()->failed_test_count() == 0;
}

json get(const json& e, const std::string& dotted) {
  const json* cur = &e;
  size_t i = 0;
  while (i <= dotted.size()) {
    size_t j = dotted.find('.', i);
    if (j == std::string::npos) j = dotted.size();
    const std::string key = dotted.substr(i, j - i);
    if (!cur->is_object() || !cur->contains(key)) return json();
    cur = &(*cur)[key];
    i = j + 1;
  }
  return *cur;
}

bool has(const json& e, const std::string& dotted) { return !get(e, dotted).is_null(); }

ToolRun run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  ToolRun r;
  r.pid = fork();
  if (r.pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    exec_or_exit(argv, true);
  }
  int st = 0;
  waitpid(r.pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

bool have_program(const std::string& name) {
  for (const char* d : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"})
    if (access((d + name).c_str(), X_OK) == 0) return true;
  return false;
}

uint64_t loss_counted(SensorProcess& s, std::initializer_list<const char*> counters) {
  uint64_t n = 0;
  for (const json& e : s.events()) {
    if (!e.contains("nightjar") || !e["nightjar"].contains("loss")) continue;
    const json& l = e["nightjar"]["loss"];
    uint64_t sum = 0;
    for (const char* c : counters) sum += l.value(c, 0ull);
    n = std::max(n, sum);
  }
  return n;
}

uint64_t lost_total(SensorProcess& s) {
  return loss_counted(s, {"kernel_lost_total", "transport_lost_total", "queue_dropped_total", "output_failed_total"});
}

json expect_clean_stop(SensorProcess& s, const std::string& what) {
  EXPECT_EQ(s.stop(), 0) << what << ": " << s.stderr_text();
  const auto& ev = s.events();
  EXPECT_FALSE(ev.empty()) << what;
  if (ev.empty()) return json();
  EXPECT_EQ(ev.front()["event"]["action"], "sensor-started") << what;
  EXPECT_EQ(ev.back()["event"]["action"], "sensor-stopped") << what;
  EXPECT_EQ(get(ev.back(), "nightjar.loss.decode_errors_total"), 0) << what;
  expect_schema_valid(s.output_path());
  return ev.back();
}

std::string hook_status(SensorProcess& s, const std::string& hook) {
  const auto& ev = s.events();
  if (ev.empty() || get(ev.front(), "event.action") != "sensor-started") return "";
  const json hooks = get(ev.front(), "nightjar.hooks");  // hook names have dots: not through get()
  if (!hooks.is_object() || !hooks.contains(hook) || !hooks[hook].is_string()) return "";
  return hooks[hook].get<std::string>();
}

std::string sha256_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Sha256 h;
  h.update(data);
  return to_hex(h.final());
}

}  // namespace nj::e2e
