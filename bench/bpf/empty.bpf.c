/* SPDX-License-Identifier: GPL-2.0 */
/* The physical floor of hooking: one program per nightjar hook that does
 * nothing. Named empty__<hook>. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "hooks.h"

#define NJB_EMPTY(kind, cat, name, id) \
	SEC(NJB_SEC_##kind(cat, name)) \
	int empty__##name(void *ctx)   \
	{                              \
		return 0;              \
	}

NJB_HOOKS(NJB_EMPTY)
