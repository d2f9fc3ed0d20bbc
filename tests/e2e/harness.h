// End-to-end harness: runs the real nightjar binary (as a user would) with
// a JSONL output file, runs real actions through nj-actions, and finds the
// events they caused.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "files.h"

namespace nj::e2e {

using json = nlohmann::json;
using njt::lines_of;
using njt::parse_jsonl;
using njt::read_jsonl;
using njt::slurp;
using njt::wait_until;

// In a forked child: runs argv (execvp's PATH search when `search`), or
// ends the child with 127.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv, bool search = false);

struct Command {
  int status = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Runs argv (no shell), capturing stdout and stderr. uid >= 0 drops to it.
Command run_command(const std::vector<std::string>& argv, int uid = -1);

class SensorProcess {
 public:
  // Starts `nightjar run --output <tmp> <extra...>` (with `--events process`
  // unless extra names the families) and waits until its sensor-started
  // event is written.
  // An empty configuration file is passed unless extra has `--config`: a
  // /etc/nightjar/nightjar.toml on the machine must not change the tests.
  explicit SensorProcess(std::vector<std::string> extra);
  // The same with the output file named by the configuration file in
  // extra, not on the command line: `output` is where it is read.
  SensorProcess(std::vector<std::string> extra, std::string output);
  ~SensorProcess();

  // Every JSON line written so far (parsed; a line that does not parse
  // fails the test), or those keep_lines_with lets through.
  const std::vector<json>& events();
  // From now on, only lines that contain one of `needles`, and the
  // sensor's own events (category host), are parsed and kept: on a busy
  // machine the output grows by gigabytes that wait_for would otherwise
  // hold parsed.
  void keep_lines_with(std::vector<std::string> needles) { needles_ = std::move(needles); }
  // Raw lines, as written.
  std::vector<std::string> lines();
  // First event matching pred, polling until timeout_ms.
  json wait_for(const std::function<bool(const json&)>& pred, int timeout_ms = 5000);
  // All events matching pred after waiting settle_ms for stragglers.
  std::vector<json> all(const std::function<bool(const json&)>& pred, int settle_ms = 300);
  // Signal (SIGTERM by default), wait; returns the exit status. A sensor
  // still running after timeout_ms is killed (SIGKILL): the test fails
  // instead of hanging.
  int stop(int sig = 15, int timeout_ms = 120000);
  // The running sensor's pid (-1 once stopped), to signal it without
  // stopping it.
  int pid() const { return pid_; }
  const std::string& output_path() const { return path_; }
  std::string stderr_text();

 private:
  void start(std::vector<std::string> extra, bool output_flag);
  int pid_ = -1;
  std::string path_;
  std::string err_path_;
  size_t parsed_bytes_ = 0;
  std::vector<json> cache_;
  std::vector<std::string> needles_;
};

// Runs `nj-actions <action> <workdir>` and returns its JSON description.
json act(const std::string& action, const std::string& workdir = "");
// The same for `nj-actions ARGS...` (environment `env`, NAME=VALUE), but
// null when the action cannot run here (exit 77: the test skips).
json try_act(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

std::string temp_dir();
// The SHA-256 of a file's bytes, as the sensor's `process.hash.sha256` says it.
std::string sha256_of(const std::string& path);
// The backend under test: NJ_E2E_BACKEND (the kernel matrix runs the suite
// once per backend), else what the sensor picks on this kernel.
std::string backend();
// Script levels and the caller's old thread id are seen by these backends.
bool kernel_sees_script_levels();
// Every line of the file checked against docs/schema/event.schema.json
// (NJ_E2E_NO_SCHEMA=1 skips it where python3 is absent: the kernel matrix's
// VMs; the host run always checks).
void expect_schema_valid(const std::string& jsonl_path);
bool is_exec(const json& e, long pid);
bool is_action(const json& e, const std::string& action, long pid);

// Nothing failed so far in the whole run (a suite's sensors' output, which
// can be gigabytes on a busy machine, can go).
bool all_passed();
// The value at a dotted path ("nightjar.file.tags"), null when absent; the
// event is not changed (operator[] would add the key).
json get(const json& e, const std::string& dotted);
bool has(const json& e, const std::string& dotted);
// Records the sensor reported lost (kernel, transport, queue, output) in what it
// wrote so far: its events-lost reports and its last words.
uint64_t lost_total(SensorProcess& s);
// The largest sum of these nightjar.loss counters in one report so far.
uint64_t loss_counted(SensorProcess& s, std::initializer_list<const char*> counters);

// A sensor's clean stop: exit 0, its first line sensor-started, its last
// sensor-stopped with no decode error, every line schema-valid. Returns the
// last line (null when there was none).
json expect_clean_stop(SensorProcess& s, const std::string& what);

// How sensor-started says `hook` is served ("kprobe (1/1 programs)", ...),
// "" when the sensor has not started or does not list it.
std::string hook_status(SensorProcess& s, const std::string& hook);
// Whether every program of `hook` is attached.
inline bool hook_attached(const std::string& status) { return status.find("(1/1 ") != std::string::npos; }

struct ToolRun {
  int pid = -1;
  int status = -1;
};
// A program run as a user would (PATH search, no shell unless asked),
// waited for; its pid is what its events carry.
ToolRun run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
bool have_program(const std::string& name);

}  // namespace nj::e2e
