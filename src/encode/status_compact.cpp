// What the terminal view shows of the sensor's own events (status.cpp):
// that it runs, what it lost, its health, its end, and attacks on it.
#include "encode/compact_fields.h"

namespace nj {

std::vector<CompactAction> sensor_compact() {
  return {
      {"sensor-started",
       Tone::status,
       {{"nightjar.version", "version"},
        {"nightjar.transport", "transport"},
        {"nightjar.hooks", "hooks", Show::count}}},
      {"events-lost",
       Tone::alert,
       {{"nightjar.loss.kernel_lost", "kernel"},
        {"nightjar.loss.queue_dropped", "queue"},
        {"nightjar.loss.output_failed", "output"},
        {"nightjar.loss.kernel_lost_total", "kernel_total"}}},
      {"sensor-health",
       Tone::status,
       {{"nightjar.events", "events"},
        {"nightjar.memory.rss_bytes", "rss", Show::bytes},
        {"nightjar.loss.kernel_lost_total", "kernel_lost"},
        {"nightjar.loss.queue_dropped_total", "queue_dropped"}}},
      {"sensor-stopped",
       Tone::status,
       {{"nightjar.events", "events"},
        {"nightjar.loss.kernel_lost_total", "kernel_lost"},
        {"nightjar.loss.queue_dropped_total", "queue_dropped"},
        {"nightjar.loss.output_failed_total", "output_failed"}}},
      {"sensor-tampered",
       Tone::alert,
       {{"nightjar.tampered.how", ""}, {"nightjar.tampered.detail", ""}, {"nightjar.tampered.event_id", "event"}}},
  };
}

}  // namespace nj
