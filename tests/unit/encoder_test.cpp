#include "encode/encoder.h"
#include "families/process/encode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "families/registry.h"
#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;
using json = nlohmann::json;

namespace {

const std::string kBootId = "0123456789abcdeffedcba9876543210";

HostInfo test_host() {
  HostInfo h;
  h.name = "testhost";
  h.id = "machine-0001";
  h.boot_id = kBootId;
  h.kernel = "6.1.0-test";
  h.arch = "x86_64";
  h.clock_ticks = 100;
  return h;
}

constexpr uint64_t kTs = 3'600'000'000'123ull;          // event time (boot clock)
constexpr uint64_t kStart = 2'000'000'000'000ull + 9'999'999;  // 2000.009999999 s -> 200000 ticks
constexpr uint64_t kParentStart = 1'500'000'000ull;     // 1.5 s -> 150 ticks

nj_task full_task() {
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

std::string nul_join(const std::vector<std::string>& v) {
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

  json encode(const Event& ev) {
    const std::string& line = enc.encode(ev);
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

nj_exec exec_of(int32_t retval, uint16_t nparts) {
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

}  // namespace

TEST_F(EncoderTest, ExecSuccess) {
  const uint64_t id = 0x0030000000000abcull;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/usr/bin/true"),
      str_bytes(id, NJ_F_EXE, 0, "true\0bin\0usr\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_CWD, 0, "u\0home\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"true", "--version"})),
  };
  json j = encode(event_of(exec_of(0, 4), parts));

  EXPECT_EQ(j["@timestamp"], ts(kTs));
  EXPECT_EQ(j["event"]["kind"], "event");
  EXPECT_EQ(j["event"]["category"], json({"process"}));
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["event"]["action"], "exec");
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["event"]["id"], "0030000000000abc");
  EXPECT_EQ(j["event"]["module"], "nightjar");
  expect_host(j);

  const json& p = j["process"];
  expect_task(p, full_task());
  EXPECT_EQ(p["name"], "true");
  EXPECT_EQ(p["executable"], "/usr/bin/true");
  EXPECT_EQ(p["args"], json({"true", "--version"}));
  EXPECT_EQ(p["args_count"], 2);
  EXPECT_EQ(p["command_line"], "true --version");
  EXPECT_EQ(p["working_directory"], "/home/u");
  EXPECT_FALSE(j.contains("error"));

  const json& n = j["nightjar"];
  EXPECT_EQ(n["backend"], "tracepoint");
  EXPECT_EQ(n["event_id"], id);
  EXPECT_EQ(n["syscall"], "execve");
  EXPECT_EQ(n["filename"], "/usr/bin/true");
  EXPECT_EQ(n["exe"]["device"], "8:3");
  EXPECT_EQ(n["exe"]["inode"], 1234567);
  EXPECT_EQ(n["exe"]["nlink"], 1);
  EXPECT_EQ(n["cgroup_id"], 8888);
  EXPECT_EQ(n["login_uid"], 1000);
  EXPECT_EQ(n["argc"], 2);
  EXPECT_FALSE(n.contains("escaped_fields"));
  EXPECT_FALSE(n.contains("incomplete"));
  EXPECT_FALSE(n.contains("script"));
  EXPECT_FALSE(n.contains("exec_thread"));
}

TEST_F(EncoderTest, ExecFailureEnoent) {
  const uint64_t id = 0x0030000000000abcull;
  nj_exec e = exec_of(-2, 3);
  e.task = full_task();
  std::strncpy(e.task.comm, "bash", sizeof(e.task.comm));
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "./missing-tool"),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"missing-tool", "-v"})),
      str_bytes(id, NJ_F_CWD, 0, "tmp\0"s, NJ_STR_PATH_ROOTED),
  };
  json j = encode(event_of(e, parts));
  EXPECT_EQ(j["event"]["action"], "exec");
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["error"]["code"], "ENOENT");
  EXPECT_EQ(j["error"]["message"], "No such file or directory");
  const json& p = j["process"];
  expect_task(p, e.task);
  EXPECT_EQ(p["executable"], "/tmp/missing-tool");
  EXPECT_EQ(p["name"], "missing-tool");
  EXPECT_EQ(p["args"], json({"missing-tool", "-v"}));
  EXPECT_EQ(j["nightjar"]["caller_name"], "bash");
  EXPECT_EQ(j["nightjar"]["filename"], "./missing-tool");
  EXPECT_FALSE(j["nightjar"].contains("exe")) << "no image was loaded";
}

