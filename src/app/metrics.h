// The sensor's counters and gauges as a Prometheus text-format file
// (--metrics-file), for node_exporter's textfile collector: no listening
// socket. The file is replaced whole (a temporary file renamed over it),
// so a scrape never reads half of it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "encode/encoder.h"
#include "enrich/enrichment.h"
#include "sink/sink.h"
#include "util/result.h"

namespace nj {

struct MetricsSnapshot {
  std::string version;
  std::string transport;
  double start_time_s = 0;  // Unix time the sensor started
  // Events written, by family and action.
  std::map<std::pair<std::string, std::string>, uint64_t> events;
  LossReport loss;
  EnricherStats caches;
  std::vector<std::pair<std::string, OutputStats>> outputs;  // by name: file, stdout, journal
  Encoder::Memory memory;
  double cpu_user_s = 0, cpu_system_s = 0;
};

// The text exposition format (version 0.0.4): HELP and TYPE once per
// metric, counters ending in _total.
std::string prometheus_text(const MetricsSnapshot& m);

// Writes `text` to `path` through a temporary file in the same directory
// (mode 0644: metrics name no user's commands) renamed over it.
Result<void> write_metrics_file(const std::string& path, const std::string& text);

// The process's own CPU time so far (user, system), in seconds.
std::pair<double, double> own_cpu_seconds();

}  // namespace nj
