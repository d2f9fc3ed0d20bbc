// The terminal view's formatter: real documented events rendered to one
// line each with their key fields, escaping of what an attacker controls
// (file names, arguments), cutting of long values, colour only when asked,
// and no input that stops it.
#include "encode/compact.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "encode/encoder.h"
#include "encode/json_writer.h"
#include "files.h"

using namespace nj;
using json = nlohmann::json;

namespace {

using njt::slurp;

// The n-th documented example of `action` on `page` (docs/...), as one line.
json example(const std::string& page, const std::string& action, int n = 0) {
  const std::string text = slurp(std::string(NJ_SOURCE_DIR) + "/docs/" + page);
  static const std::regex block("```json\n([^`]*)```");
  for (std::sregex_iterator it(text.begin(), text.end(), block), end; it != end; ++it) {
    json doc = json::parse((*it)[1].str(), nullptr, false);
    if (doc.is_object() && doc.contains("event") && doc["event"].value("action", "") == action && n-- == 0) return doc;
  }
  ADD_FAILURE() << "no example of " << action << " in " << page;
  return json::object();
}

const CompactStyle kPlain{false, 160};
const CompactStyle kColor{true, 160};

std::string compact(const json& doc, const CompactStyle& s = kPlain) { return compact_line(doc.dump(), s); }

// No byte a terminal would act on: controls only as the SGR colour
// sequences (ESC [ digits ; m) when colour is on.
void expect_terminal_safe(const std::string& line, bool color) {
  for (size_t i = 0; i < line.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == 0x1b && color) {
      size_t k = i + 1;
      ASSERT_LT(k, line.size()) << line;
      EXPECT_EQ(line[k], '[') << "not an SGR sequence at " << i << ": " << line;
      k++;
      while (k < line.size() && (std::isdigit(static_cast<unsigned char>(line[k])) || line[k] == ';')) k++;
      ASSERT_LT(k, line.size()) << line;
      EXPECT_EQ(line[k], 'm') << "not an SGR sequence at " << i << ": " << line;
      i = k;
      continue;
    }
    EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control byte " << int(c) << " at " << i << ": " << line;
  }
  EXPECT_TRUE(valid_utf8(line)) << line;
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos) << line;
}

}  // namespace

TEST(Compact, ExecShowsTimeProcessExecutableArgumentsAndParent) {
  json e = example("events/process.md", "exec");
  e["process"]["parent"]["name"] = "bash";
  EXPECT_EQ(compact(e),
            "23:22:42.538 exec              true[13953] /usr/bin/true 'arg one' 'quote\"d' 'back\\slash' "
            "parent=bash[13952]");
}

TEST(Compact, FailedExecShowsWhatItTriedAndTheError) {
  const std::string line = compact(example("events/process.md", "exec", 1));
  EXPECT_NE(line.find(" exec "), std::string::npos) << line;
  EXPECT_NE(line.find("error=ENOENT"), std::string::npos) << line;
  const json e = example("events/process.md", "exec", 1);
  EXPECT_NE(line.find(" " + e["file"]["path"].get<std::string>()), std::string::npos) << line;
  // The caller's own executable is not shown as if it were what ran.
  EXPECT_EQ(line.find(e["process"]["executable"].get<std::string>() + " "), std::string::npos) << line;
}