TEST_F(EncoderTest, ExecFlagsAndIncomplete) {
  nj_exec e = exec_of(0, 2);
  e.flags = NJ_EXEC_ARGV_UNREADABLE | NJ_EXEC_NO_ENTER | NJ_EXEC_PARTS_LOST;
  e.syscall = NJ_SYS_EXECVEAT;
  e.dirfd = 5;
  e.at_flags = 0x1000;
  e.old_tid = 4250;
  e.hdr.backend = NJ_BACKEND_KPROBE;
  Event ev = event_of(e, {str_bytes(e.hdr.event_id, NJ_F_FILENAME, 0, "/dev/fd/5")});
  ev.incomplete = true;
  json j = encode(ev);
  const json& n = j["nightjar"];
  EXPECT_EQ(n["backend"], "kprobe");
  EXPECT_EQ(n["syscall"], "execveat");
  EXPECT_EQ(n["dirfd"], 5);
  EXPECT_EQ(n["at_flags"], 0x1000);
  EXPECT_EQ(n["exec_thread"], 4250);
  EXPECT_EQ(n["argv_unreadable"], true);
  EXPECT_EQ(n["syscall_entry_unseen"], true);
  EXPECT_EQ(n["parts_lost"], true);
  EXPECT_EQ(n["incomplete"], true);
  EXPECT_FALSE(j["process"].contains("args")) << "no argv part: no args";
}

TEST_F(EncoderTest, ExecArgvWithInvalidUtf8IsEscapedAndListed) {
  const uint64_t id = 0x0030000000000abcull;
  const std::string bad = "caf\xe9";  // latin-1, not UTF-8
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/bin/echo"),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"echo", bad, "\xff"})),
  };
  json j = encode(event_of(exec_of(0, 2), parts));
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_TRUE(esc.is_array());
  EXPECT_NE(std::find(esc.begin(), esc.end(), "process.args"), esc.end()) << esc;
  EXPECT_NE(std::find(esc.begin(), esc.end(), "process.command_line"), esc.end()) << esc;
  const json& args = j["process"]["args"];
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1], "caf\\xe9");
  EXPECT_EQ(args[2], "\\xff");
  EXPECT_EQ(unescape_bytes(args[1].get<std::string>()), bad);
  EXPECT_EQ(unescape_bytes(args[2].get<std::string>()), "\xff");
  EXPECT_EQ(unescape_bytes(j["process"]["command_line"].get<std::string>()), "echo " + bad + " \xff");
}

// A consumer told "process.args is escaped" unescapes every element: an
// element that was valid UTF-8 (written as is) must survive that too.
TEST_F(EncoderTest, EscapedArgsRecoverEveryElement) {
  const uint64_t id = 0x0030000000000abcull;
  const std::vector<std::string> argv = {"printf", "a\\x41\\\\b", "\xff"};
  json j = encode(event_of(exec_of(0, 1), {str_bytes(id, NJ_F_ARGV, 0, nul_join(argv))}));
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_NE(std::find(esc.begin(), esc.end(), "process.args"), esc.end());
  const json& args = j["process"]["args"];
  ASSERT_EQ(args.size(), argv.size());
  for (size_t i = 0; i < argv.size(); i++) EXPECT_EQ(unescape_bytes(args[i].get<std::string>()), argv[i]) << i;
}

TEST_F(EncoderTest, ExecScriptChainFromShebang) {
  const uint64_t id = 0x0030000000000abcull;
  files["/w/run.sh"] = "#!/bin/sh -e\necho\n";
  nj_exec e = exec_of(0, 4);
  e.flags = NJ_EXEC_SCRIPT;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "./run.sh"),
      str_bytes(id, NJ_F_INTERP, 0, "/bin/sh"),
      str_bytes(id, NJ_F_CWD, 0, "w\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"/bin/sh", "-e", "./run.sh", "x"})),
  };
  json j = encode(event_of(e, parts));
  const json& s = j["nightjar"]["script"];
  EXPECT_EQ(s["path"], "/w/run.sh");
  EXPECT_EQ(s["source"], "shebang");
  EXPECT_EQ(s["interpreters"], json::parse(R"([{"path":"/bin/sh","args":["-e"]}])"));
  EXPECT_FALSE(j["nightjar"].contains("escaped_fields"));
}

