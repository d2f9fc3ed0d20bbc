// The BPF side of the sensor as one object: open the skeleton, configure
// it (transport, sizes, one program variant per hook), load, attach.
// Both the daemon and the tests use it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/features.h"
#include "loader/program_table.h"
#include "util/result.h"

struct nightjar_bpf;  // the generated skeleton
struct bpf_link;

namespace nj {

enum class Transport { ringbuf, perfbuf };
const char* to_string(Transport t);

struct SensorConfig {
  std::vector<Family> families{Family::process};
  std::optional<Backend> backend;  // forced backend, or the table's choice
  Transport transport = Transport::ringbuf;
  uint32_t ringbuf_bytes = 8u << 20;  // power of two, >= page size
  uint32_t perf_pages = 128;          // per CPU, power of two
  uint32_t wakeup_bytes = 256u << 10; // 0: wake the reader per record
  uint32_t argv_max = 65536;
  uint32_t self_pid = 0;  // activity of this pid is not reported
  bool attach = true;     // false: load only (verifier check)
  // Load every program of this backend whatever the kernel supports (no
  // attach): proves the verifier accepts them on this kernel.
  std::optional<Backend> load_all_of;
};

struct AttachedProgram {
  std::string hook;
  std::string program;
  Backend backend;
  bool attached = false;
  std::string error;  // why it is not attached
};

struct ProgramStats {
  std::string name;
  uint32_t verified_insns = 0;
  uint32_t xlated_insns = 0;
  uint64_t run_cnt = 0;
  uint64_t run_time_ns = 0;
};

// Kernel-side counters summed over CPUs.
struct KernelCounters {
  uint64_t sent = 0;
  uint64_t lost = 0;
  uint64_t enter_map_full = 0;
  uint64_t read_errors = 0;
};

class Sensor {
 public:
  static Result<std::unique_ptr<Sensor>> open(const SensorConfig& config, const KernelFeatures& features);
  ~Sensor();
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;

  // Stops every program from producing (links destroyed; maps stay), so a
  // final drain sees everything that was sent.
  void detach();
  const std::vector<Choice>& choices() const { return choices_; }
  const std::vector<AttachedProgram>& programs() const { return programs_; }
  std::vector<ProgramStats> program_stats() const;
  Result<KernelCounters> counters() const;
  Transport transport() const { return config_.transport; }
  int ringbuf_fd() const;
  int perf_fd() const;
  const SensorConfig& config() const { return config_; }

 private:
  Sensor() = default;
  Result<void> configure(const KernelFeatures& features);
  Result<void> attach_all();

  SensorConfig config_;
  struct ::nightjar_bpf* skel_ = nullptr;
  std::vector<Choice> choices_;
  std::vector<AttachedProgram> programs_;
  std::vector<::bpf_link*> links_;
};

// Route libbpf's own log lines into spdlog (debug lines only at -v).
void route_libbpf_logs();

}  // namespace nj
