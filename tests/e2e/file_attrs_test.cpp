// File events that change what a file is rather than where: truncate,
// chattr, fallocate, chmod, chown, times, xattrs, memfd (file_fixture.h).
#include "file_fixture.h"

namespace nj::e2e::file_e2e {
namespace {

// ---------------------------------------------------------------------------
// truncate, ftruncate.

TEST_P(FileEvents, TruncateByPathAndByFd) {
  ACT(a, "file-truncate", dir_);
  FIND(t, "modify", a["pid"], a["truncate_path"], "truncate");
  expect_common(t, a["pid"]);
  EXPECT_EQ(get(t, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(t, "nightjar.file.length"), 3);
  expect_path_identity(t, "vfs_truncate");
  FIND(f, "modify", a["pid"], a["ftruncate_path"], "ftruncate");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "nightjar.file.length"), 7);
  expect_identity(f, a, "ftruncate");
  // The open for writing before it is an event of its own, and a
  // ftruncate is never folded into it.
  FIND(o, "modify", a["pid"], a["ftruncate_path"], "openat");
  EXPECT_EQ(get(o, "nightjar.file.open_flags"), json::array({"O_RDWR"}));
}

// chattr: the inode flags set through either ioctl, with the immutable and
// append-only bits spelled out the same way for both; and a refusal (uid
// 65534 lacks CAP_LINUX_IMMUTABLE, even on its own file).
TEST_P(FileEvents, Chattr) {
  ACT(a, "file-chattr", dir_);
  // The refusal came last: what came before it has arrived.
  FIND(d, "chattr", a["denied_pid"], a["denied_path"], "ioctl");
  expect_common(d, a["denied_pid"], "failure");
  EXPECT_EQ(get(d, "error.code"), "EPERM");
  EXPECT_EQ(get(d, "process.user.id"), "65534");
  EXPECT_EQ(get(d, "file.uid"), "65534");
  EXPECT_EQ(get(d, "nightjar.file.ioctl"), "FS_IOC_SETFLAGS");
  EXPECT_EQ(get(d, "nightjar.file.inode_flags"), json::array({"FS_IMMUTABLE_FL"}));
  EXPECT_EQ(get(d, "nightjar.file.immutable"), true);
  EXPECT_EQ(get(d, "nightjar.file.append_only"), false);

  auto events = all_of("chattr", a["pid"], a["path"]);
  const size_t want = a["file_setattr"] == 1 ? 6 : 4;
  if (events.size() < want && lost_since_setup()) GTEST_SKIP() << "inconclusive: the sensor lost records meanwhile";
  ASSERT_EQ(events.size(), want) << "set and cleared through each ioctl (and file_setattr where the kernel has it)";
  std::map<std::pair<std::string, bool>, json> by;  // (ioctl or syscall, immutable)
  for (const json& e : events) {
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    expect_path(e, a["path"], dir_, "chattr.txt", "txt");
    if (get(e, "nightjar.syscall") == "file_setattr") {
      // By path: no identity, and the flags asked for.
      expect_no_identity(e);
      EXPECT_FALSE(has(e, "nightjar.file.ioctl"));
      by[{"file_setattr", get(e, "nightjar.file.immutable")}] = e;
      continue;
    }
    EXPECT_EQ(get(e, "nightjar.syscall"), "ioctl");
    expect_identity(e, a, "obj");
    by[{get(e, "nightjar.file.ioctl"), get(e, "nightjar.file.immutable")}] = e;
  }
  auto popcount = [](const json& n) { return static_cast<size_t>(__builtin_popcount(n.get<unsigned>())); };
  const json& set = by[{"FS_IOC_SETFLAGS", true}];
  ASSERT_FALSE(set.is_null()) << "chattr +ia";
  EXPECT_EQ(get(set, "nightjar.file.append_only"), true);
  const json flags = get(set, "nightjar.file.inode_flags");
  EXPECT_EQ(flags.size(), popcount(a["set_flags"])) << flags.dump();
  EXPECT_NE(std::find(flags.begin(), flags.end(), "FS_IMMUTABLE_FL"), flags.end()) << flags.dump();
  EXPECT_NE(std::find(flags.begin(), flags.end(), "FS_APPEND_FL"), flags.end()) << flags.dump();
  const json& cleared = by[{"FS_IOC_SETFLAGS", false}];
  ASSERT_FALSE(cleared.is_null()) << "chattr -ia";
  EXPECT_EQ(get(cleared, "nightjar.file.append_only"), false);
  EXPECT_EQ(get(cleared, "nightjar.file.inode_flags").size(), popcount(a["orig_flags"]));
  const json& xset = by[{"FS_IOC_FSSETXATTR", true}];
  ASSERT_FALSE(xset.is_null()) << "FS_XFLAG_IMMUTABLE set";
  const json xflags = get(xset, "nightjar.file.inode_flags");
  EXPECT_EQ(xflags.size(), popcount(a["set_xflags"])) << xflags.dump();
  EXPECT_NE(std::find(xflags.begin(), xflags.end(), "FS_XFLAG_IMMUTABLE"), xflags.end()) << xflags.dump();
  const json& xcleared = by[{"FS_IOC_FSSETXATTR", false}];
  ASSERT_FALSE(xcleared.is_null()) << "FS_XFLAG_IMMUTABLE cleared";
  EXPECT_EQ(get(xcleared, "nightjar.file.inode_flags").size(), popcount(a["orig_xflags"]));
  if (want == 4) return;
  const json& fset = by[{"file_setattr", true}];
  ASSERT_FALSE(fset.is_null()) << "file_setattr FS_XFLAG_IMMUTABLE";
  const json fflags = get(fset, "nightjar.file.inode_flags");
  EXPECT_EQ(fflags.size(), popcount(a["set_xflags"])) << fflags.dump();
  EXPECT_NE(std::find(fflags.begin(), fflags.end(), "FS_XFLAG_IMMUTABLE"), fflags.end()) << fflags.dump();
  const json& fcleared = by[{"file_setattr", false}];
  EXPECT_FALSE(fcleared.is_null()) << "file_setattr back";
}

// Space allocated, and a hole punched (data destroyed without a write).
TEST_P(FileEvents, FallocateAllocatesAndPunchesHoles) {
  ACT(a, "file-fallocate", dir_);
  FIND(f, "modify", a["pid"], a["path"], "fallocate");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(f, "nightjar.file.offset"), 4096);
  EXPECT_EQ(get(f, "nightjar.file.length"), 8192);
  EXPECT_EQ(get(f, "nightjar.file.fallocate_mode"), json::array({"FALLOC_FL_ALLOCATE_RANGE"}));
  expect_identity(f, a, "fd");
  FIND(p, "modify", a["pid"], a["punch_path"], "fallocate");
  EXPECT_EQ(get(p, "nightjar.file.offset"), 2);
  EXPECT_EQ(get(p, "nightjar.file.length"), 8);
  EXPECT_EQ(get(p, "nightjar.file.fallocate_mode"), json::array({"FALLOC_FL_KEEP_SIZE", "FALLOC_FL_PUNCH_HOLE"}));
  expect_identity(p, a, "punch");
}

