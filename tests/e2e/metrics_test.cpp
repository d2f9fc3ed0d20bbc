// The metrics file as node_exporter's textfile collector would read it:
// Prometheus' own text parser (python3-prometheus-client) reads every
// version of it, and its numbers are the sensor's: the events it wrote by
// action, the lines in its output, its losses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

// Every sample of the file, by metric name, as the parser gives them;
// null when it does not parse.
json parse_metrics(const std::string& path) {
  static const char* script =
      "import json, sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out = {}\n"
      "for fam in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "    for s in fam.samples:\n"
      "        out.setdefault(s.name, []).append({'labels': s.labels, 'value': s.value, 'type': fam.type})\n"
      "print(json.dumps(out))\n";
  const Command c = run_command({"/usr/bin/python3", "-c", script, path});
  EXPECT_EQ(c.status, 0) << c.err;
  if (c.status != 0) return nullptr;
  return json::parse(c.out);
}

double sample(const json& m, const std::string& name, const json& labels = json::object()) {
  if (!m.contains(name)) return -1;
  for (const auto& s : m[name])
    if (s["labels"] == labels) return s["value"].get<double>();
  return -1;
}

double sum(const json& m, const std::string& name) {
  double t = 0;
  if (m.contains(name))
    for (const auto& s : m[name]) t += s["value"].get<double>();
  return t;
}

TEST(Metrics, TheCollectorReadsTheSensorsOwnNumbers) {
  const std::string dir = temp_dir(), prom = dir + "/nightjar.prom";
  SensorProcess s({"--events", "process", "--metrics-file", prom, "--metrics-interval", "1"});
  const json a = act("exec");
  ASSERT_FALSE(s.wait_for([&](const json& e) { return is_exec(e, a["pid"]); }).is_null());
  // Written each second while it runs, and parsed each time.
  json m;
  wait_until(
      [&] {
        if (!std::filesystem::exists(prom)) return false;
        m = parse_metrics(prom);
        return sample(m, "nightjar_events_total", {{"family", "process"}, {"action", "exec"}}) >= 1;
      },
      10000, 200);
  ASSERT_GE(sample(m, "nightjar_events_total", {{"family", "process"}, {"action", "exec"}}), 1) << m.dump();
  EXPECT_EQ(m["nightjar_events_total"][0]["type"], "counter");
  EXPECT_EQ(m["nightjar_resident_memory_bytes"][0]["type"], "gauge");
  EXPECT_GT(sample(m, "nightjar_resident_memory_bytes"), 1e6);
  EXPECT_EQ(
      sample(m, "nightjar_info", {{"version", get(s.events().front(), "nightjar.version")}, {"transport", "ringbuf"}}),
      1);

  ASSERT_EQ(s.stop(), 0) << s.stderr_text();
  // The last version is written after the output is closed: it counts
  // every line of it, and the events sensor-stopped counts.
  m = parse_metrics(prom);
  ASSERT_TRUE(m.is_object());
  const std::vector<json>& events = s.events();
  const json& stopped = events.back();
  ASSERT_EQ(get(stopped, "event.action"), "sensor-stopped");
  EXPECT_EQ(sum(m, "nightjar_events_total"), get(stopped, "nightjar.events").get<double>());
  EXPECT_EQ(sample(m, "nightjar_output_lines_written_total", {{"output", "file"}}),
            static_cast<double>(s.lines().size()));
  EXPECT_EQ(sample(m, "nightjar_events_lost_total", {{"cause", "kernel_buffer"}}),
            get(stopped, "nightjar.loss.kernel_lost_total").get<double>());
  EXPECT_EQ(sample(m, "nightjar_records_read_total"), get(stopped, "nightjar.loss.records_read_total").get<double>());
  EXPECT_GT(sum(m, "nightjar_cpu_seconds_total"), 0);
  // Only the process family ran: no other family's events were counted.
  for (const auto& x : m["nightjar_events_total"]) EXPECT_EQ(x["labels"]["family"], "process") << x.dump();
  std::filesystem::remove_all(dir);
}

TEST(Metrics, AnUnwritableFileIsOneWarningAndTheSensorRunsOn) {
  const std::string dir = temp_dir();
  SensorProcess s({"--events", "process", "--metrics-file", dir + "/missing/nightjar.prom", "--metrics-interval", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
  const std::string err = s.stderr_text();
  const std::string warning = "metrics file " + dir + "/missing/nightjar.prom.tmp.";
  const size_t first = err.find(warning);
  EXPECT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find(warning, first + 1), std::string::npos) << "said more than once: " << err;
}

}  // namespace
}  // namespace nj::e2e
