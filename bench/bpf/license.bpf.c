/* SPDX-License-Identifier: GPL-2.0 */
/* The one license section of the linked bench object. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
