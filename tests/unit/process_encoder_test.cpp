// The process family's events through the real encoder: exec, fork, exit,
// unshare, field by field.
#include "families/process/encode.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "encoder_fixture.h"
#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;
using json = nlohmann::json;

TEST_F(EncoderTest, ExecSuccess) {
  const uint64_t id = 0x0030000000000abcull;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/usr/bin/true"),
      str_bytes(id, NJ_F_EXE, 0, "true\0bin\0usr\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_CWD, 0, "u\0home\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"true", "--version"})),
  };
  json j = encode(event_of(exec_of(0, 4), parts));

  EXPECT_EQ(j["@timestamp"], ts(kTs));
  EXPECT_EQ(j["event"]["kind"], "event");
  EXPECT_EQ(j["event"]["category"], json({"process"}));
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["event"]["action"], "exec");
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["event"]["id"], "0030000000000abc");
  EXPECT_EQ(j["event"]["module"], "nightjar");
  expect_host(j);

  const json& p = j["process"];
  expect_task(p, full_task());
  EXPECT_EQ(p["name"], "true");
  EXPECT_EQ(p["executable"], "/usr/bin/true");
  EXPECT_EQ(p["args"], json({"true", "--version"}));
  EXPECT_EQ(p["args_count"], 2);
  EXPECT_EQ(p["command_line"], "true --version");
  EXPECT_EQ(p["working_directory"], "/home/u");
  EXPECT_FALSE(j.contains("error"));

  const json& n = j["nightjar"];
  EXPECT_EQ(n["backend"], "tracepoint");
  EXPECT_EQ(n["event_id"], id);
  EXPECT_EQ(n["syscall"], "execve");
  EXPECT_EQ(n["filename"], "/usr/bin/true");
  EXPECT_EQ(n["exe"]["device"], "8:3");
  EXPECT_EQ(n["exe"]["inode"], 1234567);
  EXPECT_EQ(n["exe"]["nlink"], 1);
  EXPECT_EQ(n["cgroup_id"], 8888);
  EXPECT_EQ(n["login_uid"], 1000);
  EXPECT_EQ(n["argc"], 2);
  EXPECT_FALSE(n.contains("escaped_fields"));
  EXPECT_FALSE(n.contains("incomplete"));
  EXPECT_FALSE(n.contains("script"));
  EXPECT_FALSE(n.contains("exec_thread"));
}

TEST_F(EncoderTest, ExecFailureEnoent) {
  const uint64_t id = 0x0030000000000abcull;
  nj_exec e = exec_of(-2, 3);
  e.task = full_task();
  std::strncpy(e.task.comm, "bash", sizeof(e.task.comm));
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "./missing-tool"),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"missing-tool", "-v"})),
      str_bytes(id, NJ_F_CWD, 0, "tmp\0"s, NJ_STR_PATH_ROOTED),
  };
  json j = encode(event_of(e, parts));
  EXPECT_EQ(j["event"]["action"], "exec");
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["error"]["code"], "ENOENT");
  EXPECT_EQ(j["error"]["message"], "No such file or directory");
  // The process did not change: it is still the caller.
  const json& p = j["process"];
  expect_task(p, e.task);
  EXPECT_EQ(p["name"], "bash");
  EXPECT_FALSE(p.contains("executable")) << "the caller's image is not known without the process table";
  EXPECT_FALSE(p.contains("args"));
  EXPECT_EQ(p["working_directory"], "/tmp");
  // What it asked to run.
  EXPECT_EQ(j["file"], json({{"path", "/tmp/missing-tool"}, {"name", "missing-tool"}}));
  EXPECT_EQ(j["nightjar"]["filename"], "./missing-tool");
  EXPECT_EQ(j["nightjar"]["attempt"], json({{"args", {"missing-tool", "-v"}}, {"args_count", 2}}));
  EXPECT_FALSE(j["nightjar"].contains("exe")) << "no image was loaded";
  EXPECT_FALSE(j["nightjar"].contains("caller_name")) << "process.name is the caller's";
}

// With the process table's entry for the caller, a failed exec shows the
// image the caller runs, never the path it asked for.
TEST_F(EncoderTest, ExecFailureShowsTheCallersImage) {
  const uint64_t id = 0x0030000000000abcull;
  nj_exec e = exec_of(-2, 1);
  std::strncpy(e.task.comm, "env", sizeof(e.task.comm));
  auto caller = std::make_shared<ProcInfo>();
  caller->name = "env";
  caller->executable = "/usr/bin/env";
  caller->args = {"env", "X=1", "rm"};
  Enrichment en;
  en.self = caller;
  json j = encode(event_of(e, {str_bytes(id, NJ_F_FILENAME, 0, "/usr/local/sbin/rm")}), &en);
  EXPECT_EQ(j["process"]["name"], "env");
  EXPECT_EQ(j["process"]["executable"], "/usr/bin/env");
  EXPECT_EQ(j["process"]["args"], json({"env", "X=1", "rm"}));
  EXPECT_EQ(j["file"]["path"], "/usr/local/sbin/rm");
  EXPECT_EQ(j["file"]["name"], "rm");
}

