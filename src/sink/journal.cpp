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

#include "families/registry.h"

namespace nj {

namespace {

// How long journald may accept nothing before the lines waiting for it
// count as failed (the file output's stall limit too): libsystemd's socket
// blocks, and a stopped or wedged journald would otherwise hold the writer,
// and the sensor's stop, forever.
constexpr long kStallMs = 1000;
// A MESSAGE is a summary: a 4 KiB path stays whole in NIGHTJAR_JSON.
constexpr size_t kMessageMax = 512;

// The fields as the encoder kept them: no line is parsed again here.
using F = LineField;

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
std::string object_of(const LineFieldsView& f) {
  if (!f[F::file_path].empty()) return std::string(f[F::file_path]);
  if (!f[F::destination_ip].empty()) {
    std::string ip(f[F::destination_ip]);
    if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
    return "to " + ip + (f[F::destination_port].empty() ? "" : ":" + std::string(f[F::destination_port]));
  }
  if (!f[F::dns_question].empty()) return "query " + std::string(f[F::dns_question]);
  if (!f[F::target_name].empty())
    return "target " + std::string(f[F::target_name]) +
           (f[F::target_pid].empty() ? "" : " pid " + std::string(f[F::target_pid]));
  return "";
}

// "exec /usr/bin/curl pid 1234 by bash", "open /usr/bin/cat pid 7 by bash:
// /etc/shadow (failure EACCES)", "sensor-stopped".
std::string message_of(const LineFieldsView& f) {
  std::string m(f[F::action]);
  if (m.empty()) m = "event";
  const std::string_view who = f[F::executable].empty() ? f[F::name] : f[F::executable];
  if (!who.empty()) (m += " ") += who;
  if (!f[F::pid].empty()) (m += " pid ") += f[F::pid];
  if (!f[F::parent_name].empty()) (m += " by ") += f[F::parent_name];
  if (std::string what = object_of(f); !what.empty()) m += ": " + what;
  if (!f[F::tampered_detail].empty()) (m += ": ") += f[F::tampered_detail];
  if (f[F::outcome] == "failure")
    m += f[F::error_code].empty() ? " (failure)" : " (failure " + std::string(f[F::error_code]) + ")";
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
std::string_view family_of(const LineFieldsView& f) {
  for (const RecordInfo& r : record_types())
    if (f[F::action] == r.action) return to_string(r.family);
  const std::string_view cat = f[F::category];
  return cat.empty() || cat == "host" || cat == "intrusion_detection" ? "sensor" : cat;
}

// Alerts (sensor-tampered) and loss reports are what an operator must not
// miss in `journalctl -p warning`.
int priority_of(const LineFieldsView& f) {
  return f[F::kind] == "alert" || f[F::action] == "events-lost" ? kJournalWarning : kJournalInfo;
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

JournalEntry journal_entry(std::string_view line, const LineFieldsView& f) {
  JournalEntry e;
  e.priority = priority_of(f);
  e.message = message_of(f);
  e.fields.push_back("MESSAGE=" + e.message);
  e.fields.push_back("PRIORITY=" + std::to_string(e.priority));
  e.fields.push_back("SYSLOG_IDENTIFIER=nightjar");
  auto add = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    std::string& field = e.fields.emplace_back(journal_field_name(name));
    (field += '=') += value;
  };
  add("nightjar.action", f[F::action]);
  add("nightjar.family", family_of(f));
  add("nightjar.event.id", f[F::id]);
  add("nightjar.outcome", f[F::outcome]);
  add("nightjar.pid", f[F::pid]);
  add("nightjar.exe", f[F::executable]);
  add("nightjar.user", f[F::user_name].empty() ? f[F::user_id] : f[F::user_name]);
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
  bool wants_fields() const override { return true; }
  // Lines without their fields: entries that hold their JSON alone.
  WriteResult write(std::string_view lines) override { return write_with_fields(lines, {}); }
  WriteResult write_with_fields(std::string_view lines, std::string_view fields) override {
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
      JournalEntry e = journal_entry(lines.substr(start, end - start), unpack_fields(fields));
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
