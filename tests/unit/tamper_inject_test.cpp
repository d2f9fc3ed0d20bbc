// The injection actions' pure pieces: request names, open modes, and the
// hook rows whose programs share tracepoints with the file family.
#include <gtest/gtest.h>

#include <set>

#include "families/tamper/encode.h"
#include "loader/program_table.h"

namespace nj {
namespace {

TEST(TamperInject, PtraceRequestNames) {
  EXPECT_EQ(ptrace_request_name(0), "PTRACE_TRACEME");
  EXPECT_EQ(ptrace_request_name(4), "PTRACE_POKETEXT");
  EXPECT_EQ(ptrace_request_name(6), "PTRACE_POKEUSER");
  EXPECT_EQ(ptrace_request_name(13), "PTRACE_SETREGS");
  EXPECT_EQ(ptrace_request_name(16), "PTRACE_ATTACH");
  EXPECT_EQ(ptrace_request_name(0x4205), "PTRACE_SETREGSET");
  EXPECT_EQ(ptrace_request_name(0x4206), "PTRACE_SEIZE");
  EXPECT_EQ(ptrace_request_name(1), "1") << "PEEKTEXT is never reported, so it has no name here";
}

TEST(TamperInject, MemOpenModes) {
  EXPECT_STREQ(mem_open_mode(1), "read");
  EXPECT_STREQ(mem_open_mode(2), "write");
  EXPECT_STREQ(mem_open_mode(3), "read_write");
  EXPECT_STREQ(mem_open_mode(0x1d | 2), "read_write") << "only the read and write bits count";
}

// The /proc/<pid>/mem programs are this family's own on the open syscalls:
// their names must not be the file family's, on any backend or alternate.
TEST(TamperInject, MemOpenProgramsAreNotTheFileFamilys) {
  std::set<std::string> file_programs, mem_programs;
  for (const Hook& h : hook_table())
    for (const Variant& v : h.variants) {
      auto& into = h.name == "tamper.mem_open" ? mem_programs : file_programs;
      if (h.family != Family::file && h.name != "tamper.mem_open") continue;
      into.insert(v.programs.begin(), v.programs.end());
      for (const auto& alts : v.alternates)
        for (const Alternate& a : alts) into.insert(a.program);
    }
  EXPECT_TRUE(mem_programs.count("tp__memopen_sys_exit_openat"));
  EXPECT_TRUE(mem_programs.count("kret__memopen_openat"));
  EXPECT_TRUE(mem_programs.count("fx__memopen_openat2"));
  // open and creat are x86's only (arm64 has just openat and openat2).
  const size_t syscalls = native_syscalls({"open", "creat", "openat", "openat2"}).size();
  EXPECT_EQ(mem_programs.size(), 3 * syscalls) << syscalls << " syscalls on 3 backends";
  for (const std::string& p : mem_programs) EXPECT_FALSE(file_programs.count(p)) << p;
}

}  // namespace
}  // namespace nj
