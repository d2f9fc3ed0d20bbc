// io_uring file requests, end to end: their submission on every backend,
// what they do inside the VFS on kprobe and fentry (file_fixture.h).
#include "file_fixture.h"

namespace nj::e2e::file_e2e {
namespace {

// A file created through io_uring runs no open syscall: the submit
// tracepoint (every backend) reports the request, without its path.
TEST_P(FileEvents, IoUringFileRequestIsReported) {
  ACT(a, "io_uring_openat", dir_);
  const long pid = a["pid"];
  WAIT(
      e,
      [&](const json& x) {
        return x["event"]["action"] == "io_uring" && x.contains("process") && x["process"].value("pid", 0L) == pid;
      },
      "the io_uring event of pid " + std::to_string(pid));
  EXPECT_EQ(get(e, "event.category"), json::array({"file"}));
  EXPECT_EQ(get(e, "event.type"), json::array({"change"}));
  EXPECT_EQ(get(e, "event.outcome"), "success");
  EXPECT_EQ(get(e, "nightjar.file.io_uring.opcode"), "OPENAT");
  EXPECT_EQ(get(e, "nightjar.file.io_uring.sq_thread"), false);
  EXPECT_EQ(get(e, "process.name"), "nj-actions");
  EXPECT_FALSE(e.contains("file")) << "what the request acts on is not known";
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  EXPECT_TRUE(fs::exists(std::string(a["path"]))) << "the request really created the file";
  for (const json& c : all_of("create", pid, a["path"], 0))
    EXPECT_FALSE(has(c, "nightjar.syscall")) << "no open syscall ran: " << c.dump();
}

// io_uring requests run no syscall. On kprobe and fentry the VFS hooks they
// do reach report what they did, like the syscalls' events but with
// io_uring in place of the syscall and the outcome unknown, where the
// ring's workers are the process's threads (v5.12; before, kernel threads:
// not reported). The
// tracepoint backend sees only their submission. Each step is one event.
TEST_P(FileEvents, IoUringRequestsSeenInsideTheVfs) {
  ACT(a, "io_uring_files", dir_);
  const long pid = a["pid"];
  const std::string d = a["dir"], file = a["file"], ino = std::to_string(a["file_ino"].get<long long>());
  if (!uring_seen(a)) {
    for (const char* path : {"dir", "file", "sym", "hard", "other"})
      for (const json& c : all_of("create", pid, a[path], 0)) EXPECT_TRUE(has(c, "nightjar.syscall")) << c.dump();
    EXPECT_TRUE(all_of("delete", pid, a["other"], 0).empty());
    return;
  }
  // The event of one step, the only one of its kind for its path.
  auto one = [&](const std::string& action, const std::string& path) {
    json e = find(action, pid, path);
    if (e.is_null()) {
      ADD_FAILURE() << "no " << describe(action, pid, path);
      return e;
    }
    expect_common(e, pid, "unknown");
    EXPECT_FALSE(has(e, "nightjar.syscall")) << e.dump();
    EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), true) << "creating requests go to the ring's workers";
    EXPECT_FALSE(has(e, "nightjar.file.path_as_passed"));
    EXPECT_EQ(all_of(action, pid, path).size(), 1u) << action << " " << path;
    return e;
  };
  if (a.contains("mkdirat")) {
    json m = one("create", d);
    expect_path(m, d, dir_, "uring-dir", "");
    EXPECT_EQ(get(m, "file.type"), "dir");
    EXPECT_TRUE(has(m, "nightjar.file.requested_mode"));
  }
  json o = one("create", file);
  expect_path(o, file, d, "new.txt", "txt");
  EXPECT_EQ(get(o, "file.type"), "file");
  EXPECT_EQ(get(o, "file.inode"), ino);
  EXPECT_EQ(get(o, "file.mode"), "0600");
  EXPECT_EQ(get(o, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_LARGEFILE"}));
  EXPECT_FALSE(has(o, "nightjar.file.requested_mode")) << "the VFS does not say the mode asked for";
  if (!a.contains("symlinkat")) return;
  json s = one("create", a["sym"]);
  EXPECT_EQ(get(s, "file.type"), "symlink");
  EXPECT_EQ(get(s, "file.target_path"), "new.txt");
  json l = one("create", a["hard"]);
  EXPECT_EQ(get(l, "file.target_path"), file);
  EXPECT_FALSE(has(l, "nightjar.file.target_path_as_passed"));
  EXPECT_EQ(get(l, "file.inode"), ino) << "the existing file's identity";
  one("create", a["other"]);
  json r = one("rename", a["other"]);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), a["hard"]);
  EXPECT_EQ(get(r, "file.inode"), ino);
  EXPECT_EQ(get(r, "nightjar.file.replaced.inode"), std::to_string(a["other_ino"].get<long long>()));
  json u = one("delete", a["other"]);
  EXPECT_EQ(get(u, "file.type"), "file");
  EXPECT_EQ(get(u, "file.inode"), ino);
  one("delete", a["sym"]);
  one("delete", file);
  json rd = one("delete", d);
  EXPECT_EQ(get(rd, "file.type"), "dir");
}

