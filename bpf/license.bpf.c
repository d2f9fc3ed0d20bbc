/* SPDX-License-Identifier: GPL-2.0 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* The one license section of the linked object: the helpers we call
 * (probe_read_*, perf and ring buffer output) are GPL-only. */
char LICENSE[] SEC("license") = "GPL";
