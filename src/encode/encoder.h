// Assembled events -> one ECS-aligned JSON document per line.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "encode/json_writer.h"
#include "enrich/enricher.h"
#include "nightjar/abi.h"
#include "util/files.h"
#include "util/host.h"

namespace nj {

// One family's share of the kernel-side counts.
struct FamilyLoss {
  uint64_t kernel_lost = 0;  // since the last report
  uint64_t kernel_lost_total = 0;
  uint64_t records_sent_total = 0;
};

// One output's share of the output counts, when the sensor writes to
// several (the file and the journal): each has its own queue and writer.
struct OutputLoss {
  std::string name;  // "file", "stdout", "journal"
  uint64_t written_total = 0;
  uint64_t queue_dropped = 0;  // since the last report
  uint64_t queue_dropped_total = 0;
  uint64_t failed = 0;  // since the last report
  uint64_t failed_total = 0;
  uint64_t torn_total = 0;
};

struct LossReport {
  uint64_t kernel_lost = 0;  // records the kernel buffers refused, since the last report
  uint64_t kernel_lost_total = 0;
  uint64_t transport_lost = 0;  // perf buffer overwrite reports
  // The output counts, summed over the outputs (`outputs` has each one's).
  uint64_t queue_dropped = 0;  // lines the sink queue refused, since the last report
  uint64_t queue_dropped_total = 0;
  uint64_t output_failed = 0;  // lines the output refused (disk full, reader gone), since the last report
  uint64_t output_failed_total = 0;
  uint64_t output_torn_total = 0;   // partial lines left in an output that cannot take bytes back
  uint64_t incomplete_total = 0;    // events emitted with parts missing
  uint64_t orphan_parts_total = 0;  // parts whose event never closed
  uint64_t enter_map_full_total = 0;
  uint64_t read_errors_total = 0;
  uint64_t scratch_busy_total = 0;
  uint64_t runs_missed_total = 0;
  uint64_t connection_table_evicted_total = 0;     // TCP sockets evicted before their result or end
  uint64_t udp_flow_table_evicted_total = 0;       // UDP flows the table forgot (not events lost)
  uint64_t decode_errors_total = 0;                // records user space could not decode
  uint64_t records_sent_total = 0;                 // records the kernel side delivered
  uint64_t records_read_total = 0;                 // records user space read (equal when nothing is lost in between)
  uint64_t records_after_stop_total = 0;           // records not sent: they came after the stop instant
  std::array<FamilyLoss, NJ_FAM_MAX> by_family{};  // indexed by Family
  // Not lost but not reported on purpose, by cause (nightjar.filters).
  uint64_t file_folded_total = 0;           // modifications inside the modify window
  uint64_t file_excluded_kernel_total = 0;  // an exclusion matched in the kernel
  uint64_t udp_folded_total = 0;            // UDP datagrams inside their flow's window
  uint64_t udp_unexamined_total = 0;        // sendmmsg/recvmmsg datagrams not examined
  std::vector<OutputLoss> outputs;          // each output, in the order they were opened (empty: not written)
};

struct SensorState {
  std::string version;
  std::string transport;
  std::vector<std::pair<std::string, std::string>> hooks;  // hook -> "backend: programs" or "unavailable"
};

class Encoder {
 public:
  Encoder(HostInfo host, const WallClock& clock, HeadReader read_head);

  // The event as one JSON line (no trailing newline), with the fields a
  // summary of it needs (Line). `en` adds what the process table and
  // caches know (null: the kernel's fields only). Each document is valid
  // until the next one is encoded.
  const Line& encode(const Event& ev, const Enrichment* en = nullptr);
  const Line& sensor_started(const SensorState& s);
  const Line& sensor_stopped(const LossReport& totals, uint64_t events, const EnricherStats* caches = nullptr);
  const Line& loss(const LossReport& r);
  struct Memory {
    uint64_t rss_bytes = 0, peak_rss_bytes = 0, budget_bytes = 0;
  };
  const Line& health(const LossReport& r, const EnricherStats& s, uint64_t events, const Memory& m);
  // An alert: something acted on the sensor itself. From an event (`how`:
  // its action; the event's process is the actor), or from the sensor's own
  // checks (`how`: what it found, `detail`: the specifics).
  const Line& sensor_tampered(const Event& ev, const Enrichment& en, const char* how);
  const Line& sensor_tampered(const char* how, const std::string& detail);

  const HostInfo& host() const { return host_; }
  // Whether each Line's fields are kept (by default they are): an output
  // that builds its own form of each event reads them, the JSON outputs
  // do not.
  void keep_fields(bool on) { w_.keep_fields(on); }
  // The event.action of the document encoded last.
  const std::string& last_action() const { return last_action_; }

  // Building blocks for the families' encode_record overloads
  // (src/families/<family>/encode.cpp), in the order a document is written:
  // begin, the process block (task_common, users, image), context_fields,
  // nightjar_begin, the family's own fields, nightjar_context, nightjar_end.
  // `type2`: a second ECS event.type where one is not enough ("connection", "start").
  void begin(uint64_t boot_ns, const char* kind, const char* category, const char* type, const char* action,
             const char* outcome, uint64_t event_id, const char* type2 = nullptr);
  // A string field; `field` is its dotted name, listed in
  // nightjar.escaped_fields when the value needed escaping.
  void str(std::string_view key, std::string_view value, const char* field);
  void time_kv(std::string_view key, uint64_t boot_ns);
  void entity_kv(uint32_t pid, uint64_t start_ticks);
  void task_common(const nj_task& t);
  // The process block of an event about what a running process did (not
  // its exec): its ids, name and, when the table knows it, its image.
  void acting_process(const nj_task& t);
  // An array of strings under `key` (flag names, tags), unescaped: its
  // values are the sensor's own words or already checked.
  void string_array(const char* key, const std::vector<std::string>& v);
  void users(const nj_task& t);
  void image(const ProcInfo& p, const char* prefix);
  void args_fields(const std::vector<std::string>& args, const char* field_prefix);
  void context_fields(const nj_task& t);
  // ECS error.code / error.message of a failed syscall; `err` as
  // errno_of() gives it.
  void error_block(uint64_t err);
  void nightjar_begin(const nj_hdr& h);
  void nightjar_context();
  void nightjar_end();
  JsonWriter& w() { return w_; }
  const Enrichment* en() const { return en_; }
  void escaped(const char* field) { escaped_.push_back(field); }
  const HeadReader& read_head() const { return read_head_; }

 private:
  void host_block();
  void parent_block(const nj_task& t);

  const Enrichment* en_ = nullptr;
  HostInfo host_;
  const WallClock& clock_;
  HeadReader read_head_;
  JsonWriter w_;
  std::string last_action_;
  std::vector<const char*> escaped_;
};

std::string signal_name(int sig);
// "ENOENT"; a number no errno has as "E<n>".
std::string errno_name(uint64_t err);
// The errno of a failed syscall, from its return value (-errno): its
// magnitude, which every value a record can hold has (INT64_MIN too).
inline uint64_t errno_of(int64_t retval) {
  return retval < 0 ? 0 - static_cast<uint64_t>(retval) : static_cast<uint64_t>(retval);
}
// enum nj_syscall -> its name, or nullptr.
const char* syscall_name(uint32_t s);
// An event id as event.id spells it: 16 lowercase hex digits.
std::string event_id_string(uint64_t event_id);
// Kernel-internal dev_t as "major:minor".
std::string dev_string(uint32_t dev);

}  // namespace nj
