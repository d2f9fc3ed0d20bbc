// The encoder tests' fixture: a fixed host and clock, and records as the
// BPF side lays them out.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "encode/encoder.h"
#include "records.h"

namespace njt {

using json = nlohmann::json;
using namespace nj;

inline const std::string kBootId = "0123456789abcdeffedcba9876543210";

inline HostInfo test_host() {
  HostInfo h;
  h.name = "testhost";
  h.id = "machine-0001";
  h.boot_id = kBootId;
  h.kernel = "6.1.0-test";
  h.arch = "x86_64";
  h.clock_ticks = 100;
  return h;
}

constexpr uint64_t kTs = 3'600'000'000'123ull;                 // event time (boot clock)
constexpr uint64_t kStart = 2'000'000'000'000ull + 9'999'999;  // 2000.009999999 s -> 200000 ticks
constexpr uint64_t kParentStart = 1'500'000'000ull;            // 1.5 s -> 150 ticks

inline nj_task full_task() {
  nj_task t = make_task(4242, "true");
  t.tid = 4243;
  t.ppid = 4000;
  t.uid = 1000;
  t.euid = 0;
  t.gid = 1001;
  t.egid = 27;
  t.loginuid = 1000;
  t.start_ns = kStart;
  t.parent_start_ns = kParentStart;
  t.cgroup_id = 8888;
  return t;
}

inline std::string nul_join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += s + '\0';
  return out;
}

struct EncoderTest : ::testing::Test {
  WallClock clock;
  std::map<std::string, std::string> files;
  Encoder enc{test_host(), clock, [this](const std::string& p) -> std::optional<std::string> {
                auto it = files.find(p);
                if (it == files.end()) return std::nullopt;
                return it->second;
              }};

  std::string ts(uint64_t boot_ns) const { return format_time(clock.to_wall_ns(boot_ns)); }

  json encode(const Event& ev, const Enrichment* en = nullptr) {
    const std::string& line = enc.encode(ev, en);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "one document per line";
    return json::parse(line);
  }

  void expect_host(const json& j) {
    EXPECT_EQ(j["host"]["name"], "testhost");
    EXPECT_EQ(j["host"]["id"], "machine-0001");
    EXPECT_EQ(j["host"]["boot_id"], kBootId);
    EXPECT_EQ(j["host"]["os"]["kernel"], "6.1.0-test");
    EXPECT_EQ(j["host"]["architecture"], "x86_64");
  }

  // What every event about the process in `t` says.
  void expect_task(const json& p, const nj_task& t) {
    EXPECT_EQ(p["pid"], t.pid);
    EXPECT_EQ(p["thread"]["id"], t.tid);
    EXPECT_EQ(p["entity_id"], "0123456789abcdef-4242-200000");
    EXPECT_EQ(p["start"], ts(t.start_ns));
    EXPECT_EQ(p["parent"]["pid"], t.ppid);
    EXPECT_EQ(p["parent"]["entity_id"], "0123456789abcdef-4000-150");
    EXPECT_EQ(p["parent"]["start"], ts(t.parent_start_ns));
    EXPECT_EQ(p["user"]["id"], "0");
    EXPECT_EQ(p["real_user"]["id"], "1000");
    EXPECT_EQ(p["group"]["id"], "27");
    EXPECT_EQ(p["real_group"]["id"], "1001");
  }
};

inline nj_exec exec_of(int32_t retval, uint16_t nparts) {
  nj_exec e = exec_rec(0x0030000000000abcull, nparts, retval);
  e.hdr.ts_ns = kTs;
  e.task = full_task();
  e.syscall = NJ_SYS_EXECVE;
  e.argc = 2;
  e.dev = (8u << 20) | 3;
  e.ino = 1234567;
  e.nlink = 1;
  e.old_tid = 4242;
  return e;
}

}  // namespace njt
