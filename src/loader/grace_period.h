// Waiting for every BPF program already running to finish: an RCU grace
// period, asked of the kernel from user space.
#pragma once

#include "util/fd.h"
#include "util/result.h"

namespace nj {

// Every BPF program runs inside an RCU read-side section (kprobe and
// tracepoint programs with preemption off, fentry ones under rcu_read_lock
// with only migration off, so preemptible on a preempt=full kernel). After a
// grace period none of those that started before it is still running.
//
// Why a map of maps: the kernel waits for a grace period (synchronize_rcu)
// after every update of one from user space, so that the caller knows no
// program still holds the old inner map (maybe_wait_bpf_programs, v4.20,
// commit 1ae80cf31938; the kernel's own selftests rely on it the same way).
// membarrier(MEMBARRIER_CMD_GLOBAL), the obvious call, returns at once when
// one CPU is online (its barrier is trivially met there, but a program that
// was preempted on that CPU is still inside its section) and is refused on
// nohz_full machines.
class GracePeriod {
 public:
  // Creates the two small maps (one 4-byte array, one array of maps).
  static Result<GracePeriod> create();
  // Returns once a grace period has passed since the call.
  Result<void> wait() const;

 private:
  Fd inner_;
  Fd outer_;
};

}  // namespace nj
