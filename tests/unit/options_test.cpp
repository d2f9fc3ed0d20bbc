// The command line's accepted values, as typed.
#include <gtest/gtest.h>

#include "app/option_checks.h"

namespace nj {
namespace {

TEST(Options, CountsAreDecimalDigitsOnly) {
  const CountRange r{1, 10000};
  EXPECT_EQ(*parse_count("1", r), 1u);
  EXPECT_EQ(*parse_count("10000", r), 10000u);
  // Leading zeros are decimal (CLI11's strtoull would read octal eight).
  EXPECT_EQ(*parse_count("010", r), 10u);
  for (const char* bad : {"", "0", "10001", "-1", "+5", " 5", "5 ", "0x10", "1e3", "5.0", "abc", "nan",
                          "18446744073709551616", "-18446744073709551615"})
    EXPECT_FALSE(parse_count(bad, r)) << "'" << bad << "'";
}

TEST(Options, CountErrorsSayWhatIsAccepted) {
  auto r = parse_count("-1", CountRange{1, 10000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "'-1' is not a whole number from 1 to 10000");
  r = parse_count("5000", ranges::ringbuf_bytes(4096));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "'5000' is not a power of two from 4096 to 2147483648");
}

TEST(Options, FullRangeOfUnsigned64) {
  const CountRange r{0, UINT64_MAX};
  EXPECT_EQ(*parse_count("18446744073709551615", r), UINT64_MAX);
  EXPECT_EQ(*parse_count("0", r), 0u);
  EXPECT_FALSE(parse_count("18446744073709551616", r));
}

TEST(Options, RingBufferSizesAreWholePagesInAPowerOfTwo) {
  const CountRange r = ranges::ringbuf_bytes(4096);
  for (const char* good : {"4096", "8192", "8388608", "2147483648"}) EXPECT_TRUE(parse_count(good, r)) << good;
  for (const char* bad : {"0", "1", "2048", "6144", "4294967296", "4294967295", "12288"})
    EXPECT_FALSE(parse_count(bad, r)) << bad;
  // 64 KiB pages (arm64, ppc64): a 4 KiB ring buffer is not whole pages.
  EXPECT_FALSE(parse_count("4096", ranges::ringbuf_bytes(65536)));
}

TEST(Options, PerfPagesArePowersOfTwo) {
  for (const char* good : {"1", "2", "128", "65536"}) EXPECT_TRUE(parse_count(good, ranges::perf_pages)) << good;
  for (const char* bad : {"0", "3", "100", "131072"}) EXPECT_FALSE(parse_count(bad, ranges::perf_pages)) << bad;
}

TEST(Options, ZeroMeansNoneOnlyWhereSaid) {
  EXPECT_EQ(*parse_count("0", ranges::wakeup_bytes), 0u);
  EXPECT_EQ(*parse_count("0", ranges::hash_cache), 0u);
  EXPECT_FALSE(parse_count("0", ranges::hash_max_bytes));
  EXPECT_FALSE(parse_count("0", ranges::poll_ms));
}

TEST(Options, DurationsAreFinitePositiveSeconds) {
  EXPECT_EQ(*parse_seconds("0.5", ranges::duration), 0.5);
  EXPECT_EQ(*parse_seconds("60", ranges::duration), 60);
  EXPECT_EQ(*parse_seconds("1e3", ranges::duration), 1000);
  EXPECT_EQ(*parse_seconds("1000000000", ranges::duration), 1e9);
  for (const char* bad :
       {"", "0", "-0", "-1", "nan", "NaN", "inf", "-inf", "infinity", "1e999", "1000000001", " 1", "1 ", "1s", "abc"})
    EXPECT_FALSE(parse_seconds(bad, ranges::duration)) << "'" << bad << "'";
}

TEST(Options, HealthIntervalZeroMeansNone) {
  EXPECT_EQ(*parse_seconds("0", ranges::health_interval), 0);
  EXPECT_EQ(*parse_seconds("0.5", ranges::health_interval), 0.5);
  for (const char* bad : {"-1", "nan", "inf", "-0.5"}) EXPECT_FALSE(parse_seconds(bad, ranges::health_interval)) << bad;
}

TEST(Options, SecondsErrorsSayWhatIsAccepted) {
  auto r = parse_seconds("nan", ranges::duration);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "'nan' is not a number of seconds above 0 and at most 1000000000");
  r = parse_seconds("-1", ranges::health_interval);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "'-1' is not 0 (none) or a number of seconds above 0 and at most 1000000000");
}

TEST(Options, PathsAreNotEmpty) {
  EXPECT_FALSE(check_path(""));
  EXPECT_TRUE(check_path("/var/log/nightjar/events.jsonl"));
  EXPECT_TRUE(check_path("-"));
}

}  // namespace
}  // namespace nj
