// The sensor's output file, watched for another process removing it: every
// name gone, what the sensor writes after that is lost to everyone. Checked
// between batches with one fstat on a descriptor of its own. (A truncation
// is seen by the writer itself: OutputStats::shrunk.)
#pragma once

#include <optional>
#include <string>

#include "util/fd.h"

namespace nj {

class OutputWatch {
 public:
  // Watches the regular file `path` is now, or `fd`'s file when path is
  // empty (stdout redirected to a file). Anything else is not watched.
  void watch(const std::string& path, int fd);
  // Watches the file `fd` (taken) is open on, named `path`: the writer
  // hands over the file a rotation created, so a removal right after it
  // is not missed while the path is looked up again.
  void adopt(Fd fd, const std::string& path);
  // What was found, once: "... was removed".
  std::optional<std::string> removed();

 private:
  Fd fd_;
  std::string name_;
  bool reported_ = false;
};

}  // namespace nj
