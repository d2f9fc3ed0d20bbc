// The kprobe backend's return probes live in tracefs (src/loader/kretprobe.h):
// a sensor removes its own at the stop, and those of a sensor that was
// killed are removed by the next one to start. Only where that backend runs
// (the kernel matrix); elsewhere there is nothing to look at.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "files.h"
#include "harness.h"
#include "loader/kretprobe.h"

namespace nj::e2e {
namespace {

// nightjar's return probes of sensor `pid` that tracefs lists now, by name.
std::vector<std::string> probes_of(const std::string& tracing, int pid) {
  std::vector<std::string> out;
  const std::string mark = ":nightjar/nj" + std::to_string(pid) + "_";
  for (const std::string& line : njt::lines_of(njt::slurp(tracing + "/kprobe_events"))) {
    const size_t at = line.find(mark);
    if (at != std::string::npos) out.push_back(line.substr(at + 1, line.find(' ', at) - at - 1));
  }
  return out;
}

bool has_suffix(const std::vector<std::string>& names, const std::string& suffix) {
  for (const std::string& n : names)
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
  return false;
}

TEST(Kretprobes, AKilledSensorsAreRemovedByTheNextAndAStoppedOneRemovesItsOwn) {
  const auto tracing = kprobe_events_dir();
  if (backend() != "kprobe" || !tracing) GTEST_SKIP() << "the kprobe backend does not run here";
  int killed_pid = 0;
  {
    // Every family: two programs on one syscall (the file family's openat
    // and tamper's) are two probes.
    SensorProcess first({"--events", "process,file,network,tamper"});
    killed_pid = first.pid();
    const auto probes = probes_of(*tracing, killed_pid);
    EXPECT_TRUE(has_suffix(probes, "_openat")) << "no return probe of openat";
    EXPECT_TRUE(has_suffix(probes, "_memopen_openat")) << "no second return probe of openat";
    EXPECT_TRUE(has_suffix(probes, "_accept4"));
    EXPECT_EQ(first.stop(SIGKILL), 128 + SIGKILL);
  }
  ASSERT_FALSE(probes_of(*tracing, killed_pid).empty()) << "a killed sensor cannot have removed its probes";
  SensorProcess second({"--events", "network"});
  EXPECT_TRUE(probes_of(*tracing, killed_pid).empty()) << "the killed sensor's probes are still there";
  const int second_pid = second.pid();
  EXPECT_FALSE(probes_of(*tracing, second_pid).empty());
  expect_clean_stop(second, "second sensor");
  EXPECT_TRUE(probes_of(*tracing, second_pid).empty()) << "a stopped sensor left its probes";
}

}  // namespace
}  // namespace nj::e2e