// A container's name comes from a cgroup path anyone who can make a
// machine names: bytes that are not UTF-8 are escaped and said so.
TEST_F(EncoderTest, AContainerNameThatIsNotUtf8IsEscapedAndListed) {
  const uint64_t id = 0x0030000000000abcull;
  Enrichment en;
  en.container = ContainerInfo{"box\xff", "systemd-nspawn"};
  json j = encode(event_of(exec_of(0, 1), {str_bytes(id, NJ_F_FILENAME, 0, "/bin/true")}), &en);
  EXPECT_EQ(j["container"]["id"], "box\\xff");
  EXPECT_EQ(j["container"]["runtime"], "systemd-nspawn");
  EXPECT_EQ(j["nightjar"]["escaped_fields"], json::array({"container.id"}));
}

TEST_F(EncoderTest, ExecFlagsAndIncomplete) {
  nj_exec e = exec_of(0, 2);
  e.flags = NJ_EXEC_ARGV_UNREADABLE | NJ_EXEC_NO_ENTER | NJ_EXEC_PARTS_LOST;
  e.syscall = NJ_SYS_EXECVEAT;
  e.dirfd = 5;
  e.at_flags = 0x1000;
  e.old_tid = 4250;
  e.hdr.backend = NJ_BACKEND_KPROBE;
  Event ev = event_of(e, {str_bytes(e.hdr.event_id, NJ_F_FILENAME, 0, "/dev/fd/5")});
  ev.incomplete = true;
  json j = encode(ev);
  const json& n = j["nightjar"];
  EXPECT_EQ(n["backend"], "kprobe");
  EXPECT_EQ(n["syscall"], "execveat");
  EXPECT_EQ(n["dirfd"], 5);
  EXPECT_EQ(n["at_flags"], 0x1000);
  EXPECT_EQ(n["exec_thread"], 4250);
  EXPECT_EQ(n["argv_unreadable"], true);
  EXPECT_EQ(n["syscall_entry_unseen"], true);
  EXPECT_EQ(n["parts_lost"], true);
  EXPECT_EQ(n["incomplete"], true);
  EXPECT_FALSE(j["process"].contains("args")) << "no argv part: no args";
}

TEST_F(EncoderTest, ExecArgvWithInvalidUtf8IsEscapedAndListed) {
  const uint64_t id = 0x0030000000000abcull;
  const std::string bad = "caf\xe9";  // latin-1, not UTF-8
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/bin/echo"),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"echo", bad, "\xff"})),
  };
  json j = encode(event_of(exec_of(0, 2), parts));
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_TRUE(esc.is_array());
  EXPECT_NE(std::find(esc.begin(), esc.end(), "process.args"), esc.end()) << esc;
  EXPECT_NE(std::find(esc.begin(), esc.end(), "process.command_line"), esc.end()) << esc;
  const json& args = j["process"]["args"];
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1], "caf\\xe9");
  EXPECT_EQ(args[2], "\\xff");
  EXPECT_EQ(unescape_bytes(args[1].get<std::string>()), bad);
  EXPECT_EQ(unescape_bytes(args[2].get<std::string>()), "\xff");
  EXPECT_EQ(unescape_bytes(j["process"]["command_line"].get<std::string>()), "echo " + bad + " \xff");
}

// A consumer told "process.args is escaped" unescapes every element: an
// element that was valid UTF-8 (written as is) must survive that too.
TEST_F(EncoderTest, EscapedArgsRecoverEveryElement) {
  const uint64_t id = 0x0030000000000abcull;
  const std::vector<std::string> argv = {"printf", "a\\x41\\\\b", "\xff"};
  json j = encode(event_of(exec_of(0, 1), {str_bytes(id, NJ_F_ARGV, 0, nul_join(argv))}));
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_NE(std::find(esc.begin(), esc.end(), "process.args"), esc.end());
  const json& args = j["process"]["args"];
  ASSERT_EQ(args.size(), argv.size());
  for (size_t i = 0; i < argv.size(); i++) EXPECT_EQ(unescape_bytes(args[i].get<std::string>()), argv[i]) << i;
}

