// The tamper e2e suites' shared frame (tamper_*_test.cpp): per suite, one
// sensor per transport (`--events process,tamper` and the suite's own
// flags) shared by its tests and stopped cleanly after them, the lines the
// suite keeps, and the rule that an event missing while the sensor lost
// records is inconclusive (a skip), not a failure.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace nj::e2e {

// `Suite`: the deriving class, so that each suite has sensors of its own.
template <typename Suite>
class TamperSuite : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    for (auto& [transport, s] : sensors()) {
      expect_clean_stop(*s, transport);
      if (all_passed()) std::filesystem::remove_all(std::filesystem::path(s->output_path()).parent_path());
    }
    sensors().clear();
  }
  // Called by the suite's SetUp: the lines its tests look at (the sensor's
  // own are always kept) and the flags it needs.
  void start(std::vector<std::string> keep, const std::vector<std::string>& flags = {}) {
    auto& s = sensors()[GetParam()];
    if (!s) {
      std::vector<std::string> args{"--events", "process,tamper", "--transport",
                                    GetParam(), "--ringbuf-size", "67108864"};
      args.insert(args.end(), flags.begin(), flags.end());
      s = std::make_unique<SensorProcess>(args);
    }
    s->keep_lines_with(std::move(keep));
    lost_at_setup_ = lost_total(*s);
  }
  SensorProcess& sensor() { return *sensors()[GetParam()]; }
  bool lost_since_setup() { return lost_total(sensor()) > lost_at_setup_; }

 private:
  static std::map<std::string, std::unique_ptr<SensorProcess>>& sensors() {
    static std::map<std::string, std::unique_ptr<SensorProcess>> s;
    return s;
  }
  uint64_t lost_at_setup_ = 0;
};

}  // namespace nj::e2e

// `var`: the action's JSON; the test skips when the action cannot run here.
#define TAMPER_ACT_OR_SKIP(var, why, ...) \
  json var = try_act({__VA_ARGS__});      \
  if (var.is_null()) {                    \
    GTEST_SKIP() << (why);                \
  }
#define ACT(var, ...) TAMPER_ACT_OR_SKIP(var, "action not available here", __VA_ARGS__)

// `var`: the suite's find(...) result; a miss fails the test, unless the
// sensor lost records meanwhile (then it cannot say).
#define FIND(var, what, ...)                                                                                  \
  json var = find(__VA_ARGS__);                                                                               \
  if ((var).is_null()) {                                                                                      \
    if (lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile; no " << (what); \
    FAIL() << "no " << (what);                                                                                \
  }
