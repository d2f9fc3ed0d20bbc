// SPDX-License-Identifier: GPL-2.0
#ifndef NJ_WORKLOAD_TAMPER_H
#define NJ_WORKLOAD_TAMPER_H

#include <sys/types.h>

int jit_storm(long n);
int tamper_mix(long n);
int tamper_rare(long n);

// Shared by the tamper storms (tamper.c).
double tamper_now(void);
void tamper_report(const char *name, long ops, long errors, double elapsed);
pid_t tamper_idle_child(void);
int tamper_stop_tracee(pid_t tracee);

#endif
