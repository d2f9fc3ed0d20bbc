// nightjar: command line. Bad input ends here with one line and a non-zero
// exit; everything else is in run.cpp / probe.cpp.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/options.h"
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

std::optional<nj::Backend> parse_backend(const std::string& s) {
  if (s == "auto") return std::nullopt;
  auto b = nj::backend_from_string(s);
  if (!b) throw CLI::ValidationError("--backend", "unknown backend '" + s + "' (auto, tracepoint, kprobe, fentry)");
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("nightjar");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("nightjar: %^%l%$: %v");

  CLI::App app{"nightjar: a Linux EDR sensor built on eBPF"};
  app.set_version_flag("--version", NIGHTJAR_VERSION);
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "debug logging (includes libbpf's)");

  nj::RunOptions ro;
  std::vector<std::string> events;  // every family unless --events names some
  std::string backend = "auto", transport = "ringbuf";

  auto* run = app.add_subcommand("run", "attach and print events as JSON lines (stdout unless --output)");
  run->add_option("-o,--output", ro.output, "append JSON lines to FILE (created 0640)");
  std::string on_output_error = "drop";
  run->add_option("--on-output-error", on_output_error,
                  "drop: count the lines the output refuses and keep going (default); stop: end the sensor, exit 1")
      ->check(CLI::IsMember({"drop", "stop"}));
  run->add_option("--events", events, "event families to enable (default: all of " + family_names() + ")")
      ->delimiter(',');
  run->add_option("--backend", backend, "auto|tracepoint|kprobe|fentry (forces that backend where it exists)");
  run->add_option("--transport", transport, "ringbuf|perfbuf")->check(CLI::IsMember({"ringbuf", "perfbuf"}));
  run->add_option("--ringbuf-size", ro.sensor.ringbuf_bytes, "ring buffer bytes (power of two)");
  run->add_option("--perf-pages", ro.sensor.perf_pages, "perf buffer pages per CPU (power of two)");
  run->add_option("--wakeup-bytes", ro.sensor.wakeup_bytes,
                  "wake the reader once this many bytes wait (0: on every record)");
  run->add_option("--poll-ms", ro.poll_ms, "reader poll interval")->check(CLI::Range(1, 10000));
  run->add_option("--reorder-ms", ro.reorder_ms,
                  "perf buffers: how long records wait to be merged across CPUs in time order")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000}));
  run->add_option("--argv-max", ro.sensor.argv_max, "argv bytes captured per exec")
      ->check(CLI::Range(256u, 4u * 32768u));
  run->add_option("--queue", ro.queue_lines, "output queue capacity in lines")->check(CLI::Range(16u, 1u << 24));
  run->add_option("--duration", ro.duration_s, "stop after this many seconds");
  run->add_option("--health-interval", ro.health_interval_s, "seconds between sensor-health events (0: none)");
  run->add_option("--memory-budget", ro.memory_budget_mib,
                  "resident memory budget in MiB (reported; a warning when over)")
      ->check(CLI::Range(16u, 1u << 20));
  bool no_hash = false;
  run->add_flag("--no-hash", no_hash, "do not hash executables");
  run->add_option("--hash-max-bytes", ro.enrich.hash_max_bytes, "executables larger than this are not hashed");
  run->add_option("--hash-cache", ro.enrich.hash_cache_entries, "hashes cached (LRU)");
  run->add_option("--process-cache", ro.enrich.table.max_entries, "processes kept in the process table (LRU)")
      ->check(CLI::Range(size_t{64}, size_t{1} << 24));
  run->add_option("--ancestry-depth", ro.enrich.ancestry_depth, "ancestors listed on exec events")
      ->check(CLI::Range(size_t{0}, size_t{64}));
  uint64_t fold_ms = 100;
  run->add_option("--exec-fold-ms", fold_ms,
                  "failed execs wait this long to be folded into the same process's successful exec (0: never)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{10000}));
  run->add_option("--file-rules", ro.file_rules,
                  "file path rules (tags, reads reported, exclusions) instead of the defaults; "
                  "`nightjar file-rules` prints the defaults");
  uint64_t modify_window_ms = 5000;
  run->add_option("--modify-window-ms", modify_window_ms,
                  "repeated modifications of one file by one process within this window are one event")
      ->check(CLI::Range(uint64_t{0}, uint64_t{3600000}));
  uint64_t udp_window_ms = 60000;
  run->add_option("--udp-window-ms", udp_window_ms,
                  "datagrams of one UDP flow (process, endpoints, direction) within this window are one event")
      ->check(CLI::Range(uint64_t{0}, uint64_t{86400000}));
  bool no_connection_end = false;
  run->add_flag("--no-connection-end", no_connection_end, "do not report TCP connections' ends (duration and bytes)");
  run->add_flag("--ancestry-on-every-event", ro.enrich.ancestry_on_every_event,
                "ancestors on every event, not only exec");

  auto* rules_cmd = app.add_subcommand("file-rules", "print the default file path rules (a --file-rules file)");
  auto* probe = app.add_subcommand("probe", "show what this kernel supports and which program each hook uses");
  probe->add_option("--events", events, "event families (default: all of " + family_names() + ")")->delimiter(',');
  probe->add_option("--backend", backend, "auto|tracepoint|kprobe|fentry");

  try {
    app.parse(argc, argv);
    ro.sensor.families = events.empty() ? nj::all_families() : parse_families(events);
    ro.sensor.backend = parse_backend(backend);
    ro.sensor.transport = transport == "perfbuf" ? nj::Transport::perfbuf : nj::Transport::ringbuf;
    ro.stop_on_output_error = on_output_error == "stop";
    ro.enrich.hash = !no_hash;
    ro.enrich.fold_window_ns = fold_ms * 1000000ull;
    ro.sensor.modify_window_ns = modify_window_ms * 1000000ull;
    ro.sensor.udp_window_ns = udp_window_ms * 1000000ull;
    ro.sensor.connection_end = !no_connection_end;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "nightjar: %s (see --help)\n", e.what());
    return 2;
  }
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);

  try {
    if (*run) return nj::run_sensor(ro);
    if (*probe) return nj::run_probe(ro.sensor);
    if (*rules_cmd) {
      std::fputs(nj::default_file_rules_text(), stdout);
      return 0;
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 2;
}
