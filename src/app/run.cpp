// `nightjar run`: wire the stages together, run until told to stop, drain,
// report.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "app/daemon.h"
#include "decode/decode.h"
#include "encode/compact.h"
#include "families/registry.h"
#include "loader/features.h"
#include "sink/journal.h"
#include "util/cap_drop.h"
#include "util/caps.h"
#include "util/fifo.h"
#include "version.h"

namespace nj {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reopen{false};

void on_stop(int) { g_stop.store(true); }

void on_hup(int) { g_reopen.store(true); }

// INT, TERM and QUIT stop cleanly (drain, then sensor-stopped), HUP reopens
// the output. Whatever the parent left: an ignored signal stays ignored
// across exec and so does a blocked one (nohup, some shells and service
// managers), and a sensor that cannot be stopped cleanly, or dies on a
// hangup without draining, loses events without saying so.
void install_signals() {
  struct sigaction sa = {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigset_t ours;
  sigemptyset(&ours);
  for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) {
    sa.sa_handler = sig == SIGHUP ? on_hup : on_stop;
    sigaction(sig, &sa, nullptr);
    sigaddset(&ours, sig);
  }
  sigprocmask(SIG_UNBLOCK, &ours, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// Program names say their kind (bpf/include/syscalls.h, the families'
// twins): tp__ and tpbtf__ tracepoints, kp__/ks__/kret__ kprobes, fe__/fx__
// trampolines.
std::string program_kind(const std::string& name) {
  if (name.rfind("tp", 0) == 0) return "tracepoint";
  if (name.rfind("fe__", 0) == 0 || name.rfind("fx__", 0) == 0) return "fentry";
  return "kprobe";
}

SensorState sensor_state(const Sensor& s) {
  SensorState st{NIGHTJAR_VERSION, to_string(s.transport()), {}};
  for (const Choice& c : s.choices()) {
    std::string how;
    if (!c.variant) {
      how = "unavailable";
    } else {
      // What kind of program actually runs: a hook may use the same
      // tracepoint on every backend, or another backend's program where
      // the chosen one's target is missing.
      std::string kinds;
      int attached = 0, total = 0;
      for (auto& p : s.programs())
        if (p.hook == c.hook->name && !p.program.empty()) {
          total++;
          attached += p.attached;
          const std::string k = program_kind(p.program);
          if (kinds.find(k) == std::string::npos) kinds += (kinds.empty() ? "" : "+") + k;
        }
      how = kinds.empty() ? to_string(c.variant->backend) : kinds;
      how += " (" + std::to_string(attached) + "/" + std::to_string(total) + " programs)";
    }
    st.hooks.emplace_back(c.hook->name, how);
  }
  return st;
}

// How often the sensor checks its output file and its links (one fstat,
// one bpf_link_info per link).
constexpr double kSelfCheckS = 1.0;
// How often the file rules' paths are looked up again (a glob and a stat
// per rule; Daemon::refresh_watches).
constexpr double kWatchRefreshS = 60.0;

// Whether `interval_s` has passed since `last`; if so, the interval restarts.
bool due(std::chrono::steady_clock::time_point& last, double interval_s, std::chrono::steady_clock::time_point now) {
  if (std::chrono::duration<double>(now - last).count() < interval_s) return false;
  last = now;
  return true;
}

}  // namespace

int Daemon::run() {
  // Before any thread starts (threads inherit the mask), and before the
  // slow part: a stop asked for while attaching is honoured right after.
  install_signals();
  if (!load_rules() || !check_privileges()) return 1;
  route_libbpf_logs();
  if (!open_output()) return stopped_waiting_ ? 0 : 1;
  if (!open_sensor() || !watch_files() || !build_pipeline()) return 1;
  drop_capabilities();
  announce();
  const int rc = run_loop();
  service_.stopping();
  drain_and_report();
  return rc;
}

bool Daemon::load_rules() {
  if (o_.file_rules.empty()) {
    file_rules_ = std::make_shared<const FileRules>(default_file_rules());
    return true;
  }
  auto r = load_file_rules(o_.file_rules);
  if (!r) {
    spdlog::error("{}", r.error().message);
    return false;
  }
  file_rules_ = std::make_shared<const FileRules>(std::move(*r));
  return true;
}

// The kernel's share of the file rules, before anything is attached: the
// identities of watched and excluded paths, the excluded filesystems, and
// the output file (another process writing to it would be an event about
// every event).
bool Daemon::watch_files() {
  if (file_family()) install_watches(*file_rules_, false);
  return true;
}

bool Daemon::file_family() const {
  const auto& fams = o_.sensor.families;
  return std::find(fams.begin(), fams.end(), Family::file) != fams.end();
}

// Capabilities, not uid 0: root in a container without them fails here
// with the same line, a user granted them runs.
bool Daemon::check_privileges() {
  const bool perf = o_.sensor.transport == Transport::perfbuf;
  auto p = nj::check_privileges(CapUse::run, perf ? o_.sensor.perf_pages : 0);
  if (!p) spdlog::error("{} (run as root or grant them: README, \"Running without root\")", p.error().message);
  if (p) warn_pid_namespace();
  return p.ok();
}

// The kernel's helpers report pids of the initial PID namespace; in one of
// its own (a container without --pid=host) the sensor cannot find them in
// its /proc, nor tell its own activity from others'.
void Daemon::warn_pid_namespace() {
  char link[64];
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof(link));
  if (n <= 0 || is_initial_pid_ns(std::string_view(link, static_cast<size_t>(n)))) return;
  spdlog::warn(
      "the sensor runs in a PID namespace of its own ({}): events carry the host's pids, which its /proc does not "
      "show, so processes are not enriched and its own activity is reported; run it in the host's PID namespace "
      "(e.g. docker --pid=host)",
      std::string_view(link, static_cast<size_t>(n)));
}

// The file (--output FILE), stdout (no --output, or `--output -`), the
// journal (--journal): each a sink of its own. With --journal alone, stdout
// is no output: under systemd it is the journal already.
bool Daemon::open_output() {
  if (!path_.empty()) {
    if (!open_file_output()) return false;
  } else if (!o_.journal || o_.output == "-") {
    opened_.push_back({"stdout", true, viewed(make_stdout_sink())});
  }
  if (o_.journal) opened_.push_back({"journal", false, make_journal_sink()});
  return true;
}

// The JSONL output as people read it on a terminal (--format compact);
// the journal keeps the JSON in its own fields.
std::unique_ptr<Sink> Daemon::viewed(std::unique_ptr<Sink> s) const {
  return o_.compact ? make_compact_sink(std::move(s), CompactStyle{o_.color}) : std::move(s);
}

bool Daemon::open_file_output() {
  Fd fifo_writer;  // held until the sink has the FIFO open
  if (is_fifo(o_.output)) {
    auto w = wait_for_fifo_reader(o_.output, [&] { spdlog::info("waiting for a reader on FIFO {}", o_.output); });
    if (!w) {
      spdlog::error("{}", w.error().message);
      return false;
    }
    if (w->signal) {
      spdlog::info("stopped by signal {} while waiting for a reader on FIFO {}: nothing was written", w->signal,
                   o_.output);
      stopped_waiting_ = true;
      return false;
    }
    fifo_writer = std::move(w->writer);
  }
  auto fs = file_sink(o_.output);
  if (!fs) {
    spdlog::error("{}", fs.error().message);
    return false;
  }
  opened_.push_back({"file", true, std::move(*fs)});
  return true;
}

// A rotation's new file is excluded from the file family at once, like a
// reopened one; the output watch moves to it at the next self-check.
Result<std::unique_ptr<Sink>> Daemon::file_sink(const std::string& path) {
  auto fs = make_file_sink(path, RotatePolicy{o_.output_max_bytes, o_.output_keep, [this, path](int fd) {
                                                if (sensor_) (void)exclude_output(path);
                                                const int mine = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
                                                const int old = rotated_fd_.exchange(mine);
                                                if (old >= 0) ::close(old);
                                              }});
  if (!fs) return fs.error();
  return viewed(std::move(*fs));
}

// Loads and attaches: the last step a user's kernel can refuse.
bool Daemon::open_sensor() {
  if (!ensure_tracefs()) spdlog::warn("tracefs is not mounted and could not be mounted; tracepoints will fail");
  SystemFeatures features;
  SensorConfig cfg = o_.sensor;
  cfg.self_pid = static_cast<uint32_t>(getpid());
  cfg.attach = false;  // after the reader exists (build_pipeline)
  for (const FileRule& r : file_rules_->rules) {
    if (r.read || r.exclude) cfg.watch_depth = file_rules_->depth;
    cfg.watch_reads |= r.read;
  }
  cfg.watch_depth = std::max(cfg.watch_depth, 1u);  // the output file is excluded by identity
  loaded_depth_ = cfg.watch_depth;
  loaded_reads_ = cfg.watch_reads;
  const auto t0 = std::chrono::steady_clock::now();
  auto sensor = Sensor::open(cfg, features);
  if (!sensor) {
    spdlog::error("{}", sensor.error().message);
    return false;
  }
  sensor_ = std::move(*sensor);
  startup_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return true;
}

// reader -> decode -> (reorderer) -> assembler -> enricher -> encoder -> output queue.
bool Daemon::build_pipeline() {
  clock_.emplace();
  enc_.emplace(read_host_info(), *clock_, file_head_reader());
  enc_->keep_fields(
      std::any_of(opened_.begin(), opened_.end(), [](const Opened& op) { return op.sink->wants_fields(); }));
  // Named when it is not the one output people expect (the file or stdout).
  const bool several = opened_.size() > 1;
  for (Opened& op : opened_) {
    auto warn = [name = op.name, named = several || !op.jsonl](const std::string& m) {
      spdlog::warn("{}", output_warning(m, name, named));
    };
    outs_.add(op.name, op.jsonl, std::move(op.sink), o_.queue_lines, OutputPolicy{o_.stop_on_output_error, warn});
  }
  opened_.clear();
  EnricherOptions eo = o_.enrich;
  eo.clock_ticks = enc_->host().clock_ticks;
  eo.families = family_options();
  enricher_.emplace(eo);
  assembler_.emplace(o_.window_ms * 1000000ull, o_.max_pending,
                     [this](Event&& ev) { enricher_->submit(std::move(ev), WallClock::boot_now_ns(), emit_); });
  if (sensor_->transport() == Transport::perfbuf)
    reorder_.emplace(o_.reorder_ms * 1000000ull,
                     [this](Record&& r) { assembler_->push(std::move(r), WallClock::boot_now_ns()); });
  auto reader = make_reader(*sensor_, [this](const uint8_t* data, size_t size) { on_record(data, size); });
  if (!reader) {
    spdlog::error("{}", reader.error().message);
    return false;
  }
  reader_ = std::move(*reader);
  if (auto a = sensor_->attach(); !a) {
    spdlog::error("{}", a.error().message);
    return false;
  }
  return true;
}

void Daemon::on_record(const uint8_t* data, size_t size) {
  records_read_++;
  auto rec = decode(data, size);
  if (!rec) {
    if (decode_errors_++ == 0) spdlog::warn("undecodable record: {}", rec.error().message);
    return;
  }
  if (reorder_) reorder_->push(std::move(*rec));
  else assembler_->push(std::move(*rec), WallClock::boot_now_ns());
}

void Daemon::emit(EnrichedEvent&& e) {
  events_++;
  outs_.push(enc_->encode(e.ev, &e.en));
  if (!o_.metrics_file.empty()) count_action(header_of(e.ev.main));
  if (e.en.aimed_at_sensor) {
    outs_.push(enc_->sensor_tampered(e.ev, e.en, e.en.aimed_at_sensor));
    spdlog::warn("sensor tampered: {} aimed at the sensor (see the sensor-tampered event)", e.en.aimed_at_sensor);
  }
}

// Attached: loading programs, mounting and raising limits are over. What
// is kept reads other users' /proc/<pid>/exe and files (seeding, hashing).
// Failing to drop is a warning: the sensor still works.
void Daemon::drop_capabilities() {
  const uint64_t keep = caps_kept_after_attach();
  if (auto r = drop_capabilities_all_threads(keep); !r)
    spdlog::warn("could not give up the capabilities no longer needed: {}", r.error().message);
  else spdlog::debug("capabilities after attaching: {}", cap_names(effective_caps() & keep));
}

void Daemon::announce() {
  // Processes older than the sensor, read while their events (if any) wait
  // in the kernel buffer: events applied afterwards are newer and win.
  enricher_->seed();
  outs_.push(enc_->sensor_started(sensor_state(*sensor_)));
  started_unix_s_ = static_cast<double>(std::time(nullptr));
  if (jsonl_output()) output_watch_.watch(path_, STDOUT_FILENO);
  outs_.kick();
  spdlog::info("nightjar {} running: transport {}, started in {:.0f} ms", NIGHTJAR_VERSION,
               to_string(sensor_->transport()), startup_ms_);
}

int Daemon::run_loop() {
  const auto start = std::chrono::steady_clock::now();
  auto last_stats = start, last_health = start, last_self = start, last_metrics = start, last_watch = start;
  while (!g_stop.load()) {
    if (g_reopen.exchange(false) && !reload_config()) reopen_output("SIGHUP");
    if (auto s = outs_.stop_requested()) return output_stopped(s->first, s->second);
    // Taken before the pass: every record committed before it is read by it.
    const uint64_t pass_start = WallClock::boot_now_ns();
    auto n = reader_->poll(o_.poll_ms);
    if (!n) {
      spdlog::error("{}", n.error().message);
      return 1;
    }
    if (reorder_) reorder_->release(pass_start);
    assembler_->expire(WallClock::boot_now_ns());
    enricher_->poll(WallClock::boot_now_ns(), emit_);
    const auto now = std::chrono::steady_clock::now();
    if (due(last_stats, o_.stats_interval_s, now)) check_loss();
    if (o_.health_interval_s > 0 && due(last_health, o_.health_interval_s, now)) report_health();
    if (!o_.metrics_file.empty() && due(last_metrics, o_.metrics_interval_s, now)) write_metrics();
    if (due(last_self, kSelfCheckS, now)) check_self();
    if (due(last_watch, kWatchRefreshS, now)) refresh_watches();
    outs_.kick();
    // Ready once sensor-started is out (written or failed) on every output:
    // whoever waits on the unit finds it there.
    service_.turn(now, [this] {
      for (Output& o : outs_.all()) {
        const OutputStats st = o.sink->stats();
        if (st.lines_written + st.lines_failed + st.queue_dropped == 0) return false;
      }
      return true;
    });
    if (o_.duration_s > 0 && std::chrono::duration<double>(now - start).count() >= o_.duration_s) break;
  }
  return 0;
}

// The output's end (its reader left) is a normal stop; its failure under
// --on-output-error stop is not.
int Daemon::output_stopped(const std::string& name, const OutputStop& s) {
  const std::string which = outs_.several() || name == "journal" ? "output " + name : "output";
  if (!s.failure) {
    spdlog::info("stopping: the {}'s reader went away ({})", which, std::strerror(s.error));
    return 0;
  }
  spdlog::error("stopping: the {} failed ({}) and --on-output-error is stop", which, std::strerror(s.error));
  return 1;
}

int run_sensor(const RunOptions& o) { return Daemon(o).run(); }

}  // namespace nj
