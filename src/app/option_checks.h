// The accepted values of the command line's numbers and paths. Each check
// reads the text as typed, so "-1" cannot wrap to a huge unsigned value,
// "010" is ten (not octal eight) and "nan" or "inf" are not a duration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nj {

struct CountRange {
  uint64_t min = 0;
  uint64_t max = UINT64_MAX;
  bool power_of_two = false;
};

// A decimal count (digits only) within r. The error says what is accepted,
// without the flag's name (the caller prefixes it).
Result<uint64_t> parse_count(std::string_view text, const CountRange& r);
// "1..10000", "a power of two, 4096..2147483648"
std::string describe(const CountRange& r);

struct SecondsRange {
  double max = 1e9;
  bool zero_means_none = false;  // "0" is accepted and means "none"
};

// A finite number of seconds above 0 (or exactly 0 when r allows it), at
// most r.max.
Result<double> parse_seconds(std::string_view text, const SecondsRange& r);
std::string describe(const SecondsRange& r);

// A path given on the command line: not empty (an empty --output would
// otherwise mean stdout).
Result<void> check_path(std::string_view text);

// The ranges of `nightjar run`'s flags, where the kernel or the design
// sets them.
namespace ranges {
// The kernel wants a power of two of whole pages, in a 32-bit map size.
CountRange ringbuf_bytes(uint64_t page_size);
inline constexpr CountRange perf_pages{1, 65536, true};
// Above the largest ring buffer it means "never woken by volume".
inline constexpr CountRange wakeup_bytes{0, uint64_t{1} << 31};
inline constexpr CountRange poll_ms{1, 10000};
inline constexpr CountRange reorder_ms{1, 10000};
inline constexpr CountRange argv_max{256, 4 * 32768};
inline constexpr CountRange queue_lines{16, uint64_t{1} << 24};
inline constexpr CountRange memory_budget_mib{16, uint64_t{1} << 20};
inline constexpr CountRange hash_max_bytes{1, uint64_t{1} << 40};
inline constexpr CountRange hash_cache{0, uint64_t{1} << 24};  // 0: no cache
inline constexpr CountRange process_cache{64, uint64_t{1} << 24};
inline constexpr CountRange ancestry_depth{0, 64};
inline constexpr CountRange exec_fold_ms{0, 10000};
inline constexpr CountRange modify_window_ms{0, 3600000};
inline constexpr CountRange udp_window_ms{0, 86400000};
inline constexpr CountRange connection_table{64, uint64_t{1} << 20};
inline constexpr CountRange udp_flow_table{64, uint64_t{1} << 20};
inline constexpr CountRange exec_memory_window_ms{0, 86400000};
inline constexpr CountRange output_max_bytes{0, uint64_t{1} << 50};
inline constexpr CountRange output_keep{1, 1000};
inline constexpr SecondsRange duration{1e9, false};
inline constexpr SecondsRange health_interval{1e9, true};
inline constexpr SecondsRange metrics_interval{86400, false};
}  // namespace ranges

}  // namespace nj
