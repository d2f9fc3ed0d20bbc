// The sensor's outputs: the JSONL file or stdout, the journal, or several
// at once. Each has its own queue and writer thread (AsyncSink), so a
// journald that stalls never holds up the file, and its own counts; each
// gets every line, and its own loss reports, which count what that output
// was not yet told.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "encode/encoder.h"
#include "sink/sink.h"

namespace nj {

// What one output's last written loss report counted, to count what is new
// since in its next one.
struct Told {
  uint64_t kernel_lost = 0;
  std::array<uint64_t, NJ_FAM_MAX> family_lost{};
  std::vector<uint64_t> queue_dropped, failed;  // by output, as LossReport::outputs
  bool operator==(const Told&) const = default;
};

// r's "since the last report" fields, from its totals and `told`.
void count_since(LossReport& r, const Told& told);
// What a report with r's totals tells.
Told told_by(const LossReport& r);
// Whether r counts a loss `told` did not.
bool has_news(const LossReport& r);

// An output's warning for the operator, naming the output when `named`
// (there are several, or it is the journal): "output: cannot write: ..." ->
// "output journal: cannot write: ...".
std::string output_warning(const std::string& msg, const std::string& name, bool named);

struct Output {
  std::string name;    // "file", "stdout" or "journal": its key in nightjar.loss.outputs
  bool jsonl = false;  // the JSONL output (a file or stdout): the output checks apply to it
  std::unique_ptr<AsyncSink> sink;
  Told told, in_flight;  // its last written report, and the one queued
  uint64_t pushed = 0;   // lines given to it

  // A line, and its fields for an output that wants them (the journal).
  void push(std::string_view line, const LineFields* fields = nullptr) {
    pushed++;
    sink->push(line, fields);
  }
  void push(const Line& line) { push(line, &line.fields); }
  void push_report(const Line& line) {
    pushed++;
    sink->push_report(line, &line.fields);
  }
  // Every line given to it was tried (written, failed or dropped).
  bool settled() const;
};

class Outputs {
 public:
  void add(std::string name, bool jsonl, std::unique_ptr<Sink> sink, size_t max_lines, OutputPolicy policy);
  // Every line goes to every output (a Line with its fields).
  void push(const Line& line);
  void push(std::string_view line);
  void kick();
  // The first output that asks the sensor to stop, and its name.
  std::optional<std::pair<std::string, OutputStop>> stop_requested() const;
  // Each output gets `limit` to write what it was given, then is abandoned
  // (AsyncSink::close).
  void close(std::chrono::milliseconds limit = AsyncSink::kNoLimit);
  // Waits (at most `limit`) until every output tried every line it was
  // given: the counts then cover them all.
  void settle(std::chrono::milliseconds limit);
  // The file or stdout, null when the journal is the only output.
  Output* jsonl();
  std::vector<Output>& all() { return outs_; }
  bool several() const { return outs_.size() > 1; }
  // LossReport's output counts: each output's, and their sums.
  void fill(LossReport& r) const;

 private:
  std::vector<Output> outs_;
};

}  // namespace nj