// ---------------------------------------------------------------------------
// chmod family.

TEST_P(FileEvents, ChmodSetuid) {
  ACT(a, "file-chmod", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "chmod");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  expect_path(e, a["path"], dir_, "chmod.bin", "bin");
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "4755");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid"}));
  expect_path_identity(e, "security_path_chmod");
}

TEST_P(FileEvents, FchmodSetgid) {
  ACT(a, "file-fchmod", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmod");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "2750");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setgid"}));
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "file.type"), "file");
  EXPECT_EQ(get(e, "file.mode"), "2750") << "the file as the exit saw it";
  EXPECT_FALSE(has(e, "nightjar.file.unlinked"));
}

TEST_P(FileEvents, FchmodatSticky) {
  ACT(a, "file-fchmodat", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmodat");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "1777");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"sticky"}));
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "shared");
  expect_path_identity(e, "security_path_chmod");
}

TEST_P(FileEvents, Fchmodat2) {
  ACT(a, "file-fchmodat2", dir_);
  FIND(e, "chmod", a["pid"], a["path"], "fchmodat2");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "6711");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid", "setgid"}));
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "fchmodat2.txt");
}

// ---------------------------------------------------------------------------
// chown family.

TEST_P(FileEvents, ChownAndLchown) {
  ACT(a, "file-chown", dir_);
  FIND(e, "chown", a["pid"], a["path"], "chown");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "nightjar.file.new_uid"), 65534);
  EXPECT_EQ(get(e, "nightjar.file.new_gid"), 65534);
  expect_path_identity(e, "security_path_chown");
  // -1: unchanged, so absent.
  FIND(l, "chown", a["pid"], a["lchown_path"], "lchown");
  expect_common(l, a["pid"]);
  EXPECT_EQ(get(l, "nightjar.file.new_uid"), 1);
  EXPECT_FALSE(has(l, "nightjar.file.new_gid"));
}

