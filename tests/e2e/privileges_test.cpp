// After attaching, the sensor keeps only what reading other users'
// processes and files needs: every thread (the writer and hash threads
// exist before the programs are attached) holds CAP_DAC_READ_SEARCH,
// CAP_SYS_PTRACE and CAP_BPF alone, in its effective, permitted and bounding sets,
// nothing inheritable or ambient, and no_new_privs; and the sensor still
// does its work (an exec of another user's process is reported and
// hashed).
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

namespace nj::e2e {
namespace {

std::map<std::string, std::string> status_of(const std::string& task) {
  std::map<std::string, std::string> out;
  std::ifstream in(task + "/status");
  for (std::string l; std::getline(in, l);) {
    const size_t colon = l.find(':');
    if (colon == std::string::npos) continue;
    const size_t value = l.find_first_not_of(" \t", colon + 1);
    out[l.substr(0, colon)] = value == std::string::npos ? "" : l.substr(value);
  }
  return out;
}

TEST(Privileges, EveryThreadKeepsOnlyWhatReadingProcessesNeeds) {
  SensorProcess s({"--events", "process"});
  // And CAP_BPF: bpf() on its own maps and links needs it where
  // unprivileged BPF is disabled, on kernels before 6.5.
  const uint64_t keep =
      (uint64_t{1} << CAP_DAC_READ_SEARCH) | (uint64_t{1} << CAP_SYS_PTRACE) | (uint64_t{1} << CAP_BPF);
  int threads = 0;
  for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(s.pid()) + "/task")) {
    const auto st = status_of(t.path().string());
    SCOPED_TRACE(t.path().string() + " (" + st.at("Name") + ")");
    EXPECT_EQ(std::stoull(st.at("CapEff"), nullptr, 16), keep);
    EXPECT_EQ(std::stoull(st.at("CapPrm"), nullptr, 16), keep);
    EXPECT_EQ(std::stoull(st.at("CapBnd"), nullptr, 16), keep);
    EXPECT_EQ(std::stoull(st.at("CapInh"), nullptr, 16), 0u);
    EXPECT_EQ(std::stoull(st.at("CapAmb"), nullptr, 16), 0u);
    EXPECT_EQ(st.at("NoNewPrivs"), "1");
    threads++;
  }
  EXPECT_GE(threads, 2);
  // Still at work: another user's exec, seen and hashed (its image read
  // through /proc/<pid>/exe, behind the ptrace check the sensor kept).
  const pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(126);
    execl("/bin/true", "true", "nj-privileges-nobody", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(status, 0);
  const json e = s.wait_for([&](const json& ev) { return is_exec(ev, child); }, 10000);
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(get(e, "process.user.id"), "65534");
  EXPECT_TRUE(has(e, "process.hash.sha256")) << e.dump();
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
  EXPECT_EQ(s.stderr_text().find("could not give up"), std::string::npos) << s.stderr_text();
}

}  // namespace
}  // namespace nj::e2e