TEST_F(EncoderTest, ScriptInterpreterArgWithInvalidUtf8IsListed) {
  const uint64_t id = 0x0030000000000abcull;
  files["/w/run.sh"] = "#!/bin/sh \xff\n";
  nj_exec e = exec_of(0, 4);
  e.flags = NJ_EXEC_SCRIPT;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/w/run.sh"),
      str_bytes(id, NJ_F_INTERP, 0, "/bin/sh"),
      str_bytes(id, NJ_F_CWD, 0, "w\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"/bin/sh", "\xff", "/w/run.sh"})),
  };
  json j = encode(event_of(e, parts));
  const json& lvl = j["nightjar"]["script"]["interpreters"][0];
  ASSERT_EQ(lvl["args"][0], "\\xff");
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_TRUE(esc.is_array()) << j.dump();
  EXPECT_NE(std::find(esc.begin(), esc.end(), "nightjar.script.interpreters.args"), esc.end()) << esc;
}

TEST_F(EncoderTest, Fork) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), 0x77, kTs);
  f.task = full_task();
  std::strncpy(f.task.comm, "bash", sizeof(f.task.comm));
  f.child_pid = 5000;
  f.child_vpid = 5000;
  f.child_start_ns = 3'000'000'000ull;  // 300 ticks
  f.clone_flags = 0x00000100 | 0x00000200 | 17;  // CLONE_VM | CLONE_FS | SIGCHLD
  f.syscall = NJ_SYS_CLONE;
  json j = encode(Event{decode_ok(bytes_of(f)), {}, false});

  EXPECT_EQ(j["event"]["action"], "fork");
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["event"]["id"], "0000000000000077");
  expect_host(j);
  const json& p = j["process"];
  EXPECT_EQ(p["pid"], 5000);
  EXPECT_FALSE(p.contains("vpid"));
  EXPECT_EQ(p["entity_id"], "0123456789abcdef-5000-300");
  EXPECT_EQ(p["start"], ts(3'000'000'000ull));
  EXPECT_EQ(p["name"], "bash");
  EXPECT_EQ(p["parent"]["pid"], 4242);
  EXPECT_EQ(p["parent"]["thread"]["id"], 4243);
  EXPECT_EQ(p["parent"]["entity_id"], "0123456789abcdef-4242-200000");
  EXPECT_EQ(p["parent"]["start"], ts(kStart));
  EXPECT_EQ(p["parent"]["name"], "bash");
  EXPECT_EQ(p["user"]["id"], "0");
  EXPECT_EQ(p["real_user"]["id"], "1000");
  const json& n = j["nightjar"];
  EXPECT_EQ(n["syscall"], "clone");
  EXPECT_EQ(n["clone_flags"], json({"CLONE_VM", "CLONE_FS"}));
  EXPECT_EQ(n["clone_flags_raw"], 0x311);
  EXPECT_EQ(n["exit_signal"], 17);
  EXPECT_EQ(n["parent_of_caller"]["pid"], 4000);
  EXPECT_EQ(n["parent_of_caller"]["entity_id"], "0123456789abcdef-4000-150");
  EXPECT_EQ(n["cgroup_id"], 8888);
}

TEST_F(EncoderTest, ForkInPidNamespaceWithoutEntry) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), 0x78, kTs);
  f.task = full_task();
  f.child_pid = 5001;
  f.child_vpid = 1;
  f.flags = NJ_FORK_NO_ENTER;
  json j = encode(Event{decode_ok(bytes_of(f)), {}, false});
  EXPECT_EQ(j["process"]["vpid"], 1);
  EXPECT_EQ(j["nightjar"]["syscall_entry_unseen"], true);
  EXPECT_FALSE(j["nightjar"].contains("clone_flags"));
  EXPECT_FALSE(j["nightjar"].contains("syscall"));
}

TEST_F(EncoderTest, ExitWithCode) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x79, kTs);
  x.task = full_task();
  x.exit_code = 3 << 8;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_EQ(j["event"]["action"], "exit");
  EXPECT_EQ(j["event"]["type"], json({"end"}));
  EXPECT_FALSE(j["event"].contains("outcome"));
  expect_task(j["process"], x.task);
  EXPECT_EQ(j["process"]["name"], "true");
  EXPECT_EQ(j["process"]["exit_code"], 3);
  EXPECT_EQ(j["process"]["end"], ts(kTs));
  EXPECT_EQ(j["nightjar"]["exit"]["status"], 768);
  EXPECT_FALSE(j["nightjar"]["exit"].contains("signal"));
  EXPECT_FALSE(j["nightjar"]["exit"].contains("signal_name"));
}