TEST_F(EncoderTest, ExecScriptChainFromShebang) {
  const uint64_t id = 0x0030000000000abcull;
  files["/w/run.sh"] = "#!/bin/sh -e\necho\n";
  nj_exec e = exec_of(0, 4);
  e.flags = NJ_EXEC_SCRIPT;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "./run.sh"),
      str_bytes(id, NJ_F_INTERP, 0, "/bin/sh"),
      str_bytes(id, NJ_F_CWD, 0, "w\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"/bin/sh", "-e", "./run.sh", "x"})),
  };
  json j = encode(event_of(e, parts));
  const json& s = j["nightjar"]["script"];
  EXPECT_EQ(s["path"], "/w/run.sh");
  EXPECT_EQ(s["source"], "shebang");
  EXPECT_EQ(s["interpreters"], json::parse(R"([{"path":"/bin/sh","args":["-e"]}])"));
  EXPECT_FALSE(j["nightjar"].contains("escaped_fields"));
}

TEST_F(EncoderTest, ScriptInterpreterArgWithInvalidUtf8IsListed) {
  const uint64_t id = 0x0030000000000abcull;
  files["/w/run.sh"] = "#!/bin/sh \xff\n";
  nj_exec e = exec_of(0, 4);
  e.flags = NJ_EXEC_SCRIPT;
  std::vector<Bytes> parts = {
      str_bytes(id, NJ_F_FILENAME, 0, "/w/run.sh"),
      str_bytes(id, NJ_F_INTERP, 0, "/bin/sh"),
      str_bytes(id, NJ_F_CWD, 0, "w\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(id, NJ_F_ARGV, 0, nul_join({"/bin/sh", "\xff", "/w/run.sh"})),
  };
  json j = encode(event_of(e, parts));
  const json& lvl = j["nightjar"]["script"]["interpreters"][0];
  ASSERT_EQ(lvl["args"][0], "\\xff");
  const json& esc = j["nightjar"]["escaped_fields"];
  ASSERT_TRUE(esc.is_array()) << j.dump();
  EXPECT_NE(std::find(esc.begin(), esc.end(), "nightjar.script.interpreters.args"), esc.end()) << esc;
}

TEST_F(EncoderTest, Fork) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), 0x77, kTs);
  f.task = full_task();
  std::strncpy(f.task.comm, "bash", sizeof(f.task.comm));
  f.child_pid = 5000;
  f.child_vpid = 5000;
  f.child_start_ns = 3'000'000'000ull;           // 300 ticks
  f.clone_flags = 0x00000100 | 0x00000200 | 17;  // CLONE_VM | CLONE_FS | SIGCHLD
  f.syscall = NJ_SYS_CLONE;
  json j = encode(Event{decode_ok(bytes_of(f)), {}, false});

  EXPECT_EQ(j["event"]["action"], "fork");
  EXPECT_EQ(j["event"]["type"], json({"start"}));
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_EQ(j["event"]["id"], "0000000000000077");
  expect_host(j);
  const json& p = j["process"];
  EXPECT_EQ(p["pid"], 5000);
  EXPECT_FALSE(p.contains("vpid"));
  EXPECT_EQ(p["entity_id"], "0123456789abcdef-5000-300");
  EXPECT_EQ(p["start"], ts(3'000'000'000ull));
  EXPECT_EQ(p["name"], "bash");
  EXPECT_EQ(p["parent"]["pid"], 4242);
  EXPECT_EQ(p["parent"]["thread"]["id"], 4243);
  EXPECT_EQ(p["parent"]["entity_id"], "0123456789abcdef-4242-200000");
  EXPECT_EQ(p["parent"]["start"], ts(kStart));
  EXPECT_EQ(p["parent"]["name"], "bash");
  EXPECT_EQ(p["user"]["id"], "0");
  EXPECT_EQ(p["real_user"]["id"], "1000");
  const json& n = j["nightjar"];
  EXPECT_EQ(n["syscall"], "clone");
  EXPECT_EQ(n["clone_flags"], json({"CLONE_VM", "CLONE_FS"}));
  EXPECT_EQ(n["clone_flags_raw"], 0x311);
  EXPECT_EQ(n["exit_signal"], 17);
  EXPECT_EQ(n["parent_of_caller"]["pid"], 4000);
  EXPECT_EQ(n["parent_of_caller"]["entity_id"], "0123456789abcdef-4000-150");
  EXPECT_EQ(n["cgroup_id"], 8888);
}

TEST_F(EncoderTest, ForkInPidNamespaceWithoutEntry) {
  nj_fork f{};
  f.hdr = make_hdr(NJ_REC_FORK, sizeof(nj_fork), 0x78, kTs);
  f.task = full_task();
  f.child_pid = 5001;
  f.child_vpid = 1;
  f.flags = NJ_FORK_NO_ENTER;
  json j = encode(Event{decode_ok(bytes_of(f)), {}, false});
  EXPECT_EQ(j["process"]["vpid"], 1);
  EXPECT_EQ(j["nightjar"]["syscall_entry_unseen"], true);
  EXPECT_FALSE(j["nightjar"].contains("clone_flags"));
  EXPECT_FALSE(j["nightjar"].contains("syscall"));
}

TEST_F(EncoderTest, ExitWithCode) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x79, kTs);
  x.task = full_task();
  x.exit_code = 3 << 8;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_EQ(j["event"]["action"], "exit");
  EXPECT_EQ(j["event"]["type"], json({"end"}));
  EXPECT_FALSE(j["event"].contains("outcome"));
  expect_task(j["process"], x.task);
  EXPECT_EQ(j["process"]["name"], "true");
  EXPECT_EQ(j["process"]["exit_code"], 3);
  EXPECT_EQ(j["process"]["end"], ts(kTs));
  EXPECT_EQ(j["nightjar"]["exit"]["status"], 768);
  EXPECT_FALSE(j["nightjar"]["exit"].contains("signal"));
  EXPECT_FALSE(j["nightjar"]["exit"].contains("signal_name"));
}

