// Which capabilities the sensor needs where, and how a missing one is told.
#include "util/caps.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "loader/features.h"

namespace nj {
namespace {

constexpr int kPerfmon = 38, kBpf = 39;

uint64_t caps(std::initializer_list<int> list) {
  uint64_t set = 0;
  for (int c : list) set |= uint64_t{1} << c;
  return set;
}

std::string unmet(const PrivilegeContext& c, uint64_t held, CapUse use = CapUse::run) {
  return describe_needs(unmet_needs(sensor_cap_needs(c, use), held));
}

TEST(Caps, NothingHeldNamesEveryNeed) {
  EXPECT_EQ(unmet(PrivilegeContext{}, 0),
            "CAP_BPF (or CAP_SYS_ADMIN), CAP_PERFMON (or CAP_SYS_ADMIN), CAP_DAC_READ_SEARCH (or "
            "CAP_DAC_OVERRIDE), CAP_SYS_PTRACE");
}

TEST(Caps, TheNarrowSetIsEnough) {
  EXPECT_EQ(unmet(PrivilegeContext{}, caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE})), "");
}

TEST(Caps, SysAdminStandsInForBpfAndPerfmon) {
  EXPECT_EQ(unmet(PrivilegeContext{}, caps({CAP_SYS_ADMIN, CAP_DAC_OVERRIDE, CAP_SYS_PTRACE})), "");
}

TEST(Caps, OnlyWhatIsMissingIsNamed) {
  EXPECT_EQ(unmet(PrivilegeContext{}, caps({kBpf, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE})),
            "CAP_PERFMON (or CAP_SYS_ADMIN)");
}

TEST(Caps, ProbeDoesNotReadOtherProcesses) {
  EXPECT_EQ(unmet(PrivilegeContext{}, caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH}), CapUse::probe), "");
  EXPECT_EQ(unmet(PrivilegeContext{}, caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH}), CapUse::run), "CAP_SYS_PTRACE");
}

TEST(Caps, KernelsBefore58NeedSysAdmin) {
  PrivilegeContext old;
  old.last_cap = 37;
  EXPECT_EQ(unmet(old, caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE})), "CAP_SYS_ADMIN");
}

TEST(Caps, MountingTracefsNeedsSysAdmin) {
  PrivilegeContext c;
  c.tracefs_mounted = false;
  EXPECT_EQ(unmet(c, caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE})), "CAP_SYS_ADMIN");
}

TEST(Caps, MemlockBefore511NeedsSysResourceUnlessUnlimited) {
  PrivilegeContext c;
  c.memcg_charges_bpf = false;
  const uint64_t narrow = caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE});
  EXPECT_EQ(unmet(c, narrow), "CAP_SYS_RESOURCE");
  c.memlock_unlimited = true;
  EXPECT_EQ(unmet(c, narrow), "");
}

TEST(Caps, LargePerfBuffersNeedIpcLock) {
  PrivilegeContext c;
  const uint64_t narrow = caps({kBpf, kPerfmon, CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE});
  // 2 CPUs, perf_event_mlock_kb 516 (129 pages each), RLIMIT_MEMLOCK 8 MiB.
  c.perf_lock_allowance = 2 * 129 + 2048;
  c.perf_pages_mapped = 2 * (1024 + 1);
  EXPECT_EQ(unmet(c, narrow), "");
  c.perf_pages_mapped = 2 * (4096 + 1);
  EXPECT_EQ(unmet(c, narrow), "CAP_IPC_LOCK");
  EXPECT_EQ(unmet(c, narrow | caps({CAP_IPC_LOCK})), "");
}

TEST(Caps, Names) {
  EXPECT_EQ(cap_name(kBpf), "CAP_BPF");
  EXPECT_EQ(cap_name(kPerfmon), "CAP_PERFMON");
  EXPECT_EQ(cap_name(45), "cap 45");
}

// A refusal is about privileges; anything else is the kernel's.
TEST(Caps, BpfErrorsAreToldApart) {
  EXPECT_EQ(classify_bpf_error(0), BpfAccess::allowed);
  EXPECT_EQ(classify_bpf_error(EPERM), BpfAccess::refused);
  EXPECT_EQ(classify_bpf_error(EACCES), BpfAccess::refused);
  for (int e : {EINVAL, ENOENT, ENOSYS, EOPNOTSUPP, E2BIG}) EXPECT_EQ(classify_bpf_error(e), BpfAccess::unsupported);
}

}  // namespace
}  // namespace nj
