// The encoder on arbitrary events: records from the fuzz input, assembled
// as the daemon assembles them, encoded bare and with an enrichment whose
// strings (user names, container, unit, parent and ancestor images) are
// the input's own bytes. Every line must be one JSON object and valid
// UTF-8, whatever bytes the kernel or the files it reads hand over.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "encode/encoder.h"
#include "fuzz_support.h"

namespace {

nj::HostInfo host() {
  nj::HostInfo h;
  h.name = "fuzzhost";
  h.id = "machine-0001";
  h.boot_id = "0123456789abcdeffedcba9876543210";
  h.kernel = "6.1.0-fuzz";
  h.arch = "x86_64";
  return h;
}

// The input's strings, handed out in turn.
class Strings {
 public:
  explicit Strings(std::vector<std::string> s) : s_(std::move(s)) {}
  std::string next() { return s_.empty() ? std::string() : s_[i_++ % s_.size()]; }

 private:
  std::vector<std::string> s_;
  size_t i_ = 0;
};

std::shared_ptr<const nj::ProcInfo> proc(Strings& s, uint32_t pid) {
  auto p = std::make_shared<nj::ProcInfo>();
  p->key = {pid, 100};
  p->name = s.next();
  p->executable = s.next();
  p->args = {s.next(), s.next()};
  return p;
}

nj::Enrichment enrichment(Strings& s) {
  nj::Enrichment en;
  en.self = proc(s, 7);
  en.parent = proc(s, 1);
  en.ancestors = {en.parent, proc(s, 0)};
  en.user = s.next();
  en.real_user = s.next();
  en.group = s.next();
  en.real_group = s.next();
  en.container = nj::ContainerInfo{s.next(), s.next()};
  en.systemd_unit = s.next();
  en.sha256 = s.next();
  return en;
}

// The schema's error.code: an errno's name or E<n> (docs/schema/event.schema.json).
void check_error(const nlohmann::json& j) {
  if (!j.contains("error")) return;
  const std::string code = j["error"]["code"].get<std::string>();
  if (code.size() < 2 || code[0] != 'E' ||
      code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1) != std::string::npos)
    njf::fail("error.code outside the schema", code);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<nj::Record> records = njf::decode_all(data, size);
  std::vector<std::string> texts;
  for (const nj::Record& r : records)
    if (auto* p = std::get_if<nj::StrPart>(&r)) texts.push_back(p->data);
  Strings strings(texts);
  // A script's head, as read from the file the exec names.
  const std::optional<std::string> head = texts.empty() ? std::nullopt : std::optional(texts.back());

  static nj::WallClock clock;
  nj::Encoder enc(host(), clock, [&](const std::string&) { return head; });
  std::vector<nj::Event> events;
  nj::Assembler a(1000, 16, [&](nj::Event&& ev) { events.push_back(std::move(ev)); });
  uint64_t now = 0;
  for (nj::Record& r : records) a.push(std::move(r), now += 10);
  a.flush_all();

  for (const nj::Event& ev : events) {
    check_error(njf::check_json_line(enc.encode(ev)));
    const nj::Enrichment en = enrichment(strings);
    check_error(njf::check_json_line(enc.encode(ev, &en)));
  }
  // The status events carry counts and the sensor's own words (hook names,
  // the transport), nothing from outside: the counts are what vary.
  nj::LossReport loss;
  loss.kernel_lost = events.size();
  loss.queue_dropped = texts.size();
  njf::check_json_line(enc.loss(loss));
  njf::check_json_line(enc.health(loss, nj::EnricherStats{}, events.size(), {}));
  njf::check_json_line(enc.sensor_stopped(loss, events.size()));
  return 0;
}
