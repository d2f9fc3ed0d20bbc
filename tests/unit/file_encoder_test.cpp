// The file family's events through the real encoder, one action at a time,
// and the helpers that spell out flags and modes.
#include "families/file/encode.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/sysmacros.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "encoder_fixture.h"
#include "families/file/view.h"
#include "file_records.h"
#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;
using json = nlohmann::json;

namespace {

constexpr uint64_t kId = 0x0040000000000123ull;
using Names = std::vector<std::string>;

// The kernel's O_LARGEFILE (user space's is 0 on 64-bit, the kernel sets its
// own in every 64-bit open's f_flags).
#if defined(__aarch64__)
constexpr uint64_t kOLargefile = 0400000;
#else
constexpr uint64_t kOLargefile = 0100000;
#endif

// A file record as the BPF side sends it: the full test task, the fixture's time.
nj_file_create rec(uint16_t type, uint32_t syscall, int64_t retval, uint16_t nparts) {
  nj_file_create r = file_rec(type, kId, nparts, syscall, retval);
  r.hdr.ts_ns = kTs;
  r.op.task = full_task();
  return r;
}

// An object the kernel identified: /home/u/notes.txt on 8:3.
void known_object(nj_file_create& r, uint32_t mode = 0100644) {
  r.op.flags |= NJ_FILE_OBJ_KNOWN;
  r.op.obj.ino = 1234567;
  r.op.obj.dev = kdev(8, 3);
  r.op.obj.mode = mode;
  r.op.obj.uid = 1000;
  r.op.obj.gid = 1001;
  r.op.obj.nlink = 1;
  r.op.obj.fs_magic = EXT4_SUPER_MAGIC;
}

const json kNotesFile = {{"path", "/home/u/notes.txt"},
                         {"directory", "/home/u"},
                         {"name", "notes.txt"},
                         {"extension", "txt"},
                         {"type", "file"},
                         {"inode", "1234567"},
                         {"device", "8:3"},
                         {"mode", "0644"},
                         {"uid", "1000"},
                         {"gid", "1001"}};

}  // namespace

class FileEncoderTest : public EncoderTest {
 protected:
  // The parts that do not depend on the action.
  void expect_common(const json& j, const char* action, const char* type, const char* outcome, const char* syscall) {
    EXPECT_EQ(j["@timestamp"], ts(kTs));
    EXPECT_EQ(j["event"]["kind"], "event");
    EXPECT_EQ(j["event"]["category"], json({"file"}));
    EXPECT_EQ(j["event"]["type"], json({type}));
    EXPECT_EQ(j["event"]["action"], action);
    EXPECT_EQ(j["event"]["outcome"], outcome);
    EXPECT_EQ(j["event"]["id"], "0040000000000123");
    EXPECT_EQ(j["event"]["module"], "nightjar");
    expect_host(j);
    expect_task(j["process"], full_task());
    EXPECT_EQ(j["process"]["name"], "true");
    EXPECT_EQ(j["nightjar"]["backend"], "tracepoint");
    EXPECT_EQ(j["nightjar"]["event_id"], kId);
    EXPECT_EQ(j["nightjar"]["syscall"], syscall);
    EXPECT_EQ(j["nightjar"]["cgroup_id"], 8888);
    EXPECT_FALSE(j["nightjar"].contains("escaped_fields"));
    if (std::string(outcome) == "success") {
      EXPECT_FALSE(j.contains("error"));
    }
  }
};

// ---- one event per action ----

TEST_F(FileEncoderTest, CreateByOpen) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_OPENAT, 3, 1);
  known_object(r);
  r.op.args[0] = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  r.op.args[1] = 0644;
  json j = encode(file_event(r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"})}));
  expect_common(j, "create", "creation", "success", "openat");
  EXPECT_EQ(j["file"], kNotesFile);
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"open_flags", {"O_WRONLY", "O_CREAT", "O_EXCL", "O_CLOEXEC"}}, {"requested_mode", "0644"}}));
}

// O_TMPFILE carries O_DIRECTORY's bit: it is named once.
TEST_F(FileEncoderTest, OpenTmpfile) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_OPENAT, 3, 1);
  known_object(r, 0100600);
  r.op.args[0] = O_RDWR | O_TMPFILE;
  r.op.args[1] = 0600;
  json j = encode(file_event(r, {walked(kId, NJ_FF_PATH, {"tmp", "#1311 (deleted)"})}));
  expect_common(j, "create", "creation", "success", "openat");
  EXPECT_EQ(j["file"]["path"], "/tmp/#1311 (deleted)");
  EXPECT_EQ(j["file"]["mode"], "0600");
  // O_TMPFILE takes a mode as O_CREAT does.
  EXPECT_EQ(j["nightjar"]["file"], json({{"open_flags", {"O_RDWR", "O_TMPFILE"}}, {"requested_mode", "0600"}}));
}

