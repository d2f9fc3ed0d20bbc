// nightjar: command line. Bad input ends here with one line and a non-zero
// exit; everything else is in run.cpp / probe.cpp.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <sstream>

#include "app/config_cli.h"
#include "app/option_checks.h"
#include "app/options.h"
#include "encode/compact.h"
#include "families/file/rules.h"
#include "version.h"

namespace {

// Every registered family's name, comma separated.
std::string family_names() {
  std::string out;
  for (nj::Family f : nj::all_families()) out += (out.empty() ? "" : ",") + std::string(nj::to_string(f));
  return out;
}

std::vector<nj::Family> parse_families(const std::vector<std::string>& names) {
  std::vector<nj::Family> out;
  for (const auto& n : names) {
    auto f = nj::family_from_string(n);
    if (!f) throw CLI::ValidationError("--events", "unknown event family '" + n + "' (known: " + family_names() + ")");
    out.push_back(*f);
  }
  return out;
}

// Each --events item as typed (the file's line is named with it).
CLI::Validator family_check() {
  return CLI::Validator(
      [](std::string& s) {
        return nj::family_from_string(s) ? std::string()
                                         : "unknown event family '" + s + "' (known: " + family_names() + ")";
      },
      "FAMILY");
}

CLI::Validator backend_check() {
  return CLI::Validator(
      [](std::string& s) {
        return s == "auto" || nj::backend_from_string(s)
                   ? std::string()
                   : "unknown backend '" + s + "' (auto, tracepoint, kprobe, fentry)";
      },
      "BACKEND");
}

std::optional<nj::Backend> parse_backend(const std::string& s) {
  if (s == "auto") return std::nullopt;
  auto b = nj::backend_from_string(s);
  if (!b) throw CLI::ValidationError("--backend", "unknown backend '" + s + "' (auto, tracepoint, kprobe, fentry)");
  return b;
}

// CLI11 converts numbers with strtoull/strtod: "-1" becomes 2^64-1, "010"
// octal eight, "nan" a duration. These check the text first, then hand
// CLI11 the plain decimal they accepted.
CLI::Validator count_check(const nj::CountRange& r) {
  return CLI::Validator(
      [r](std::string& s) {
        auto v = nj::parse_count(s, r);
        if (!v) return v.error().message;
        s = std::to_string(*v);
        return std::string();
      },
      nj::describe(r));
}

CLI::Validator seconds_check(const nj::SecondsRange& r) {
  return CLI::Validator(
      [r](std::string& s) {
        auto v = nj::parse_seconds(s, r);
        return v ? std::string() : v.error().message;
      },
      nj::describe(r));
}

CLI::Validator path_check() {
  return CLI::Validator(
      [](std::string& s) {
        auto v = nj::check_path(s);
        return v ? std::string() : v.error().message;
      },
      "PATH");
}

// The configuration file of `run`: --config's (which must exist), else
// the default one if it exists. Its keys, with where each came from.
nj::Result<std::map<std::string, std::string>> load_config(CLI::App& run, const std::string& explicit_path) {
  std::map<std::string, std::string> sources;
  std::string path = explicit_path;
  if (path.empty()) {
    struct stat st {};
    if (stat(nj::kDefaultConfigPath, &st) != 0 && errno == ENOENT) return sources;
    path = nj::kDefaultConfigPath;
  }
  auto text = nj::read_config_file(path, geteuid());
  if (!text) return nj::Error{0, "config " + text.error().message};
  auto entries = nj::parse_config(*text);
  if (!entries) return nj::Error{0, path + ":" + entries.error().message};
  auto applied = nj::apply_config(run, *entries, path, &sources);
  if (!applied) return applied.error();
  return sources;
}

constexpr const char* kConfigHeader =
    "# nightjar configuration (`nightjar default-config` prints this file).\n"
    "# The keys are the long flags of `nightjar run`, without the dashes; a flag\n"
    "# given on the command line overrides its key here. Every key is shown\n"
    "# commented out at its default. `nightjar run --check-config` prints the\n"
    "# settings in force. The file must be owned by root and writable by no one\n"
    "# else (nor its directory): it decides what the sensor sees.\n";

enum class Command { none, run, probe };

// What the command line asks for. exit >= 0: print out and err, exit with it.
struct Parsed {
  int exit = -1;
  std::string out, err;
  Command command = Command::none;
  nj::RunOptions ro;
  std::string settings;  // `run`: the settings in force, as --check-config prints them
  bool verbose = false;
  bool plain_log = false;  // stderr without colour
  Parsed& fail(int status, const std::string& message) {
    exit = status;
    err = "nightjar: " + message + "\n";
    return *this;
  }
};

}  // namespace

