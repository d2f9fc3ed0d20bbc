#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "enrich/enricher.h"
#include "loader/sensor.h"

namespace nj {

struct RunOptions {
  std::string output;    // empty: stdout unless journal; "-": stdout
  bool journal = false;  // --journal: the systemd journal too
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
};

int run_sensor(const RunOptions& o);
int run_probe(const SensorConfig& c);

}  // namespace nj
