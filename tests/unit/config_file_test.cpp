// The configuration file's reader and its ownership rule, without root.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "app/config_file.h"

namespace nj {
namespace {

std::vector<ConfigEntry> ok(std::string_view text) {
  auto r = parse_config(text);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : std::vector<ConfigEntry>{};
}

std::string bad(std::string_view text) {
  auto r = parse_config(text);
  EXPECT_FALSE(r) << text;
  return r ? "" : r.error().message;
}

TEST(ConfigFile, KeysValuesAndLines) {
  const auto e =
      ok("# a comment\n"
         "\n"
         "output = \"/var/log/nightjar/events.jsonl\"  # where\n"
         "  ringbuf-size = 8_388_608\r\n"
         "no-hash = true\n"
         "events = [\"process\", 'file' , ]\n"
         "duration = 1.5\n");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].key, "output");
  EXPECT_EQ(e[0].values, std::vector<std::string>{"/var/log/nightjar/events.jsonl"});
  EXPECT_EQ(e[0].line, 3);
  EXPECT_EQ(e[1].key, "ringbuf-size");
  EXPECT_EQ(e[1].values[0], "8388608");
  EXPECT_EQ(e[1].line, 4);
  EXPECT_TRUE(e[2].is_bool);
  EXPECT_EQ(e[2].values[0], "true");
  EXPECT_TRUE(e[3].is_array);
  EXPECT_EQ(e[3].values, (std::vector<std::string>{"process", "file"}));
  EXPECT_EQ(e[4].values[0], "1.5");
  EXPECT_FALSE(e[4].is_bool);
}

