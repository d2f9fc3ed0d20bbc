#include "app/service_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstring>

namespace nj {

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  // 0 keeps WATCHDOG_USEC in the environment: the sensor starts no
  // service of its own that could take it for its own.
  // Pinged twice per interval, as sd_watchdog_enabled(3) advises: one slow
  // loop turn is then not a missed deadline.
  if (sd_watchdog_enabled(0, &usec) > 0) period_ = std::chrono::microseconds(usec / 2);
}

void ServiceNotifier::ready() {
  ready_ = true;
  const int r = sd_notify(0, "READY=1\nSTATUS=attached, writing events");
  // A socket that is named but cannot be reached: systemd will time the
  // start out, and this line says why.
  if (r < 0) spdlog::warn("could not tell the service manager the sensor is ready: {}", std::strerror(-r));
}

void ServiceNotifier::ping(Clock::time_point now) {
  last_ping_ = now;
  sd_notify(0, "WATCHDOG=1");
}

void ServiceNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining, then sensor-stopped"); }

}  // namespace nj