TEST_F(EncoderTest, ExitBySignalWithCore) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x7a, kTs);
  x.task = full_task();
  x.exit_code = 0x80 | 9;
  x.flags = NJ_EXIT_SIGNALED;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_FALSE(j["process"].contains("exit_code")) << "killed: no exit code";
  const json& ex = j["nightjar"]["exit"];
  EXPECT_EQ(ex["status"], 0x89);
  EXPECT_EQ(ex["signal"], 9);
  EXPECT_EQ(ex["signal_name"], "SIGKILL");
  EXPECT_EQ(ex["core_dumped"], true);
}

TEST_F(EncoderTest, ExitBySignalWithoutCore) {
  nj_exit x{};
  x.hdr = make_hdr(NJ_REC_EXIT, sizeof(nj_exit), 0x7b, kTs);
  x.task = full_task();
  x.exit_code = 15;
  json j = encode(Event{decode_ok(bytes_of(x)), {}, false});
  EXPECT_EQ(j["nightjar"]["exit"]["signal_name"], "SIGTERM");
  EXPECT_EQ(j["nightjar"]["exit"]["core_dumped"], false);
}

TEST_F(EncoderTest, UnshareFailureEperm) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 0x7c, kTs);
  u.task = full_task();
  u.flags = 0x00020000 | 0x10000000;  // CLONE_NEWNS | CLONE_NEWUSER
  u.retval = -1;
  json j = encode(Event{decode_ok(bytes_of(u)), {}, false});
  EXPECT_EQ(j["event"]["action"], "unshare");
  EXPECT_EQ(j["event"]["type"], json({"change"}));
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"]["code"], "EPERM");
  EXPECT_EQ(j["error"]["message"], "Operation not permitted");
  expect_task(j["process"], u.task);
  EXPECT_EQ(j["nightjar"]["unshare"]["flags"], json({"CLONE_NEWNS", "CLONE_NEWUSER"}));
  EXPECT_EQ(j["nightjar"]["unshare"]["flags_raw"], 0x10020000);
}

// No syscall returns INT32_MIN, but a record saying so still encodes, its
// negation without overflow (UBSan in the fuzz build found the overflow).
TEST_F(EncoderTest, UnshareFailureOfAReturnValueNoSyscallGives) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 0x7e, kTs);
  u.task = full_task();
  u.retval = INT32_MIN;
  json j = encode(Event{decode_ok(bytes_of(u)), {}, false});
  EXPECT_EQ(j["event"]["outcome"], "failure");
  EXPECT_EQ(j["error"], json({{"code", "E2147483648"}, {"message", "Unknown error 2147483648"}}));
}

TEST_F(EncoderTest, UnshareSuccess) {
  nj_unshare u{};
  u.hdr = make_hdr(NJ_REC_UNSHARE, sizeof(nj_unshare), 0x7d, kTs);
  u.task = full_task();
  u.flags = 0x40000000;
  json j = encode(Event{decode_ok(bytes_of(u)), {}, false});
  EXPECT_EQ(j["event"]["outcome"], "success");
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["nightjar"]["unshare"]["flags"], json({"CLONE_NEWNET"}));
}

// Per-family loss in every status event that carries the loss block, each
// registered family listed even when it lost nothing.

TEST(Names, CloneFlags) {
  EXPECT_EQ(clone_flag_names(0), std::vector<std::string>{});
  EXPECT_EQ(clone_flag_names(0x00000080 | 0x20000000), (std::vector<std::string>{"CLONE_NEWPID", "CLONE_NEWTIME"}));
}