TEST(ConfigFile, StringEscapes) {
  const auto e = ok("a = \"q\\\"b\\\\t\\tn\\ne\\u00e9\\U0001F600\"\nb = 'C:\\raw\\n'\nc = \"# not a comment\"\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].values[0], "q\"b\\t\tn\ne\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(e[1].values[0], "C:\\raw\\n");
  EXPECT_EQ(e[2].values[0], "# not a comment");
}

TEST(ConfigFile, ErrorsNameTheLine) {
  EXPECT_EQ(bad("a = 1\n[run]\n"), "2: tables are not used: every key is top-level, as the flags of `nightjar run`");
  EXPECT_EQ(bad("a = 1\na = 2\n"), "2: 'a' again (first on line 1)");
  EXPECT_EQ(bad("\n\noutput = /tmp/x\n"), "3: '/tmp/x' is not a value (a string needs quotes)");
  EXPECT_EQ(bad("run.output = \"x\"\n"), "1: dotted keys are not used: every key is top-level");
  EXPECT_EQ(bad("a\n"), "1: expected `=` after 'a'");
  EXPECT_EQ(bad("a =\n"), "1: a value is missing");
  EXPECT_EQ(bad("a = \"x\n"), "1: a string without its closing quote");
  EXPECT_EQ(bad("a = \"x\" y\n"), "1: unexpected text after the value");
  EXPECT_EQ(bad("a = [\"x\"\n"), "1: an array must close on its line");
  EXPECT_EQ(bad("a = [[1]]\n"), "1: nested arrays are not used");
  EXPECT_EQ(bad("a = [1 2]\n"), "1: expected `,` or `]` in the array");
  EXPECT_EQ(bad("a = \"\\q\"\n"), "1: an unknown escape \\q in a string");
  EXPECT_EQ(bad("a = \"\\ud800\"\n"), "1: a bad \\u escape in a string");
  EXPECT_EQ(bad("a = \"\"\"x\"\"\"\n"), "1: multi-line strings are not used");
  EXPECT_EQ(bad("\"a\" = 1\n"), "1: quoted keys are not used: write the flag's name bare");
  EXPECT_EQ(bad("= 1\n"), "1: expected `key = value`");
  EXPECT_EQ(bad("a = \"tab\x01\"\n"), "1: a control character in a string (write it as an escape)");
}

TEST(ConfigFile, NumbersAreHandedOnAsTyped) {
  // The flags' own checks judge them (and refuse -1, nan, 0x10).
  const auto e = ok("a = -1\nb = nan\nc = 0x10\nd = 1e3\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].values[0], "-1");
  EXPECT_EQ(e[1].values[0], "nan");
  EXPECT_EQ(e[2].values[0], "0x10");
  EXPECT_EQ(e[3].values[0], "1e3");
}

TEST(ConfigFile, EmptyAndCommentOnlyFilesHaveNoKeys) {
  EXPECT_TRUE(ok("").empty());
  EXPECT_TRUE(ok("# nothing\n\n   # at all\n").empty());
}

TEST(ConfigFile, OwnerAndModeRule) {
  const FileFacts file{true, 0, S_IFREG | 0600}, dir{true, 0, S_IFDIR | 0755};
  EXPECT_EQ(config_owner_problem(file, dir, 0), "");
  EXPECT_EQ(config_owner_problem({true, 0, S_IFREG | 0644}, dir, 0), "");
  // The user running the sensor with capabilities may own it.
  EXPECT_EQ(config_owner_problem({true, 1000, S_IFREG | 0600}, {true, 1000, S_IFDIR | 0700}, 1000), "");
  EXPECT_EQ(config_owner_problem({false, 0, S_IFDIR | 0755}, dir, 0), "not a regular file");
  EXPECT_EQ(config_owner_problem({true, 1000, S_IFREG | 0644}, dir, 0),
            "owned by uid 1000, not root: its owner could change what the sensor does");
  EXPECT_EQ(config_owner_problem({true, 0, S_IFREG | 0664}, dir, 0),
            "writable by its group: they could change what the sensor does (chmod go-w)");
  EXPECT_EQ(config_owner_problem({true, 0, S_IFREG | 0646}, dir, 0),
            "writable by anyone: they could change what the sensor does (chmod go-w)");
  EXPECT_EQ(config_owner_problem(file, {true, 1000, S_IFDIR | 0755}, 0),
            "in a directory owned by uid 1000, not root: its owner could replace the file");
  EXPECT_EQ(config_owner_problem(file, {true, 0, S_IFDIR | 01777}, 0),
            "in a directory writable by anyone: they could replace the file");
  EXPECT_EQ(config_owner_problem(file, {true, 0, S_IFDIR | 0775}, 0),
            "in a directory writable by its group: they could replace the file");
}

}  // namespace
}  // namespace nj

namespace nj {
namespace {

TEST(ConfigSettings, ValuesFromTheCheckConfigText) {
  const auto v = settings_values(
      "output = \"/var/log/x.jsonl\"  # /etc/nightjar/nightjar.toml:3\n"
      "# on-output-error = \"drop\"\n"
      "events = [\"process\", \"file\"]  # command line\n"
      "# duration (not set)\n"
      "# a comment line without a setting\n");
  EXPECT_EQ(v, (std::map<std::string, std::string>{{"output", "\"/var/log/x.jsonl\""},
                                                   {"on-output-error", "\"drop\""},
                                                   {"events", "[\"process\", \"file\"]"},
                                                   {"duration", "(not set)"}}));
}

TEST(ConfigSettings, ChangedKeysIgnoreWhereAValueCameFrom) {
  const auto before = settings_values("a = 1  # f:1\nb = 2  # f:2\n# c = 3\n# d (not set)\n");
  // The same values from elsewhere; b changed, c set to its default, d set,
  // e new.
  const auto after = settings_values("a = 1  # command line\nb = 5  # f:2\nc = 3  # f:7\nd = 4  # f:8\ne = 1\n");
  EXPECT_EQ(changed_keys(before, after), (std::vector<std::string>{"b", "d", "e"}));
  EXPECT_EQ(changed_keys(after, before), (std::vector<std::string>{"b", "d", "e"}));
  EXPECT_TRUE(changed_keys(before, before).empty());
}

}  // namespace
}  // namespace nj
