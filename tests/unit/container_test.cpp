#include "enrich/container.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"

using namespace nj;

namespace {

const std::string kId = "3f2c9a1b7e4d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f";
const std::string kId2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Case {
  std::string path;
  std::optional<std::string> id;  // nullopt: not a container
  std::string runtime;
  std::optional<std::string> unit;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.path; }

class CgroupCase : public ::testing::TestWithParam<Case> {};

TEST_P(CgroupCase, ContainerAndUnit) {
  const Case& c = GetParam();
  auto info = container_from_cgroup(c.path);
  if (c.id) {
    ASSERT_TRUE(info) << c.path;
    EXPECT_EQ(info->id, *c.id);
    EXPECT_EQ(info->runtime, c.runtime);
  } else {
    EXPECT_FALSE(info) << c.path << " -> " << info->runtime << " " << info->id;
  }
  EXPECT_EQ(systemd_unit_from_cgroup(c.path), c.unit);
}

const std::string kPod = "kubepods-burstable-pod7c2a0c6e_2f4b_4d8e_9a1c_3b5d7e9f1a2c.slice";

INSTANTIATE_TEST_SUITE_P(
    RealWorld, CgroupCase,
    ::testing::Values(
        // docker, systemd and cgroupfs drivers, docker-in-docker
        Case{"/system.slice/docker-" + kId + ".scope", kId, "docker", "docker-" + kId + ".scope"},
        Case{"/docker/" + kId, kId, "docker", std::nullopt},
        Case{"/docker/" + kId + "/docker/" + kId2, kId2, "docker", std::nullopt},
        Case{"/system.slice/docker-" + kId + ".scope/init.scope", kId, "docker", "init.scope"},
        Case{"/system.slice/docker.service", std::nullopt, "", "docker.service"},
        // containerd via CRI, with the pod slices kubelet's systemd driver makes
        Case{"/system.slice/cri-containerd-" + kId + ".scope", kId, "containerd", "cri-containerd-" + kId + ".scope"},
        Case{"/kubepods.slice/kubepods-burstable.slice/" + kPod + "/cri-containerd-" + kId + ".scope", kId,
             "containerd", "cri-containerd-" + kId + ".scope"},
        Case{"/kubepods.slice/kubepods-burstable.slice/" + kPod, std::nullopt, "", std::nullopt},
        // kubelet's cgroupfs driver: the runtime is not in the path
        Case{"/kubepods/burstable/pod7c2a0c6e-2f4b-4d8e-9a1c-3b5d7e9f1a2c/" + kId, kId, "kubepods", std::nullopt},
        Case{"/kubepods/pod7c2a0c6e-2f4b-4d8e-9a1c-3b5d7e9f1a2c/" + kId, kId, "kubepods", std::nullopt},
        Case{"/pod/" + kId, std::nullopt, "", std::nullopt},
        // cri-o; its conmon monitor runs outside the container
        Case{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" + kId + ".scope", kId,
             "cri-o", "crio-" + kId + ".scope"},
        Case{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-conmon-" + kId + ".scope",
             std::nullopt, "", "crio-conmon-" + kId + ".scope"},
        // podman, rootful and rootless, and its conmon
        Case{"/machine.slice/libpod-" + kId + ".scope", kId, "podman", "libpod-" + kId + ".scope"},
        Case{"/machine.slice/libpod-" + kId + ".scope/container", kId, "podman", "libpod-" + kId + ".scope"},
        Case{"/machine.slice/libpod-conmon-" + kId + ".scope", std::nullopt, "", "libpod-conmon-" + kId + ".scope"},
        Case{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope", kId, "podman",
             "libpod-" + kId + ".scope"},
        Case{"/libpod_parent/libpod-" + kId, kId, "podman", std::nullopt},
        // systemd-nspawn, as a service and as a registered machine scope
        Case{"/machine.slice/systemd-nspawn@debian.service", "debian", "systemd-nspawn",
             "systemd-nspawn@debian.service"},
        Case{"/machine.slice/systemd-nspawn@my\\x2dbox.service/payload/system.slice/sshd.service", "my-box",
             "systemd-nspawn", "sshd.service"},
        Case{"/machine.slice/machine-fedora.scope", "fedora", "systemd-nspawn", "machine-fedora.scope"},
        Case{"/machine.slice/machine-my\\x2dbox.scope/payload", "my-box", "systemd-nspawn", "machine-my\\x2dbox.scope"},
        Case{"/machine.slice/machine-lxc\\x2d1234\\x2dweb.scope", "1234-web", "libvirt-lxc",
             "machine-lxc\\x2d1234\\x2dweb.scope"},
        // a libvirt LXC scope without a guest name (found by fuzzing) is no container
        Case{"/machine.slice/machine-lxc\\x2d.scope", std::nullopt, "", "machine-lxc\\x2d.scope"},
        // a libvirt VM's qemu process is a host process
        Case{"/machine.slice/machine-qemu\\x2d1\\x2dwin10.scope/libvirt/emulator", std::nullopt, "",
             "machine-qemu\\x2d1\\x2dwin10.scope"},
        // machine- and nspawn names only count under machine.slice
        Case{"/system.slice/machine-foo.scope", std::nullopt, "", "machine-foo.scope"},
        // LXC 4+; the monitor is not in the container
        Case{"/lxc.payload.web01", "web01", "lxc", std::nullopt},
        Case{"/lxc.payload.web01/system.slice/nginx.service", "web01", "lxc", "nginx.service"},
        Case{"/lxc.monitor.web01", std::nullopt, "", std::nullopt},
        Case{"/lxc.payload.", std::nullopt, "", std::nullopt},
        // innermost container wins: docker inside an LXC container
        Case{"/lxc.payload.web01/system.slice/docker-" + kId + ".scope", kId, "docker", "docker-" + kId + ".scope"},
        // not containers: bad ids
        Case{"/system.slice/docker-" + kId.substr(1) + ".scope", std::nullopt, "",
             "docker-" + kId.substr(1) + ".scope"},
        Case{"/docker/" + kId.substr(1), std::nullopt, "", std::nullopt},
        Case{"/docker/" + kId + "0", std::nullopt, "", std::nullopt},
        Case{"/system.slice/docker-" + std::string(64, 'G') + ".scope", std::nullopt, "",
             "docker-" + std::string(64, 'G') + ".scope"},
        Case{"/system.slice/docker-" + kId + ".scope.bak", std::nullopt, "", std::nullopt},
        // host processes
        Case{"/", std::nullopt, "", std::nullopt}, Case{"", std::nullopt, "", std::nullopt},
        Case{"/init.scope", std::nullopt, "", "init.scope"}, Case{"/system.slice", std::nullopt, "", std::nullopt},
        Case{"/user.slice/user-1000.slice", std::nullopt, "", std::nullopt},
        Case{"/system.slice/sshd.service", std::nullopt, "", "sshd.service"},
        Case{"/system.slice/system-getty.slice/getty@tty1.service", std::nullopt, "", "getty@tty1.service"},
        Case{"/user.slice/user-1000.slice/session-2.scope", std::nullopt, "", "session-2.scope"},
        Case{"/user.slice/user-1000.slice/user@1000.service", std::nullopt, "", "user@1000.service"},
        Case{"/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope", std::nullopt, "",
             "app-gnome-firefox-4242.scope"},
        Case{"/system.slice/foo.service/worker", std::nullopt, "", "foo.service"},
        Case{"/system.slice/.service", std::nullopt, "", std::nullopt}));

class ReadCgroup : public ::testing::Test {
 protected:
  void put(int pid, const std::string& text) {
    std::filesystem::create_directories(root_ / std::to_string(pid));
    std::ofstream(root_ / std::to_string(pid) / "cgroup") << text;
  }
  njt::TempDir tmp_{"cgroup"};
  const std::filesystem::path root_ = tmp_.path();
};

TEST_F(ReadCgroup, UnifiedLine) {
  put(42, "0::/system.slice/sshd.service\n");
  EXPECT_EQ(read_cgroup_path(42, root_.string()), "/system.slice/sshd.service");
}

TEST_F(ReadCgroup, HybridHierarchy) {
  // cgroup v1 controllers plus the unified hierarchy; only "0::" counts.
  put(43,
      "12:pids:/user.slice/user-1000.slice/session-2.scope\n"
      "1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
      "0::/user.slice/user-1000.slice/session-2.scope\n");
  EXPECT_EQ(read_cgroup_path(43, root_.string()), "/user.slice/user-1000.slice/session-2.scope");
  put(44, "0::/\n");
  EXPECT_EQ(read_cgroup_path(44, root_.string()), "/");
}

TEST_F(ReadCgroup, AbsentLineOrProcess) {
  put(45, "4:memory:/docker/abc\n1:name=systemd:/docker/abc\n");
  EXPECT_EQ(read_cgroup_path(45, root_.string()), "");
  EXPECT_EQ(read_cgroup_path(46, root_.string()), "");
  put(47, "");
  EXPECT_EQ(read_cgroup_path(47, root_.string()), "");
}

TEST(ReadCgroupSelf, RealProc) {
  // Whatever this machine runs, the call works and a v2 host gives a path.
  std::string p = read_cgroup_path(::getpid());
  if (std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers")) {
    ASSERT_FALSE(p.empty());
    EXPECT_EQ(p[0], '/');
  }
}

}  // namespace
