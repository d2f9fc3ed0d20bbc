/* SPDX-License-Identifier: GPL-2.0 */
/* The minimal useful sensor: on every nightjar hook, reserve a fixed 64-byte
 * record in a ring buffer, fill it and submit it. Either wakes the consumer
 * per record (njb_batched = false) or only once njb_wakeup_bytes are waiting
 * (BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP past the threshold: the same policy
 * as nightjar's nj_output). Named min__<hook>. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hooks.h"

#include "record.h"

#define NJB_MIN(kind, cat, name, id)   \
	SEC(NJB_SEC_##kind(cat, name)) \
	int min__##name(void *ctx)     \
	{                              \
		return njb_emit(id);   \
	}

NJB_HOOKS(NJB_MIN)
