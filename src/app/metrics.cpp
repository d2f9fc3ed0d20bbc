#include "app/metrics.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <initializer_list>

#include "families/registry.h"
#include "util/fd.h"

namespace nj {
namespace {

using Labels = std::initializer_list<std::pair<const char*, std::string>>;

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Text {
 public:
  // HELP and TYPE of the metric the samples after it belong to.
  void family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    name_ = name;
  }
  void sample(double v, Labels labels = {}) {
    out_ += name_;
    if (labels.size()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, val] : labels) {
        out_ += (first ? "" : ",") + std::string(k) + "=\"" + label_value(val) + "\"";
        first = false;
      }
      out_ += '}';
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), " %.17g\n", v);
    out_ += buf;
  }
  void one(const char* name, const char* type, const char* help, double v) {
    family(name, type, help);
    sample(v);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string name_;
};

void loss_metrics(Text& t, const LossReport& l) {
  t.family("nightjar_events_lost_total", "counter",
           "Events or records lost, by cause (each cause as in the events-lost report)");
  for (const auto& [cause, v] : std::initializer_list<std::pair<const char*, uint64_t>>{
           {"kernel_buffer", l.kernel_lost_total},
           {"perf_overwrite", l.transport_lost},
           {"output_queue", l.queue_dropped_total},
           {"output_failed", l.output_failed_total},
           {"incomplete", l.incomplete_total},
           {"orphan_parts", l.orphan_parts_total},
           {"enter_map_full", l.enter_map_full_total},
           {"read_error", l.read_errors_total},
           {"scratch_busy", l.scratch_busy_total},
           {"program_runs_missed", l.runs_missed_total},
           {"connection_table_evicted", l.connection_table_evicted_total},
           {"undecodable", l.decode_errors_total}})
    t.sample(static_cast<double>(v), {{"cause", cause}});
  // Not an event lost: an evicted flow costs at most a folded count (and
  // most evictions are of flows whose window ended long ago, which cost
  // nothing), so it stays out of the sum a dashboard alerts on.
  t.one("nightjar_udp_flow_table_evicted_total", "counter",
        "UDP flows the kernel side's table forgot (an LRU): each at most a folded datagram count unattributed",
        static_cast<double>(l.udp_flow_table_evicted_total));
  t.family("nightjar_kernel_lost_by_family_total", "counter", "Records the kernel buffers refused, by event family");
  for (Family f : all_families())
    t.sample(static_cast<double>(l.by_family[static_cast<size_t>(f)].kernel_lost_total), {{"family", to_string(f)}});
  t.one("nightjar_records_sent_total", "counter", "Records the kernel side delivered",
        static_cast<double>(l.records_sent_total));
  t.one("nightjar_records_read_total", "counter", "Records user space read", static_cast<double>(l.records_read_total));
  t.one("nightjar_records_after_stop_total", "counter", "Records not sent because they came after the stop",
        static_cast<double>(l.records_after_stop_total));
  t.family("nightjar_events_filtered_total", "counter", "Events not reported on purpose, by cause");
  for (const auto& [cause, v] :
       std::initializer_list<std::pair<const char*, uint64_t>>{{"file_modify_folded", l.file_folded_total},
                                                               {"file_excluded_kernel", l.file_excluded_kernel_total},
                                                               {"udp_folded", l.udp_folded_total},
                                                               {"udp_mmsg_unexamined", l.udp_unexamined_total}})
    t.sample(static_cast<double>(v), {{"cause", cause}});
}

void cache_metrics(Text& t, const EnricherStats& s) {
  struct Cache {
    const char* name;
    uint64_t size, hits, misses, evictions;
  };
  const Cache caches[] = {
      {"process_table", s.table.size, s.table.hits, s.table.misses, s.table.evictions},
      {"hashes", s.hasher.size, s.hasher.hits, s.hasher.misses, s.hasher.evictions},
      {"cgroups", s.cgroup_cache_size, s.cgroup_cache_hits, s.cgroup_cache_misses, s.cgroup_cache_evictions},
      {"dns_names", s.dns_cache_size, s.dns_cache_hits, s.dns_cache_misses, s.dns_cache_evictions},
  };
  t.family("nightjar_cache_entries", "gauge", "Entries in each cache now");
  for (const Cache& c : caches) t.sample(static_cast<double>(c.size), {{"cache", c.name}});
  t.family("nightjar_cache_hits_total", "counter", "Cache lookups that found their entry");
  for (const Cache& c : caches) t.sample(static_cast<double>(c.hits), {{"cache", c.name}});
  t.family("nightjar_cache_misses_total", "counter", "Cache lookups that did not");
  for (const Cache& c : caches) t.sample(static_cast<double>(c.misses), {{"cache", c.name}});
  t.family("nightjar_cache_evictions_total", "counter", "Entries pushed out of a full cache");
  for (const Cache& c : caches) t.sample(static_cast<double>(c.evictions), {{"cache", c.name}});
  t.one("nightjar_hash_waiting", "gauge", "Events waiting for their executable's hash now",
        static_cast<double>(s.parked));
  t.family("nightjar_hash_failures_total", "counter", "Executables not hashed, by cause");
  for (const auto& [cause, v] :
       std::initializer_list<std::pair<const char*, uint64_t>>{{"too_large", s.hasher.too_large},
                                                               {"error", s.hasher.errors},
                                                               {"timeout", s.hash_timeouts},
                                                               {"queue_full", s.hash_queue_full}})
    t.sample(static_cast<double>(v), {{"cause", cause}});
}

