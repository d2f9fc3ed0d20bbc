// The completeness test: every record type in the registry
// (src/families/registry.h) has what docs/adding-an-event-family.md lists —
// hooks on every backend, a decode round trip, encoder output that the JSON
// Schema accepts, and a documented example. A new record type that misses
// one of them fails here.
#include "families/registry.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "decode/decode.h"
#include "encode/encoder.h"
#include "file_samples.h"
#include "files.h"
#include "line_fields_reference.h"
#include "loader/program_table.h"
#include "network_samples.h"
#include "nightjar/abi.h"
#include "process_samples.h"
#include "tamper_samples.h"
#include "temp_dir.h"

using namespace nj;

namespace njt {
// Families complete a sample where the zero record is no plausible event
// (tests/unit/<family>_samples.h); the rest are encoded as they are.
template <typename T>
void complete_sample(Event&, T&) {}
}  // namespace njt

namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

using njt::slurp;

const Hook* find_hook(const std::string& name) {
  for (const Hook& h : hook_table())
    if (h.name == name) return &h;
  return nullptr;
}

// A record of type T as the BPF side would send it: a valid header, a
// plausible task where the record has one, every other byte `fill` (a
// pattern shows a field the decoder dropped or moved; zeros make a
// plausible event for the encoder).
template <typename T>
T sample_record(uint16_t type, uint8_t family, uint8_t fill) {
  T rec;
  std::memset(&rec, fill, sizeof(rec));
  rec.hdr = nj_hdr{};
  rec.hdr.type = type;
  rec.hdr.version = NJ_ABI_VERSION;
  rec.hdr.backend = NJ_BACKEND_TRACEPOINT;
  rec.hdr.size = sizeof(T);
  rec.hdr.family = family;
  rec.hdr.event_id = 0x0010000000000001ull;
  rec.hdr.ts_ns = 5'000'000'000ull;
  if constexpr (requires { rec.task; }) {
    rec.task = nj_task{};
    rec.task.pid = rec.task.tid = 4242;
    rec.task.ppid = 1;
    rec.task.start_ns = 4'000'000'000ull;
    rec.task.parent_start_ns = 1'000'000'000ull;
    rec.task.loginuid = 0xffffffffu;
    std::strncpy(rec.task.comm, "sample", sizeof(rec.task.comm));
  }
  return rec;
}

HostInfo sample_host() {
  HostInfo h;
  h.name = "testhost";
  h.boot_id = "0123456789abcdeffedcba9876543210";
  h.kernel = "6.1.0-test";
  h.arch = "x86_64";
  return h;
}

struct Registered {
  const char* name;
  uint16_t type;
  uint8_t family;
  const char* action;
  const char* hooks;
  std::vector<uint8_t> bytes;  // sample_record<T>, the body a pattern
  std::vector<uint8_t> plain;  // the same, the body zeros
};

std::vector<Registered> registered() {
  std::vector<Registered> out;
#define NJ_REGISTERED(type, T, family, action, hooks)                                       \
  {                                                                                         \
    T rec = sample_record<T>(type, family, 0x5a), zero = sample_record<T>(type, family, 0); \
    std::vector<uint8_t> b(sizeof(T)), z(sizeof(T));                                        \
    std::memcpy(b.data(), &rec, sizeof(T));                                                 \
    std::memcpy(z.data(), &zero, sizeof(T));                                                \
    out.push_back({#T, static_cast<uint16_t>(type), family, action, hooks, b, z});          \
  }
  NJ_RECORDS(NJ_REGISTERED)
#undef NJ_REGISTERED
  return out;
}

// The record's zero body as an event, completed by its family where the
// zero record is no plausible one; none when it does not decode.
std::optional<Event> sample_event(const Registered& r) {
  auto rec = decode(r.plain.data(), r.plain.size());
  if (!rec.ok()) return std::nullopt;
  Event ev{std::move(*rec), {}, false};
  std::visit(
      [&](auto& v) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, StrPart>) {
          using njt::complete_sample;
          complete_sample(ev, v);
        }
      },
      ev.main);
  return ev;
}

}  // namespace

TEST(Registry, RecordTypesAndActionsAreUnique) {
  std::set<uint16_t> types;
  std::set<std::string> actions;
  for (const RecordInfo& r : record_types()) {
    EXPECT_TRUE(types.insert(r.type).second) << "record type " << r.type << " registered twice";
    EXPECT_TRUE(actions.insert(std::string(to_string(r.family)) + "/" + r.action).second) << r.action;
    EXPECT_EQ(record_info(r.type), &r);
  }
  EXPECT_EQ(record_info(NJ_REC_PART), nullptr);
}

TEST(Registry, FamilyNamesRoundTrip) {
  for (Family f : all_families()) EXPECT_EQ(family_from_string(to_string(f)), f);
  EXPECT_EQ(family_from_string("nope"), std::nullopt);
}

TEST(Completeness, EveryRecordIsEmittedByHooksOnEveryBackend) {
  for (const Registered& r : registered()) {
    const auto names = words(r.hooks);
    ASSERT_FALSE(names.empty()) << r.name << " names no hook";
    std::set<Backend> backends;
    for (const std::string& n : names) {
      const Hook* h = find_hook(n);
      ASSERT_NE(h, nullptr) << r.name << ": hook " << n << " is not in the hook table";
      EXPECT_EQ(static_cast<uint8_t>(h->family), r.family) << r.name << ": hook " << n << " of another family";
      for (const Variant& v : h->variants) backends.insert(v.backend);
    }
    // A backend that cannot see the event at all is a documented exception:
    // the family's page says "<action>: no <backend> program" and why.
    const std::string doc =
        slurp(std::string(NJ_SOURCE_DIR) + "/docs/events/" + to_string(static_cast<Family>(r.family)) + ".md");
    for (Backend b : {Backend::tracepoint, Backend::kprobe, Backend::fentry}) {
      const std::string exception = std::string(r.action) + ": no " + to_string(b) + " program";
      EXPECT_TRUE(backends.count(b) || doc.find(exception) != std::string::npos)
          << r.name << " has no " << to_string(b) << " program and its page does not say \"" << exception << "\"";
    }
  }
}

