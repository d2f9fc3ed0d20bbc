// `nightjar run`: wire the stages together, run until told to stop, drain,
// report. Start-up is ordered so that every check a user can fail (root,
// output path, BTF, hooks) fails before anything is attached.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>

#include "app/options.h"
#include "assemble/assembler.h"
#include "decode/decode.h"
#include "encode/encoder.h"
#include "loader/features.h"
#include "reader/reader.h"
#include "sink/sink.h"
#include "version.h"

namespace nj {

namespace {

std::atomic<bool> g_stop{false};

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

void on_signal(int) { g_stop.store(true); }

void install_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

SensorState sensor_state(const Sensor& s) {
  SensorState st{NIGHTJAR_VERSION, to_string(s.transport()), {}};
  for (const Choice& c : s.choices()) {
    std::string how;
    if (!c.variant) {
      how = "unavailable";
    } else {
      how = to_string(c.variant->backend);
      int attached = 0, total = 0;
      for (auto& p : s.programs())
        if (p.hook == c.hook->name && !p.program.empty()) {
          total++;
          attached += p.attached;
        }
      how += " (" + std::to_string(attached) + "/" + std::to_string(total) + " programs)";
    }
    st.hooks.emplace_back(c.hook->name, how);
  }
  return st;
}

}  // namespace

int run_sensor(const RunOptions& o) {
  if (geteuid() != 0) {
    spdlog::error("must run as root: loading BPF programs needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN");
    return 1;
  }
  route_libbpf_logs();

  std::unique_ptr<Sink> sink;
  if (o.output.empty()) {
    sink = make_stdout_sink();
  } else {
    auto fs = make_file_sink(o.output);
    if (!fs) {
      spdlog::error("{}", fs.error().message);
      return 1;
    }
    sink = std::move(*fs);
  }

  if (!ensure_tracefs()) spdlog::warn("tracefs is not mounted and could not be mounted; tracepoints will fail");
  SystemFeatures features;
  SensorConfig cfg = o.sensor;
  cfg.self_pid = static_cast<uint32_t>(getpid());
  auto t0 = std::chrono::steady_clock::now();
  auto sensor = Sensor::open(cfg, features);
  if (!sensor) {
    spdlog::error("{}", sensor.error().message);
    return 1;
  }
  auto startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  WallClock clock;
  Encoder enc(read_host_info(), clock, file_head_reader());
  AsyncSink out(std::move(sink), o.queue_lines);
  uint64_t events = 0, decode_errors = 0, records_read = 0;
  EnricherOptions eo = o.enrich;
  eo.clock_ticks = enc.host().clock_ticks;
  Enricher enricher(eo);
  const Enricher::Out emit = [&](EnrichedEvent&& e) {
    events++;
    out.push(enc.encode(e.ev, &e.en));
  };
  Assembler assembler(o.window_ms * 1000000ull, o.max_pending,
                      [&](Event&& ev) { enricher.submit(std::move(ev), WallClock::boot_now_ns(), emit); });
  auto reader = make_reader(**sensor, [&](const uint8_t* data, size_t size) {
    records_read++;
    auto rec = decode(data, size);
    if (!rec) {
      if (decode_errors++ == 0) spdlog::warn("undecodable record: {}", rec.error().message);
      return;
    }
    assembler.push(std::move(*rec), WallClock::boot_now_ns());
  });
  if (!reader) {
    spdlog::error("{}", reader.error().message);
    return 1;
  }

  // Processes older than the sensor, read while their events (if any) wait
  // in the kernel buffer: events applied afterwards are newer and win.
  enricher.seed();
  install_signals();
  out.push(enc.sensor_started(sensor_state(**sensor)));
  out.kick();
  spdlog::info("nightjar {} running: transport {}, started in {:.0f} ms", NIGHTJAR_VERSION,
               to_string((*sensor)->transport()), startup_ms);

  LossReport report;
  uint64_t last_kernel_lost = 0, last_queue_dropped = 0;
  auto collect = [&]() {
    auto kc = (*sensor)->counters();
    if (kc) {
      report.kernel_lost_total = kc->lost;
      report.enter_map_full_total = kc->enter_map_full;
      report.read_errors_total = kc->read_errors;
      report.records_sent_total = kc->sent;
    }
    report.transport_lost = (*reader)->transport_lost();
    report.queue_dropped_total = out.dropped();
    report.incomplete_total = assembler.stats().incomplete;
    report.orphan_parts_total = assembler.stats().orphan_parts;
    report.decode_errors_total = decode_errors;
    report.records_read_total = records_read;
    report.kernel_lost = report.kernel_lost_total - last_kernel_lost;
    report.queue_dropped = report.queue_dropped_total - last_queue_dropped;
  };

  // In-band for the SIEM, on stderr for the operator: the same counts.
  auto report_loss = [&]() {
    out.push(enc.loss(report));
    spdlog::warn("events lost: {} in the kernel buffers, {} in the output queue", report.kernel_lost,
                 report.queue_dropped);
  };

  const auto start = std::chrono::steady_clock::now();
  auto last_stats = start, last_health = start;
  bool warned_budget = false;
  int rc = 0;
  while (!g_stop.load()) {
    auto n = (*reader)->poll(o.poll_ms);
    if (!n) {
      spdlog::error("{}", n.error().message);
      rc = 1;
      break;
    }
    assembler.expire(WallClock::boot_now_ns());
    enricher.poll(WallClock::boot_now_ns(), emit);
    auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_stats).count() >= o.stats_interval_s) {
      last_stats = now;
      clock.refresh();
      collect();
      if (report.kernel_lost || report.queue_dropped) {
        // The queue may be the thing that is full: this line is pushed
        // regardless of its own fate, the totals carry over to the next.
        report_loss();
        last_kernel_lost = report.kernel_lost_total;
        last_queue_dropped = report.queue_dropped_total;
      }
    }
    if (o.health_interval_s > 0 && std::chrono::duration<double>(now - last_health).count() >= o.health_interval_s) {
      last_health = now;
      collect();
      auto mem = memory_use(uint64_t{o.memory_budget_mib} << 20);
      if (mem.rss_bytes > mem.budget_bytes && !warned_budget) {
        warned_budget = true;
        spdlog::warn("resident memory {} MiB is over the {} MiB budget", mem.rss_bytes >> 20, o.memory_budget_mib);
      }
      out.push(enc.health(report, enricher.stats(), events, mem));
    }
    out.kick();
    if (o.duration_s > 0 && std::chrono::duration<double>(now - start).count() >= o.duration_s) break;
  }

  // Stop producing, then drain: what was sent is then exactly what is read
  // (records_sent_total == records_read_total unless something was lost).
  (*sensor)->detach();
  if (auto d = (*reader)->drain(); !d) spdlog::warn("{}", d.error().message);
  assembler.flush_all();
  enricher.flush(emit);
  collect();
  if (report.kernel_lost || report.queue_dropped) report_loss();
  EnricherStats caches = enricher.stats();
  out.push(enc.sensor_stopped(report, events, &caches));
  out.close();
  spdlog::info(
      "stopped: {} events; lost in kernel buffers {}, perf overwrites {}, output queue {}, write errors {}, "
      "incomplete {}, orphan parts {}, syscall state not stored {}, undecodable {}",
      events, report.kernel_lost_total, report.transport_lost, report.queue_dropped_total, out.write_errors(),
      report.incomplete_total, report.orphan_parts_total, report.enter_map_full_total, decode_errors);
  return rc;
}

}  // namespace nj
