// The kprobe backend's own return probes (src/loader/kretprobe.h): names,
// definitions, what a later sensor removes, and misses read from tracefs.
#include "loader/kretprobe.h"

#include "util/host.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace nj {
namespace {

TEST(Kretprobe, WaitingSyscallsGetTheMostInstancesTheBudgetAllows) {
  EXPECT_EQ(kretprobe_maxactive("execve", 2), 4096u);
  EXPECT_EQ(kretprobe_maxactive("accept4", 2), 4096u);
  // 16 MiB of rings shared by 26 probes on every possible CPU: fewer each
  // on a large machine, never fewer than the rest get.
  EXPECT_EQ(kretprobe_maxactive("recvmsg", 64), 1024u);
  EXPECT_EQ(kretprobe_maxactive("recvmsg", 256), 512u);
  EXPECT_EQ(kretprobe_maxactive("recvmsg", 4096), 4096u);
  // The rest: the kernel's own default (2 per CPU), at least 64.
  EXPECT_EQ(kretprobe_maxactive("setuid", 2), 64u);
  EXPECT_EQ(kretprobe_maxactive("setuid", 0), 64u);
  EXPECT_EQ(kretprobe_maxactive("kill", 100), 200u);
  EXPECT_EQ(kretprobe_maxactive("kill", 100000), 4096u);
}

TEST(Kretprobe, DefinitionIsAReturnProbeWithItsInstancesInOurGroup) {
  const std::string name = kretprobe_event_name({4242, 1234567, 1}, "memopen_openat");
  EXPECT_EQ(name, "nj4242_1234567_1_memopen_openat");
  EXPECT_EQ(kretprobe_definition(4096, name, "__x64_sys_openat"),
            "r4096:nightjar/nj4242_1234567_1_memopen_openat __x64_sys_openat");
}

TEST(Kretprobe, OwnerIsReadBackFromTheName) {
  EXPECT_EQ(kretprobe_event_owner("nj4242_99_3_execve"), (KretprobeOwner{4242, 99, 3}));
  EXPECT_EQ(kretprobe_event_owner("nj1_0_1_rt_sigqueueinfo"), (KretprobeOwner{1, 0, 1}));
  for (const char* bad : {"nj", "nj_1_1_execve", "nj12", "nj12_", "nj12_5", "nj12_5_", "nj12_5_1", "nj12_5_1_",
                          "nj12_x_1_execve", "nj0_1_1_execve", "njx1_1_1_execve", "libbpf_12_execve", "nj-5_1_1_x"})
    EXPECT_FALSE(kretprobe_event_owner(bad)) << bad;
}

TEST(Kretprobe, StaleOnesAreThoseWhoseSensorIsGone) {
  // What kprobe_events shows: probes of others, of a live sensor, of a dead
  // one, of a dead one whose pid a live process reuses, not of ours.
  const std::string text =
      "p:kprobes/myprobe do_sys_open\n"
      "r4096:nightjar/nj100_7_1_execve __x64_sys_execve\n"
      "r64:nightjar/nj100_7_1_setuid __x64_sys_setuid\n"
      "r4096:nightjar/nj200_8_1_execve __x64_sys_execve\n"
      "r4096:nightjar/nj100_5_2_execve __x64_sys_execve\n"
      "r4096:other/nj200_8_1_execve __x64_sys_execve\n"
      "r:nightjar/notours do_exit\n";
  auto alive = [](const KretprobeOwner& o) { return o.pid == 100 && o.start == 7; };
  EXPECT_EQ(stale_kretprobe_events(text, alive),
            (std::vector<std::string>{"nightjar/nj200_8_1_execve", "nightjar/nj100_5_2_execve"}));
  EXPECT_TRUE(stale_kretprobe_events("", alive).empty());
}

TEST(Kretprobe, StartTimeIsField22AfterANameWithSpacesAndParentheses) {
  EXPECT_EQ(stat_start_time("42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2 3"), 987654u);
  EXPECT_FALSE(stat_start_time("42 (short) S 1 2"));
  EXPECT_FALSE(stat_start_time("no name here"));
}

TEST(Kretprobe, ThisProcessHasAStartTime) {
  const auto start = process_start_time(getpid());
  ASSERT_TRUE(start);
  EXPECT_EQ(process_start_time(getpid()), start);
  EXPECT_FALSE(process_start_time(-1));
}

TEST(Kretprobe, MissesAreSummedOverOurEventsOnly) {
  const std::string profile =
      "  nj7_1_execve                                            1200               3\n"
      "  nj7_1_accept4                                             10              40\n"
      "  nj8_1_execve                                             500             999\n"
      "  myprobe                                                   1               5\n"
      "  broken\n";
  EXPECT_EQ(kprobe_misses(profile, {"nj7_1_execve", "nj7_1_accept4"}), 43u);
  EXPECT_EQ(kprobe_misses(profile, {"nj9_1_execve"}), 0u);
  EXPECT_EQ(kprobe_misses("", {"nj7_1_execve"}), 0u);
}

}  // namespace
}  // namespace nj
