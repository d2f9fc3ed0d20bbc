// SIGHUP: the configuration read again, and the outputs opened again.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/daemon.h"

namespace nj {

// The output file, or the file stdout was redirected to when it is an output.
void Daemon::exclude_output() {
  if (!jsonl_output()) return;
  struct stat st;
  const int rc = path_.empty() ? ::fstat(STDOUT_FILENO, &st) : ::stat(path_.c_str(), &st);
  if (rc == 0 && S_ISREG(st.st_mode)) {
    nj_watch_key k{};
    k.dev = kernel_dev(st.st_dev);
    k.ino = st.st_ino;
    (void)sensor_->add_watch(k, nj_watch{0, NJ_WATCH_EXCLUDE});
  }
}

// SIGHUP: the configuration file again, with the same command line. What
// can change while running is applied; every other key that changed is
// named, and keeps its value until a restart. A file that no longer reads
// is an error line: the settings in force stay.
void Daemon::reload_config() {
  if (!o_.reload) return;
  RunOptions n;
  std::string settings, error;
  if (!o_.reload(n, settings, error)) {
    spdlog::error("SIGHUP: the configuration was not read again: {}; the settings in force stay",
                  error.rfind("nightjar: ", 0) == 0 ? error.substr(10) : error);
    return;
  }
  const auto after = settings_values(settings);
  std::string applied, restart;
  for (const std::string& key : changed_keys(settings_, after)) {
    std::string& list = apply_live(key, n) ? applied : restart;
    list += (list.empty() ? "" : ", ") + key;
    if (&list == &applied) settings_[key] = after.count(key) ? after.at(key) : "";
  }
  if (!applied.empty()) spdlog::info("SIGHUP: configuration read again; applied: {}", applied);
  if (!restart.empty())
    spdlog::warn("SIGHUP: {} changed in the configuration but take effect only when the sensor restarts", restart);
  if (applied.empty() && restart.empty()) spdlog::info("SIGHUP: configuration read again; nothing changed");
}

// The settings that take effect while running: when reports and metrics
// are written, and the memory budget.
bool Daemon::apply_live(const std::string& key, const RunOptions& n) {
  if (key == "health-interval") {
    o_.health_interval_s = n.health_interval_s;
  } else if (key == "metrics-file") {
    o_.metrics_file = n.metrics_file;
  } else if (key == "metrics-interval") {
    o_.metrics_interval_s = n.metrics_interval_s;
  } else if (key == "memory-budget") {
    o_.memory_budget_mib = n.memory_budget_mib;
    warned_budget_ = false;
  } else {
    return false;
  }
  return true;
}

// SIGHUP (logrotate renamed the file away): the writer opens the path again
// once what is queued is written to the old file, so both files hold whole
// lines and nothing falls between them. Opening can fail: the writer then
// goes on with the file it has. The file is the only output with a name to
// open again: stdout cannot be, the journal is a socket libsystemd finds.
void Daemon::reopen_output(const char* why) {
  Output* file = outs_.jsonl();
  if (path_.empty() || !file) {
    spdlog::info("{}: the output is {}, nothing to reopen", why, jsonl_output() ? "stdout" : "the journal");
    return;
  }
  file->sink->reopen([this, why](const Result<void>& r) {
    if (!r) {
      spdlog::error("{}: {}; still writing to the file open before", why, r.error().message);
      reopened_.store(true);
      return;
    }
    exclude_output();
    reopened_.store(true);
    spdlog::info("{}: output reopened: {}", why, path_);
  });
}

}  // namespace nj
