// The sensor's own events: started, stopped, loss and health reports.
#include <initializer_list>
#include <utility>

#include "encode/encoder.h"
#include "families/registry.h"

namespace nj {

namespace {

// Every registered family is listed, losses or not: a consumer can tell
// "nothing lost" from "not reported".
void by_family_fields(JsonWriter& w, const LossReport& r) {
  w.key("by_family");
  w.begin_object();
  for (Family f : all_families()) {
    const FamilyLoss& l = r.by_family[static_cast<size_t>(f)];
    w.key(to_string(f));
    w.begin_object();
    w.kn("kernel_lost", l.kernel_lost);
    w.kn("kernel_lost_total", l.kernel_lost_total);
    w.kn("records_sent_total", l.records_sent_total);
    w.end_object();
  }
  w.end_object();
}

// Each output's share of the output counts, keyed by the output's name.
void output_fields(JsonWriter& w, const LossReport& r) {
  w.key("outputs");
  w.begin_object();
  for (const OutputLoss& o : r.outputs) {
    w.key(o.name);
    w.begin_object();
    w.kn("written_total", o.written_total);
    w.kn("queue_dropped", o.queue_dropped);
    w.kn("queue_dropped_total", o.queue_dropped_total);
    w.kn("failed", o.failed);
    w.kn("failed_total", o.failed_total);
    w.kn("torn_total", o.torn_total);
    w.end_object();
  }
  w.end_object();
}

void loss_fields(JsonWriter& w, const LossReport& r) {
  w.kn("kernel_lost", r.kernel_lost);
  w.kn("kernel_lost_total", r.kernel_lost_total);
  w.kn("transport_lost_total", r.transport_lost);
  w.kn("queue_dropped", r.queue_dropped);
  w.kn("queue_dropped_total", r.queue_dropped_total);
  w.kn("output_failed", r.output_failed);
  w.kn("output_failed_total", r.output_failed_total);
  w.kn("output_torn_total", r.output_torn_total);
  w.kn("incomplete_total", r.incomplete_total);
  w.kn("orphan_parts_total", r.orphan_parts_total);
  w.kn("enter_map_full_total", r.enter_map_full_total);
  w.kn("read_errors_total", r.read_errors_total);
  w.kn("scratch_busy_total", r.scratch_busy_total);
  w.kn("program_runs_missed_total", r.runs_missed_total);
  w.kn("connection_table_evicted_total", r.connection_table_evicted_total);
  w.kn("udp_flow_table_evicted_total", r.udp_flow_table_evicted_total);
  w.kn("decode_errors_total", r.decode_errors_total);
  w.kn("records_after_stop_total", r.records_after_stop_total);
  w.kn("records_sent_total", r.records_sent_total);
  w.kn("records_read_total", r.records_read_total);
  by_family_fields(w, r);
  if (!r.outputs.empty()) output_fields(w, r);
}

void cache_fields(JsonWriter& w, const EnricherStats& s) {
  using Counters = std::initializer_list<std::pair<const char*, uint64_t>>;
  auto block = [&](const char* name, Counters counters) {
    w.key(name);
    w.begin_object();
    for (auto& [k, v] : counters) w.kn(k, v);
    w.end_object();
  };
  w.key("caches");
  w.begin_object();
  block("process_table", {{"size", s.table.size},
                          {"hits", s.table.hits},
                          {"misses", s.table.misses},
                          {"evictions", s.table.evictions},
                          {"expired", s.table.expired},
                          {"seeded", s.table.seeded}});
  block("hashes", {{"size", s.hasher.size},
                   {"hits", s.hasher.hits},
                   {"misses", s.hasher.misses},
                   {"evictions", s.hasher.evictions},
                   {"too_large", s.hasher.too_large},
                   {"errors", s.hasher.errors},
                   {"timeouts", s.hash_timeouts},
                   {"queue_full", s.hash_queue_full},
                   {"waiting", s.parked}});
  block("cgroups", {{"size", s.cgroup_cache_size},
                    {"hits", s.cgroup_cache_hits},
                    {"misses", s.cgroup_cache_misses},
                    {"evictions", s.cgroup_cache_evictions}});
  block("users", {{"reloads", s.users_reloads}});
  block("dns_names", {{"size", s.dns_cache_size},
                      {"hits", s.dns_cache_hits},
                      {"misses", s.dns_cache_misses},
                      {"evictions", s.dns_cache_evictions}});
  w.end_object();
}

// Events not reported on purpose, by cause: a consumer can tell a quiet
// machine from a filter that swallows everything.
void filter_fields(JsonWriter& w, const LossReport& r, const EnricherStats* s) {
  w.key("filters");
  w.begin_object();
  w.kn("file_modify_folded_total", r.file_folded_total);
  w.kn("file_excluded_kernel_total", r.file_excluded_kernel_total);
  w.kn("udp_folded_total", r.udp_folded_total);
  w.kn("udp_mmsg_unexamined_total", r.udp_unexamined_total);
  if (s) {
    w.kn("file_excluded_user_total", s->file_excluded);
    w.kn("file_watches_added_total", s->file_watches_added);
    w.kn("dns_malformed_total", s->dns_malformed);
  }
  w.end_object();
}

}  // namespace

const Line& Encoder::sensor_started(const SensorState& s) {
  begin(WallClock::boot_now_ns(), "state", "host", "start", "sensor-started", "success", 0);
  w_.key("nightjar");
  w_.begin_object();
  w_.kv("version", s.version);
  w_.kv("transport", s.transport);
  w_.key("hooks");
  w_.begin_object();
  for (auto& [hook, how] : s.hooks) w_.kv(hook, how);
  w_.end_object();
  w_.end_object();
  w_.end_object();
  return w_.line();
}

const Line& Encoder::loss(const LossReport& r) {
  begin(WallClock::boot_now_ns(), "metric", "host", "info", "events-lost", nullptr, 0);
  w_.key("nightjar");
  w_.begin_object();
  w_.key("loss");
  w_.begin_object();
  loss_fields(w_, r);
  w_.end_object();
  w_.end_object();
  w_.end_object();
  return w_.line();
}

const Line& Encoder::sensor_stopped(const LossReport& totals, uint64_t events, const EnricherStats* caches) {
  begin(WallClock::boot_now_ns(), "state", "host", "end", "sensor-stopped", "success", 0);
  w_.key("nightjar");
  w_.begin_object();
  w_.kn("events", events);
  w_.key("loss");
  w_.begin_object();
  loss_fields(w_, totals);
  w_.end_object();
  filter_fields(w_, totals, caches);
  if (caches) cache_fields(w_, *caches);
  w_.end_object();
  w_.end_object();
  return w_.line();
}

namespace {

// The process that acted, wherever its record keeps it.
const nj_task* actor_of(const Event& ev) {
  return std::visit(
      [](const auto& r) -> const nj_task* {
        if constexpr (requires { r.op.task; }) return &r.op.task;
        else if constexpr (requires { r.task; }) return &r.task;
        else return nullptr;
      },
      ev.main);
}

uint64_t event_id_of(const Event& ev) {
  return std::visit([](const auto& r) { return r.hdr.event_id; }, ev.main);
}

}  // namespace

// kind "alert", category intrusion_detection: ECS's words for a finding a
// SIEM should raise, not just record.
const Line& Encoder::sensor_tampered(const Event& ev, const Enrichment& en, const char* how) {
  en_ = &en;
  begin(WallClock::boot_now_ns(), "alert", "intrusion_detection", "info", "sensor-tampered", nullptr, 0);
  if (const nj_task* t = actor_of(ev)) {
    acting_process(*t);
    context_fields(*t);
  }
  w_.key("nightjar");
  w_.begin_object();
  w_.key("tampered");
  w_.begin_object();
  w_.kv("how", how);
  w_.kv("event_id", event_id_string(event_id_of(ev)));
  w_.end_object();
  w_.end_object();
  w_.end_object();
  en_ = nullptr;
  return w_.line();
}

const Line& Encoder::sensor_tampered(const char* how, const std::string& detail) {
  en_ = nullptr;
  begin(WallClock::boot_now_ns(), "alert", "intrusion_detection", "info", "sensor-tampered", nullptr, 0);
  w_.key("nightjar");
  w_.begin_object();
  w_.key("tampered");
  w_.begin_object();
  w_.kv("how", how);
  str("detail", detail, "nightjar.tampered.detail");
  w_.end_object();
  w_.end_object();
  w_.end_object();
  return w_.line();
}

const Line& Encoder::health(const LossReport& r, const EnricherStats& s, uint64_t events, const Memory& m) {
  begin(WallClock::boot_now_ns(), "metric", "host", "info", "sensor-health", nullptr, 0);
  w_.key("nightjar");
  w_.begin_object();
  w_.kn("events", events);
  w_.key("memory");
  w_.begin_object();
  w_.kn("rss_bytes", m.rss_bytes);
  w_.kn("peak_rss_bytes", m.peak_rss_bytes);
  w_.kn("budget_bytes", m.budget_bytes);
  w_.kb("over_budget", m.rss_bytes > m.budget_bytes);
  w_.end_object();
  w_.key("loss");
  w_.begin_object();
  loss_fields(w_, r);
  w_.end_object();
  filter_fields(w_, r, &s);
  cache_fields(w_, s);
  w_.end_object();
  w_.end_object();
  return w_.line();
}

}  // namespace nj
