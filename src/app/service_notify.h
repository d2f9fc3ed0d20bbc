// The service manager's readiness protocol (sd_notify(3)), for a unit of
// Type=notify: READY=1 once the sensor is up and its first line is out,
// WATCHDOG=1 while the main loop turns (WatchdogSec=), STOPPING=1 when it
// stops. Without NOTIFY_SOCKET (run by hand) every call does nothing.
#pragma once

#include <chrono>

namespace nj {

class ServiceNotifier {
 public:
  using Clock = std::chrono::steady_clock;
  // Reads WATCHDOG_USEC (and WATCHDOG_PID, which must be ours when set).
  ServiceNotifier();
  // Called once per main loop turn. `started_out`: whether sensor-started
  // reached the output (asked only until it did).
  template <typename StartedOut>
  void turn(Clock::time_point now, StartedOut started_out) {
    if (!ready_) {
      if (!started_out()) return;
      ready();
    }
    // systemd arms the watchdog once the start completes (READY=1).
    if (period_.count() > 0 && now - last_ping_ >= period_) ping(now);
  }
  void stopping();

 private:
  void ready();
  void ping(Clock::time_point now);
  std::chrono::microseconds period_{0};
  Clock::time_point last_ping_{};
  bool ready_ = false;
};

}  // namespace nj