TEST(Compact, FamiliesKeyFields) {
  struct Case {
    const char* page;
    const char* action;
    int n;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"events/process.md", "exit", 1, {"signal=SIGKILL"}},
      {"events/process.md", "unshare", 0, {"flags=CLONE_NEWUTS"}},
      {"events/file.md", "chmod", 0, {"mode=4644"}},
      {"events/file.md", "xattr", 0, {"op=set", "name=user.origin"}},
      {"events/file.md", "read", 0, {"tags=credentials"}},
      {"events/file.md", "rename", 0, {" -> "}},
      {"events/network.md", "connect", 0, {"tcp ", " -> ", "result=established"}},
      {"events/network.md", "connect_result", 0, {"result=refused", "error="}},
      {"events/network.md", "dns_answer", 0, {"www.nightjar-test.example", "ips=127.8.9.10"}},
      {"events/tamper.md", "signal", 0, {"SIGKILL", "target="}},
      {"events/tamper.md", "ptrace", 0, {"PTRACE_POKETEXT", "target="}},
      {"events/tamper.md", "process_rename", 0, {"nj-actions -> [kworker/0:1]", "via=prctl"}},
      {"events/tamper.md", "module_load", 0, {"crc7", "path=/lib/modules/"}},
      {"events/tamper.md", "mount", 0, {"on=/proc/", "hides_pid="}},
      {"events/tamper.md", "sensor-tampered", 0, {"signal", "event=001000000000002e"}},
      {"events.md", "sensor-started", 0, {"version=", "transport=", "hooks="}},
      {"events.md", "sensor-stopped", 0, {"events=", "kernel_lost="}},
      {"events.md", "sensor-health", 0, {"rss=", "MiB"}},
      {"events.md", "events-lost", 0, {"kernel="}},
  };
  for (const Case& c : cases) {
    const json e = example(c.page, c.action, c.n);
    const std::string line = compact(e);
    const std::string ts = e["@timestamp"];
    EXPECT_EQ(line.rfind(ts.substr(11, 12) + " " + c.action + " ", 0), 0u) << line;
    if (e.contains("process") && e["process"].contains("name")) {
      EXPECT_NE(line.find(e["process"]["name"].get<std::string>() + "[" + e["process"]["pid"].dump() + "]"),
                std::string::npos)
          << line;
    }
    for (const std::string& w : c.want)
      EXPECT_NE(line.find(w), std::string::npos) << c.action << ": " << w << " in " << line;
    expect_terminal_safe(line, false);
  }
}

// Every documented example, of every family and the sensor: one safe line
// with its action, in colour and without.
TEST(Compact, EveryDocumentedEventRendersOnOneLine) {
  int n = 0;
  for (const char* page :
       {"events.md", "events/process.md", "events/file.md", "events/network.md", "events/tamper.md"}) {
    const std::string text = slurp(std::string(NJ_SOURCE_DIR) + "/docs/" + page);
    static const std::regex block("```json\n([^`]*)```");
    for (std::sregex_iterator it(text.begin(), text.end(), block), end; it != end; ++it) {
      const json doc = json::parse((*it)[1].str(), nullptr, false);
      if (!doc.is_object() || !doc.contains("event")) continue;
      n++;
      const std::string plain = compact(doc), color = compact(doc, kColor);
      EXPECT_NE(plain.find(" " + doc["event"]["action"].get<std::string>() + " "), std::string::npos) << plain;
      EXPECT_EQ(plain.find("unparsable"), std::string::npos) << plain;
      EXPECT_LT(plain.size(), 1500u) << plain;
      expect_terminal_safe(plain, false);
      expect_terminal_safe(color, true);
      EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
      EXPECT_NE(color.find("\x1b["), std::string::npos) << color;
    }
  }
  EXPECT_GT(n, 40);
}

TEST(Compact, EscapesWhatWouldDriveTheTerminal) {
  EXPECT_EQ(terminal_safe("a\x1b]0;owned\x07\x1b[2Jb", 100), "a\\x1b]0;owned\\x07\\x1b[2Jb");
  EXPECT_EQ(terminal_safe("line1\nline2\ttab\rcr\x7f", 100), "line1\\nline2\\ttab\\rcr\\x7f");
  EXPECT_EQ(terminal_safe("csi\xc2\x9b"
                          "31m",
                          100),
            "csi\\u009b31m");                                                             // C1 CSI in UTF-8
  EXPECT_EQ(terminal_safe("evil\xe2\x80\xaetxt.exe", 100), "evil\\u202etxt.exe");         // right-to-left override
  EXPECT_EQ(terminal_safe("bad\xff\xfe", 100), "bad\\xff\\xfe");                          // not UTF-8
  EXPECT_EQ(terminal_safe("caf\xc3\xa9 \xe6\x97\xa5", 100), "caf\xc3\xa9 \xe6\x97\xa5");  // text stays text
  EXPECT_EQ(terminal_safe(std::string("nul\0x", 5), 100), "nul\\x00x");
}

