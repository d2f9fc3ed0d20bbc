// SIGHUP: the configuration read again (what can change while running is
// applied: file rules, outputs, report intervals), and the output file
// opened again (logrotate).
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "app/daemon.h"
#include "encode/compact.h"
#include "util/fifo.h"

namespace nj {

namespace {

std::pair<uint32_t, uint64_t> id_of(const nj_watch_key& k) { return {k.dev, k.ino}; }

}  // namespace

std::optional<nj_watch_key> Daemon::exclude_output(const std::string& path) {
  std::lock_guard<std::mutex> lk(watch_mu_);
  return exclude_output_locked(path);
}

// The output file, or the file stdout was redirected to when it is an output.
std::optional<nj_watch_key> Daemon::exclude_output_locked(const std::string& path) {
  if (!jsonl_output()) return std::nullopt;
  struct stat st;
  const int rc = path.empty() ? ::fstat(STDOUT_FILENO, &st) : ::stat(path.c_str(), &st);
  if (rc != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  nj_watch_key k{};
  k.dev = kernel_dev(st.st_dev);
  k.ino = st.st_ino;
  (void)sensor_->add_watch(k, nj_watch{0, NJ_WATCH_EXCLUDE});
  return k;
}

// The new entries go in before the old ones go out: a path both sets watch
// or exclude is never uncovered in between (a record sent meanwhile may
// carry an old rule's number: it names no rule of the new set, which
// numbers its rules after the old ones, and is tagged by its path alone).
void Daemon::install_watches(const FileRules& r, bool replace) {
  std::lock_guard<std::mutex> lk(watch_mu_);
  std::set<std::pair<uint32_t, uint64_t>> keys;
  size_t failed = 0;
  const std::vector<Watch> watches = resolve_watches(r);
  // Every path found, added or not: the map may still hold an identity
  // from the install before (a full map keeps what it has).
  watched_ = WatchIndex(watches);
  for (const Watch& w : watches) {
    if (auto e = sensor_->add_watch(w.key, w.value); !e) {
      // The first said, once per outage (the refresh comes every minute);
      // the map is full or refuses: the rest would too.
      if (!failed++ && !watches_failing_) spdlog::warn("file rule for {}: {}", w.path, e.error().message);
      continue;
    }
    keys.insert(id_of(w.key));
  }
  watches_failing_ = failed > 0;
  std::set<uint32_t> magic;
  for (const std::string& fs : r.excluded_fs) {
    magic.insert(fs_magic(fs));
    if (auto e = sensor_->exclude_fs(fs_magic(fs)); !e) spdlog::warn("exclude-fs {}: {}", fs, e.error().message);
  }
  if (auto k = exclude_output_locked(path_)) keys.insert(id_of(*k));
  spdlog::debug("file rules: {} rules, {} watched identities", r.rules.size(), keys.size());
  // Nothing is removed in a round where an entry could not be added: with
  // the map full, what is in it is better than a map emptied to make room.
  if (!replace || failed) return;
  auto gone = sensor_->retain_watches([&](const nj_watch_key& k) { return keys.count(id_of(k)) > 0; });
  auto fs_gone = sensor_->retain_excluded_fs([&](uint32_t m) { return magic.count(m) > 0; });
  if (!gone || !fs_gone)
    spdlog::warn("file rules: entries of the rules before could not all be removed from the kernel's maps: {}",
                 (!gone ? gone.error() : fs_gone.error()).message);
  else if (*gone) spdlog::debug("file rules: {} watched identities no longer wanted", *gone);
}

// The rules' paths looked up again, now and then: a watched path that
// appeared without an event naming it (inside a directory moved into place
// whole) is covered from then on, and the identity of a watched file that
// was deleted leaves the map (a new file that reuses its inode number
// within that time is watched in its place until then).
void Daemon::refresh_watches() {
  if (file_family()) install_watches(*file_rules_, true);
}

FamilyOptions Daemon::family_options() {
  FamilyOptions f;
  f.file.rules = file_rules_;
  f.file.watch = [this](const Watch& w) {
    watched_.add(w);
    if (auto r = sensor_->add_watch(w.key, w.value); !r) spdlog::debug("file watch {}: {}", w.path, r.error().message);
  };
  f.file.watched_path = [this](uint32_t rule, uint32_t dev, uint64_t ino) { return watched_.path(rule, dev, ino); };
  return f;
}

// SIGHUP: the configuration file again, with the same command line. What
// can change while running is applied; every other key that changed is
// named, and keeps its value until a restart. A file that no longer reads
// is an error line: the settings in force stay. True when the output was
// opened anew (with its new settings): there is nothing left to reopen.
bool Daemon::reload_config() {
  if (!o_.reload) return false;
  RunOptions n;
  std::string settings, error;
  if (!o_.reload(n, settings, error)) {
    spdlog::error("SIGHUP: the configuration was not read again: {}; the settings in force stay",
                  error.rfind("nightjar: ", 0) == 0 ? error.substr(10) : error);
    return false;
  }
  const auto after = settings_values(settings);
  auto adopt = [&](const std::string& key) {
    if (after.count(key)) settings_[key] = after.at(key);
    else settings_.erase(key);
  };
  auto add = [](std::string& list, const std::string& key) { list += (list.empty() ? "" : ", ") + key; };
  std::string applied, restart;
  std::vector<std::string> output_keys;
  const RunOptions before = o_;
  for (const std::string& key : changed_keys(settings_, after)) {
    if (key == "file-rules") continue;  // below: the file may have changed, not only its name
    if (apply_live(key, n)) {
      add(applied, key);
      adopt(key);
    } else if (output_key(key, n)) {
      output_keys.push_back(key);
    } else {
      add(restart, key);
    }
  }
  // The output's settings change together or not at all (the new file could
  // not be opened: said, and tried again at the next SIGHUP).
  bool reopened = false;
  const bool reoutput = !output_keys.empty();
  if (reoutput && replace_output()) {
    reopened = true;
    for (const std::string& key : output_keys) {
      add(applied, key);
      adopt(key);
    }
  } else if (reoutput) {
    o_.output = before.output;
    o_.output_max_bytes = before.output_max_bytes;
    o_.output_keep = before.output_keep;
    o_.compact = before.compact;
    o_.color = before.color;
  }
  if (const Reread r = reload_rules(n); r != Reread::failed) {
    if (r == Reread::applied) add(applied, "file-rules");
    adopt("file-rules");
  }
  if (!applied.empty()) spdlog::info("SIGHUP: configuration read again; applied: {}", applied);
  if (!restart.empty())
    spdlog::warn("SIGHUP: {} changed in the configuration but take effect only when the sensor restarts", restart);
  if (applied.empty() && restart.empty()) spdlog::info("SIGHUP: configuration read again; nothing changed");
  return reopened;
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

// The JSONL output's settings: its file (another file, not stdout or a
// FIFO, whose reader would be waited for), rotation and view. They take
// effect when the output is opened anew (replace_output).
bool Daemon::output_key(const std::string& key, const RunOptions& n) {
  if (!outs_.jsonl()) return false;
  if (key == "output") {
    // Only a file is pointed elsewhere while running (stdout <-> file
    // changes the output's name in the loss counts).
    if (output_file(o_.output).empty() || output_file(n.output).empty() || is_fifo(n.output)) return false;
    o_.output = n.output;
  } else if (key == "output-max-size") {
    o_.output_max_bytes = n.output_max_bytes;
  } else if (key == "output-keep") {
    o_.output_keep = n.output_keep;
  } else if (key == "format") {
    o_.compact = n.compact;
  } else if (key == "color") {
    o_.color = n.color;
  } else {
    return false;
  }
  return true;
}

// The JSONL output opened anew with its settings: the new file is opened
// here (a path that cannot be is an error line, and nothing changes); the
// writer takes it once what is queued is written to the old one, so no line
// is split between them or lost.
bool Daemon::replace_output() {
  Output* out = outs_.jsonl();
  const std::string path = output_file(o_.output);
  Result<std::unique_ptr<Sink>> next =
      path.empty() ? Result<std::unique_ptr<Sink>>(viewed(make_stdout_sink())) : file_sink(path);
  if (!next) {
    spdlog::error("SIGHUP: the output settings were not applied: {}; still writing to {}", next.error().message,
                  path_.empty() ? "stdout" : path_);
    return false;
  }
  if (path != path_) spdlog::info("SIGHUP: output moves from {} to {}", path_, path);
  path_ = path;
  (void)exclude_output(path);
  auto sink = std::make_shared<std::unique_ptr<Sink>>(std::move(*next));
  out->sink->reopen(
      [this, path](const Result<void>&) {
        reopened_.store(true);
        spdlog::info("SIGHUP: output opened anew: {}", path.empty() ? "stdout" : path);
      },
      [sink]() -> Result<std::unique_ptr<Sink>> { return std::move(*sink); });
  return true;
}

// The file rules again: their file may have another name, or the same name
// and new lines. A set that does not read is an error line and the rules in
// force stay. The kernel was loaded with the depth and read reporting of
// the first set: a new set that needs more gets what the programs can do,
// and is told so.
Daemon::Reread Daemon::reload_rules(const RunOptions& n) {
  if (!file_family()) return Reread::same;
  auto r = n.file_rules.empty() ? Result<FileRules>(default_file_rules()) : load_file_rules(n.file_rules);
  if (!r) {
    spdlog::error("SIGHUP: the file rules were not read again: {}; the rules in force stay", r.error().message);
    return Reread::failed;
  }
  if (r->text == file_rules_->text) {
    install_watches(*file_rules_, true);  // the paths again: see refresh_watches
    return Reread::same;
  }
  r->first_number = file_rules_->first_number + static_cast<uint32_t>(file_rules_->rules.size());
  auto next = std::make_shared<const FileRules>(std::move(*r));
  bool reads = false, deep = false;
  for (const FileRule& rule : next->rules) {
    reads |= rule.read;
    deep |= (rule.read || rule.exclude) && next->depth > loaded_depth_;
  }
  if (reads && !loaded_reads_)
    spdlog::warn(
        "SIGHUP: the new file rules report reads, which the programs were loaded without: reads are "
        "reported after a restart");
  if (deep)
    spdlog::warn(
        "SIGHUP: the new file rules look {} directories up, the programs {}: deeper files are covered "
        "after a restart",
        next->depth, loaded_depth_);
  install_watches(*next, true);
  file_rules_ = next;
  o_.file_rules = n.file_rules;
  enricher_->reconfigure(family_options());
  spdlog::info("SIGHUP: file rules read again from {}: {} rules", n.file_rules.empty() ? "the defaults" : n.file_rules,
               next->rules.size());
  return Reread::applied;
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
  file->sink->reopen([this, why, path = path_](const Result<void>& r) {
    if (!r) {
      spdlog::error("{}: {}; still writing to the file open before", why, r.error().message);
      reopened_.store(true);
      return;
    }
    (void)exclude_output(path);
    reopened_.store(true);
    spdlog::info("{}: output reopened: {}", why, path);
  });
}

}  // namespace nj