TEST_F(EncoderTest, ExitBySignalWithCore) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x7a, kTs);
  x.task = full_task();
  x.exit_code = 0x80 | 9;
  x.flags = NJ_EXIT_SIGNALED;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_FALSE(j["process"].contains("exit_code")) << "killed: no exit code";
  const json& ex = j["nightjar"]["exit"];
  EXPECT_EQ(ex["status"], 0x89);
  EXPECT_EQ(ex["signal"], 9);
  EXPECT_EQ(ex["signal_name"], "SIGKILL");
  EXPECT_EQ(ex["core_dumped"], true);
}

TEST_F(EncoderTest, ExitBySignalWithoutCore) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x7b, kTs);
  x.task = full_task();
  x.exit_code = 15;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_EQ(j["nightjar"]["exit"]["signal_name"], "SIGTERM");
  EXPECT_EQ(j["nightjar"]["exit"]["core_dumped"], false);
}

TEST_F(EncoderTest, UnshareFailureEperm) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 0x7c, kTs);
  u.task = full_task();
  u.flags = 0x00020000 | 0x10000000;  // CLONE_NEWNS | CLONE_NEWUSER
  u.retval = -1;
  json j = encode(Event{decode_ok(bytes_of(u)), {}, false});
  EXPECT_EQ(j["event"]["action"], "unshare");
  EXPECT_EQ(j["event"]["type"], json({"change"}));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"]["code"], "EPERM");
  EXPECT_EQ(j["error"]["message"], "Operation not permitted");
  expect_task(j["process"], u.task);
  EXPECT_EQ(j["nightjar"]["unshare"]["flags"], json({"CLONE_NEWNS", "CLONE_NEWUSER"}));
  EXPECT_EQ(j["nightjar"]["unshare"]["flags_raw"], 0x10020000);
}

TEST_F(EncoderTest, UnshareSuccess) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 0x7d, kTs);
  u.task = full_task();
  u.flags = 0x40000000;
  json j = encode(Event{decode_ok(bytes_of(u)), {}, false});
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["nightjar"]["unshare"]["flags"], json({"CLONE_NEWNET"}));
}

// Per-family loss in every status event that carries the loss block, each
// registered family listed even when it lost nothing.
TEST_F(EncoderTest, LossByFamilyInLossHealthAndStopped) {
  LossReport r;
  r.kernel_lost = 5;
  r.kernel_lost_total = 12;
  r.records_sent_total = 100;
  r.by_family[static_cast<size_t>(Family::process)] = {5, 12, 100};
  auto check = [&](const std::string& line) {
    const json j = json::parse(line);
    const json& by = j["nightjar"]["loss"]["by_family"];
    for (Family f : all_families()) ASSERT_TRUE(by.contains(to_string(f))) << to_string(f);
    EXPECT_EQ(by.size(), all_families().size());
    EXPECT_EQ(by["process"], json({{"kernel_lost", 5}, {"kernel_lost_total", 12}, {"records_sent_total", 100}}));
    EXPECT_EQ(j["nightjar"]["loss"]["kernel_lost_total"], 12);
  };
  check(enc.loss(r));
  check(enc.health(r, EnricherStats{}, 3, Encoder::Memory{}));
  check(enc.sensor_stopped(r, 3));
  // The block closes the loss object: what came before it is unchanged.
  const std::string line = enc.loss(LossReport{});
  EXPECT_NE(line.find(R"("records_read_total":0,"by_family":{"process":{"kernel_lost":0,"kernel_lost_total":0,)"
                      R"("records_sent_total":0}}})"),
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
  std::vector<uint64_t> secs = {0, 59, 86399, 86400, 951'782'399, 951'868'800, 4'107'542'399ull, 4'107'542'400ull,
                                4'102'444'800ull, 4'133'980'799ull, 13'569'465'600ull, 18'446'744'072ull};
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
    snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<unsigned>(s % 1000000000ull));
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

TEST(Names, SignalsErrnosCloneFlags) {
  EXPECT_EQ(signal_name(9), "SIGKILL");
  EXPECT_EQ(signal_name(11), "SIGSEGV");
  EXPECT_EQ(errno_name(2), "ENOENT");
  EXPECT_EQ(errno_name(1), "EPERM");
  EXPECT_EQ(clone_flag_names(0), std::vector<std::string>{});
  EXPECT_EQ(clone_flag_names(0x00000080 | 0x20000000),
            (std::vector<std::string>{"CLONE_NEWPID", "CLONE_NEWTIME"}));
}
