// The kprobe backend's own return probes (src/loader/kretprobe.h): names,
// definitions, what a later sensor removes, and misses read from tracefs.
#include "loader/kretprobe.h"

#include <gtest/gtest.h>

namespace nj {
namespace {

TEST(Kretprobe, WaitingSyscallsGetTheKernelsMostInstances) {
  EXPECT_EQ(kretprobe_maxactive("execve", 2), 4096u);
  EXPECT_EQ(kretprobe_maxactive("accept4", 2), 4096u);
  EXPECT_EQ(kretprobe_maxactive("recvmsg", 64), 4096u);
  // Quick ones: a few per CPU, never fewer than 64 nor more than the kernel takes.
  EXPECT_EQ(kretprobe_maxactive("setuid", 2), 64u);
  EXPECT_EQ(kretprobe_maxactive("setuid", 0), 64u);
  EXPECT_EQ(kretprobe_maxactive("kill", 32), 256u);
  EXPECT_EQ(kretprobe_maxactive("kill", 100000), 4096u);
}

TEST(Kretprobe, DefinitionIsAReturnProbeWithItsInstancesInOurGroup) {
  const std::string name = kretprobe_event_name(4242, 1, "execveat");
  EXPECT_EQ(name, "nj4242_1_execveat");
  EXPECT_EQ(kretprobe_definition(4096, name, "__x64_sys_execveat"),
            "r4096:nightjar/nj4242_1_execveat __x64_sys_execveat");
}

TEST(Kretprobe, OwnerIsReadBackFromTheName) {
  EXPECT_EQ(kretprobe_event_owner("nj4242_3_execve"), (KretprobeOwner{4242, 3}));
  EXPECT_EQ(kretprobe_event_owner("nj1_1_rt_sigqueueinfo"), (KretprobeOwner{1, 1}));
  for (const char* bad : {"nj", "nj_1_execve", "nj12", "nj12_", "nj12_x_execve", "nj12_3", "nj0_1_execve",
                          "njx1_1_execve", "libbpf_12_execve", "nj-5_1_execve"})
    EXPECT_FALSE(kretprobe_event_owner(bad)) << bad;
}

TEST(Kretprobe, StaleOnesAreThoseOfDeadSensorsAndOurOwnName) {
  // What kprobe_events shows: probes of others, of a live sensor, of a dead
  // one, of an earlier process with our pid and number, and of another
  // sensor of this process.
  const std::string text =
      "p:kprobes/myprobe do_sys_open\n"
      "r4096:nightjar/nj100_1_execve __x64_sys_execve\n"
      "r64:nightjar/nj100_1_setuid __x64_sys_setuid\n"
      "r4096:nightjar/nj200_1_execve __x64_sys_execve\n"
      "r4096:nightjar/nj300_2_execve __x64_sys_execve\n"
      "r4096:nightjar/nj300_1_execve __x64_sys_execve\n"
      "r4096:other/nj200_1_execve __x64_sys_execve\n"
      "r:nightjar/notours do_exit\n";
  auto alive = [](pid_t pid) { return pid == 100; };
  EXPECT_EQ(stale_kretprobe_events(text, {300, 2}, alive),
            (std::vector<std::string>{"nightjar/nj200_1_execve", "nightjar/nj300_2_execve"}));
  EXPECT_TRUE(stale_kretprobe_events("", {300, 1}, alive).empty());
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
