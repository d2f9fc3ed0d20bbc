/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nightjar wire format: the only contract between the BPF programs and the
 * daemon. The shared part (header, families, syscalls, parts, counters) is
 * in abi/common.h, each family's records in abi/<family>.h.
 */
#ifndef NIGHTJAR_ABI_H
#define NIGHTJAR_ABI_H

#include "nightjar/abi/common.h"
#include "nightjar/abi/process.h"
#include "nightjar/abi/file.h"
#include "nightjar/abi/network.h"
#include "nightjar/abi/tamper.h"

#endif /* NIGHTJAR_ABI_H */
