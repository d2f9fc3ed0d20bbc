// `nightjar run`: wire the stages together, run until told to stop, drain,
// report.
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <algorithm>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "app/config_file.h"
#include "app/metrics.h"
#include "app/options.h"
#include "app/output_watch.h"
#include "app/outputs.h"
#include "app/service_notify.h"
#include "assemble/assembler.h"
#include "decode/decode.h"
#include "encode/compact.h"
#include "encode/encoder.h"
#include "families/file/rules.h"
#include "families/registry.h"
#include "loader/features.h"
#include "order/reorderer.h"
#include "reader/reader.h"
#include "sink/journal.h"
#include "sink/sink.h"
#include "util/cap_drop.h"
#include "util/caps.h"
#include "util/fifo.h"
#include "version.h"

namespace nj {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reopen{false};

// VmRSS / VmHWM of this process, in bytes.
Encoder::Memory memory_use(uint64_t budget) {
  Encoder::Memory m{0, 0, budget};
  std::ifstream in("/proc/self/status");
  std::string key;
  uint64_t kb;
  while (in >> key) {
    if (key == "VmRSS:" && in >> kb) m.rss_bytes = kb * 1024;
    else if (key == "VmHWM:" && in >> kb) m.peak_rss_bytes = kb * 1024;
    else in.ignore(1 << 20, '\n');
  }
  return m;
}

// Orders (family, action) pairs of strings or string views alike, so a
// lookup builds no string.
struct PairLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    const std::string_view a1(a.first), b1(b.first);
    return a1 < b1 || (a1 == b1 && std::string_view(a.second) < std::string_view(b.second));
  }
};

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

// Whether `interval_s` has passed since `last`; if so, the interval restarts.
// How often the sensor checks its output file and its links (one fstat,
// one bpf_link_info per link).
constexpr double kSelfCheckS = 1.0;

bool due(std::chrono::steady_clock::time_point& last, double interval_s, std::chrono::steady_clock::time_point now) {
  if (std::chrono::duration<double>(now - last).count() < interval_s) return false;
  last = now;
  return true;
}

// "process 12, network 3": the families that lost records since the last
// report, for the operator's line.
std::string families_with_losses(const LossReport& r) {
  std::string out;
  for (Family f : all_families()) {
    const uint64_t n = r.by_family[static_cast<size_t>(f)].kernel_lost;
    if (!n) continue;
    if (!out.empty()) out += ", ";
    out += std::string(to_string(f)) + " " + std::to_string(n);
  }
  return out;
}

// " (file 0, journal 12)": each output's share when there are several, of
// the queue's drops (`since`: the report's "since" counts) or of the
// output's failures (totals).
std::string per_output(const LossReport& r, bool since) {
  if (r.outputs.size() < 2) return "";
  std::string out;
  for (const OutputLoss& o : r.outputs)
    out += (out.empty() ? " (" : ", ") + o.name + " " +
           std::to_string(since ? o.queue_dropped : o.queue_dropped_total) +
           (since ? "" : " dropped, " + std::to_string(o.failed_total) + " failed");
  return out + ")";
}

// A sensor event with loss counts, encoded once for every output told the
// same (the usual case: they then get the same line, one timestamp).
class Encoded {
 public:
  template <class Encode>
  const Line& get(const Told& told, Encode encode) {
    if (!for_ || !(*for_ == told)) {
      line_ = encode();
      for_ = told;
    }
    return line_;
  }

 private:
  std::optional<Told> for_;
  Line line_;
};

// The running daemon: the stages, what connects them, and the counts they
// report. Members are destroyed in reverse order: the reader (which reads
// the sensor's buffers and feeds the assembler) goes first, the sensor
// (links, then maps) after every stage that uses it.
class Daemon {
 public:
  // `--output -` is stdout, beside the journal.
  explicit Daemon(const RunOptions& o) : o_(o), path_(o.output == "-" ? "" : o.output) {}
  ~Daemon() {
    outs_.close();  // no rotation after this
    if (const int fd = rotated_fd_.exchange(-1); fd >= 0) ::close(fd);
  }