// An io_uring OPENAT seen inside the VFS (kprobe, fentry): no syscall, the
// result not known, the mode asked for not known, the worker said.
TEST_F(FileEncoderTest, CreateByIoUringOpen) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_OPENAT, 0, 1);
  known_object(r);
  r.op.flags |= NJ_FILE_IO_URING | NJ_FILE_IO_WORKER;
  r.op.args[0] = O_WRONLY | O_CREAT | kOLargefile;
  json j = encode(file_event(r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"})}));
  EXPECT_EQ(j["event"]["outcome"], "unknown");
  EXPECT_FALSE(j["nightjar"].contains("syscall"));
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["file"], kNotesFile);
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"open_flags", {"O_WRONLY", "O_CREAT", "O_LARGEFILE"}}, {"io_uring", {{"worker", true}}}}));
}

// An io_uring RENAMEAT: both names come from the kernel's dentries (a
// directory walked and a name), so nothing is "as passed"; the hook saw
// the new name replace nothing.
TEST_F(FileEncoderTest, RenameByIoUring) {
  nj_file_create r = rec(NJ_REC_FILE_RENAME, NJ_SYS_RENAMEAT2, 0, 4);
  known_object(r);
  r.op.flags |= NJ_FILE_IO_URING;
  json j = encode(file_event(r, {walked(kId, NJ_FF_DIR, {"home", "u"}), str_bytes(kId, NJ_FF_NAME, 0, "old.txt"),
                                 walked(kId, NJ_FF_DIR2, {"home", "u"}), str_bytes(kId, NJ_FF_NAME2, 0, "notes.txt")}));
  EXPECT_EQ(j["event"]["outcome"], "unknown");
  EXPECT_FALSE(j["nightjar"].contains("syscall"));
  EXPECT_EQ(j["file"]["path"], "/home/u/notes.txt");
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"original", {{"path", "/home/u/old.txt"}, {"directory", "/home/u"}, {"name", "old.txt"}}},
                  {"rename_flags", json::array()},
                  {"io_uring", {{"worker", false}}}}));
}

// The entry was not seen: flags are the file's, and the event says so.
TEST_F(FileEncoderTest, ModifyByOpenEntryUnseen) {
  nj_file_create r = rec(NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT, 5, 1);
  known_object(r);
  r.op.flags |= NJ_FILE_NO_ENTER | NJ_FILE_PARTS_LOST;
  r.op.args[0] = O_WRONLY | O_APPEND | kOLargefile;
  json j = encode(file_event(r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"})}));
  expect_common(j, "modify", "change", "success", "openat");
  EXPECT_EQ(j["file"], kNotesFile);
  EXPECT_EQ(
      j["nightjar"]["file"],
      json({{"open_flags", {"O_WRONLY", "O_APPEND", "O_LARGEFILE"}}, {"entry_unseen", true}, {"parts_lost", true}}));
}

// A refused write to a watched file: the path as passed, the error.
TEST_F(FileEncoderTest, ModifyRefused) {
  nj_file_create r = rec(NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT, -13, 2);
  r.op.args[0] = O_WRONLY | O_TRUNC;
  json j =
      encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "../../etc/shadow"), walked(kId, NJ_FF_DIR, {"home", "u"})}));
  expect_common(j, "modify", "change", "failure", "openat");
  EXPECT_EQ(j["error"], json({{"code", "EACCES"}, {"message", "Permission denied"}}));
  EXPECT_EQ(j["file"], json({{"path", "/etc/shadow"}, {"directory", "/etc"}, {"name", "shadow"}}));
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"path_as_passed", "../../etc/shadow"}, {"open_flags", {"O_WRONLY", "O_TRUNC"}}}));
}

// A return value no syscall gives, the one whose negation overflows: the
// record still encodes, with the value's magnitude as the schema's E<n>
// (found by fuzz/encode_fuzz.cpp).
TEST_F(FileEncoderTest, FailureWithTheMostNegativeReturnValue) {
  nj_file_create r = rec(NJ_REC_FILE_MODIFY, NJ_SYS_OPENAT, INT64_MIN, 0);
  json j = encode(file_event(r, {}));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"], json({{"code", "E9223372036854775808"}, {"message", "Unknown error 9223372036854775808"}}));
}

TEST_F(FileEncoderTest, ModifyByTruncate) {
  nj_file_create r = rec(NJ_REC_FILE_MODIFY, NJ_SYS_TRUNCATE, 0, 1);
  r.op.args[0] = 4096;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/var/log/wtmp")}));
  expect_common(j, "modify", "change", "success", "truncate");
  EXPECT_EQ(j["file"], json({{"path", "/var/log/wtmp"}, {"directory", "/var/log"}, {"name", "wtmp"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"length", 4096}}));
}

