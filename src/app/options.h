#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "enrich/enricher.h"
#include "loader/sensor.h"

namespace nj {

struct RunOptions {
  std::string output;             // empty: stdout unless journal; "-": stdout
  bool journal = false;           // --journal: the systemd journal too
  uint64_t output_max_bytes = 0;  // size rotation of the output file (0: never)
  uint32_t output_keep = 5;       // rotated files kept
  std::string metrics_file;       // Prometheus text file (empty: none)
  double metrics_interval_s = 15;
  SensorConfig sensor;
  int poll_ms = 50;
  uint32_t queue_lines = 65536;
  uint64_t window_ms = 500;         // reassembly wait for missing parts
  uint64_t reorder_ms = 200;        // perf buffers: how long records wait to be merged by time
  uint32_t max_pending = 16384;     // events waiting for parts
  double duration_s = 0;            // 0: until SIGINT/SIGTERM
  double stats_interval_s = 1.0;    // how often loss is checked
  double health_interval_s = 60;    // sensor-health events; 0: none
  uint32_t memory_budget_mib = 64;  // RSS the daemon should stay under (reported, warned)
  EnricherOptions enrich;
  std::string file_rules;  // empty: the default rules
  // --on-output-error stop: the output's first failure ends the sensor
  // (default drop: the lines are counted and the sensor keeps going).
  bool stop_on_output_error = false;
  // --format / --color: compact lines for a person instead of JSON, in
  // colour or not (choose_view in encode/compact.h decides "auto").
  bool compact = false;
  bool color = false;
  // The settings in force as `--check-config` prints them, and how to read
  // them again (SIGHUP): the new options, their settings, or why not.
  std::string settings;
  std::function<bool(RunOptions& ro, std::string& settings, std::string& error)> reload;
};

int run_sensor(const RunOptions& o);
int run_probe(const SensorConfig& c);

}  // namespace nj