// The command line (and for `run`, the configuration file) parsed into
// what to do. Run again on SIGHUP with the same argv to read the file
// again: it prints nothing itself.
static Parsed parse_command_line(int argc, char** argv) {
  Parsed out;
  CLI::App app{"nightjar: a Linux EDR sensor built on eBPF"};
  app.set_version_flag("--version", NIGHTJAR_VERSION);
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "debug logging (includes libbpf's)");

  nj::RunOptions ro;
  std::vector<std::string> events;  // every family unless --events names some
  std::string backend = "auto", transport = "ringbuf";

  // Every number and path is checked as typed: a bad value is one line
  // naming the flag and exit 2, never a sensor that runs forever or writes
  // somewhere else than asked.
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  auto* run = app.add_subcommand(
      "run", "attach and print events: JSON lines, or compact lines on a terminal (stdout unless --output)");
  // The defaults as typed are what `--check-config` and `default-config` show.
  run->option_defaults()->always_capture_default();
  std::string config_path;
  run->add_option("--config", config_path,
                  std::string("read settings from this TOML file (default: ") + nj::kDefaultConfigPath +
                      " if it exists); flags override it")
      ->check(path_check());
  bool check_config = false;
  run->add_flag("--check-config", check_config,
                "print the settings in force (the configuration file and the flags) as a configuration file, and "
                "exit");
  run->add_option("-o,--output", ro.output,
                  "append to FILE, JSON lines unless --format compact (created 0640; a FIFO waits for a reader)")
      ->check(path_check());
  auto* max_size = run->add_option("--output-max-size", ro.output_max_bytes,
                                   "rotate the --output file before it grows past this many bytes: FILE becomes "
                                   "FILE.1, older ones move up (0: never; rotation happens between lines)")
                       ->check(count_check(nj::ranges::output_max_bytes));
  run->add_option("--output-keep", ro.output_keep, "rotated output files kept (FILE.1 .. FILE.N)")
      ->check(count_check(nj::ranges::output_keep));
  run->add_flag("--journal", ro.journal,
                "write each event to the systemd journal (journalctl -t nightjar), beside --output if given; stdout "
                "is then no output unless --output is -");
  std::string on_output_error = "drop";
  run->add_option("--on-output-error", on_output_error,
                  "drop: count the lines the output refuses and keep going (default); stop: end the sensor, exit 1")
      ->check(CLI::IsMember({"drop", "stop"}));
  run->add_option("--events", events, "event families to enable (default: all of " + family_names() + ")")
      ->delimiter(',')
      ->check(family_check())
      ->default_str(family_names());
  run->add_option("--backend", backend, "auto|tracepoint|kprobe|fentry (forces that backend where it exists)")
      ->check(backend_check());
  run->add_option("--transport", transport, "ringbuf|perfbuf")->check(CLI::IsMember({"ringbuf", "perfbuf"}));
  run->add_option("--ringbuf-size", ro.sensor.ringbuf_bytes, "ring buffer bytes")
      ->check(count_check(nj::ranges::ringbuf_bytes(page)));
  run->add_option("--perf-pages", ro.sensor.perf_pages, "perf buffer pages per CPU")
      ->check(count_check(nj::ranges::perf_pages));
  run->add_option("--wakeup-bytes", ro.sensor.wakeup_bytes,
                  "wake the reader once this many bytes wait (0: on every record; above the buffer: on --poll-ms "
                  "only)")
      ->check(count_check(nj::ranges::wakeup_bytes));
  run->add_option("--poll-ms", ro.poll_ms, "reader poll interval")->check(count_check(nj::ranges::poll_ms));
  run->add_option("--reorder-ms", ro.reorder_ms,
                  "perf buffers: how long records wait to be merged across CPUs in time order")
      ->check(count_check(nj::ranges::reorder_ms));
  run->add_option("--argv-max", ro.sensor.argv_max, "argv bytes captured per exec")
      ->check(count_check(nj::ranges::argv_max));
  run->add_option("--queue", ro.queue_lines, "output queue capacity in lines")
      ->check(count_check(nj::ranges::queue_lines));
  run->add_option("--duration", ro.duration_s, "stop after this many seconds (default: at SIGINT/SIGTERM)")
      ->check(seconds_check(nj::ranges::duration))
      ->default_str("");  // 0 is no duration a user may give
  run->add_option("--health-interval", ro.health_interval_s, "seconds between sensor-health events")
      ->check(seconds_check(nj::ranges::health_interval));
  run->add_option("--metrics-file", ro.metrics_file,
                  "write counters and gauges in the Prometheus text format to FILE (replaced whole; for "
                  "node_exporter's textfile collector)")
      ->check(path_check());
  run->add_option("--metrics-interval", ro.metrics_interval_s, "seconds between writes of the --metrics-file")
      ->check(seconds_check(nj::ranges::metrics_interval));
  run->add_option("--memory-budget", ro.memory_budget_mib,
                  "resident memory budget in MiB (reported; a warning when over)")
      ->check(count_check(nj::ranges::memory_budget_mib));
  bool no_hash = false;
  run->add_flag("--no-hash", no_hash, "do not hash executables");
  run->add_option("--hash-max-bytes", ro.enrich.hash_max_bytes, "executables larger than this are not hashed")
      ->check(count_check(nj::ranges::hash_max_bytes));
  run->add_option("--hash-cache", ro.enrich.hash_cache_entries, "hashes cached (LRU; 0: none)")
      ->check(count_check(nj::ranges::hash_cache));
  run->add_option("--process-cache", ro.enrich.table.max_entries, "processes kept in the process table (LRU)")
      ->check(count_check(nj::ranges::process_cache));
  run->add_option("--ancestry-depth", ro.enrich.ancestry_depth, "ancestors listed on exec events")
      ->check(count_check(nj::ranges::ancestry_depth));
  uint64_t fold_ms = 100;
  run->add_option("--exec-fold-ms", fold_ms,
                  "failed execs wait this long to be folded into the same process's successful exec (0: never)")
      ->check(count_check(nj::ranges::exec_fold_ms));
  run->add_option("--file-rules", ro.file_rules,
                  "file path rules (tags, reads reported, exclusions) instead of the defaults; "
                  "`nightjar file-rules` prints the defaults")
      ->check(path_check());
  uint64_t modify_window_ms = 5000;
  run->add_option("--modify-window-ms", modify_window_ms,
                  "repeated modifications of one file by one process within this window are one event")
      ->check(count_check(nj::ranges::modify_window_ms));
  uint64_t udp_window_ms = 60000;
  run->add_option("--udp-window-ms", udp_window_ms,
                  "datagrams of one UDP flow (process, endpoints, direction) within this window are one event")
      ->check(count_check(nj::ranges::udp_window_ms));
  uint64_t exec_memory_window_ms = 10000;
  run->add_option("--exec-memory-window-ms", exec_memory_window_ms,
                  "memory made executable: one event per process per window, the later calls counted into its next")
      ->check(count_check(nj::ranges::exec_memory_window_ms));
  std::string format = "auto", color = "auto";
  run->add_option("--format", format,
                  "compact: one readable line per event; json: JSON lines; auto (default): compact when stdout is a "
                  "terminal and there is no --output, JSON otherwise (a file or a pipe is read by programs)")
      ->check(CLI::IsMember({"auto", "compact", "json"}));
  run->add_option("--color", color,
                  "compact lines in colour: auto (default: on a terminal whose TERM is not dumb, NO_COLOR unset), "
                  "always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  bool no_connection_end = false;
  run->add_flag("--no-connection-end", no_connection_end, "do not report TCP connections' ends (duration and bytes)");
  run->add_option("--connection-table", ro.sensor.connection_table,
                  "TCP connections the kernel side follows at once for their result and end (LRU: those it evicts "
                  "are counted, connection_table_evicted_total)")
      ->check(count_check(nj::ranges::connection_table));
  run->add_option("--udp-flow-table", ro.sensor.udp_flow_table,
                  "UDP flows the kernel side remembers for their window (LRU: those it evicts are counted, "
                  "udp_flow_table_evicted_total; one evicted inside its window is reported again early)")
      ->check(count_check(nj::ranges::udp_flow_table));
  run->add_flag("--ancestry-on-every-event", ro.enrich.ancestry_on_every_event,
                "ancestors on every event, not only exec");

  auto* rules_cmd = app.add_subcommand("file-rules", "print the default file path rules (a --file-rules file)");
  auto* config_cmd = app.add_subcommand(
      "default-config", std::string("print the default configuration file (") + nj::kDefaultConfigPath + ")");
  auto* probe = app.add_subcommand("probe", "show what this kernel supports and which program each hook uses");
  probe->add_option("--events", events, "event families (default: all of " + family_names() + ")")->delimiter(',');
  probe->add_option("--backend", backend, "auto|tracepoint|kprobe|fentry");

  try {
    app.parse(argc, argv);
    if (*run) {
      auto loaded = load_config(*run, config_path);
      if (!loaded) return out.fail(2, loaded.error().message);
      out.settings = nj::settings_toml(*run, *loaded, false);
      if (check_config) {
        out.out = out.settings;
        out.exit = 0;
        return out;
      }
    }
    if (ro.output_max_bytes && ro.output.empty())
      throw CLI::ValidationError(max_size->get_name(), "rotation needs an --output file (stdout is not rotated)");
    ro.sensor.families = events.empty() ? nj::all_families() : parse_families(events);
    ro.sensor.backend = parse_backend(backend);
    ro.sensor.transport = transport == "perfbuf" ? nj::Transport::perfbuf : nj::Transport::ringbuf;
    ro.stop_on_output_error = on_output_error == "stop";
    ro.enrich.hash = !no_hash;
    ro.enrich.fold_window_ns = fold_ms * 1000000ull;
    ro.sensor.modify_window_ns = modify_window_ms * 1000000ull;
    ro.sensor.udp_window_ns = udp_window_ms * 1000000ull;
    ro.sensor.connection_end = !no_connection_end;
    ro.sensor.exec_memory_window_ns = exec_memory_window_ms * 1000000ull;
    const nj::ViewChoice view = nj::choose_view(format, color, ro.output.empty() && isatty(STDOUT_FILENO),
                                                std::getenv("TERM"), std::getenv("NO_COLOR"));
    ro.compact = view.compact;
    ro.color = view.color;
    // The operator's lines (stderr) honour the same choice (spdlog alone
    // colours any terminal).
    out.plain_log =
        color == "never" || (color == "auto" && !nj::colors_allowed(std::getenv("TERM"), std::getenv("NO_COLOR")));
  } catch (const CLI::Error& e) {
    // Help and version are exits too (status 0, text on stdout).
    std::ostringstream o, err;
    out.exit = app.exit(e, o, err);
    out.out = o.str();
    out.err = err.str();
    if (dynamic_cast<const CLI::ParseError*>(&e) && !dynamic_cast<const CLI::Success*>(&e) &&
        !dynamic_cast<const CLI::CallForHelp*>(&e) && !dynamic_cast<const CLI::CallForAllHelp*>(&e) &&
        !dynamic_cast<const CLI::CallForVersion*>(&e))
      return out.fail(2, std::string(e.what()) + " (see --help)");
    return out;
  }
  out.verbose = verbose;
  out.ro = std::move(ro);
  if (*run) out.command = Command::run;
  if (*probe) out.command = Command::probe;
  if (*config_cmd) {
    out.out = std::string(kConfigHeader) + nj::settings_toml(*run, {}, true);
    out.exit = 0;
  }
  if (*rules_cmd) {
    out.out = nj::default_file_rules_text();
    out.exit = 0;
  }
  return out;
}