TEST_F(FileEncoderTest, ModifyByFallocatePunchingAHole) {
  nj_file_create r = rec(NJ_REC_FILE_MODIFY, NJ_SYS_FALLOCATE, 0, 1);
  r.op.args[0] = 65536;
  r.op.args[1] = 0x03;  // FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE
  r.op.args[2] = 1ull << 33;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/var/log/wtmp")}));
  expect_common(j, "modify", "change", "success", "fallocate");
  EXPECT_EQ(j["nightjar"]["file"], json({{"offset", 1ll << 33},
                                         {"length", 65536},
                                         {"fallocate_mode", {"FALLOC_FL_KEEP_SIZE", "FALLOC_FL_PUNCH_HOLE"}}}));
  r.op.args[1] = 0;
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/var/log/wtmp")}));
  EXPECT_EQ(j["nightjar"]["file"]["fallocate_mode"], json({"FALLOC_FL_ALLOCATE_RANGE"}));
  r.op.args[1] = 0x103;  // a flag newer than the encoder
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/var/log/wtmp")}));
  EXPECT_EQ(j["nightjar"]["file"]["fallocate_mode"],
            json({"FALLOC_FL_KEEP_SIZE", "FALLOC_FL_PUNCH_HOLE", "FALLOC_FL_UNKNOWN"}));
}

TEST_F(FileEncoderTest, ChattrSpellsOutTheFlagsOfEitherIoctl) {
  nj_file_create r = rec(NJ_REC_FILE_CHATTR, NJ_SYS_IOCTL, 0, 1);
  r.op.args[0] = 0x80030;  // FS_IMMUTABLE_FL | FS_APPEND_FL | FS_EXTENT_FL
  r.op.args[1] = NJ_CHATTR_SETFLAGS;
  const auto ev = [&] { return file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/etc/cron.d/job")}); };
  json j = encode(ev());
  expect_common(j, "chattr", "change", "success", "ioctl");
  EXPECT_EQ(j["nightjar"]["file"], json({{"ioctl", "FS_IOC_SETFLAGS"},
                                         {"inode_flags", {"FS_IMMUTABLE_FL", "FS_APPEND_FL", "FS_EXTENT_FL"}},
                                         {"immutable", true},
                                         {"append_only", true}}));
  // chattr -i: the set that is left; a bit without a name by its value.
  r.op.args[0] = 0x8000000;
  j = encode(ev());
  EXPECT_EQ(j["nightjar"]["file"]["inode_flags"], json({"0x8000000"}));
  EXPECT_EQ(j["nightjar"]["file"]["immutable"], false);
  r.op.args[0] = 0;
  EXPECT_EQ(encode(ev())["nightjar"]["file"]["inode_flags"], json::array());
  // After a call that succeeded on an fd: the inode's own flags say what
  // the file is now (a bit asked for that the filesystem ignored is not).
  r.op.args[0] = 0x30;
  r.op.args[3] = NJ_CHATTR_STATE_KNOWN | NJ_S_APPEND;
  j = encode(ev());
  EXPECT_EQ(j["nightjar"]["file"]["inode_flags"], json({"FS_IMMUTABLE_FL", "FS_APPEND_FL"}));
  EXPECT_EQ(j["nightjar"]["file"]["immutable"], false);
  EXPECT_EQ(j["nightjar"]["file"]["append_only"], true);
  // Flags the entry could not read: the state alone, or nothing.
  r.op.args[1] = NJ_CHATTR_SETFLAGS | NJ_CHATTR_FLAGS_UNKNOWN;
  j = encode(ev());
  EXPECT_FALSE(j["nightjar"]["file"].contains("inode_flags"));
  EXPECT_EQ(j["nightjar"]["file"]["append_only"], true);
  r.op.args[3] = 0;
  EXPECT_EQ(encode(ev())["nightjar"]["file"], json({{"ioctl", "FS_IOC_SETFLAGS"}}));
  // file_setattr: no ioctl, FS_XFLAG_* bits.
  r.op.syscall = NJ_SYS_FILE_SETATTR;
  r.op.args[0] = 0x8;
  r.op.args[1] = NJ_CHATTR_FILE_SETATTR;
  j = encode(ev());
  EXPECT_EQ(j["nightjar"]["syscall"], "file_setattr");
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"inode_flags", {"FS_XFLAG_IMMUTABLE"}}, {"immutable", true}, {"append_only", false}}));
  r.op.syscall = NJ_SYS_IOCTL;
  r.op.args[3] = 0;
  // FS_IOC_FSSETXATTR's bits are others: FS_XFLAG_IMMUTABLE is 0x8.
  r.op.args[0] = 0x18;
  r.op.args[1] = NJ_CHATTR_FSSETXATTR;
  j = encode(ev());
  EXPECT_EQ(j["nightjar"]["file"], json({{"ioctl", "FS_IOC_FSSETXATTR"},
                                         {"inode_flags", {"FS_XFLAG_IMMUTABLE", "FS_XFLAG_APPEND"}},
                                         {"immutable", true},
                                         {"append_only", true}}));
}

