#include "sink/journal.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <nlohmann/json.hpp>

#include "families/registry.h"

namespace nj {

namespace {

using json = nlohmann::json;

// How long journald may accept nothing before the lines waiting for it
// count as failed (the file output's stall limit too): libsystemd's socket
// blocks, and a stopped or wedged journald would otherwise hold the writer,
// and the sensor's stop, forever.
constexpr long kStallMs = 1000;
// A MESSAGE is a summary: a 4 KiB path stays whole in NIGHTJAR_JSON.
constexpr size_t kMessageMax = 512;

const json* at(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* k : path) {
    if (!p->is_object()) return nullptr;
    auto it = p->find(k);
    if (it == p->end()) return nullptr;
    p = &*it;
  }
  return p;
}

// A string or a number as text, "" when absent or of another type.
std::string text(const json& j, std::initializer_list<const char*> path) {
  const json* v = at(j, path);
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return v->dump();
  return "";
}

// The summary is one line whatever a path holds: control bytes are shown
// as \xNN (NIGHTJAR_JSON keeps the bytes).
void append_visible(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

// What the event is about besides its process, from the ECS fields every
// family that has one uses: a file, a peer, a DNS name, a target process.
std::string object_of(const json& ev) {
  if (std::string p = text(ev, {"file", "path"}); !p.empty()) return p;
  if (std::string ip = text(ev, {"destination", "ip"}); !ip.empty()) {
    std::string port = text(ev, {"destination", "port"});
    if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
    return "to " + ip + (port.empty() ? "" : ":" + port);
  }
  if (std::string q = text(ev, {"dns", "question", "name"}); !q.empty()) return "query " + q;
  if (std::string t = text(ev, {"target", "process", "name"}); !t.empty()) {
    std::string pid = text(ev, {"target", "process", "pid"});
    return "target " + t + (pid.empty() ? "" : " pid " + pid);
  }
  return "";
}

// "exec /usr/bin/curl pid 1234 by bash", "open /usr/bin/cat pid 7 by bash:
// /etc/shadow (failure EACCES)", "sensor-stopped".
std::string message_of(const json& ev) {
  std::string m = text(ev, {"event", "action"});
  if (m.empty()) m = "event";
  std::string who = text(ev, {"process", "executable"});
  if (who.empty()) who = text(ev, {"process", "name"});
  if (!who.empty()) m += " " + who;
  if (std::string pid = text(ev, {"process", "pid"}); !pid.empty()) m += " pid " + pid;
  if (std::string parent = text(ev, {"process", "parent", "name"}); !parent.empty()) m += " by " + parent;
  if (std::string what = object_of(ev); !what.empty()) m += ": " + what;
  if (std::string detail = text(ev, {"nightjar", "tampered", "detail"}); !detail.empty()) m += ": " + detail;
  if (text(ev, {"event", "outcome"}) == "failure") {
    std::string code = text(ev, {"error", "code"});
    m += code.empty() ? " (failure)" : " (failure " + code + ")";
  }
  std::string out;
  append_visible(out, m);
  if (out.size() > kMessageMax) {
    out.resize(kMessageMax - 3);
    // Not in the middle of a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xc0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xc0) out.pop_back();
    out += "...";
  }
  return out;
}

// The registry's family for the event's action ("signal" -> tamper), else
// ECS's first category, else the sensor's own.
std::string family_of(const json& ev, const std::string& action) {
  for (const RecordInfo& r : record_types())
    if (action == r.action) return to_string(r.family);
  if (const json* c = at(ev, {"event", "category"}); c && c->is_array() && !c->empty() && c->front().is_string()) {
    const std::string cat = c->front().get<std::string>();
    return cat == "host" || cat == "intrusion_detection" ? "sensor" : cat;
  }
  return "sensor";
}

// Alerts (sensor-tampered) and loss reports are what an operator must not
// miss in `journalctl -p warning`.
int priority_of(const json& ev, const std::string& action) {
  return text(ev, {"event", "kind"}) == "alert" || action == "events-lost" ? kJournalWarning : kJournalInfo;
}

}  // namespace

std::string journal_field_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
    else out += '_';
  }
  size_t lead = out.find_first_not_of('_');
  out.erase(0, lead == std::string::npos ? out.size() : lead);
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "F");
  if (out.size() > 64) out.resize(64);
  return out;
}

