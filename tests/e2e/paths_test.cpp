// Paths the kernel's dentry walk cannot finish (too long, too deep, longer
// than PATH_MAX) and directories removed under a process: what the output
// says must never read like a whole, live path when it is not one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness.h"

namespace nj::e2e {
namespace {

namespace fs = std::filesystem;

// `sh -c SCRIPT`, whose shell prints its pid and then execs: the pid of the
// exec event.
long run_sh(const std::string& script) {
  Command c = run_command({"/bin/sh", "-c", "echo $$; " + script});
  EXPECT_EQ(c.status, 0) << c.err;
  return std::stol(c.out);
}

// The exec the shell of run_sh ends with (not its own).
json exec_of(SensorProcess& s, long pid) {
  json e = s.wait_for([&](const json& x) { return is_exec(x, pid) && x["process"]["name"] != "sh"; });
  EXPECT_FALSE(e.is_null()) << "no exec event for pid " << pid;
  return e;
}

// A directory chain under `root`: `levels` names of `width` bytes.
std::string make_chain(const std::string& root, int levels, size_t width) {
  std::string p = root;
  for (int i = 0; i < levels; i++) p += "/" + std::string(width - 2, 'd') + std::to_string(i % 10) + "x";
  fs::create_directories(p);
  return p;
}

class Paths : public ::testing::Test {
 protected:
  void SetUp() override { root_ = temp_dir(); }
  void TearDown() override {
    // rm copes with trees deeper than PATH_MAX; std::filesystem may not.
    run_command({"/bin/rm", "-rf", root_});
    if (sensor_) {
      EXPECT_EQ(sensor_->stop(), 0) << sensor_->stderr_text();
      expect_schema_valid(sensor_->output_path());
    }
  }
  SensorProcess& sensor() {
    if (!sensor_) sensor_ = std::make_unique<SensorProcess>(std::vector<std::string>{});
    return *sensor_;
  }
  std::string root_;
  std::unique_ptr<SensorProcess> sensor_;
};

// 3,999 bytes: legal (under PATH_MAX), walked whole by the kernel, hashed.
TEST_F(Paths, ExecutableAtALongPathIsReportedWhole) {
  std::string dir = make_chain(root_, 19, 200);
  ASSERT_LT(3999 - dir.size() - 6, 255u);
  dir += "/" + std::string(3999 - dir.size() - 6, 'e');
  fs::create_directories(dir);
  const std::string exe = dir + "/true";
  ASSERT_EQ(exe.size(), 3999u);
  fs::copy_file("/bin/true", exe);
  SensorProcess& s = sensor();
  json e = exec_of(s, run_sh("exec " + exe));
  EXPECT_EQ(e["process"]["executable"], exe);
  EXPECT_FALSE(e["nightjar"]["exe"].contains("path_truncated"));
  EXPECT_EQ(e["process"]["hash"]["sha256"], sha256_of("/bin/true"));
}

// Deeper than the kernel's walk goes (NJ_PATH_DEPTH): completed in user
// space from what it can check -- the name passed to exec, the process's
// /proc links -- and hashed.
TEST_F(Paths, ExecutableAndCwdDeeperThanTheWalkAreCompleted) {
  const std::string dir = make_chain(root_, 100, 3);
  fs::copy_file("/bin/sleep", dir + "/sleep");
  SensorProcess& s = sensor();
  // By absolute name (the name completes it), then by a relative name from
  // the deep directory (the process's /proc links do, while it sleeps).
  json a = exec_of(s, run_sh("exec " + dir + "/sleep 0"));
  EXPECT_EQ(a["process"]["executable"], dir + "/sleep");
  EXPECT_FALSE(a["nightjar"]["exe"].contains("path_truncated"));
  EXPECT_EQ(a["process"]["hash"]["sha256"], sha256_of("/bin/sleep"));
  json b = exec_of(s, run_sh("cd " + dir + " && exec ./sleep 1"));
  EXPECT_EQ(b["process"]["executable"], dir + "/sleep");
  EXPECT_EQ(b["process"]["working_directory"], dir);
  EXPECT_FALSE(b["nightjar"].contains("working_directory_truncated"));
  EXPECT_FALSE(b["nightjar"]["exe"].contains("path_truncated"));
}

// The packaged unit's case: ProtectSystem= and PrivateTmp= give the sensor a
// mount namespace of its own, a copy of the host's in which no other process
// lives. The process is in PID 1's, the host's: its links are completed all
// the same. Needs PID 1's namespace readable and this test's own (a sandbox
// whose PID 1 root may not inspect cannot say which namespace is the host's;
// the kernel matrix's VMs can).
TEST_F(Paths, CompletedForTheHostWhenTheSensorHasAMountNamespaceOfItsOwn) {
  char pid1[64] = {}, mine[64] = {};
  if (::readlink("/proc/1/ns/mnt", pid1, sizeof(pid1) - 1) <= 0)
    GTEST_SKIP() << "PID 1's mount namespace cannot be read here: " << std::strerror(errno);
  ASSERT_GT(::readlink("/proc/self/ns/mnt", mine, sizeof(mine) - 1), 0);
  if (std::string(pid1) != mine) GTEST_SKIP() << "this test does not run in PID 1's mount namespace";
  const std::string dir = make_chain(root_, 100, 3);
  fs::copy_file("/bin/sleep", dir + "/sleep");
  // The sensor starts in a new mount namespace (receiving the host's mounts,
  // as systemd's are); this test goes back to the host's.
  const int host = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(host, 0);
  ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
  ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr), 0) << std::strerror(errno);
  SensorProcess& s = sensor();
  ASSERT_EQ(::setns(host, CLONE_NEWNS), 0) << std::strerror(errno);
  ::close(host);
  char sensor_ns[64] = {};
  ASSERT_GT(::readlink(("/proc/" + std::to_string(s.pid()) + "/ns/mnt").c_str(), sensor_ns, sizeof(sensor_ns) - 1), 0);
  ASSERT_NE(std::string(sensor_ns), pid1);
  json e = exec_of(s, run_sh("cd " + dir + " && exec ./sleep 1"));
  EXPECT_EQ(e["process"]["working_directory"], dir);
  EXPECT_FALSE(e["nightjar"].contains("working_directory_truncated"));
  EXPECT_EQ(e["process"]["executable"], dir + "/sleep");
  EXPECT_FALSE(e["nightjar"]["exe"].contains("path_truncated"));
}

