// The terminal view, as a user meets it: `nightjar run` on a real
// pseudo-terminal writes one readable line per event (a real exec shows as
// its executable, arguments, user and parent), in colour, never JSON, and
// never lets a file name or argument drive the terminal; the same command
// with stdout a pipe writes JSON lines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <regex>
#include <thread>

#include "harness.h"

namespace nj::e2e {
namespace {

using namespace std::chrono_literals;

// `nightjar run --events process ARGS` with stdout and stderr on `out` (a
// pty's slave, as in a user's terminal, or a pipe), everything it writes
// read from `in` as it comes.
class Watched {
 public:
  Watched(const std::vector<std::string>& args, int in, int out, bool terminal, std::vector<std::string> env)
      : in_(in) {
    pid_ = fork();
    if (pid_ == 0) {
      if (terminal) {
        setsid();
        ioctl(out, TIOCSCTTY, 0);
      }
      dup2(out, 1);
      dup2(out, 2);
      const int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      closefrom(3);
      unsetenv("NO_COLOR");
      for (auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
      std::vector<std::string> argv{NJ_BINARY, "run", "--events", "process"};
      argv.insert(argv.end(), args.begin(), args.end());
      exec_or_exit(argv);
    }
    close(out);
    reader_ = std::thread([this] {
      char buf[65536];
      for (;;) {
        const ssize_t n = read(in_, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EIO on a pty once the last writer closed it
        std::lock_guard<std::mutex> g(mu_);
        text_.append(buf, static_cast<size_t>(n));
      }
    });
  }
  ~Watched() {
    if (pid_ > 0) stop();
    if (reader_.joinable()) reader_.join();
    close(in_);
  }
  std::string text() {
    std::lock_guard<std::mutex> g(mu_);
    return text_;
  }
  // Whole lines so far, a terminal's "\r\n" as "\n".
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    const std::string t = text();
    size_t at = 0;
    for (size_t nl; (nl = t.find('\n', at)) != std::string::npos; at = nl + 1) {
      std::string l = t.substr(at, nl - at);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      out.push_back(std::move(l));
    }
    return out;
  }
  // The first whole line matching `re` (colours stripped), "" after the
  // timeout. Generous: on a busy machine the sensor starts slowly.
  std::string wait_for(const std::regex& re, std::chrono::seconds limit = 60s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    do {
      for (const std::string& l : lines()) {
        const std::string plain = strip_sgr(l);
        if (std::regex_search(plain, re)) return plain;
      }
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < end);
    return "";
  }
  int stop() {
    kill(pid_, SIGTERM);
    int st = 0;
    const auto end = std::chrono::steady_clock::now() + 60s;
    while (waitpid(pid_, &st, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > end) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  static std::string strip_sgr(const std::string& s) {
    return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), "");
  }

 private:
  int in_;
  int pid_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::string text_;
};

struct Pty {
  int master = -1, slave = -1;
  Pty() {
    struct winsize ws = {};
    ws.ws_row = 50;
    ws.ws_col = 200;
    if (openpty(&master, &slave, nullptr, nullptr, &ws) != 0) ADD_FAILURE() << "openpty: " << strerror(errno);
  }
};

// A compact line: time, then the action; or one of the sensor's own
// stderr lines, whole (stderr shares the terminal).
const std::regex kCompactLine(R"(^\d\d:\d\d:\d\d\.\d{3} [a-z_-]+ +\S)");
const std::regex kLogLine(R"(^nightjar: (trace|debug|info|warning|error|critical): \S)");

std::string re_escape(const std::string& s) {
  return std::regex_replace(s, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

void expect_only_compact_lines(Watched& w) {
  int compact = 0;
  for (const std::string& raw : w.lines()) {
    const std::string l = Watched::strip_sgr(raw);
    EXPECT_EQ(l.find("{\""), std::string::npos) << "JSON on the terminal: " << l;
    const bool is_compact = std::regex_search(l, kCompactLine);
    EXPECT_TRUE(is_compact || std::regex_search(l, kLogLine)) << "not a compact line: " << l;
    compact += is_compact;
    // What is left once the colours are gone: nothing a terminal acts on.
    for (unsigned char c : l) EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control byte " << int(c) << " in " << l;
  }
  EXPECT_GT(compact, 3);
}

TEST(CompactView, ARealExecOnATerminalIsOneReadableLineInColour) {
  Pty pty;
  Watched w({}, pty.master, pty.slave, true, {"TERM=xterm-256color"});
  ASSERT_NE(w.wait_for(std::regex(R"( sensor-started +version=\S+ transport=ringbuf hooks=\d+$)")), "") << w.text();

  const json a = act("exec");
  const std::string pid = a["pid"].dump(), ppid = a["ppid"].dump();
  const std::string exe = std::filesystem::canonical("/bin/true").string();
  const std::string line =
      w.wait_for(std::regex(R"(^\d\d:\d\d:\d\d\.\d{3} exec +true\[)" + pid + R"(\] )" + re_escape(exe) +
                            R"( 'arg one' 'quote"d' 'back\\slash' user=root parent=\S*\[)" + ppid + R"(\]$)"));
  EXPECT_NE(line, "") << "no compact exec line for pid " << pid << " in:\n" << w.text();
  EXPECT_NE(w.wait_for(std::regex(R"( exit +true\[)" + pid + R"(\] code=0( |$))")), "");

  // Arguments that are escape sequences (retitle the window, clear the
  // screen) are shown as text: the raw capture holds no ESC but colours.
  const ToolRun t = run_tool({"true", "\x1b]0;pwned\x07", "\x1b[2J\x1b[H",
                              "\xe2\x80\xae"
                              "cod.exe"});
  EXPECT_EQ(t.status, 0);
  const std::string evil = w.wait_for(std::regex(R"( exec +true\[)" + std::to_string(t.pid) + R"(\] )"));
  EXPECT_NE(evil.find(R"('\x1b]0;pwned\x07' '\x1b[2J\x1b[H' '\u202ecod.exe')"), std::string::npos) << evil;

  EXPECT_EQ(w.stop(), 0);
  const std::string all = w.text();
  EXPECT_NE(all.find("\x1b[1;36mexec"), std::string::npos) << "no colour on a terminal";
  EXPECT_TRUE(std::regex_search(std::regex_replace(all, std::regex("\x1b\\[[0-9;]*m"), ""), std::regex("^[^\x1b]*$")))
      << "an ESC that is not a colour reached the terminal";
  EXPECT_EQ(all.find("\xe2\x80\xae"), std::string::npos);
  expect_only_compact_lines(w);
  EXPECT_NE(w.wait_for(std::regex(R"( sensor-stopped +events=\d+ kernel_lost=\d+)"), 1s), "");
}

// NO_COLOR (https://no-color.org): the same lines, not one escape sequence.
TEST(CompactView, NoColorOnATerminalMeansNoEscapeAtAll) {
  Pty pty;
  Watched w({}, pty.master, pty.slave, true, {"TERM=xterm-256color", "NO_COLOR=1"});
  ASSERT_NE(w.wait_for(std::regex(" sensor-started ")), "") << w.text();
  const json a = act("exec");
  EXPECT_NE(w.wait_for(std::regex(R"( exec +true\[)" + a["pid"].dump() + R"(\] )")), "") << w.text();
  EXPECT_EQ(w.stop(), 0);
  EXPECT_EQ(w.text().find('\x1b'), std::string::npos) << w.text();
  expect_only_compact_lines(w);
}

// A program reads a pipe: JSON lines, whatever the terminal around it; and
// --format json on a terminal is JSON too.
void expect_json_lines(Watched& w, const json& a) {
  const std::string pid = a["pid"].dump();
  EXPECT_NE(w.wait_for(std::regex(R"("action":"exec".*"pid":)" + pid + ",")), "") << w.text();
  EXPECT_EQ(w.stop(), 0);
  const auto lines = w.lines();
  ASSERT_GT(lines.size(), 2u);
  size_t json_lines = 0;
  json first;
  for (const std::string& l : lines) {
    if (std::regex_search(Watched::strip_sgr(l), kLogLine)) continue;
    const json j = json::parse(l, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << l;
    if (json_lines++ == 0) first = j;
  }
  EXPECT_GT(json_lines, 2u);
  EXPECT_EQ(get(first, "event.action"), "sensor-started");
}

TEST(CompactView, APipeGetsJsonLines) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  // stderr goes to the pipe too here: the lines are told apart by shape.
  Watched w({}, p[0], p[1], false, {"TERM=xterm-256color"});
  ASSERT_NE(w.wait_for(std::regex(R"("action":"sensor-started")")), "") << w.text();
  expect_json_lines(w, act("exec"));
}

TEST(CompactView, FormatJsonOnATerminalIsJson) {
  Pty pty;
  Watched w({"--format", "json"}, pty.master, pty.slave, true, {"TERM=xterm-256color"});
  ASSERT_NE(w.wait_for(std::regex(R"("action":"sensor-started")")), "") << w.text();
  expect_json_lines(w, act("exec"));
}

}  // namespace
}  // namespace nj::e2e