JournalEntry journal_entry(std::string_view line) {
  JournalEntry e;
  json ev = json::parse(line, nullptr, false);
  if (ev.is_discarded() || !ev.is_object()) ev = json::object();
  const std::string action = text(ev, {"event", "action"});
  e.priority = priority_of(ev, action);
  e.message = message_of(ev);
  e.fields.push_back("MESSAGE=" + e.message);
  e.fields.push_back("PRIORITY=" + std::to_string(e.priority));
  e.fields.push_back("SYSLOG_IDENTIFIER=nightjar");
  auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) e.fields.push_back(journal_field_name(name) + "=" + value);
  };
  add("nightjar.action", action);
  add("nightjar.family", family_of(ev, action));
  add("nightjar.event.id", text(ev, {"event", "id"}));
  add("nightjar.outcome", text(ev, {"event", "outcome"}));
  add("nightjar.pid", text(ev, {"process", "pid"}));
  add("nightjar.exe", text(ev, {"process", "executable"}));
  std::string user = text(ev, {"process", "user", "name"});
  add("nightjar.user", user.empty() ? text(ev, {"process", "user", "id"}) : user);
  e.fields.push_back("NIGHTJAR_JSON=" + std::string(line));
  return e;
}

namespace {

// The writer thread's stall alarm: a timer that sends it a signal whose
// handler does nothing, installed without SA_RESTART, so a send blocked on
// a journald that reads nothing returns EINTR.
int stall_signal() { return SIGRTMIN + 1; }

void on_stall(int) {}

class StallAlarm {
 public:
  StallAlarm() {
    static std::once_flag once;
    std::call_once(once, [] {
      struct sigaction sa = {};
      sa.sa_handler = on_stall;
      sigemptyset(&sa.sa_mask);
      sigaction(stall_signal(), &sa, nullptr);
    });
    struct sigevent sev = {};
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = stall_signal();
    sev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    ok_ = timer_create(CLOCK_MONOTONIC, &sev, &timer_) == 0;
  }
  ~StallAlarm() {
    if (ok_) timer_delete(timer_);
  }
  void arm(long ms) {
    struct itimerspec t = {};
    t.it_value.tv_sec = ms / 1000;
    t.it_value.tv_nsec = (ms % 1000) * 1000000;
    if (ok_) timer_settime(timer_, 0, &t, nullptr);
  }
  void disarm() { arm(0); }

 private:
  timer_t timer_{};
  bool ok_ = false;
};

class JournalSink : public Sink {
 public:
  WriteResult write(std::string_view lines) override {
    // libsystemd reports a missing socket as success ("the journal is not
    // available"): the lines would be gone without a count.
    struct stat st;
    if (::stat(kJournalSocket, &st) != 0 || !S_ISSOCK(st.st_mode)) return {.error = ENOENT};
    // Made on the writer's thread, the only one that calls write.
    if (!alarm_) alarm_ = std::make_unique<StallAlarm>();
    WriteResult r;
    std::vector<struct iovec> iov;
    size_t start = 0;
    while (start < lines.size()) {
      size_t end = lines.find('\n', start);
      if (end == std::string_view::npos) end = lines.size();
      JournalEntry e = journal_entry(lines.substr(start, end - start));
      iov.clear();
      for (std::string& f : e.fields) iov.push_back({f.data(), f.size()});
      alarm_->arm(kStallMs);
      const int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
      alarm_->disarm();
      if (rc < 0) {
        r.error = rc == -EINTR ? EAGAIN : -rc;
        return r;
      }
      r.lines++;
      start = end + 1;
    }
    return r;
  }

 private:
  std::unique_ptr<StallAlarm> alarm_;
};

}  // namespace

std::unique_ptr<Sink> make_journal_sink() { return std::make_unique<JournalSink>(); }

}  // namespace nj
