// An output that is a FIFO: opening it for writing blocks until some
// process opens it for reading, which would leave the sensor hung without
// a word. The wait is made explicit, and interruptible.
#pragma once

#include <functional>
#include <string>

#include "util/fd.h"
#include "util/result.h"

namespace nj {

struct FifoReader {
  // Open for writing (non-blocking) once a reader came. Kept open until the
  // output is open for good: a reader that finds no writer at all reads
  // end-of-file and goes away (`cat` does).
  Fd writer;
  int signal = 0;  // SIGINT or SIGTERM ended the wait instead
};

// Waits until the FIFO at `path` has a reader. `on_wait` runs once if
// there is none yet (the caller says what it waits for). SIGINT and
// SIGTERM end the wait; other signals are left alone.
// Whether `path` names a FIFO (an output that waits for its reader).
bool is_fifo(const std::string& path);

Result<FifoReader> wait_for_fifo_reader(const std::string& path, const std::function<void()>& on_wait);

}  // namespace nj