int main(int argc, char** argv) {
  // One write(2) per log line: spdlog writes a coloured line in pieces, and
  // on a terminal the event lines (written whole) would land between them.
  std::setvbuf(stderr, nullptr, _IOLBF, 1 << 16);
  auto logger = spdlog::stderr_color_mt("nightjar");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("nightjar: %^%l%$: %v");

  Parsed p = parse_command_line(argc, argv);
  if (p.exit >= 0) {
    std::fputs(p.out.c_str(), stdout);
    std::fputs(p.err.c_str(), stderr);
    return p.exit;
  }
  if (p.plain_log)
    for (auto& sink : logger->sinks())
      if (auto* c = dynamic_cast<spdlog::sinks::stderr_color_sink_mt*>(sink.get()))
        c->set_color_mode(spdlog::color_mode::never);
  spdlog::set_level(p.verbose ? spdlog::level::debug : spdlog::level::info);

  try {
    if (p.command == Command::run) {
      // SIGHUP reads the configuration again: the same command line, the
      // file as it is now.
      p.ro.settings = p.settings;
      p.ro.reload = [argc, argv](nj::RunOptions& ro, std::string& settings, std::string& error) {
        Parsed q = parse_command_line(argc, argv);
        if (q.exit >= 0) {
          error = q.err.empty() ? "the command line no longer parses" : q.err;
          while (!error.empty() && error.back() == '\n') error.pop_back();
          return false;
        }
        ro = std::move(q.ro);
        settings = std::move(q.settings);
        return true;
      };
      return nj::run_sensor(p.ro);
    }
    if (p.command == Command::probe) return nj::run_probe(p.ro.sensor);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 2;
}
