// The terminal view's rows: every family's, then the sensor's own events'.
#include "families/file/compact.h"
#include "families/network/compact.h"
#include "families/process/compact.h"
#include "families/tamper/compact.h"

namespace nj {

const std::vector<CompactAction>& compact_actions() {
  static const std::vector<CompactAction> all = [] {
    std::vector<CompactAction> out;
    for (auto* rows : {&process_compact, &file_compact, &network_compact, &tamper_compact, &sensor_compact}) {
      auto r = rows();
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }();
  return all;
}

}  // namespace nj