  // The order matters. Every check a user can fail (privileges, output path,
  // BTF, hooks, the reader) comes before anything is attached, so a refusal
  // leaves the system untouched; the reader exists before the programs are
  // attached, so a perf buffer has its per-CPU rings before the first
  // record is sent; the sensor is attached before the process table
  // is seeded, so a process is either seeded or seen by its events; and
  // production stops before the final drain, so what was sent is exactly
  // what is read.
  int run() {
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

 private:
  bool load_rules();
  bool check_privileges();
  bool open_output();
  bool open_file_output();
  std::unique_ptr<Sink> viewed(std::unique_ptr<Sink> s) const;
  bool watch_files();
  bool open_sensor();
  bool build_pipeline();
  void drop_capabilities();
  void announce();
  int run_loop();
  int output_stopped(const std::string& name, const OutputStop& s);
  void drain_and_report();
  void reopen_output(const char* why);
  void reload_config();
  bool apply_live(const std::string& key, const RunOptions& n);
  void exclude_output();

  void on_record(const uint8_t* data, size_t size);
  void emit(EnrichedEvent&& e);
  void check_self();
  void tampered(const char* how, const std::string& detail);
  void check_loss();
  void report_health();
  void count_action(const nj_hdr& h);
  void write_metrics();
  void collect();
  void report_loss(Output& out, const LossReport& r, Encoded& line);
  void warn_loss();
  bool settle_report(Output& o);
  void settle_last_report();

  RunOptions o_;  // a copy: SIGHUP changes the settings that can change live
  std::map<std::string, std::string> settings_ = settings_values(o_.settings);
  const std::string path_;  // the output file ("": none, or stdout)
  // A file or stdout is an output (--journal alone: stdout is none, and
  // whatever it points at is no concern of the output checks).
  bool jsonl_output() const { return !o_.output.empty() || !o_.journal; }
  // The outputs opened, until their queues take them: name, JSONL or not, sink.
  struct Opened {
    std::string name;
    bool jsonl;
    std::unique_ptr<Sink> sink;
  };
  std::vector<Opened> opened_;
  std::shared_ptr<const FileRules> file_rules_;
  std::unique_ptr<Sensor> sensor_;
  double startup_ms_ = 0;
  std::optional<WallClock> clock_;
  std::optional<Encoder> enc_;
  Outputs outs_;
  std::optional<Enricher> enricher_;
  std::optional<Reorderer> reorder_;  // perf buffers only: per-CPU streams merged by time
  std::optional<Assembler> assembler_;
  std::unique_ptr<Reader> reader_;
  const Enricher::Out emit_ = [this](EnrichedEvent&& e) { emit(std::move(e)); };

  uint64_t events_ = 0, decode_errors_ = 0, records_read_ = 0;
  // The totals; each output's report carries what is new since its last
  // written one (Output::told). A report in flight becomes that once the
  // output took it; one the output refused is counted again by its next.
  LossReport report_;
  Told said_;  // what stderr's "events lost" lines said so far
  bool warned_budget_ = false;
  OutputWatch output_watch_;
  std::atomic<bool> reopened_{false};        // the output was opened again (or failed to be): watch it
  std::optional<std::string> after_reopen_;  // the removal alert, for the reopened output
  uint64_t shrunk_seen_ = 0;
  // --metrics-file: events by family and action; when the sensor started.
  std::map<std::pair<std::string, std::string>, uint64_t, PairLess> by_action_;
  double started_unix_s_ = 0;
  bool metrics_failing_ = false;
  std::atomic<int> rotated_fd_{-1};  // the file a rotation created, for the output watch
  bool stopped_waiting_ = false;     // a stop signal came while waiting for the output's reader
  ServiceNotifier service_;          // systemd's READY=1 and watchdog (Type=notify)
};

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
  const auto& fams = o_.sensor.families;
  if (std::find(fams.begin(), fams.end(), Family::file) == fams.end()) return true;
  size_t n = 0;
  for (const Watch& w : resolve_watches(*file_rules_)) {
    if (auto r = sensor_->add_watch(w.key, w.value); !r) {
      spdlog::warn("file rule for {}: {}", w.path, r.error().message);
      break;
    }
    n++;
  }
  for (const std::string& fs : file_rules_->excluded_fs)
    if (auto r = sensor_->exclude_fs(fs_magic(fs)); !r) spdlog::warn("exclude-fs {}: {}", fs, r.error().message);
  exclude_output();
  spdlog::debug("file rules: {} rules, {} watched identities", file_rules_->rules.size(), n);
  return true;
}

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