// Longer than PATH_MAX (made one relative step at a time, which no shell's
// cd does): nothing can name it whole, so the output shows a marked tail,
// never a path that looks real.
TEST_F(Paths, BeyondPathMaxIsAMarkedTail) {
  const std::string step(250, 'p');
  SensorProcess& s = sensor();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (chdir(root_.c_str()) != 0) _exit(10);
    for (int i = 0; i < 20; i++)
      if (mkdir(step.c_str(), 0755) != 0 || chdir(step.c_str()) != 0) _exit(11);
    std::error_code ec;
    fs::copy_file("/bin/true", "true", ec);
    if (ec) _exit(12);
    execl("./true", "true", nullptr);
    _exit(13);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_EQ(status, 0);
  json e = s.wait_for([&](const json& x) { return is_exec(x, pid); });
  ASSERT_FALSE(e.is_null());
  const std::string exe = e["process"]["executable"];
  const std::string cwd = e["process"]["working_directory"];
  EXPECT_EQ(exe.rfind(".../", 0), 0u) << exe;
  EXPECT_EQ(cwd.rfind(".../", 0), 0u) << cwd;
  EXPECT_NE(exe.find("/" + step + "/true"), std::string::npos);
  EXPECT_EQ(e["nightjar"]["exe"]["path_truncated"], true);
  EXPECT_EQ(e["nightjar"]["working_directory_truncated"], true);
}

TEST_F(Paths, RemovedWorkingDirectoryIsMarked) {
  const std::string dir = root_ + "/gone";
  SensorProcess& s = sensor();
  json e = exec_of(s, run_sh("mkdir " + dir + " && cd " + dir + " && rmdir " + dir + " && exec /bin/true"));
  EXPECT_EQ(e["process"]["working_directory"], dir + " (deleted)");
}

}  // namespace
}  // namespace nj::e2e