TEST_F(FileEncoderTest, CreateDirectory) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_MKDIRAT, 0, 2);
  r.op.args[0] = 01777;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, ".hidden"), walked(kId, NJ_FF_DIR, {"dev", "shm"})}));
  expect_common(j, "create", "creation", "success", "mkdirat");
  EXPECT_EQ(j["file"],
            json({{"path", "/dev/shm/.hidden"}, {"directory", "/dev/shm"}, {"name", ".hidden"}, {"type", "dir"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"path_as_passed", ".hidden"}, {"requested_mode", "1777"}}));
}

// mknod's dev argument is user space's dev_t (new_encode_dev), not the
// kernel's internal one.
TEST_F(FileEncoderTest, CreateDeviceNode) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_MKNODAT, 0, 1);
  r.op.args[0] = 0020600;  // S_IFCHR | 0600
  r.op.args[1] = static_cast<uint32_t>(makedev(1, 3));
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/mem")}));
  expect_common(j, "create", "creation", "success", "mknodat");
  EXPECT_EQ(j["file"]["type"], "char_device");
  EXPECT_EQ(j["nightjar"]["file"], json({{"requested_mode", "0600"}, {"rdev", "1:3"}}));

  r.op.args[0] = 0060640;  // S_IFBLK | 0640
  r.op.args[1] = static_cast<uint32_t>(makedev(259, 70000));
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/disk")}));
  EXPECT_EQ(j["file"]["type"], "block_device");
  EXPECT_EQ(j["nightjar"]["file"], json({{"requested_mode", "0640"}, {"rdev", "259:70000"}}));

  r.op.args[0] = 0640;  // no type: a regular file; no device
  r.op.args[1] = 0;
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/plain")}));
  EXPECT_EQ(j["file"]["type"], "file");
  EXPECT_EQ(j["nightjar"]["file"], json({{"requested_mode", "0640"}}));
}

TEST_F(FileEncoderTest, CreateSymlink) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_SYMLINKAT, 0, 3);
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "hosts"), walked(kId, NJ_FF_DIR, {"tmp"}),
                                 str_bytes(kId, NJ_FF_TARGET, 0, "../etc/./shadow")}));
  expect_common(j, "create", "creation", "success", "symlinkat");
  EXPECT_EQ(j["file"], json({{"path", "/tmp/hosts"},
                             {"directory", "/tmp"},
                             {"name", "hosts"},
                             {"type", "symlink"},
                             {"target_path", "../etc/./shadow"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"path_as_passed", "hosts"}}));
}

TEST_F(FileEncoderTest, CreateHardLink) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_LINKAT, 0, 4);
  json j = encode(
      file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/copy"), walked(kId, NJ_FF_DIR, {"tmp"}),
                     str_bytes(kId, NJ_FF_NAME2, 0, "../../etc/shadow"), walked(kId, NJ_FF_DIR2, {"var", "x"})}));
  expect_common(j, "create", "creation", "success", "linkat");
  EXPECT_EQ(j["file"],
            json({{"path", "/tmp/copy"}, {"directory", "/tmp"}, {"name", "copy"}, {"target_path", "/etc/shadow"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"target_path_as_passed", "../../etc/shadow"}}));
}

TEST_F(FileEncoderTest, DeleteDirectory) {
  nj_file_create r = rec(NJ_REC_FILE_DELETE, NJ_SYS_UNLINKAT, 0, 2);
  r.op.args[0] = 0x200;  // AT_REMOVEDIR
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "cache"), walked(kId, NJ_FF_DIR, {"tmp"})}));
  expect_common(j, "delete", "deletion", "success", "unlinkat");
  EXPECT_EQ(j["file"], json({{"path", "/tmp/cache"}, {"directory", "/tmp"}, {"name", "cache"}, {"type", "dir"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"path_as_passed", "cache"}}));

  r.op.args[0] = 0;  // a file: unlinkat does not say which kind
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "cache"), walked(kId, NJ_FF_DIR, {"tmp"})}));
  EXPECT_FALSE(j["file"].contains("type"));
}