TEST_P(FileEvents, FchownAndFchownat) {
  ACT(a, "file-fchown", dir_);
  FIND(e, "chown", a["pid"], a["fchown_path"], "fchown");
  expect_common(e, a["pid"]);
  EXPECT_FALSE(has(e, "nightjar.file.new_uid"));
  EXPECT_EQ(get(e, "nightjar.file.new_gid"), 65534);
  expect_identity(e, a, "fchown");
  EXPECT_EQ(get(e, "file.gid"), "65534");
  FIND(at, "chown", a["pid"], a["fchownat_path"], "fchownat");
  expect_common(at, a["pid"]);
  EXPECT_EQ(get(at, "nightjar.file.new_uid"), 2);
  EXPECT_EQ(get(at, "nightjar.file.new_gid"), 3);
  EXPECT_EQ(get(at, "nightjar.file.path_as_passed"), "fchownat.txt");
}

// ---------------------------------------------------------------------------
// utime, utimes, futimesat, utimensat.

TEST_P(FileEvents, UtimeUtimesFutimesat) {
  ACT(a, "file-utime", dir_);
  FIND(u, "times", a["pid"], a["utime_path"], "utime");
  expect_common(u, a["pid"]);
  EXPECT_EQ(get(u, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(u, "nightjar.file.atime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(u, "nightjar.file.mtime"), "2001-09-09T01:46:40.000000000Z");
  expect_path_identity(u, "vfs_utimes");
  FIND(n, "times", a["pid"], a["utime_now_path"], "utime");
  EXPECT_EQ(get(n, "nightjar.file.atime"), "now");
  EXPECT_EQ(get(n, "nightjar.file.mtime"), "now");
  // Microseconds, as nanoseconds.
  FIND(s, "times", a["pid"], a["utimes_path"], "utimes");
  EXPECT_EQ(get(s, "nightjar.file.atime"), "2001-01-01T00:00:00.500000000Z");
  EXPECT_EQ(get(s, "nightjar.file.mtime"), "2001-01-01T00:00:01.000250000Z");
  FIND(f, "times", a["pid"], a["futimesat_path"], "futimesat");
  EXPECT_EQ(get(f, "nightjar.file.atime"), "2001-01-01T00:00:00.500000000Z");
  EXPECT_EQ(get(f, "nightjar.file.path_as_passed"), "futimesat.txt");
}

TEST_P(FileEvents, UtimensatAndFutimens) {
  ACT(a, "file-utimensat", dir_);
  FIND(e, "times", a["pid"], a["utimensat_path"], "utimensat");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "nightjar.file.atime"), "2001-01-01T00:00:00.123456789Z");
  EXPECT_EQ(get(e, "nightjar.file.mtime"), "unchanged") << "UTIME_OMIT";
  EXPECT_EQ(get(e, "nightjar.file.path_as_passed"), "utimensat.txt");
  expect_path_identity(e, "vfs_utimes");
  // utimensat(fd, NULL, NULL): futimens to now, the object is the fd.
  FIND(f, "times", a["pid"], a["futimens_path"], "utimensat");
  expect_common(f, a["pid"]);
  EXPECT_EQ(get(f, "nightjar.file.atime"), "now");
  EXPECT_EQ(get(f, "nightjar.file.mtime"), "now");
  expect_identity(f, a, "futimens");
}

// ---------------------------------------------------------------------------
// xattrs, memfd.

TEST_P(FileEvents, XattrSetAndRemoveByPathLinkAndFd) {
  ACT(a, "file-xattr", dir_);
  struct Case {
    const char* syscall;
    std::string path, name;
    const char* op;
    int size;  // -1: none (remove)
    bool by_fd;
  };
  const std::string path = a["path"], name = a["name"], link = a["link_path"], lname = a["link_name"],
                    fpath = a["fd_path"], fname = a["fd_name"];
  const Case cases[] = {
      {"setxattr", path, name, "set", 1, false},          {"lsetxattr", link, lname, "set", 2, false},
      {"fsetxattr", fpath, fname, "set", 3, true},        {"removexattr", path, name, "remove", -1, false},
      {"lremovexattr", link, lname, "remove", -1, false}, {"fremovexattr", fpath, fname, "remove", -1, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.syscall);
    FIND(e, "xattr", a["pid"], c.path, c.syscall);
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    EXPECT_EQ(get(e, "nightjar.file.xattr.name"), c.name);
    EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), c.op);
    if (c.size < 0) EXPECT_FALSE(has(e, "nightjar.file.xattr.size"));
    else EXPECT_EQ(get(e, "nightjar.file.xattr.size"), c.size);
    EXPECT_FALSE(has(e, "nightjar.file.xattr.file_capabilities"));
    if (c.by_fd) expect_identity(e, a, "fd");
    else
      expect_path_identity(e, std::string(c.syscall).find("remove") != std::string::npos ? "security_inode_removexattr"
                                                                                         : "security_inode_setxattr");
  }
}