// Capabilities, not uid 0: root in a container without them fails here
// with the same line, a user granted them runs.
bool Daemon::check_privileges() {
  const bool perf = o_.sensor.transport == Transport::perfbuf;
  auto p = nj::check_privileges(CapUse::run, perf ? o_.sensor.perf_pages : 0);
  if (!p) spdlog::error("{} (run as root or grant them: README, \"Running without root\")", p.error().message);
  return p.ok();
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
  struct stat st;
  if (::stat(o_.output.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
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
  // A rotation's new file is excluded from the file family at once, like
  // a reopened one; the output watch moves to it at the next self-check.
  auto fs = make_file_sink(o_.output, RotatePolicy{o_.output_max_bytes, o_.output_keep, [this](int fd) {
                                                     if (sensor_) exclude_output();
                                                     const int mine = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
                                                     const int old = rotated_fd_.exchange(mine);
                                                     if (old >= 0) ::close(old);
                                                   }});
  if (!fs) {
    spdlog::error("{}", fs.error().message);
    return false;
  }
  opened_.push_back({"file", true, viewed(std::move(*fs))});
  return true;
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
  eo.families.file.rules = file_rules_;
  eo.families.file.watch = [this](const Watch& w) {
    if (auto r = sensor_->add_watch(w.key, w.value); !r) spdlog::debug("file watch {}: {}", w.path, r.error().message);
  };
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
  if (reorder_) reorder_->push(std::move(*rec), WallClock::boot_now_ns());
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

void Daemon::tampered(const char* how, const std::string& detail) {
  spdlog::warn("sensor tampered: {}", detail);
  outs_.push(enc_->sensor_tampered(how, detail));
}

// What someone may do to the sensor that no event of its own shows: its
// output file removed or truncated, its programs' links detached. A removed
// file is opened again at its path, so what follows (the alert first) is
// not written into a file nobody can read. (The journal is journald's to
// keep: nothing of it is watched.)
void Daemon::check_self() {
  if (const int fd = rotated_fd_.exchange(-1); fd >= 0) output_watch_.adopt(Fd(fd), path_);
  if (reopened_.exchange(false)) {
    output_watch_.watch(path_, STDOUT_FILENO);
    if (after_reopen_) outs_.push(enc_->sensor_tampered("output_removed", *after_reopen_));
    after_reopen_.reset();
  }
  if (auto gone = output_watch_.removed()) {
    spdlog::warn("sensor tampered: {}", *gone);
    if (path_.empty()) {
      outs_.push(enc_->sensor_tampered("output_removed", *gone));
    } else {
      // The alert waits for the new file: pushed now, it would be written
      // into the removed one, which the writer still holds.
      after_reopen_ = std::move(gone);
      reopen_output("the output was removed");
    }
  }
  const Output* file = outs_.jsonl();
  const uint64_t shrunk = file ? file->sink->stats().shrunk : 0;
  if (shrunk > shrunk_seen_)
    tampered("output_truncated", (path_.empty() ? std::string("stdout's file") : path_) +
                                     " was truncated by another process: lines written before are gone");
  shrunk_seen_ = shrunk;
  for (const std::string& prog : sensor_->detached_programs())
    tampered("program_detached", "BPF program " + prog + " is no longer attached through the sensor's link");
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
  auto last_stats = start, last_health = start, last_self = start, last_metrics = start;
  while (!g_stop.load()) {
    if (g_reopen.exchange(false)) {
      reload_config();
      reopen_output("SIGHUP");
    }
    if (auto s = outs_.stop_requested()) return output_stopped(s->first, s->second);
    auto n = reader_->poll(o_.poll_ms);
    if (!n) {
      spdlog::error("{}", n.error().message);
      return 1;
    }
    if (reorder_) reorder_->release(WallClock::boot_now_ns());
    assembler_->expire(WallClock::boot_now_ns());
    enricher_->poll(WallClock::boot_now_ns(), emit_);
    const auto now = std::chrono::steady_clock::now();
    if (due(last_stats, o_.stats_interval_s, now)) check_loss();
    if (o_.health_interval_s > 0 && due(last_health, o_.health_interval_s, now)) report_health();
    if (!o_.metrics_file.empty() && due(last_metrics, o_.metrics_interval_s, now)) write_metrics();
    if (due(last_self, kSelfCheckS, now)) check_self();
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

// At the end, the fate of a report still queued is waited for (briefly):
// the final one must not count again what that one counts.
void Daemon::settle_last_report() {
  for (int i = 0; i < 100; i++) {
    bool settled = true;
    for (Output& o : outs_.all()) settled &= settle_report(o);
    if (settled) return;
    outs_.kick();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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

// Each output is told what it was not yet told: the queue or the output may
// be the thing that fails, so a report is pushed regardless, and what it
// counts is counted again by that output's next unless it was written.
// While an output fails, each lost report is itself a lost line, so one is
// tried every check: the first written after the output recovers carries
// the whole outage.
void Daemon::check_loss() {
  clock_->refresh();
  collect();
  warn_loss();
  Encoded report;
  for (Output& o : outs_.all()) {
    if (!settle_report(o)) continue;
    LossReport r = report_;
    count_since(r, o.told);
    if (has_news(r)) report_loss(o, r, report);
  }
}

// false while the output's last report is still queued: what it counts is
// not yet known delivered or lost.
bool Daemon::settle_report(Output& o) {
  switch (o.sink->report_fate()) {
    case ReportFate::pending: return false;
    case ReportFate::written: o.told = o.in_flight; return true;
    default: return true;
  }
}

void Daemon::count_action(const nj_hdr& h) {
  const char* family = h.family < NJ_FAM_MAX ? to_string(static_cast<Family>(h.family)) : "unknown";
  const std::string& action = enc_->last_action();
  // No string is built for an action already counted.
  auto it = by_action_.find(std::make_pair(std::string_view(family), std::string_view(action)));
  if (it != by_action_.end()) {
    it->second++;
    return;
  }
  by_action_.emplace(std::make_pair(std::string(family), action), 1);
}

// The metrics file is replaced whole each --metrics-interval and at the
// stop; a failure is said on stderr once until writing works again.
void Daemon::write_metrics() {
  collect();
  MetricsSnapshot m;
  m.version = NIGHTJAR_VERSION;
  m.transport = to_string(sensor_->transport());
  m.start_time_s = started_unix_s_;
  for (const auto& [k, n] : by_action_) m.events[{k.first, k.second}] = n;
  m.loss = report_;
  m.caches = enricher_->stats();
  for (Output& o : outs_.all()) m.outputs.emplace_back(o.name, o.sink->stats());
  m.memory = memory_use(uint64_t{o_.memory_budget_mib} << 20);
  std::tie(m.cpu_user_s, m.cpu_system_s) = own_cpu_seconds();
  auto r = write_metrics_file(o_.metrics_file, prometheus_text(m));
  if (!r && !metrics_failing_) spdlog::warn("{}; metrics not updated until writing works again", r.error().message);
  if (r && metrics_failing_) spdlog::info("metrics file {} written again", o_.metrics_file);
  metrics_failing_ = !r;
}

void Daemon::report_health() {
  collect();
  auto mem = memory_use(uint64_t{o_.memory_budget_mib} << 20);
  if (mem.rss_bytes > mem.budget_bytes && !warned_budget_) {
    warned_budget_ = true;
    spdlog::warn("resident memory {} MiB is over the {} MiB budget", mem.rss_bytes >> 20, o_.memory_budget_mib);
  }
  const EnricherStats caches = enricher_->stats();
  Encoded health;
  for (Output& o : outs_.all()) {
    LossReport r = report_;
    count_since(r, o.told);
    o.push(health.get(o.told, [&] { return enc_->health(r, caches, events_, mem); }));
  }
}

// The totals; the "since the last report" counts are each output's own
// (count_since).
void Daemon::collect() {
  if (auto kc = sensor_->counters()) {
    report_.kernel_lost_total = kc->lost;
    report_.enter_map_full_total = kc->enter_map_full;
    report_.read_errors_total = kc->read_errors;
    report_.scratch_busy_total = kc->scratch_busy;
    report_.runs_missed_total = kc->runs_missed;
    report_.records_sent_total = kc->sent;
    report_.file_folded_total = kc->file_folded;
    report_.file_excluded_kernel_total = kc->file_excluded;
    report_.udp_folded_total = kc->udp_folded;
    report_.records_after_stop_total = kc->after_stop;
    for (size_t f = 0; f < NJ_FAM_MAX; f++) {
      report_.by_family[f].kernel_lost_total = kc->lost_by_family[f];
      report_.by_family[f].records_sent_total = kc->sent_by_family[f];
    }
  }
  report_.transport_lost = reader_->transport_lost();
  outs_.fill(report_);
  report_.incomplete_total = assembler_->stats().incomplete;
  report_.orphan_parts_total = assembler_->stats().orphan_parts;
  report_.decode_errors_total = decode_errors_;
  report_.records_read_total = records_read_;
}

// In-band for the SIEM: the report `r` (counted for `out`) to `out` alone.
void Daemon::report_loss(Output& out, const LossReport& r, Encoded& line) {
  out.push_report(line.get(out.told, [&] { return enc_->loss(r); }));
  out.in_flight = told_by(r);
}

// On stderr for the operator, once: the events the pipeline lost since the
// last such line. The outputs' failures have their own lines
// (OutputWarnings).
void Daemon::warn_loss() {
  LossReport r = report_;
  count_since(r, said_);
  said_ = told_by(report_);
  if (!r.kernel_lost && !r.queue_dropped) return;
  const std::string families = families_with_losses(r);
  spdlog::warn("events lost: {} in the kernel buffers{}, {} in the output queue{}", r.kernel_lost,
               families.empty() ? "" : " (" + families + ")", r.queue_dropped, per_output(r, true));
}

// Stop producing, then drain: what was sent is then exactly what is read
// (records_sent_total == records_read_total unless something was lost).
// What the programs held back once stopping is records_after_stop_total.
void Daemon::drain_and_report() {
  sensor_->stop();
  if (auto d = reader_->drain(); !d) spdlog::warn("{}", d.error().message);
  if (reorder_) {
    reorder_->flush();
    const ReordererStats& rs = reorder_->stats();
    spdlog::info(
        "per-CPU streams merged: {} records put back in time order, {} arrived too late to be "
        "(window {} ms)",
        rs.reordered, rs.late, rs.window_ns / 1000000);
  }
  // An event whose records straddle the stop instant (a part sent early, its
  // closing record held back) cannot complete: it is counted like any other
  // (orphan parts, incomplete), and said here.
  const AssemblerStats before = assembler_->stats();
  assembler_->flush_all();
  const AssemblerStats& after = assembler_->stats();
  if (after.incomplete > before.incomplete || after.orphan_parts > before.orphan_parts)
    spdlog::info(
        "at the stop: {} events written incomplete, {} parts dropped without their event (the rest came after "
        "the stop, or was lost)",
        after.incomplete - before.incomplete, after.orphan_parts - before.orphan_parts);
  enricher_->flush(emit_);
  settle_last_report();
  // The last words count every line before them (a journald that stalls
  // costs a second per batch).
  outs_.settle(std::chrono::seconds(3));
  collect();
  warn_loss();
  EnricherStats caches = enricher_->stats();
  Encoded report, stopped;
  for (Output& o : outs_.all()) {
    LossReport r = report_;
    count_since(r, o.told);
    const Told told = o.told;  // the stopped line counts like the report it follows
    if (has_news(r)) report_loss(o, r, report);
    o.push(stopped.get(told, [&] { return enc_->sensor_stopped(r, events_, &caches); }));
  }
  outs_.close();
  if (!o_.metrics_file.empty()) write_metrics();
  // After close: the last lines' fate counts too.
  LossReport last = report_;
  outs_.fill(last);
  spdlog::info(
      "stopped: {} events; lost in kernel buffers {}, perf overwrites {}, output queue {}, output failed {} lines "
      "({} partial){}, incomplete {}, orphan parts {}, syscall state not stored {}, undecodable {}; {} records "
      "held back after the stop",
      events_, report_.kernel_lost_total, report_.transport_lost, last.queue_dropped_total, last.output_failed_total,
      last.output_torn_total, per_output(last, false), report_.incomplete_total, report_.orphan_parts_total,
      report_.enter_map_full_total, decode_errors_, report_.records_after_stop_total);
}

}  // namespace

int run_sensor(const RunOptions& o) { return Daemon(o).run(); }

}  // namespace nj