TEST_F(FileEncoderTest, DeleteUnresolved) {
  nj_file_create r = rec(NJ_REC_FILE_DELETE, NJ_SYS_UNLINK, 0, 1);
  r.op.flags = NJ_FILE_DIR_UNKNOWN;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "x.log", NJ_STR_TRUNCATED)}));
  expect_common(j, "delete", "deletion", "success", "unlink");
  EXPECT_EQ(j["file"], json::object());
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"path_as_passed", "x.log"}, {"path_truncated", true}, {"path_unresolved", true}}));
}

TEST_F(FileEncoderTest, Rename) {
  nj_file_create r = rec(NJ_REC_FILE_RENAME, NJ_SYS_RENAMEAT2, 0, 4);
  r.op.args[0] = 1 | 4;  // RENAME_NOREPLACE | RENAME_WHITEOUT
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "payload.sh"), walked(kId, NJ_FF_DIR, {"tmp"}),
                                 str_bytes(kId, NJ_FF_NAME2, 0, "/etc/cron.d/job")}));
  expect_common(j, "rename", "change", "success", "renameat2");
  EXPECT_EQ(j["file"], json({{"path", "/etc/cron.d/job"}, {"directory", "/etc/cron.d"}, {"name", "job"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"original",
                                          {{"path", "/tmp/payload.sh"},
                                           {"directory", "/tmp"},
                                           {"name", "payload.sh"},
                                           {"path_as_passed", "payload.sh"}}},
                                         {"rename_flags", {"RENAME_NOREPLACE", "RENAME_WHITEOUT"}},
                                         {"replaced_unknown", true}}));
}

// kprobe/fentry: the identity hook saw the object, and the file the new
// name replaced.
TEST_F(FileEncoderTest, RenameReplacedAFile) {
  nj_file_create r = rec(NJ_REC_FILE_RENAME, NJ_SYS_RENAME, 0, 2);
  r.op.flags = NJ_FILE_OBJ_KNOWN | NJ_FILE_REPLACED;
  r.op.obj.ino = 77;
  r.op.obj.dev = (8u << 20) | 1;
  r.op.obj.mode = 0100644;
  r.op.args[1] = 0100600;
  r.op.args[2] = 99;
  r.op.args[3] = (8u << 20) | 1;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/a/new"), str_bytes(kId, NJ_FF_NAME2, 0, "/a/old")}));
  EXPECT_EQ(j["file"]["inode"], "77");
  EXPECT_EQ(j["nightjar"]["file"]["replaced"],
            json({{"inode", "99"}, {"device", "8:1"}, {"mode", "0600"}, {"type", "file"}}));
  EXPECT_FALSE(j["nightjar"]["file"].contains("replaced_unknown"));
  r.op.flags = NJ_FILE_OBJ_KNOWN;  // seen, and nothing was replaced
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/a/new"), str_bytes(kId, NJ_FF_NAME2, 0, "/a/old")}));
  EXPECT_FALSE(j["nightjar"]["file"].contains("replaced"));
  EXPECT_FALSE(j["nightjar"]["file"].contains("replaced_unknown"));
}

TEST_F(FileEncoderTest, RenameWithoutFlagsSyscall) {
  nj_file_create r = rec(NJ_REC_FILE_RENAME, NJ_SYS_RENAME, 0, 2);
  json j = encode(
      file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/a/old.txt"), str_bytes(kId, NJ_FF_NAME2, 0, "/b/new.txt")}));
  expect_common(j, "rename", "change", "success", "rename");
  EXPECT_EQ(j["file"]["path"], "/b/new.txt");
  EXPECT_EQ(j["file"]["extension"], "txt");
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"original", {{"path", "/a/old.txt"}, {"directory", "/a"}, {"name", "old.txt"}}},
                  {"replaced_unknown", true}}));
}

// Each of a rename's paths says when it was cut short.
TEST_F(FileEncoderTest, RenameTruncatedPaths) {
  nj_file_create r = rec(NJ_REC_FILE_RENAME, NJ_SYS_RENAME, 0, 2);
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/a/very-long-ol", NJ_STR_TRUNCATED),
                                 str_bytes(kId, NJ_FF_NAME2, 0, "/b/new")}));
  EXPECT_EQ(j["file"]["path"], "/b/new");
  EXPECT_EQ(
      j["nightjar"]["file"],
      json({{"original",
             {{"path", "/a/very-long-ol"}, {"directory", "/a"}, {"name", "very-long-ol"}, {"path_truncated", true}}},
            {"replaced_unknown", true}}));

  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/a/old"),
                            str_bytes(kId, NJ_FF_NAME2, 0, "/b/very-long-ne", NJ_STR_TRUNCATED)}));
  EXPECT_EQ(j["file"]["path"], "/b/very-long-ne");
  EXPECT_EQ(j["nightjar"]["file"], json({{"path_truncated", true},
                                         {"original", {{"path", "/a/old"}, {"directory", "/a"}, {"name", "old"}}},
                                         {"replaced_unknown", true}}));
}

