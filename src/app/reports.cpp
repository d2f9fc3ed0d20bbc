// What the daemon says about itself: losses (in-band and on stderr),
// health, metrics, tampering with it, and its last words at the stop.
#include <spdlog/spdlog.h>

#include <fstream>

#include "app/daemon.h"
#include "app/metrics.h"
#include "version.h"

namespace nj {

namespace {

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

}  // namespace

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
    report_.connection_table_evicted_total = kc->sock_evicted;
    report_.udp_flow_table_evicted_total = kc->udp_flow_evicted;
    report_.records_sent_total = kc->sent;
    report_.file_folded_total = kc->file_folded;
    report_.file_excluded_kernel_total = kc->file_excluded;
    report_.udp_folded_total = kc->udp_folded;
    report_.udp_unexamined_total = kc->udp_unexamined;
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
  // A pipe or terminal whose reader stopped reading would hold the stop
  // for as long as it likes: what it has not taken by then is given up
  // (counted). A file is never given up: its writes always make progress.
  outs_.close(std::chrono::seconds(2));
  if (!o_.metrics_file.empty()) write_metrics();
  // After close: the last lines' fate counts too.
  LossReport last = report_;
  outs_.fill(last);
  spdlog::info(
      "stopped: {} events; lost in kernel buffers {}, perf overwrites {}, output queue {}, output failed {} lines "
      "({} partial){}, incomplete {}, orphan parts {}, syscall state not stored {}, TCP sockets evicted from the "
      "connection table {}, UDP flows evicted from the flow table {}, undecodable {}; {} records held back after the "
      "stop",
      events_, report_.kernel_lost_total, report_.transport_lost, last.queue_dropped_total, last.output_failed_total,
      last.output_torn_total, per_output(last, false), report_.incomplete_total, report_.orphan_parts_total,
      report_.enter_map_full_total, report_.connection_table_evicted_total, report_.udp_flow_table_evicted_total,
      decode_errors_, report_.records_after_stop_total);
}

}  // namespace nj
