// The configuration file as an administrator meets it: keys are the long
// flags, the command line wins, every mistake is one line naming the file,
// the line and the key, an unsafe file is refused, and the default file
// the package ships is accepted whole.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <thread>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"

namespace nj::e2e {
namespace {

// A configuration file in a fresh root-owned 0700 directory.
std::string write_config(const std::string& text, const std::string& dir = temp_dir()) {
  const std::string path = dir + "/nightjar.toml";
  std::ofstream(path) << text;
  chmod(path.c_str(), 0600);
  return path;
}

Command nightjar(std::vector<std::string> args) {
  args.insert(args.begin(), NJ_BINARY);
  return run_command(args);
}

void expect_one_line_error(const Command& c, const std::string& line) {
  EXPECT_EQ(c.status, 2) << c.err;
  EXPECT_TRUE(c.out.empty()) << c.out;
  EXPECT_EQ(c.err, "nightjar: " + line + "\n");
}

TEST(Config, CommandLineOverridesTheFileKeyByKey) {
  const std::string cfg = write_config(
      "# the administrator's settings\n"
      "events = [\"process\", \"tamper\"]\n"
      "exec-fold-ms = 50\n"
      "no-hash = true\n"
      "ringbuf-size = 1_048_576\n");
  const Command c = nightjar({"run", "--config", cfg, "--check-config", "--exec-fold-ms", "20"});
  ASSERT_EQ(c.status, 0) << c.err;
  std::vector<std::string> set;
  std::istringstream in(c.out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l[0] != '#') set.push_back(l);
  EXPECT_EQ(set, (std::vector<std::string>{
                     "events = [\"process\", \"tamper\"]  # " + cfg + ":2",
                     "ringbuf-size = 1048576  # " + cfg + ":5",
                     "no-hash = true  # " + cfg + ":4",
                     "exec-fold-ms = 20  # command line",
                 }));
  // Every other key is shown at its default, commented out.
  EXPECT_NE(c.out.find("\n# hash-cache = 4096\n"), std::string::npos) << c.out;
}

TEST(Config, EveryMistakeIsOneLineNamingFileLineAndKey) {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"\n\nbogus = 3\n",
       ":3: unknown key 'bogus' (the keys are the long flags of `nightjar run --help`, without the dashes)"},
      {"config = \"/etc/other.toml\"\n",
       ":1: unknown key 'config' (the keys are the long flags of `nightjar run --help`, without the dashes)"},
      {"ringbuf-size = 5000\n", ":1: ringbuf-size: '5000' is not a power of two from 4096 to 2147483648"},
      {"duration = \"nan\"\n", ":1: duration: 'nan' is not a number of seconds above 0 and at most 1000000000"},
      {"duration = -1\n", ":1: duration: '-1' is not a number of seconds above 0 and at most 1000000000"},
      {"output = \"\"\n", ":1: output: an empty path is not a file name"},
      {"events = [\"process\", \"bogus\"]\n",
       ":1: events: unknown event family 'bogus' (known: process,file,network,tamper)"},
      {"no-hash = 1\n", ":1: no-hash: true or false"},
      {"poll-ms = true\n", ":1: poll-ms: not a true/false setting"},
      {"output = [\"a\", \"b\"]\n", ":1: output: one value, not an array"},
      {"[run]\noutput = \"x\"\n", ":1: tables are not used: every key is top-level, as the flags of `nightjar run`"},
      {"poll-ms = 10\npoll-ms = 20\n", ":2: 'poll-ms' again (first on line 1)"},
      {"output = /var/log/x\n", ":1: '/var/log/x' is not a value (a string needs quotes)"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    const std::string cfg = write_config(k.text);
    expect_one_line_error(nightjar({"run", "--config", cfg}), cfg + k.error);
  }
}

TEST(Config, AFileOthersCouldChangeIsRefused) {
  const std::string dir = temp_dir();
  const std::string cfg = write_config("poll-ms = 10\n", dir);
  chmod(cfg.c_str(), 0666);
  expect_one_line_error(nightjar({"run", "--config", cfg}),
                        "config " + cfg +
                            ": refused: writable by anyone: they could change what the sensor does "
                            "(chmod go-w)");
  chmod(cfg.c_str(), 0644);
  ASSERT_EQ(chown(cfg.c_str(), 65534, 65534), 0);
  expect_one_line_error(nightjar({"run", "--config", cfg}),
                        "config " + cfg +
                            ": refused: owned by uid 65534, not root: its owner could change what the "
                            "sensor does");
  ASSERT_EQ(chown(cfg.c_str(), 0, 0), 0);
  chmod(dir.c_str(), 01777);  // like /tmp
  expect_one_line_error(nightjar({"run", "--config", cfg}),
                        "config " + cfg + ": refused: in a directory writable by anyone: they could replace the file");
  chmod(dir.c_str(), 0755);
  EXPECT_EQ(nightjar({"run", "--config", cfg, "--check-config"}).status, 0);
  expect_one_line_error(nightjar({"run", "--config", dir + "/missing.toml"}),
                        "config " + dir + "/missing.toml: No such file or directory");
}

// The file `nightjar default-config` prints (the package installs it)
// is accepted as it is, and with every key uncommented at its default:
// each key is a flag and each default passes the flag's own check.
TEST(Config, TheDefaultFileIsAcceptedWholeAndUncommented) {
  const Command d = nightjar({"default-config"});
  ASSERT_EQ(d.status, 0) << d.err;
  const std::string as_is = write_config(d.out);
  const Command c = nightjar({"run", "--config", as_is, "--check-config"});
  EXPECT_EQ(c.status, 0) << c.err;
  std::string uncommented;
  int keys = 0;
  std::istringstream in(d.out);
  for (std::string l; std::getline(in, l);) {
    // "# key = value" lines are settings; prose comments have no " = ".
    if (l.rfind("# ", 0) == 0 && l.find(" = ") != std::string::npos && l.find(' ', 2) == l.find(" = ")) {
      uncommented += l.substr(2) + "\n";
      ++keys;
    }
  }
  EXPECT_GE(keys, 20) << d.out;
  const std::string all = write_config(uncommented);
  const Command u = nightjar({"run", "--config", all, "--check-config"});
  ASSERT_EQ(u.status, 0) << u.err << "\n" << uncommented;
  // Each key with a default now comes from the file; the others (their
  // absence means stdout, the built-in rules, until stopped, no metrics)
  // are still not set.
  int from_file = 0;
  std::set<std::string> unset;
  std::istringstream got(u.out);
  for (std::string l; std::getline(got, l);) {
    if (l.find("  # " + all + ":") != std::string::npos) ++from_file;
    else if (l.rfind("# ", 0) == 0 && l.size() > 10 && l.substr(l.size() - 10) == " (not set)")
      unset.insert(l.substr(2, l.size() - 12));
    else ADD_FAILURE() << "unexpected line: " << l;
  }
  EXPECT_EQ(from_file, keys) << u.out;
  EXPECT_EQ(unset, (std::set<std::string>{"output", "duration", "file-rules", "metrics-file"})) << u.out;
}

// The settings reach the sensor: a configuration alone decides the
// families attached, the output file and how long it runs.
TEST(Config, ARunTakesItsSettingsFromTheFile) {
  const std::string dir = temp_dir();
  const std::string out = dir + "/events.jsonl";
  const std::string cfg = write_config("events = [\"process\"]\noutput = \"" + out + "\"\nduration = 1\n", dir);
  const Command c = nightjar({"run", "--config", cfg});
  ASSERT_EQ(c.status, 0) << c.err;
  std::ifstream in(out);
  std::string first;
  ASSERT_TRUE(std::getline(in, first)) << "no output in " << out;
  const json started = json::parse(first);
  ASSERT_EQ(get(started, "event.action"), "sensor-started");
  const json hooks = get(started, "nightjar.hooks");
  ASSERT_TRUE(hooks.is_object());
  EXPECT_TRUE(hooks.contains("exec"));
  for (const auto& [name, status] : hooks.items()) {
    EXPECT_TRUE(name.rfind("file", 0) != 0 && name.rfind("network", 0) != 0 && name.rfind("tamper", 0) != 0)
        << name << " attached though the file names only the process family";
  }
  expect_schema_valid(out);
}

// SIGHUP reads the file again: what can change live is applied (here the
// health reports' interval: they start coming every second), what cannot
// is named and keeps its value, and a file that no longer reads is one
// error line while the sensor runs on with its settings.
TEST(Config, SighupReadsTheFileAgain) {
  const std::string dir = temp_dir();
  const std::string cfg = write_config("health-interval = 60\n", dir);
  SensorProcess s({"--events", "process", "--config", cfg});
  write_config("health-interval = 1\nhash-cache = 10\n", dir);
  kill(s.pid(), SIGHUP);
  const json health = s.wait_for([](const json& e) { return get(e, "event.action") == "sensor-health"; }, 10000);
  EXPECT_FALSE(health.is_null()) << s.stderr_text();
  write_config("health-interval = [\n", dir);
  kill(s.pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Still running, still reporting every second.
  const size_t reports = s.all([](const json& e) { return get(e, "event.action") == "sensor-health"; }).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_GT(s.all([](const json& e) { return get(e, "event.action") == "sensor-health"; }).size(), reports);
  EXPECT_EQ(s.stop(), 0) << s.stderr_text();
  const std::string err = s.stderr_text();
  EXPECT_NE(err.find("nightjar: info: SIGHUP: configuration read again; applied: health-interval\n"), std::string::npos)
      << err;
  EXPECT_NE(err.find("nightjar: warning: SIGHUP: hash-cache changed in the configuration but take effect only when "
                     "the sensor restarts\n"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("nightjar: error: SIGHUP: the configuration was not read again: " + cfg +
                     ":1: an array must close on its line; the settings in force stay\n"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace nj::e2e