TEST_F(FileEncoderTest, SymlinkTargetTruncated) {
  nj_file_create r = rec(NJ_REC_FILE_CREATE, NJ_SYS_SYMLINK, 0, 2);
  json j = encode(file_event(
      r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/l"), str_bytes(kId, NJ_FF_TARGET, 0, "/x/yy", NJ_STR_TRUNCATED)}));
  EXPECT_EQ(j["file"]["target_path"], "/x/yy");
  EXPECT_EQ(j["nightjar"]["file"], json({{"target_path_truncated", true}}));
}

TEST_F(FileEncoderTest, ChmodSetuid) {
  nj_file_create r = rec(NJ_REC_FILE_CHMOD, NJ_SYS_FCHMODAT, 0, 1);
  r.op.args[0] = 04755;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/sh")}));
  expect_common(j, "chmod", "change", "success", "fchmodat");
  EXPECT_EQ(j["file"], json({{"path", "/tmp/sh"}, {"directory", "/tmp"}, {"name", "sh"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"new_mode", "4755"}, {"mode_bits", {"setuid"}}}));
}

// fchmod: the object is the open file, identified by the kernel.
TEST_F(FileEncoderTest, ChmodByFd) {
  nj_file_create r = rec(NJ_REC_FILE_CHMOD, NJ_SYS_FCHMOD, 0, 1);
  known_object(r, 0100644);
  r.op.args[0] = 0600;
  json j = encode(file_event(r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"})}));
  expect_common(j, "chmod", "change", "success", "fchmod");
  EXPECT_EQ(j["file"], kNotesFile);
  EXPECT_EQ(j["nightjar"]["file"], json({{"new_mode", "0600"}, {"mode_bits", json::array()}}));
}

TEST_F(FileEncoderTest, ChownUnchangedOwnerIsAbsent) {
  nj_file_create r = rec(NJ_REC_FILE_CHOWN, NJ_SYS_FCHOWNAT, 0, 1);
  r.op.args[0] = 0xffffffffffffffffull;  // -1 as the register held it
  r.op.args[1] = 0;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/sh")}));
  expect_common(j, "chown", "change", "success", "fchownat");
  EXPECT_EQ(j["nightjar"]["file"], json({{"new_gid", 0}}));

  r.op.args[0] = 0;
  r.op.args[1] = 0xffffffffull;  // -1 as a 32-bit gid_t
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/sh")}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"new_uid", 0}}));

  r.op.args[0] = 1000;
  r.op.args[1] = 27;
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/tmp/sh")}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"new_uid", 1000}, {"new_gid", 27}}));
}

TEST_F(FileEncoderTest, TimesNowAndSet) {
  nj_file_create r = rec(NJ_REC_FILE_TIMES, NJ_SYS_UTIMENSAT, 0, 1);
  r.op.args[0] = 0;
  r.op.args[1] = (1 << 30) - 1;  // UTIME_NOW
  r.op.args[2] = 1000000000;     // 2001-09-09T01:46:40Z
  r.op.args[3] = 5;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/usr/bin/sudo")}));
  expect_common(j, "times", "change", "success", "utimensat");
  EXPECT_EQ(j["nightjar"]["file"], json({{"atime", "now"}, {"mtime", "2001-09-09T01:46:40.000000005Z"}}));
}

TEST_F(FileEncoderTest, TimesUnchangedAndBefore1970) {
  nj_file_create r = rec(NJ_REC_FILE_TIMES, NJ_SYS_UTIMES, 0, 1);
  r.op.args[0] = 12345;
  r.op.args[1] = (1 << 30) - 2;  // UTIME_OMIT
  r.op.args[2] = static_cast<uint64_t>(int64_t{-86400});
  r.op.args[3] = 0;
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/usr/bin/sudo")}));
  expect_common(j, "times", "change", "success", "utimes");
  EXPECT_EQ(j["nightjar"]["file"], json({{"atime", "unchanged"}, {"mtime", "1969-12-31T00:00:00.000000000Z"}}));
}

TEST_F(FileEncoderTest, XattrFileCapabilities) {
  nj_file_create r = rec(NJ_REC_FILE_XATTR, NJ_SYS_SETXATTR, 0, 2);
  r.op.args[0] = 0;
  r.op.args[1] = 20;
  json j = encode(file_event(
      r, {str_bytes(kId, NJ_FF_NAME, 0, "/usr/bin/ping"), str_bytes(kId, NJ_FF_XATTR, 0, "security.capability")}));
  expect_common(j, "xattr", "change", "success", "setxattr");
  EXPECT_EQ(j["file"], json({{"path", "/usr/bin/ping"}, {"directory", "/usr/bin"}, {"name", "ping"}}));
  EXPECT_EQ(
      j["nightjar"]["file"],
      json({{"xattr",
             {{"name", "security.capability"}, {"operation", "set"}, {"size", 20}, {"file_capabilities", true}}}}));
}

TEST_F(FileEncoderTest, XattrRemove) {
  nj_file_create r = rec(NJ_REC_FILE_XATTR, NJ_SYS_FREMOVEXATTR, 0, 2);
  known_object(r);
  json j = encode(file_event(
      r, {walked(kId, NJ_FF_PATH, {"home", "u", "notes.txt"}), str_bytes(kId, NJ_FF_XATTR, 0, "user.origin")}));
  expect_common(j, "xattr", "change", "success", "fremovexattr");
  EXPECT_EQ(j["file"], kNotesFile);
  EXPECT_EQ(j["nightjar"]["file"], json({{"xattr", {{"name", "user.origin"}, {"operation", "remove"}}}}));
}

TEST_F(FileEncoderTest, XattrSetAndRemoveRelativeToADirectoryFd) {
  nj_file_create r = rec(NJ_REC_FILE_XATTR, NJ_SYS_SETXATTRAT, 0, 2);
  r.op.args[1] = 4;
  json j = encode(file_event(
      r, {str_bytes(kId, NJ_FF_NAME, 0, "/srv/a.txt"), str_bytes(kId, NJ_FF_XATTR, 0, "security.capability")}));
  expect_common(j, "xattr", "change", "success", "setxattrat");
  EXPECT_EQ(
      j["nightjar"]["file"],
      json({{"xattr",
             {{"name", "security.capability"}, {"operation", "set"}, {"size", 4}, {"file_capabilities", true}}}}));
  r = rec(NJ_REC_FILE_XATTR, NJ_SYS_REMOVEXATTRAT, 0, 2);
  j = encode(file_event(r, {str_bytes(kId, NJ_FF_NAME, 0, "/srv/a.txt"), str_bytes(kId, NJ_FF_XATTR, 0, "user.x")}));
  expect_common(j, "xattr", "change", "success", "removexattrat");
  EXPECT_EQ(j["nightjar"]["file"], json({{"xattr", {{"name", "user.x"}, {"operation", "remove"}}}}));
}

TEST_F(FileEncoderTest, Memfd) {
  nj_file_create r = rec(NJ_REC_FILE_MEMFD, NJ_SYS_MEMFD_CREATE, 4, 1);
  known_object(r, 0100777);
  r.op.obj.dev = kdev(0, 1);
  r.op.obj.ino = 2048;
  r.op.obj.uid = 0;
  r.op.obj.gid = 0;
  r.op.args[0] = 1 | 2;  // MFD_CLOEXEC | MFD_ALLOW_SEALING
  json j = encode(file_event(r, {str_bytes(kId, NJ_FF_PATH, 0, "memfd:stage2\0"s)}));
  expect_common(j, "memfd", "creation", "success", "memfd_create");
  EXPECT_EQ(j["file"], json({{"path", "/memfd:stage2"},
                             {"directory", "/"},
                             {"name", "memfd:stage2"},
                             {"type", "file"},
                             {"inode", "2048"},
                             {"device", "0:1"},
                             {"mode", "0777"},
                             {"uid", "0"},
                             {"gid", "0"}}));
  EXPECT_EQ(j["nightjar"]["file"], json({{"memfd_flags", {"MFD_CLOEXEC", "MFD_ALLOW_SEALING"}}}));
}

// A read a watch rule reports, with the tags the tracker put in the view.
TEST_F(FileEncoderTest, ReadWithTags) {
  nj_file_create r = rec(NJ_REC_FILE_READ, NJ_SYS_OPENAT, 3, 1);
  known_object(r, 0100640);
  r.op.rule = 1;
  r.op.args[0] = O_RDONLY | O_CLOEXEC;
  Event ev = file_event(r, {walked(kId, NJ_FF_PATH, {"etc", "shadow"})});
  Enrichment en;
  FileView& v = en.view.emplace<FileView>(make_file_view(NJ_REC_FILE_READ, r.op, ev, ""));
  v.tags = {"credentials", "audit"};
  json j = encode(ev, &en);
  expect_common(j, "read", "access", "success", "openat");
  EXPECT_EQ(j["file"]["path"], "/etc/shadow");
  EXPECT_EQ(j["file"]["mode"], "0640");
  EXPECT_EQ(j["nightjar"]["file"],
            json({{"tags", {"credentials", "audit"}}, {"open_flags", {"O_RDONLY", "O_CLOEXEC"}}}));
}

// ---- helpers ----

TEST(OpenFlagNames, AccessMode) {
  EXPECT_EQ(open_flag_names(O_RDONLY), (Names{"O_RDONLY"}));
  EXPECT_EQ(open_flag_names(O_WRONLY), (Names{"O_WRONLY"}));
  EXPECT_EQ(open_flag_names(O_RDWR), (Names{"O_RDWR"}));
  EXPECT_EQ(open_flag_names(3), (Names{}));  // O_ACCMODE: no name
}

TEST(OpenFlagNames, EachFlag) {
  const std::pair<uint64_t, const char*> flags[] = {
      {O_CREAT, "O_CREAT"},         {O_EXCL, "O_EXCL"},           {O_NOCTTY, "O_NOCTTY"},     {O_TRUNC, "O_TRUNC"},
      {O_APPEND, "O_APPEND"},       {O_NONBLOCK, "O_NONBLOCK"},   {O_DSYNC, "O_DSYNC"},       {O_DIRECT, "O_DIRECT"},
      {kOLargefile, "O_LARGEFILE"}, {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
      {O_CLOEXEC, "O_CLOEXEC"},     {O_PATH, "O_PATH"},
  };
  for (auto& [bit, name] : flags) EXPECT_EQ(open_flag_names(bit), (Names{"O_RDONLY", name})) << name;
}

// Two flags are defined with another's bit in them: each is named once.
TEST(OpenFlagNames, CompositeFlagsNamedOnce) {
  EXPECT_EQ(open_flag_names(O_RDWR | O_TMPFILE), (Names{"O_RDWR", "O_TMPFILE"}));
  EXPECT_EQ(open_flag_names(O_WRONLY | O_SYNC), (Names{"O_WRONLY", "O_SYNC"}));
  EXPECT_EQ(open_flag_names(O_WRONLY | O_DSYNC), (Names{"O_WRONLY", "O_DSYNC"}));
}

TEST(OpenFlagNames, Order) {
  EXPECT_EQ(open_flag_names(O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY | O_WRONLY | O_CREAT | O_TRUNC),
            (Names{"O_WRONLY", "O_CREAT", "O_TRUNC", "O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC"}));
}

TEST(RenameFlagNames, Bits) {
  EXPECT_EQ(rename_flag_names(0), (Names{}));
  EXPECT_EQ(rename_flag_names(1), (Names{"RENAME_NOREPLACE"}));
  EXPECT_EQ(rename_flag_names(2), (Names{"RENAME_EXCHANGE"}));
  EXPECT_EQ(rename_flag_names(7), (Names{"RENAME_NOREPLACE", "RENAME_EXCHANGE", "RENAME_WHITEOUT"}));
  EXPECT_EQ(rename_flag_names(8), (Names{}));
}

TEST(MemfdFlagNames, Bits) {
  EXPECT_EQ(memfd_flag_names(0), (Names{}));
  EXPECT_EQ(memfd_flag_names(0x1f),
            (Names{"MFD_CLOEXEC", "MFD_ALLOW_SEALING", "MFD_HUGETLB", "MFD_NOEXEC_SEAL", "MFD_EXEC"}));
  EXPECT_EQ(memfd_flag_names(0x8), (Names{"MFD_NOEXEC_SEAL"}));
}

TEST(ModeBitNames, Bits) {
  EXPECT_EQ(mode_bit_names(0755), (Names{}));
  EXPECT_EQ(mode_bit_names(04755), (Names{"setuid"}));
  EXPECT_EQ(mode_bit_names(02755), (Names{"setgid"}));
  EXPECT_EQ(mode_bit_names(01777), (Names{"sticky"}));
  EXPECT_EQ(mode_bit_names(0107777), (Names{"setuid", "setgid", "sticky"}));
}

TEST(OctalMode, PermissionAndSetIdBits) {
  EXPECT_EQ(octal_mode(0), "0000");
  EXPECT_EQ(octal_mode(0644), "0644");
  EXPECT_EQ(octal_mode(0100644), "0644");  // the type is not part of it
  EXPECT_EQ(octal_mode(04755), "4755");
  EXPECT_EQ(octal_mode(041777), "1777");
  EXPECT_EQ(octal_mode(0177777), "7777");
}

TEST(FileTypeName, EveryType) {
  EXPECT_STREQ(file_type_name(0100644), "file");
  EXPECT_STREQ(file_type_name(0040755), "dir");
  EXPECT_STREQ(file_type_name(0120777), "symlink");
  EXPECT_STREQ(file_type_name(0020620), "char_device");
  EXPECT_STREQ(file_type_name(0060660), "block_device");
  EXPECT_STREQ(file_type_name(0010644), "fifo");
  EXPECT_STREQ(file_type_name(0140755), "socket");
  EXPECT_STREQ(file_type_name(0644), "");
  EXPECT_STREQ(file_type_name(0170000), "");
}