TEST(Compact, AnEscapeSequenceInAFileNameOrArgumentIsShownNotRun) {
  json e = example("events/process.md", "exec");
  e["process"]["name"] = "\x1b[2Jx";
  e["process"]["executable"] = "/tmp/\x1b]0;pwned\x07/\x1b[31mred";
  e["process"]["args"] = json::array({"x", "\x1b[1A\x1b[2K", "ok"});
  for (const CompactStyle& s : {kPlain, kColor}) {
    const std::string line = compact(e, s);
    expect_terminal_safe(line, s.color);
    EXPECT_NE(line.find("/tmp/\\x1b]0;pwned\\x07/\\x1b[31mred"), std::string::npos) << line;
    EXPECT_NE(line.find("'\\x1b[1A\\x1b[2K'"), std::string::npos) << line;
    EXPECT_NE(line.find("\\x1b[2Jx[13953]"), std::string::npos) << line;
  }
  json f = example("events/file.md", "create");
  f["file"]["path"] = "/tmp/a\nfake 00:00:00.000 exec line";
  const std::string line = compact(f);
  EXPECT_NE(line.find("/tmp/a\\nfake 00:00:00.000 exec line"), std::string::npos) << line;
  expect_terminal_safe(line, false);
}

TEST(Compact, LongValuesAreCutWithAMarker) {
  json e = example("events/process.md", "exec");
  e["process"]["args"] = json::array({"sh", std::string(5000, 'A')});
  const std::string line = compact(e);
  EXPECT_NE(line.find(std::string(160, 'A') + "...(+4840 more)"), std::string::npos) << line;
  EXPECT_LT(line.size(), 400u) << line;
  // A cut never splits a character or an escape.
  std::string wide;
  for (int i = 0; i < 200; i++) wide += "\xc3\xa9";
  const std::string cut = terminal_safe(wide, 10);
  EXPECT_EQ(cut, std::string(wide, 0, 20) + "...(+190 more)");
  EXPECT_EQ(terminal_safe(std::string(20, '\x1b'), 10), "\\x1b\\x1b...(+18 more)");
}

TEST(Compact, ColourOnlyWhenAsked) {
  const json e = example("events/tamper.md", "signal");
  EXPECT_EQ(compact(e, kPlain).find('\x1b'), std::string::npos);
  const std::string c = compact(e, kColor);
  EXPECT_NE(c.find("\x1b[1;33msignal"), std::string::npos) << c;  // a notice
  EXPECT_NE(compact(example("events/tamper.md", "sensor-tampered"), kColor).find("\x1b[1;31m"), std::string::npos);
}

TEST(Compact, WhateverTheInputOneLineAndNoCrash) {
  EXPECT_EQ(compact_line("not json {", kPlain), "unparsable line: not json {");
  EXPECT_EQ(compact_line("\x1b[2J{\"a\":", kPlain), "unparsable line: \\x1b[2J{\"a\":");
  EXPECT_EQ(compact_line("[1,2]", kPlain), "unparsable line: [1,2]");
  EXPECT_EQ(compact_line("{}", kPlain).substr(0, 14), "--:--:--.--- ?");
  EXPECT_EQ(compact_line("", kPlain), "unparsable line: ");
  // Types other than the encoder's never make it throw.
  const std::string odd =
      R"({"@timestamp":5,"event":{"action":"exec","outcome":"failure"},"process":{"name":7,"pid":"x",)"
      R"("args":{"a":1},"parent":[]},"file":{"path":["a",{"b":2},null]},"error":{"code":1}})";
  EXPECT_NE(compact_line(odd, kPlain).find(" exec "), std::string::npos);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(compact_line(deep, kPlain).rfind("unparsable line: [[[", 0), 0u);
}

