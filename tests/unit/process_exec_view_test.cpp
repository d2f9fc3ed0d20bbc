#include "families/process/exec_view.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "records.h"

using namespace nj;
using namespace njt;
using namespace std::string_literals;

namespace {

using Files = std::map<std::string, std::string>;

// A HeadReader over an in-memory file tree that remembers what was read.
struct FakeFs {
  Files files;
  std::vector<std::string> reads;
  HeadReader reader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      reads.push_back(path);
      auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second.substr(0, 256);
    };
  }
};

std::string nul_join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += s + '\0';
  return out;
}

void expect_level(const ScriptLevel& l, const std::string& path, const std::vector<std::string>& args, uint32_t dev = 0,
                  uint64_t ino = 0) {
  EXPECT_EQ(l.path, path);
  EXPECT_EQ(l.args, args);
  EXPECT_EQ(l.dev, dev);
  EXPECT_EQ(l.ino, ino);
}

constexpr uint64_t kId = 0x55;

// The 2-level chain used below: outer.sh -> inner.sh (with an argument) -> /bin/sh.
const Files kChainFiles = {
    {"/w/outer.sh", "#!/w/inner.sh outer-arg\necho outer\n"},
    {"/w/inner.sh", "#!/bin/sh\nexec \"$@\"\n"},
};
// execve("/w/outer.sh", ["outer.sh", "s1"]) as the kernel rewrites argv.
const std::vector<std::string> kChainArgv = {"/bin/sh", "/w/inner.sh", "outer-arg", "/w/outer.sh", "s1"};

Event script_exec(const std::string& filename, const std::vector<std::string>& argv, std::vector<Bytes> extra = {}) {
  std::vector<Bytes> parts = {
      str_bytes(kId, NJ_F_FILENAME, 0, filename),
      str_bytes(kId, NJ_F_INTERP, 0, "/bin/sh"),
      str_bytes(kId, NJ_F_EXE, 0, "dash\0bin\0usr\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(kId, NJ_F_CWD, 0, "w\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(kId, NJ_F_ARGV, 0, nul_join(argv)),
  };
  for (auto& b : extra) parts.push_back(std::move(b));
  return event_of(exec_rec(kId, static_cast<uint16_t>(parts.size()), 0, NJ_EXEC_SCRIPT), parts);
}

}  // namespace

// ---- parse_shebang: fs/binfmt_script.c ----