// overlayfs where the kernel has it as a module not loaded yet (the matrix
// VMs: their initramfs carries the module file, and no modprobe).
bool load_overlay_module() {
  utsname u{};
  if (uname(&u)) return false;
  for (const char* ext : {".ko", ".ko.xz", ".ko.zst"}) {
    const std::string path = std::string("/lib/modules/") + u.release + "/kernel/fs/overlayfs/overlay" + ext;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const unsigned flags = std::string(ext) == ".ko" ? 0 : 4;  // MODULE_INIT_COMPRESSED_FILE
    const long r = syscall(SYS_finit_module, fd, "", flags);
    close(fd);
    return r == 0 || errno == EEXIST;
  }
  return false;
}

// overlayfs (a container's root) opens the real file beneath the one named,
// in the same thread: that inner open is not a second event, neither as
// the upper layer's path (v6.8+) nor as a modify of the named path.
TEST_P(FileEvents, IoUringOpenInAnOverlayIsOneEvent) {
  if (backend() == "tracepoint") GTEST_SKIP() << "io_uring requests are seen inside the VFS on kprobe and fentry";
  const std::string lower = dir_ + "/lower", upper = dir_ + "/upper", work = dir_ + "/work", merged = dir_ + "/merged";
  for (const std::string& d : {lower, upper, work, merged}) fs::create_directories(d);
  const std::string opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  int r = mount("overlay", merged.c_str(), "overlay", 0, opts.c_str());
  if (r != 0 && errno == ENODEV && load_overlay_module())
    r = mount("overlay", merged.c_str(), "overlay", 0, opts.c_str());
  if (r != 0) GTEST_SKIP() << "no overlayfs here: " << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{merged};
  ACT(a, "io_uring_openat", merged);
  if (!uring_seen(a)) GTEST_SKIP() << "the ring's workers are kernel threads here";
  const long pid = a["pid"];
  const std::string path = a["path"], real = upper + "/uring-created.txt";
  FIND(e, "create", pid, path);
  EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), true);
  EXPECT_EQ(all_of("create", pid, path).size(), 1u);
  EXPECT_TRUE(all_of("modify", pid, path, 0).empty());
  EXPECT_TRUE(all_of("create", pid, real, 0).empty());
  EXPECT_TRUE(all_of("modify", pid, real, 0).empty());
}

// A watched file read through io_uring: the read is reported (kprobe,
// fentry), tagged by its rule. Its dentry is cached, so io_uring_enter
// opens it inline, without a worker: recognised by the syscall the thread
// is in, which needs v5.15.
TEST_P(FileEvents, IoUringReadOfAWatchedFile) {
  const std::string watched = base().dir + "/watched";
  ACT(a, "io_uring_read", watched);
  const long pid = a["pid"];
  const std::string path = a["path"];
  if (backend() == "tracepoint" || !kernel_names_syscall()) {
    if (backend() == "tracepoint") {
      EXPECT_TRUE(all_of("read", pid, path).empty());
    }
    fs::remove(path);
    return;
  }
  FIND(e, "read", pid, path);
  expect_common(e, pid, "unknown");
  EXPECT_EQ(get(e, "nightjar.file.tags"), json::array({"nj-watched"}));
  EXPECT_EQ(get(e, "nightjar.file.io_uring.worker"), false);
  EXPECT_EQ(get(e, "nightjar.file.open_flags"), json::array({"O_RDONLY", "O_LARGEFILE"}))
      << "without the O_NONBLOCK io_uring adds (O_CLOEXEC is the descriptor's, not the file's)";
  EXPECT_FALSE(has(e, "nightjar.syscall"));
  EXPECT_EQ(all_of("read", pid, path).size(), 1u);
  fs::remove(path);
}

}  // namespace
}  // namespace nj::e2e::file_e2e