// The sensor's own alerts through the real encoder: a detail that carries
// a path someone chose is escaped too.
TEST(Compact, SensorEventsFromTheEncoder) {
  WallClock clock;
  HostInfo host;
  host.name = "h";
  host.boot_id = "0123456789abcdeffedcba9876543210";
  Encoder enc(host, clock, [](const std::string&) { return std::nullopt; });
  const std::string t = compact_line(enc.sensor_tampered("output_removed", "/var/log/\x1b[8mx was removed"), kPlain);
  EXPECT_NE(t.find(" sensor-tampered "), std::string::npos) << t;
  EXPECT_NE(t.find("output_removed /var/log/\\x1b[8mx was removed"), std::string::npos) << t;
  LossReport r;
  r.kernel_lost = 12;
  r.queue_dropped = 3;
  const std::string l = compact_line(enc.loss(r), kPlain);
  EXPECT_NE(l.find(" events-lost "), std::string::npos) << l;
  EXPECT_NE(l.find("kernel=12 queue=3 output=0"), std::string::npos) << l;
}

TEST(Compact, SinkWritesOneCompactLinePerLine) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  auto sink = make_compact_sink(make_fd_sink(p[1], true, true), kPlain);
  const std::string a = example("events/tamper.md", "setns").dump(), b = "garbage";
  const WriteResult r = sink->write(a + "\n" + b + "\n");
  EXPECT_EQ(r.lines, 2u);
  EXPECT_EQ(r.error, 0);
  sink.reset();
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(p[0], buf, sizeof(buf))) > 0;) got.append(buf, n);
  close(p[0]);
  EXPECT_EQ(got, compact_line(a, kPlain) + "\n" + "unparsable line: garbage\n");
}

TEST(Compact, ChooseView) {
  // auto: compact and colour on a terminal, JSON elsewhere.
  EXPECT_TRUE(choose_view("auto", "auto", true, "xterm-256color", nullptr).compact);
  EXPECT_TRUE(choose_view("auto", "auto", true, "xterm-256color", nullptr).color);
  EXPECT_FALSE(choose_view("auto", "auto", false, "xterm", nullptr).compact);
  EXPECT_FALSE(choose_view("auto", "always", false, "xterm", nullptr).color);  // JSON is never coloured
  // no-color.org: set and not empty disables it; TERM dumb or unset too.
  EXPECT_FALSE(choose_view("auto", "auto", true, "xterm", "1").color);
  EXPECT_TRUE(choose_view("auto", "auto", true, "xterm", "").color);
  EXPECT_FALSE(choose_view("auto", "auto", true, "dumb", nullptr).color);
  EXPECT_FALSE(choose_view("auto", "auto", true, nullptr, nullptr).color);
  EXPECT_TRUE(choose_view("auto", "auto", true, "dumb", nullptr).compact);
  // Asked for: honoured whatever the output.
  EXPECT_TRUE(choose_view("compact", "auto", false, "xterm", nullptr).compact);
  EXPECT_FALSE(choose_view("compact", "auto", false, "xterm", nullptr).color);
  EXPECT_TRUE(choose_view("compact", "always", false, nullptr, "1").color);
  EXPECT_FALSE(choose_view("json", "always", true, "xterm", nullptr).compact);
  EXPECT_FALSE(choose_view("compact", "never", true, "xterm", nullptr).color);
  EXPECT_TRUE(colors_allowed("xterm", nullptr));
  EXPECT_FALSE(colors_allowed("xterm", "yes"));
  EXPECT_FALSE(colors_allowed("", nullptr));
}