TEST(ParseShebang, InterpreterOnly) {
  auto s = parse_shebang("#!/bin/sh\necho hi\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_FALSE(s->arg);
}

TEST(ParseShebang, LeadingSpacesAndTabsSkipped) {
  auto s = parse_shebang("#! \t /usr/bin/python3\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/usr/bin/python3");
  EXPECT_FALSE(s->arg);
}

TEST(ParseShebang, InterpreterEndsAtSpaceOrTab) {
  auto s = parse_shebang("#!/bin/sh -e\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_EQ(s->arg, "-e");

  s = parse_shebang("#!/bin/sh\t-x\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_EQ(s->arg, "-x");
}

TEST(ParseShebang, RestIsOneArgumentWithInternalSpaces) {
  auto s = parse_shebang("#!/usr/bin/env  python3 -u -W ignore\nprint()\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/usr/bin/env");
  EXPECT_EQ(s->arg, "python3 -u -W ignore");

  s = parse_shebang("#!/usr/bin/awk -f  x\ty\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->arg, "-f  x\ty");
}

TEST(ParseShebang, TrailingWhitespaceTrimmed) {
  auto s = parse_shebang("#!/bin/sh -x \t \n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_EQ(s->arg, "-x");

  s = parse_shebang("#!/bin/bash  \t\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/bash");
  EXPECT_FALSE(s->arg);
}

// The kernel strips spaces and tabs only: a CRLF script's interpreter keeps its \r.
TEST(ParseShebang, CarriageReturnIsNotWhitespace) {
  auto s = parse_shebang("#!/bin/sh\r\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh\r");
}

TEST(ParseShebang, NoNewlineInTheBytes) {
  auto s = parse_shebang("#!/bin/bash");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/bash");
  EXPECT_FALSE(s->arg);

  s = parse_shebang("#!/bin/sh -x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_EQ(s->arg, "-x");
}

TEST(ParseShebang, OnlyTheFirstLineCounts) {
  auto s = parse_shebang("#!/bin/sh\n#!/bin/bash -x\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_FALSE(s->arg);
}

TEST(ParseShebang, NulEndsTheInterpreter) {
  auto s = parse_shebang("#!/bin/sh\0 -x\n"s);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_FALSE(s->arg);
}

TEST(ParseShebang, NoInterpreter) {
  EXPECT_FALSE(parse_shebang("#!"));
  EXPECT_FALSE(parse_shebang("#!\n/bin/sh\n"));
  EXPECT_FALSE(parse_shebang("#! \t \n/bin/sh\n"));
}

TEST(ParseShebang, NotAScript) {
  EXPECT_FALSE(parse_shebang(""));
  EXPECT_FALSE(parse_shebang("#"));
  EXPECT_FALSE(parse_shebang(" #!/bin/sh\n"));
  EXPECT_FALSE(parse_shebang("# !/bin/sh\n"));
  EXPECT_FALSE(
      parse_shebang("\x7f"
                    "ELF\x02\x01\x01"));
  EXPECT_FALSE(parse_shebang("echo hi\n"));
}

// binfmt_script with a full 256-byte buffer and no newline: the interpreter
// must be followed by a space/tab/NUL somewhere in the buffer (else ENOEXEC,
// the path could be truncated), and the last byte of the buffer is
// overwritten by the terminating NUL (*i_end = '\0' with i_end = buf_end).
TEST(ParseShebang, FullBufferWithoutNewlineAsTheKernel) {
  const std::string arg(246, 'a');
  auto s = parse_shebang("#!/bin/sh " + arg);  // exactly 256 bytes
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interp, "/bin/sh");
  EXPECT_EQ(s->arg, std::string(245, 'a'));

  EXPECT_FALSE(parse_shebang("#!/" + std::string(253, 'b')));  // 256 bytes, no terminator
}

// ---- absolute_path ----

TEST(AbsolutePath, Cases) {
  EXPECT_EQ(absolute_path("/bin/ls", "/tmp"), "/bin/ls");
  EXPECT_EQ(absolute_path("ls", "/tmp"), "/tmp/ls");
  EXPECT_EQ(absolute_path("./run.sh", "/home/u"), "/home/u/run.sh");
  EXPECT_EQ(absolute_path("././run.sh", "/home/u/"), "/home/u/run.sh");
  EXPECT_EQ(absolute_path("bin/tool", "/opt"), "/opt/bin/tool");
  EXPECT_EQ(absolute_path("../x", "/a/b"), "/a/b/../x");
  EXPECT_EQ(absolute_path("x", "/"), "/x");
  EXPECT_EQ(absolute_path("x", ""), "x");
  EXPECT_EQ(absolute_path("", "/tmp"), "");
}

// ---- make_exec_view ----

TEST(ExecView, FieldsFromParts) {
  const std::vector<Bytes> parts = {
      str_bytes(kId, NJ_F_FILENAME, 0, "./true"),
      str_bytes(kId, NJ_F_EXE, 0, "true\0bin\0usr\0"s, NJ_STR_PATH_ROOTED | NJ_STR_TRUNCATED, 8 << 20, 77),
      str_bytes(kId, NJ_F_CWD, 0, "tmp\0"s, NJ_STR_PATH_ROOTED),
      str_bytes(kId, NJ_F_ARGV, 0, "true\0--version\0"s),
  };
  Event ev = event_of(exec_rec(kId, 4), parts);
  ExecView v = make_exec_view(ev);
  ASSERT_EQ(v.rec.hdr.event_id, std::get<nj_exec>(ev.main).hdr.event_id);
  EXPECT_EQ(v.filename, "./true");
  // A walk cut short is a tail, marked as one.
  EXPECT_EQ(v.exe, ".../usr/bin/true");
  EXPECT_TRUE(v.exe_truncated);
  EXPECT_EQ(v.cwd, "/tmp");
  EXPECT_FALSE(v.cwd_truncated);
  EXPECT_FALSE(v.interp);
  EXPECT_TRUE(v.argv_present);
  EXPECT_FALSE(v.argv_truncated);
  EXPECT_EQ(v.argv, (std::vector<std::string>{"true", "--version"}));
  EXPECT_TRUE(v.kernel_levels.empty());
}

TEST(ExecView, CutWorkingDirectoryIsMarked) {
  Event ev = event_of(exec_rec(kId, 1), {str_bytes(kId, NJ_F_CWD, 0, "c\0b\0"s, NJ_STR_TRUNCATED)});
  ExecView v = make_exec_view(ev);
  EXPECT_EQ(v.cwd, ".../b/c");
  EXPECT_TRUE(v.cwd_truncated);
}

TEST(ExecView, NoArgvParts) {
  Event ev = event_of(exec_rec(kId, 1), {str_bytes(kId, NJ_F_FILENAME, 0, "/bin/x")});
  ExecView v = make_exec_view(ev);
  EXPECT_FALSE(v.argv_present);
  EXPECT_TRUE(v.argv.empty());
  EXPECT_FALSE(v.exe);
  EXPECT_FALSE(v.cwd);
}

TEST(ExecView, ArgvFlagFromRecord) {
  Event ev = event_of(exec_rec(kId, 1, 0, NJ_EXEC_ARGV_TRUNCATED), {str_bytes(kId, NJ_F_ARGV, 0, "a\0b"s)});
  ExecView v = make_exec_view(ev);
  EXPECT_TRUE(v.argv_truncated);
  EXPECT_EQ(v.argv, (std::vector<std::string>{"a", "b"}));
}

// Two chunks (arriving out of order), split in the middle of an argument.
TEST(ExecView, ArgvSplitAcrossChunks) {
  const std::string all = "python3\0-c\0print('hello world')\0x\0"s;
  const size_t cut = all.find("hello") + 3;  // inside "print('hello world')"
  Event ev = event_of(exec_rec(kId, 2), {str_bytes(kId, NJ_F_ARGV, 1, all.substr(cut)),
                                         str_bytes(kId, NJ_F_ARGV, 0, all.substr(0, cut))});
  ExecView v = make_exec_view(ev);
  EXPECT_TRUE(v.argv_present);
  EXPECT_FALSE(v.argv_truncated);
  EXPECT_EQ(v.argv, (std::vector<std::string>{"python3", "-c", "print('hello world')", "x"}));
}

TEST(ExecView, LostMiddleChunkTruncatesArgv) {
  Event ev = event_of(exec_rec(kId, 2), {str_bytes(kId, NJ_F_ARGV, 0, "cmd\0first\0sec"s),
                                         str_bytes(kId, NJ_F_ARGV, 2, "third\0fourth\0"s)});
  ExecView v = make_exec_view(ev);
  EXPECT_TRUE(v.argv_present);
  EXPECT_TRUE(v.argv_truncated);
  EXPECT_EQ(v.argv, (std::vector<std::string>{"cmd", "first", "sec"}));
}

// ---- script_chain ----

TEST(ScriptChain, NotAScript) {
  FakeFs fs{kChainFiles, {}};
  Event ev =
      event_of(exec_rec(kId, 2), {str_bytes(kId, NJ_F_FILENAME, 0, "/bin/ls"), str_bytes(kId, NJ_F_ARGV, 0, "ls\0"s)});
  EXPECT_FALSE(script_chain(make_exec_view(ev), fs.reader()));

  // kprobe backend: the binary's own level is sent for every exec.
  Event kev = event_of(exec_rec(kId, 3), {str_bytes(kId, NJ_F_FILENAME, 0, "/bin/ls"),
                                          str_bytes(kId, NJ_F_SCRIPT, 0, "/bin/ls", 0, 8 << 20, 5),
                                          str_bytes(kId, NJ_F_ARGV, 0, "ls\0"s)});
  ExecView kv = make_exec_view(kev);
  ASSERT_EQ(kv.kernel_levels.size(), 1u);
  EXPECT_FALSE(script_chain(kv, fs.reader()));
}

TEST(ScriptChain, TwoLevelShebangChain) {
  FakeFs fs{kChainFiles, {}};
  Event ev = script_exec("/w/outer.sh", kChainArgv);
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "shebang");
  EXPECT_EQ(c->script, "/w/outer.sh");
  ASSERT_EQ(c->interpreters.size(), 2u);
  expect_level(c->interpreters[0], "/w/inner.sh", {"outer-arg"});
  expect_level(c->interpreters[1], "/bin/sh", {});
  EXPECT_EQ(fs.reads, (std::vector<std::string>{"/w/outer.sh", "/w/inner.sh"}));
}

// "./outer.sh" run from /w: files are read relative to the exec's cwd and
// the kernel's argv names the script as it was passed.
TEST(ScriptChain, RelativeScriptPath) {
  FakeFs fs{kChainFiles, {}};
  Event ev = script_exec("./outer.sh", {"/bin/sh", "/w/inner.sh", "outer-arg", "./outer.sh", "s1"});
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "shebang");
  EXPECT_EQ(c->script, "./outer.sh");
  ASSERT_EQ(c->interpreters.size(), 2u);
  expect_level(c->interpreters[0], "/w/inner.sh", {"outer-arg"});
  expect_level(c->interpreters[1], "/bin/sh", {});
  ASSERT_FALSE(fs.reads.empty());
  EXPECT_EQ(fs.reads[0], "/w/outer.sh");
}

// The file on disk no longer matches what the kernel ran (argv lacks the
// argument): only the final interpreter, the one the kernel named, is kept.
TEST(ScriptChain, ArgvMismatchIsPartial) {
  FakeFs fs{kChainFiles, {}};
  Event ev = script_exec("/w/outer.sh", {"/bin/sh", "/w/inner.sh", "/w/outer.sh", "s1"});
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "partial");
  EXPECT_EQ(c->script, "/w/outer.sh");
  ASSERT_EQ(c->interpreters.size(), 1u);
  expect_level(c->interpreters[0], "/bin/sh", {});
}

TEST(ScriptChain, UnreadableScriptIsPartial) {
  FakeFs fs{{{"/w/inner.sh", "#!/bin/sh\n"}}, {}};  // outer.sh gone
  Event ev = script_exec("/w/outer.sh", kChainArgv);
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "partial");
  EXPECT_EQ(c->script, "/w/outer.sh");
  ASSERT_EQ(c->interpreters.size(), 1u);
  expect_level(c->interpreters[0], "/bin/sh", {});
}

TEST(ScriptChain, UnreadableMiddleLevelIsPartial) {
  FakeFs fs{{{"/w/outer.sh", "#!/w/inner.sh outer-arg\n"}}, {}};  // inner.sh unreadable
  Event ev = script_exec("/w/outer.sh", kChainArgv);
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "partial");
  ASSERT_EQ(c->interpreters.size(), 1u);
  expect_level(c->interpreters[0], "/bin/sh", {});
}

// kprobe backend: security_bprm_check sent each level with its identity
// (arriving in any order); arguments come from the kernel's argv.
TEST(ScriptChain, KernelLevels) {
  FakeFs fs{{}, {}};  // nothing readable: the kernel's levels need no file
  const uint32_t d0 = (8u << 20) | 1, d1 = (8u << 20) | 2, d2 = (259u << 20) | 3;
  Event ev = script_exec(
      "/w/outer.sh", kChainArgv,
      {str_bytes(kId, NJ_F_SCRIPT, 2, "/bin/sh", 0, d2, 12), str_bytes(kId, NJ_F_SCRIPT, 0, "/w/outer.sh", 0, d0, 10),
       str_bytes(kId, NJ_F_SCRIPT, 1, "/w/inner.sh", 0, d1, 11)});
  ExecView v = make_exec_view(ev);
  ASSERT_EQ(v.kernel_levels.size(), 3u);
  expect_level(v.kernel_levels[0], "/w/outer.sh", {}, d0, 10);
  expect_level(v.kernel_levels[2], "/bin/sh", {}, d2, 12);

  auto c = script_chain(v, fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "kernel");
  EXPECT_EQ(c->script, "/w/outer.sh");
  ASSERT_EQ(c->interpreters.size(), 2u);
  expect_level(c->interpreters[0], "/w/inner.sh", {"outer-arg"}, d1, 11);
  expect_level(c->interpreters[1], "/bin/sh", {}, d2, 12);
  EXPECT_TRUE(fs.reads.empty());
}

// One script level with an argument on the final interpreter: /w/a.sh is
// "#!/bin/sh -e", run as execve("/w/a.sh", ["a.sh"]).
TEST(ScriptChain, KernelLevelsArgumentOnLastInterpreter) {
  FakeFs fs{{}, {}};
  Event ev = script_exec(
      "/w/a.sh", {"/bin/sh", "-e", "/w/a.sh"},
      {str_bytes(kId, NJ_F_SCRIPT, 0, "/w/a.sh", 0, 1, 20), str_bytes(kId, NJ_F_SCRIPT, 1, "/bin/sh", 0, 2, 21)});
  auto c = script_chain(make_exec_view(ev), fs.reader());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->source, "kernel");
  ASSERT_EQ(c->interpreters.size(), 1u);
  expect_level(c->interpreters[0], "/bin/sh", {"-e"}, 2, 21);
}
