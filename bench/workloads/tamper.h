// SPDX-License-Identifier: GPL-2.0
#ifndef NJ_WORKLOAD_TAMPER_H
#define NJ_WORKLOAD_TAMPER_H

int jit_storm(long n);
int tamper_mix(long n);

#endif
