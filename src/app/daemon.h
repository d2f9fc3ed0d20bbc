// The running daemon: its stages, what connects them, and the counts they
// report. Its parts live by what they do: run.cpp starts, runs and stops
// it; reload.cpp applies SIGHUP (configuration read again, outputs
// reopened); reports.cpp writes what it says about itself (loss, health,
// metrics, tampering, the last words).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/config_file.h"
#include "app/options.h"
#include "app/output_watch.h"
#include "app/outputs.h"
#include "app/service_notify.h"
#include "assemble/assembler.h"
#include "encode/encoder.h"
#include "families/file/rules.h"
#include "families/file/watch_index.h"
#include "order/reorderer.h"
#include "reader/reader.h"
#include "sink/sink.h"

namespace nj {

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
  explicit Daemon(const RunOptions& o) : o_(o), path_(output_file(o.output)) {}
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
  int run();

 private:
  bool load_rules();
  bool file_family() const;
  // The kernel's share of a rule set (the watch map, the excluded
  // filesystems) and watched_, its paths by identity; `replace`: entries
  // of the set before are removed.
  void install_watches(const FileRules& r, bool replace);
  void refresh_watches();
  FamilyOptions family_options();
  bool check_privileges();
  void warn_pid_namespace();
  bool open_output();
  bool open_file_output();
  std::unique_ptr<Sink> viewed(std::unique_ptr<Sink> s) const;
  Result<std::unique_ptr<Sink>> file_sink(const std::string& path);
  bool watch_files();
  bool open_sensor();
  bool build_pipeline();
  void drop_capabilities();
  void announce();
  int run_loop();
  int output_stopped(const std::string& name, const OutputStop& s);
  void drain_and_report();
  void reopen_output(const char* why);
  bool reload_config();
  bool apply_live(const std::string& key, const RunOptions& n);
  bool output_key(const std::string& key, const RunOptions& n);
  bool replace_output();
  enum class Reread { same, applied, failed };
  Reread reload_rules(const RunOptions& n);
  // Excludes the output file from the file family (another process writing
  // to it would be an event about every event); the writer thread calls it
  // for a rotation's new file. Its key, if it is a file.
  std::optional<nj_watch_key> exclude_output(const std::string& path);
  std::optional<nj_watch_key> exclude_output_locked(const std::string& path);

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
  std::string path_;  // the output file ("": none, or stdout); the main thread's
  // --output's file: "" for none and for "-" (stdout).
  static std::string output_file(const std::string& output) { return output == "-" ? "" : output; }
  // A file or stdout is an output (--journal alone: stdout is none, and
  // whatever it points at is no concern of the output checks). Fixed for
  // the run (SIGHUP moves a file output to another file only), so the
  // writer thread may ask too.
  const bool jsonl_output_ = !o_.output.empty() || !o_.journal;
  bool jsonl_output() const { return jsonl_output_; }
  // The outputs opened, until their queues take them: name, JSONL or not, sink.
  struct Opened {
    std::string name;
    bool jsonl;
    std::unique_ptr<Sink> sink;
  };
  std::vector<Opened> opened_;
  std::shared_ptr<const FileRules> file_rules_;
  // The watches' paths, for the file tracker (family_options); the main
  // thread's, which installs the watches and runs the trackers.
  WatchIndex watched_;
  uint32_t loaded_depth_ = 0;  // what the programs were loaded with (read-only data)
  bool loaded_reads_ = false;
  std::mutex watch_mu_;           // the watch map: rules read again vs a rotation's new file
  bool watches_failing_ = false;  // the watch map refused an entry at the last install
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

}  // namespace nj
