#include "app/outputs.h"

namespace nj {

namespace {

uint64_t at(const std::vector<uint64_t>& v, size_t i) { return i < v.size() ? v[i] : 0; }

}  // namespace

void count_since(LossReport& r, const Told& told) {
  r.kernel_lost = r.kernel_lost_total - told.kernel_lost;
  for (size_t f = 0; f < NJ_FAM_MAX; f++)
    r.by_family[f].kernel_lost = r.by_family[f].kernel_lost_total - told.family_lost[f];
  r.queue_dropped = r.output_failed = 0;
  for (size_t i = 0; i < r.outputs.size(); i++) {
    OutputLoss& o = r.outputs[i];
    o.queue_dropped = o.queue_dropped_total - at(told.queue_dropped, i);
    o.failed = o.failed_total - at(told.failed, i);
    r.queue_dropped += o.queue_dropped;
    r.output_failed += o.failed;
  }
}

Told told_by(const LossReport& r) {
  Told t;
  t.kernel_lost = r.kernel_lost_total;
  for (size_t f = 0; f < NJ_FAM_MAX; f++) t.family_lost[f] = r.by_family[f].kernel_lost_total;
  for (const OutputLoss& o : r.outputs) {
    t.queue_dropped.push_back(o.queue_dropped_total);
    t.failed.push_back(o.failed_total);
  }
  return t;
}

bool has_news(const LossReport& r) { return r.kernel_lost || r.queue_dropped || r.output_failed; }

std::string output_warning(const std::string& msg, const std::string& name, bool named) {
  static constexpr std::string_view kPrefix = "output:";
  if (!named || msg.compare(0, kPrefix.size(), kPrefix) != 0) return msg;
  return "output " + name + msg.substr(kPrefix.size() - 1);
}

void Outputs::add(std::string name, bool jsonl, std::unique_ptr<Sink> sink, size_t max_lines, OutputPolicy policy) {
  Output o;
  o.name = std::move(name);
  o.jsonl = jsonl;
  o.sink = std::make_unique<AsyncSink>(std::move(sink), max_lines, std::move(policy));
  outs_.push_back(std::move(o));
}

bool Output::settled() const {
  const OutputStats s = sink->stats();
  return s.lines_written + s.lines_failed + s.queue_dropped >= pushed;
}

void Outputs::push(const Line& line) {
  for (Output& o : outs_) o.push(line);
}

void Outputs::push(std::string_view line) {
  for (Output& o : outs_) o.push(line);
}

void Outputs::settle(std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool all = true;
    for (const Output& o : outs_) all &= o.settled();
    if (all || std::chrono::steady_clock::now() >= end) return;
    kick();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Outputs::kick() {
  for (Output& o : outs_) o.sink->kick();
}

std::optional<std::pair<std::string, OutputStop>> Outputs::stop_requested() const {
  for (const Output& o : outs_)
    if (auto s = o.sink->stop_requested()) return std::make_pair(o.name, *s);
  return std::nullopt;
}

// All at once: a journald that stalls costs its writer at most a second
// per batch, and the file's writer drains meanwhile.
void Outputs::close(std::chrono::milliseconds limit) {
  std::vector<std::thread> closing;
  for (Output& o : outs_) closing.emplace_back([&o, limit] { o.sink->close(limit); });
  for (std::thread& t : closing) t.join();
}

Output* Outputs::jsonl() {
  for (Output& o : outs_)
    if (o.jsonl) return &o;
  return nullptr;
}

void Outputs::fill(LossReport& r) const {
  r.outputs.clear();
  r.queue_dropped_total = r.output_failed_total = r.output_torn_total = 0;
  for (const Output& o : outs_) {
    const OutputStats s = o.sink->stats();
    OutputLoss l;
    l.name = o.name;
    l.written_total = s.lines_written;
    l.queue_dropped_total = s.queue_dropped;
    l.failed_total = s.lines_failed;
    l.torn_total = s.torn;
    r.outputs.push_back(std::move(l));
    r.queue_dropped_total += s.queue_dropped;
    r.output_failed_total += s.lines_failed;
    r.output_torn_total += s.torn;
  }
}

}  // namespace nj
