// The metrics file's text: the exposition format a Prometheus scraper
// reads (HELP and TYPE once per metric, labels escaped), with the
// sensor's numbers where they belong.
#include "app/metrics.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "files.h"
#include "temp_dir.h"

namespace nj {
namespace {

MetricsSnapshot sample() {
  MetricsSnapshot m;
  m.version = "0.1.0";
  m.transport = "ringbuf";
  m.start_time_s = 1795758485;
  m.events[{"process", "exec"}] = 24;
  m.events[{"tamper", "signal"}] = 3;
  m.loss.kernel_lost_total = 7;
  m.loss.by_family[static_cast<size_t>(Family::file)].kernel_lost_total = 5;
  m.loss.udp_folded_total = 9;
  m.loss.udp_unexamined_total = 13;
  m.loss.udp_flow_table_evicted_total = 11;
  OutputStats file;
  file.lines_written = 1000;
  file.rotations = 2;
  file.queued = 12;
  m.outputs = {{"file", file}, {"journal", OutputStats{}}};
  m.caches.table.size = 321;
  m.caches.hasher.hits = 44;
  m.memory = {50 << 20, 60 << 20, 64 << 20};
  m.cpu_user_s = 1.5;
  m.cpu_system_s = 0.25;
  return m;
}

using njt::lines_of;
using njt::slurp;

bool has_line(const std::string& text, const std::string& line) {
  const auto l = lines_of(text);
  return std::find(l.begin(), l.end(), line) != l.end();
}

TEST(Metrics, NumbersWhereTheyBelong) {
  const std::string t = prometheus_text(sample());
  for (const char* want : {
           "nightjar_info{version=\"0.1.0\",transport=\"ringbuf\"} 1",
           "nightjar_start_time_seconds 1795758485",
           "nightjar_events_total{family=\"process\",action=\"exec\"} 24",
           "nightjar_events_total{family=\"tamper\",action=\"signal\"} 3",
           "nightjar_events_lost_total{cause=\"kernel_buffer\"} 7",
           "nightjar_kernel_lost_by_family_total{family=\"file\"} 5",
           "nightjar_kernel_lost_by_family_total{family=\"process\"} 0",
           "nightjar_events_filtered_total{cause=\"udp_folded\"} 9",
           "nightjar_events_filtered_total{cause=\"udp_mmsg_unexamined\"} 13",
           "nightjar_udp_flow_table_evicted_total 11",
           "nightjar_output_lines_written_total{output=\"file\"} 1000",
           "nightjar_output_lines_written_total{output=\"journal\"} 0",
           "nightjar_output_rotations_total{output=\"file\"} 2",
           "nightjar_output_queue_lines{output=\"file\"} 12",
           "nightjar_cache_entries{cache=\"process_table\"} 321",
           "nightjar_cache_hits_total{cache=\"hashes\"} 44",
           "nightjar_resident_memory_bytes 52428800",
           "nightjar_cpu_seconds_total{mode=\"user\"} 1.5",
           "nightjar_cpu_seconds_total{mode=\"system\"} 0.25",
       })
    EXPECT_TRUE(has_line(t, want)) << want << "\n" << t;
  // A forgotten UDP flow is no event lost: not in the sum dashboards alert on.
  EXPECT_EQ(t.find("cause=\"udp_flow_table_evicted\""), std::string::npos) << t;
}

TEST(Metrics, EachMetricHasHelpAndTypeOnceBeforeItsSamples) {
  const std::string t = prometheus_text(sample());
  std::set<std::string> typed, helped;
  std::string current;
  for (const std::string& l : lines_of(t)) {
    if (l.rfind("# HELP ", 0) == 0) {
      const std::string name = l.substr(7, l.find(' ', 7) - 7);
      EXPECT_TRUE(helped.insert(name).second) << "HELP twice: " << name;
      continue;
    }
    if (l.rfind("# TYPE ", 0) == 0) {
      std::istringstream in(l.substr(7));
      std::string name, type;
      in >> name >> type;
      EXPECT_TRUE(typed.insert(name).second) << "TYPE twice: " << name;
      EXPECT_TRUE(type == "counter" || type == "gauge") << l;
      if (type == "counter") {
        EXPECT_EQ(name.substr(name.size() - 6), "_total") << name;
      }
      current = name;
      continue;
    }
    const std::string name = l.substr(0, l.find_first_of("{ "));
    EXPECT_EQ(name, current) << "a sample outside its metric's block: " << l;
  }
  EXPECT_EQ(typed, helped);
  EXPECT_GE(typed.size(), 20u);
}

TEST(Metrics, LabelValuesAreEscaped) {
  MetricsSnapshot m = sample();
  m.version = "1\"2\\3\n4";
  EXPECT_TRUE(has_line(prometheus_text(m), "nightjar_info{version=\"1\\\"2\\\\3\\n4\",transport=\"ringbuf\"} 1"));
}

TEST(Metrics, TheFileIsReplacedWholeAndReadableByACollector) {
  njt::TempDir tmp("metrics");
  const std::string path = (tmp.path() / "nightjar.prom").string();
  ASSERT_TRUE(write_metrics_file(path, "a 1\n"));
  ASSERT_TRUE(write_metrics_file(path, "b 2\n"));
  EXPECT_EQ(slurp(path), "b 2\n");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // No temporary file left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.path()), {}), 1);
  auto r = write_metrics_file((tmp.path() / "missing" / "x.prom").string(), "a 1\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace nj