TEST(Completeness, EveryRecordSurvivesTheDecoder) {
  for (const Registered& r : registered()) {
    auto rec = decode(r.bytes.data(), r.bytes.size());
    ASSERT_TRUE(rec.ok()) << r.name << ": " << rec.error().message;
    EXPECT_EQ(header_of(*rec).type, r.type);
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, StrPart>) {
            ADD_FAILURE() << r.name << " decoded as a part";
          } else {
            ASSERT_EQ(sizeof(v), r.bytes.size()) << r.name << " decoded as another type";
            EXPECT_EQ(std::memcmp(&v, r.bytes.data(), sizeof(v)), 0) << r.name << " changed in decoding";
          }
        },
        *rec);
  }
}

// Each record through the real encoder, every line through the real schema
// validator (tools/validate-events.py, as the e2e tests use it).
TEST(Completeness, EveryRecordEncodesToSchemaValidJson) {
  njt::TempDir dir("registry");
  const std::string out = (dir.path() / "events.jsonl").string();
  {
    std::ofstream f(out);
    WallClock clock;
    Encoder enc(sample_host(), clock, [](const std::string&) { return std::nullopt; });
    for (const Registered& r : registered()) {
      std::optional<Event> sample = sample_event(r);
      ASSERT_TRUE(sample) << r.name;
      Event& ev = *sample;
      const std::string& line = enc.encode(ev);
      EXPECT_NE(line.find(std::string("\"action\":\"") + r.action + "\""), std::string::npos)
          << r.name << " encoded without its action: " << line;
      f << line << '\n';
    }
  }
  const std::string cmd = std::string("/usr/bin/python3 ") + NJ_SOURCE_DIR + "/tools/validate-events.py " +
                          NJ_SOURCE_DIR + "/docs/schema/event.schema.json " + out + " >&2";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "schema rejected an encoded record (see above)";
}

// What the journal builds its entries from: the fields the encoder keeps
// while writing a line are what the line says at their paths, for every
// record, with and without what the process table knows, and for the
// sensor's own events.
TEST(Completeness, EveryRecordKeepsItsLinesFields) {
  WallClock clock;
  Encoder enc(sample_host(), clock, [](const std::string&) { return std::nullopt; });
  auto image = [](const char* name, const char* exe) {
    auto p = std::make_shared<ProcInfo>();
    p->name = name;
    p->executable = exe;
    p->args = {name, "-x"};
    return p;
  };
  Enrichment en;
  en.self = image("curl", "/usr/bin/curl");
  en.parent = image("bash", "/usr/bin/bash");
  en.user = en.group = "root";
  en.real_user = en.real_group = "alice";
  auto check = [](const Line& line, const std::string& what) {
    EXPECT_EQ(line.fields.values, njt::fields_from_json(line).values) << what << ": " << line;
  };
  std::optional<Event> last;
  for (const Registered& r : registered()) {
    std::optional<Event> sample = sample_event(r);
    ASSERT_TRUE(sample) << r.name;
    Event& ev = *sample;
    check(enc.encode(ev), r.name);
    const Line& line = enc.encode(ev, &en);
    check(line, std::string(r.name) + " (enriched)");
    EXPECT_EQ(line.fields[LineField::action], r.action);
    last = std::move(ev);
  }
  ASSERT_TRUE(last);
  check(enc.sensor_started(SensorState{"1.0", "ringbuf", {{"exec", "tracepoint: 2/2 programs"}}}), "sensor-started");
  check(enc.loss(LossReport{}), "events-lost");
  check(enc.health(LossReport{}, EnricherStats{}, 3, Encoder::Memory{}), "sensor-health");
  check(enc.sensor_stopped(LossReport{}, 3), "sensor-stopped");
  check(enc.sensor_tampered("output_removed", "/var/log/x was removed"), "sensor-tampered");
  check(enc.sensor_tampered(*last, en, "signal"), "sensor-tampered by an event");
}

TEST(Completeness, EveryActionHasADocumentedExample) {
  for (const Registered& r : registered()) {
    const std::string family = to_string(static_cast<Family>(r.family));
    const std::string doc = slurp(std::string(NJ_SOURCE_DIR) + "/docs/events/" + family + ".md");
    ASSERT_FALSE(doc.empty()) << "docs/events/" << family << ".md is missing";
    EXPECT_NE(doc.find(std::string("\"action\": \"") + r.action + "\""), std::string::npos)
        << "docs/events/" << family << ".md has no example of " << r.action;
  }
}

TEST(Completeness, EveryFamilyHasItsSchemaPart) {
  const std::string top = slurp(std::string(NJ_SOURCE_DIR) + "/docs/schema/event.schema.json");
  for (Family f : all_families()) {
    const std::string part = std::string(to_string(f)) + ".schema.json";
    EXPECT_FALSE(slurp(std::string(NJ_SOURCE_DIR) + "/docs/schema/" + part).empty()) << part << " is missing";
    EXPECT_NE(top.find("\"" + part + "\""), std::string::npos) << "event.schema.json does not $ref " << part;
  }
}
