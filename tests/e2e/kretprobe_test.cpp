// The kprobe backend's return probes live in tracefs (src/loader/kretprobe.h):
// a sensor removes its own at the stop, and those of a sensor that was
// killed are removed by the next one to start. Only where that backend runs
// (the kernel matrix); elsewhere there is nothing to look at.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "files.h"
#include "harness.h"
#include "loader/kretprobe.h"

namespace nj::e2e {
namespace {

// nightjar's return probes of sensor `pid` that tracefs lists now.
int probes_of(const std::string& tracing, int pid) {
  int n = 0;
  for (const std::string& line : njt::lines_of(njt::slurp(tracing + "/kprobe_events")))
    if (line.find(":nightjar/nj" + std::to_string(pid) + "_") != std::string::npos) n++;
  return n;
}

TEST(Kretprobes, AKilledSensorsAreRemovedByTheNextAndAStoppedOneRemovesItsOwn) {
  const auto tracing = kprobe_events_dir();
  if (backend() != "kprobe" || !tracing) GTEST_SKIP() << "the kprobe backend does not run here";
  int killed_pid = 0;
  {
    SensorProcess first({"--events", "network"});
    killed_pid = first.pid();
    ASSERT_GT(probes_of(*tracing, killed_pid), 0) << "no return probe of the sensor in kprobe_events";
    EXPECT_EQ(first.stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_GT(probes_of(*tracing, killed_pid), 0) << "a killed sensor cannot have removed its probes";
  SensorProcess second({"--events", "network"});
  EXPECT_EQ(probes_of(*tracing, killed_pid), 0) << "the killed sensor's probes are still there";
  const int second_pid = second.pid();
  EXPECT_GT(probes_of(*tracing, second_pid), 0);
  expect_clean_stop(second, "second sensor");
  EXPECT_EQ(probes_of(*tracing, second_pid), 0) << "a stopped sensor left its probes";
}

}  // namespace
}  // namespace nj::e2e
