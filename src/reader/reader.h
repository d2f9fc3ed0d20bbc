// Drains the kernel buffers. One interface over both transports; the
// caller gets raw records and decides what they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "loader/sensor.h"
#include "util/result.h"

namespace nj {

using RecordFn = std::function<void(const uint8_t* data, size_t size)>;

class Reader {
 public:
  virtual ~Reader() = default;
  // Wait up to timeout_ms for data, then hand every waiting record to fn.
  // Perf buffers: every record committed before the call is handed over by
  // it (the reorderer counts on that). Returns the number of samples
  // handled (a sample holds one or more records); EINTR is not an error.
  virtual Result<int> poll(int timeout_ms) = 0;
  // Hand over everything already in the buffers without waiting.
  virtual Result<int> drain() = 0;
  // Records the transport itself reported lost (perf buffer overwrites).
  virtual uint64_t transport_lost() const = 0;
};

Result<std::unique_ptr<Reader>> make_reader(const Sensor& sensor, RecordFn fn);

}  // namespace nj