// Each output's counts, labelled by its name.
void output_metrics(Text& t, const std::vector<std::pair<std::string, OutputStats>>& outs) {
  struct Row {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (*get)(const OutputStats&);
  };
  static const Row rows[] = {
      {"nightjar_output_lines_written_total", "counter", "Lines written to the output",
       [](const OutputStats& o) { return o.lines_written; }},
      {"nightjar_output_lines_failed_total", "counter", "Lines the output refused (disk full, reader gone)",
       [](const OutputStats& o) { return o.lines_failed; }},
      {"nightjar_output_torn_total", "counter", "Partial lines left in an output that cannot take bytes back",
       [](const OutputStats& o) { return o.torn; }},
      {"nightjar_output_queue_dropped_total", "counter", "Lines the output queue refused (the writer was behind)",
       [](const OutputStats& o) { return o.queue_dropped; }},
      {"nightjar_output_queue_lines", "gauge", "Lines waiting in the output queue now",
       [](const OutputStats& o) { return o.queued; }},
      {"nightjar_output_rotations_total", "counter", "Size rotations of the output file",
       [](const OutputStats& o) { return o.rotations; }},
      {"nightjar_output_failing", "gauge", "1 while the last write to the output failed",
       [](const OutputStats& o) { return uint64_t{o.failing}; }},
  };
  for (const Row& r : rows) {
    t.family(r.name, r.type, r.help);
    for (const auto& [name, o] : outs) t.sample(static_cast<double>(r.get(o)), {{"output", name}});
  }
}

}  // namespace

std::string prometheus_text(const MetricsSnapshot& m) {
  Text t;
  t.family("nightjar_info", "gauge", "The sensor's version and transport (always 1)");
  t.sample(1, {{"version", m.version}, {"transport", m.transport}});
  t.one("nightjar_start_time_seconds", "gauge", "When the sensor started, in seconds since the Unix epoch",
        m.start_time_s);
  t.family("nightjar_events_total", "counter", "Events written, by family and action");
  for (const auto& [key, n] : m.events)
    t.sample(static_cast<double>(n), {{"family", key.first}, {"action", key.second}});
  loss_metrics(t, m.loss);
  output_metrics(t, m.outputs);
  cache_metrics(t, m.caches);
  t.one("nightjar_resident_memory_bytes", "gauge", "Resident memory now", static_cast<double>(m.memory.rss_bytes));
  t.one("nightjar_resident_memory_peak_bytes", "gauge", "Highest resident memory so far",
        static_cast<double>(m.memory.peak_rss_bytes));
  t.one("nightjar_memory_budget_bytes", "gauge", "The resident memory budget (--memory-budget)",
        static_cast<double>(m.memory.budget_bytes));
  t.family("nightjar_cpu_seconds_total", "counter", "CPU time the sensor's process used, by mode");
  t.sample(m.cpu_user_s, {{"mode", "user"}});
  t.sample(m.cpu_system_s, {{"mode", "system"}});
  return t.take();
}

Result<void> write_metrics_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return os_error(errno, "metrics file " + tmp);
  (void)::fchmod(fd.get(), 0644);  // whatever the umask
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::unlink(tmp.c_str());
      return os_error(err, "metrics file " + tmp);
    }
    off += static_cast<size_t>(n);
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return os_error(err, "metrics file " + path);
  }
  return {};
}

std::pair<double, double> own_cpu_seconds() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return {secs(ru.ru_utime), secs(ru.ru_stime)};
}

}  // namespace nj
