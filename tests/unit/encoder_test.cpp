#include "encode/encoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "encoder_fixture.h"
#include "families/registry.h"
#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;
using json = nlohmann::json;

TEST_F(EncoderTest, LossByFamilyInLossHealthAndStopped) {
  LossReport r;
  r.kernel_lost = 5;
  r.kernel_lost_total = 12;
  r.records_sent_total = 100;
  r.records_after_stop_total = 7;
  r.by_family[static_cast<size_t>(Family::process)] = {5, 12, 100};
  auto check = [&](const std::string& line) {
    const json j = json::parse(line);
    const json& by = j["nightjar"]["loss"]["by_family"];
    for (Family f : all_families()) ASSERT_TRUE(by.contains(to_string(f))) << to_string(f);
    EXPECT_EQ(by.size(), all_families().size());
    EXPECT_EQ(by["process"], json({{"kernel_lost", 5}, {"kernel_lost_total", 12}, {"records_sent_total", 100}}));
    EXPECT_EQ(j["nightjar"]["loss"]["kernel_lost_total"], 12);
    EXPECT_EQ(j["nightjar"]["loss"]["records_after_stop_total"], 7);
    EXPECT_EQ(j["nightjar"]["loss"]["output_failed"], 7);
    EXPECT_EQ(j["nightjar"]["loss"]["output_failed_total"], 40);
    EXPECT_EQ(j["nightjar"]["loss"]["output_torn_total"], 1);
  };
  r.output_failed = 7;
  r.output_failed_total = 40;
  r.output_torn_total = 1;
  check(enc.loss(r));
  check(enc.health(r, EnricherStats{}, 3, Encoder::Memory{}));
  check(enc.sensor_stopped(r, 3));
  // The block closes the loss object: what came before it is unchanged.
  const std::string line = enc.loss(LossReport{});
  EXPECT_NE(
      line.find(R"("records_read_total":0,"by_family":{"process":{"kernel_lost":0,"kernel_lost_total":0,)"
                R"("records_sent_total":0},"file":{"kernel_lost":0,"kernel_lost_total":0,"records_sent_total":0},)"
                R"("network":{"kernel_lost":0,"kernel_lost_total":0,"records_sent_total":0},)"
                R"("tamper":{"kernel_lost":0,"kernel_lost_total":0,"records_sent_total":0}}})"),
      std::string::npos)
      << line;
}

TEST(EntityId, Format) {
  EXPECT_EQ(entity_id("0123456789abcdeffedcba9876543210", 1, 2'500'000'000ull, 100), "0123456789abcdef-1-250");
  EXPECT_EQ(entity_id("0123456789abcdeffedcba9876543210", 4294967295u, 0, 100), "0123456789abcdef-4294967295-0");
  // Same process, same id, whatever the sub-tick part of the start time.
  EXPECT_EQ(entity_id("abcd", 7, 1'009'999'999ull, 100), entity_id("abcd", 7, 1'000'000'000ull, 100));
  EXPECT_EQ(entity_id("abcd", 7, 1'000'000'000ull, 100), "abcd-7-100");
}

// The initial PID namespace's inode number is fixed; any other is a
// namespace of its own (a container's).
TEST(PidNamespace, OnlyTheInitialOneIsInitial) {
  EXPECT_TRUE(is_initial_pid_ns("pid:[4026531836]"));
  EXPECT_FALSE(is_initial_pid_ns("pid:[4026532501]"));
  EXPECT_FALSE(is_initial_pid_ns(""));
  EXPECT_FALSE(is_initial_pid_ns("pid:[4026531836"));
}

TEST(EntityId, NsToTicks) {
  EXPECT_EQ(ns_to_ticks(0, 100), 0u);
  EXPECT_EQ(ns_to_ticks(9'999'999, 100), 0u);
  EXPECT_EQ(ns_to_ticks(10'000'000, 100), 1u);
  EXPECT_EQ(ns_to_ticks(123'456'789'012ull, 100), 12345u);
  EXPECT_EQ(ns_to_ticks(123'456'789'012ull, 1000), 123456u);
  EXPECT_EQ(ns_to_ticks(1'000'000'000ull, 250), 250u);
}

TEST(FormatTime, Rfc3339WithNanoseconds) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_time(1'000'000'001ull), "1970-01-01T00:00:01.000000001Z");
  EXPECT_EQ(format_time(1'234'567'890'123'456'789ull), "2009-02-13T23:31:30.123456789Z");
  EXPECT_EQ(format_time(951'782'400'000'000'000ull), "2000-02-29T00:00:00.000000000Z");
  const std::regex rfc3339(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$)");
  WallClock c;
  EXPECT_TRUE(std::regex_match(format_time(c.to_wall_ns(WallClock::boot_now_ns())), rfc3339));
}

// The calendar arithmetic against gmtime_r, over leap days, century and
// 400-year rules (2100, 2400), and the ends of days and years.
TEST(FormatTime, AgreesWithGmtime) {
  std::vector<uint64_t> secs = {0,
                                59,
                                86399,
                                86400,
                                951'782'399,
                                951'868'800,
                                4'107'542'399ull,
                                4'107'542'400ull,
                                4'102'444'800ull,
                                4'133'980'799ull,
                                13'569'465'600ull,
                                18'446'744'072ull};
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    secs.push_back(x % 18'446'744'073ull);  // what fits in uint64 nanoseconds (year 2554)
  }
  for (uint64_t s : secs) {
    time_t t = static_cast<time_t>(s);
    struct tm tm;
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    char want[64];
    snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<unsigned>(s % 1000000000ull));
    ASSERT_EQ(format_time(s * 1000000000ull + s % 1000000000ull), want) << s;
  }
}

TEST(EntityId, BufferFormMatchesTheStringForm) {
  EntityIdBuf buf;
  const std::string boot = "0123456789abcdef0123456789abcdef";
  size_t n = entity_id_ticks(boot, 4294967295u, 18446744073709551615ull, buf);
  EXPECT_EQ(std::string(buf, n), "0123456789abcdef-4294967295-18446744073709551615");
  EXPECT_EQ(entity_id_ticks(boot, 1, 0), "0123456789abcdef-1-0");
  EXPECT_EQ(entity_id_ticks("short", 7, 12), "short-7-12") << "a boot id shorter than 16 is taken whole";
  EXPECT_EQ(entity_id(boot, 42, 123'456'789'012ull, 100), "0123456789abcdef-42-12345");
}

TEST(Names, SignalsErrnos) {
  EXPECT_EQ(signal_name(9), "SIGKILL");
  EXPECT_EQ(signal_name(11), "SIGSEGV");
  EXPECT_EQ(errno_name(2), "ENOENT");
  EXPECT_EQ(errno_name(1), "EPERM");
}