// Linux 6.13's *xattrat, relative to a directory fd.
TEST_P(FileEvents, XattrSetAndRemoveRelativeToADirectoryFd) {
  ACT(a, "file-xattrat", dir_);
  for (const char* syscall : {"setxattrat", "removexattrat"}) {
    SCOPED_TRACE(syscall);
    const bool set = std::string(syscall) == "setxattrat";
    FIND(e, "xattr", a["pid"], a["path"], syscall);
    expect_common(e, a["pid"]);
    EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
    expect_path(e, a["path"], dir_, "xattrat.txt", "txt");
    EXPECT_EQ(get(e, "nightjar.file.xattr.name"), a["name"]);
    EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), set ? "set" : "remove");
    if (set) EXPECT_EQ(get(e, "nightjar.file.xattr.size"), a["size"]);
    else EXPECT_FALSE(has(e, "nightjar.file.xattr.size"));
    expect_path_identity(e, set ? "security_inode_setxattr" : "security_inode_removexattr");
  }
}

TEST_P(FileEvents, MemfdCreate) {
  ACT(a, "file-memfd", dir_);
  const std::string path = "/memfd:nj-file-memfd";
  json e = find("memfd", a["pid"], path, "memfd_create");
  expect_common(e, a["pid"]);
  EXPECT_EQ(get(e, "event.type"), json::array({"creation"}));
  // The anonymous file's own name, as /proc/<pid>/fd shows it (less its
  // " (deleted)").
  expect_path(e, path, "/", "memfd:nj-file-memfd", "");
  EXPECT_EQ(get(e, "file.type"), "file");
  expect_identity(e, a, "obj");
  EXPECT_EQ(get(e, "nightjar.file.memfd_flags"), json::array({"MFD_CLOEXEC", "MFD_ALLOW_SEALING"}));
}

}  // namespace
}  // namespace nj::e2e::file_e2e
