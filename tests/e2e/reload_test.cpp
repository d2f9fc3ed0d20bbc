// SIGHUP while the sensor runs, as an administrator uses it after editing
// the configuration: the file rules (tags, reads reported) and the output
// (another file, its rotation, its view) change without a restart, and no
// event falls between the old settings and the new.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "files.h"
#include "harness.h"

namespace nj::e2e {
namespace {

void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
}

bool stderr_has(SensorProcess& s, const std::string& text, int timeout_ms) {
  return njt::wait_until([&] { return s.stderr_text().find(text) != std::string::npos; }, timeout_ms, 50);
}

bool is_read_of(const json& e, const std::string& path) {
  return get(e, "event.action") == "read" && get(e, "file.path") == path;
}

// The rules file edited in place and SIGHUP: reads the old rules reported
// are no longer, reads the new rules name are, with the new tags; the
// tags of writes follow too.
TEST(Reload, SighupSwapsTheFileRules) {
  const std::string dir = temp_dir();
  for (const char* d : {"/one", "/two"}) ASSERT_EQ(mkdir((dir + d).c_str(), 0755), 0);
  write_file(dir + "/one/x", "one\n", 0644);
  write_file(dir + "/two/x", "two\n", 0644);
  const std::string rules = dir + "/rules";
  write_file(rules, dir + "/one/ nj-one read\n" + dir + "/tagged/ nj-before\n");
  SensorProcess s({"--events", "process,file", "--file-rules", rules});
  s.keep_lines_with({dir});

  ASSERT_EQ(run_command({"/bin/cat", dir + "/one/x", dir + "/two/x"}).status, 0);
  const json before = s.wait_for([&](const json& e) { return is_read_of(e, dir + "/one/x"); }, 10000);
  ASSERT_FALSE(before.is_null()) << s.stderr_text();
  EXPECT_EQ(get(before, "nightjar.file.tags"), json::array({"nj-one"}));

  write_file(rules, dir + "/two/ nj-two read\n" + dir + "/tagged/ nj-after\n");
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(stderr_has(s, "SIGHUP: file rules read again from " + rules + ": 2 rules", 10000)) << s.stderr_text();

  // One process reads the file the old rules watched, then the one the new
  // rules watch: once the second is reported, the first would have been.
  const Command cat = run_command({"/bin/sh", "-c", "exec /bin/cat " + dir + "/one/x " + dir + "/two/x"});
  ASSERT_EQ(cat.status, 0);
  const json after = s.wait_for([&](const json& e) { return is_read_of(e, dir + "/two/x"); }, 10000);
  ASSERT_FALSE(after.is_null()) << s.stderr_text();
  EXPECT_EQ(get(after, "nightjar.file.tags"), json::array({"nj-two"}));
  const json pid = get(after, "process.pid");
  EXPECT_TRUE(
      s.all([&](const json& e) { return is_read_of(e, dir + "/one/x") && get(e, "process.pid") == pid; }).empty())
      << "a read only the old rules report";

  ASSERT_EQ(mkdir((dir + "/tagged").c_str(), 0755), 0);
  write_file(dir + "/tagged/new", "x\n");
  const json created = s.wait_for(
      [&](const json& e) { return get(e, "event.action") == "create" && get(e, "file.path") == dir + "/tagged/new"; },
      10000);
  ASSERT_FALSE(created.is_null()) << s.stderr_text();
  EXPECT_EQ(get(created, "nightjar.file.tags"), json::array({"nj-after"}));

  // A file that no longer parses is one error line; the rules in force stay.
  write_file(rules, "relative/path nj-bad\n");
  kill(s.pid(), SIGHUP);
  EXPECT_TRUE(stderr_has(s,
                         "nightjar: error: SIGHUP: the file rules were not read again: " + rules +
                             ":1: path 'relative/path' is not absolute; the rules in force stay\n",
                         10000))
      << s.stderr_text();
  ASSERT_EQ(run_command({"/bin/cat", dir + "/two/x"}).status, 0);
  EXPECT_TRUE(njt::wait_until(
      [&] { return s.all([&](const json& e) { return is_read_of(e, dir + "/two/x"); }, 0).size() == 2; }, 10000))
      << "the rules in force no longer report reads";
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
  expect_schema_valid(s.output_path());
}

// A watched path that appears inside a directory moved into place whole
// makes no event naming it; SIGHUP (and, every minute, the sensor itself)
// looks the rules' paths up again, and its reads are reported from then on.
TEST(Reload, SighupLooksTheRulesPathsUpAgain) {
  const std::string dir = temp_dir();
  const std::string rules = dir + "/rules";
  write_file(rules, dir + "/*/.ssh/ nj-ssh read\n");
  SensorProcess s({"--events", "process,file", "--file-rules", rules});
  s.keep_lines_with({dir});
  // Made where no rule covers it (two levels down), then moved whole to
  // where the rule covers its .ssh: no event names dir/bob/.ssh.
  for (const char* d : {"/stage", "/stage/deep", "/stage/deep/.ssh"}) ASSERT_EQ(mkdir((dir + d).c_str(), 0700), 0);
  write_file(dir + "/stage/deep/.ssh/key", "secret\n");
  ASSERT_EQ(rename((dir + "/stage/deep").c_str(), (dir + "/bob").c_str()), 0);
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(stderr_has(s, "SIGHUP: configuration read again; nothing changed", 10000)) << s.stderr_text();
  const std::string key = dir + "/bob/.ssh/key";
  ASSERT_EQ(run_command({"/bin/cat", key}).status, 0);
  const json read = s.wait_for([&](const json& e) { return is_read_of(e, key); }, 10000);
  ASSERT_FALSE(read.is_null()) << s.stderr_text();
  EXPECT_EQ(get(read, "nightjar.file.tags"), json::array({"nj-ssh"}));
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
}

// The configuration names another output file and a size rotation. Every
// exec of a loop running across the SIGHUP is in exactly one of the files,
// each line whole, and the new file rotates at its new size.
TEST(Reload, SighupMovesTheOutputWithoutLosingALine) {
  const std::string dir = temp_dir();
  const std::string a = dir + "/a.jsonl", b = dir + "/b.jsonl", cfg = dir + "/nightjar.toml";
  write_file(cfg, "output = \"" + a + "\"\n");
  SensorProcess s({"--config", cfg}, a);
  s.keep_lines_with({"nj-move-"});

  constexpr int kExecs = 300;
  std::thread loop([&] {
    run_command(
        {"/bin/sh", "-c",
         "i=0; while [ $i -lt " + std::to_string(kExecs) + " ]; do /bin/echo nj-move-$i >/dev/null; i=$((i+1)); done"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  write_file(cfg, "output = \"" + b + "\"\noutput-max-size = 200000\noutput-keep = 99\n");
  kill(s.pid(), SIGHUP);
  loop.join();
  ASSERT_TRUE(stderr_has(s, "SIGHUP: output moves from " + a + " to " + b, 10000)) << s.stderr_text();
  EXPECT_TRUE(stderr_has(s, "SIGHUP: configuration read again; applied: output, output-keep, output-max-size\n", 1000))
      << s.stderr_text();
  // Enough after the move for the new file to rotate at its new size
  // (an exec's fork, exec and exit are ~4 KB).
  ASSERT_EQ(run_command({"/bin/sh", "-c", "i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done"}).status, 0);
  // The last exec's event is somewhere before the stop's drain is over.
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();

  std::vector<std::string> files{a};
  for (int k = 99; k >= 1; k--)
    if (access((b + "." + std::to_string(k)).c_str(), F_OK) == 0) files.push_back(b + "." + std::to_string(k));
  files.push_back(b);
  EXPECT_GE(files.size(), 3u) << "the new file never rotated at its new size";
  std::multiset<std::string> seen;
  size_t lines_in_b = 0;
  for (const std::string& f : files) {
    for (const std::string& line : njt::lines_of(njt::slurp(f))) {
      const json e = json::parse(line, nullptr, false);
      ASSERT_FALSE(e.is_discarded()) << f << ": a torn line: " << line.substr(0, 200);
      if (f != a) lines_in_b++;
      if (get(e, "event.action") != "exec" || get(e, "process.executable") != "/usr/bin/echo") continue;
      const json args = get(e, "process.args");
      if (args.is_array() && args.size() == 2 && args[1].get<std::string>().rfind("nj-move-", 0) == 0)
        seen.insert(args[1].get<std::string>());
    }
    expect_schema_valid(f);
  }
  EXPECT_GT(lines_in_b, 0u);
  for (int i = 0; i < kExecs; i++)
    EXPECT_EQ(seen.count("nj-move-" + std::to_string(i)), 1u) << "nj-move-" << i << " in " << a << " and " << b;
  // The last words are in the new file.
  const auto tail = njt::lines_of(njt::slurp(b));
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(get(json::parse(tail.back()), "event.action"), "sensor-stopped");
}

// Keys that cannot change while running are named; an output file that
// cannot be opened is an error line and the output stays where it was.
TEST(Reload, AnOutputThatCannotBeOpenedChangesNothing) {
  const std::string dir = temp_dir();
  const std::string a = dir + "/a.jsonl", cfg = dir + "/nightjar.toml";
  write_file(cfg, "output = \"" + a + "\"\nevents = [\"process\"]\n");
  SensorProcess s({"--config", cfg}, a);
  write_file(cfg, "output = \"" + dir + "/missing/b.jsonl\"\nevents = [\"process\"]\nqueue = 1000\n");
  kill(s.pid(), SIGHUP);
  EXPECT_TRUE(stderr_has(s, "nightjar: error: SIGHUP: the output settings were not applied: ", 10000))
      << s.stderr_text();
  EXPECT_TRUE(stderr_has(s,
                         "nightjar: warning: SIGHUP: queue changed in the configuration but take effect only when "
                         "the sensor restarts\n",
                         1000))
      << s.stderr_text();
  // Still writing to the first file.
  ASSERT_EQ(run_command({"/bin/echo", "nj-still-here"}).status, 0);
  const json e = s.wait_for(
      [](const json& x) {
        const json args = get(x, "process.args");
        return args.is_array() && args.size() == 2 && args[1] == "nj-still-here";
      },
      10000);
  EXPECT_FALSE(e.is_null()) << s.stderr_text();
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
}

}  // namespace
}  // namespace nj::e2e
