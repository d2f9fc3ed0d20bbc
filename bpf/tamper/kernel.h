/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel and namespace actions share (module.bpf.c, bpf.bpf.c,
 * mount.bpf.c, setns.bpf.c): every one is a syscall pair whose exit sends
 * strings (names, paths, options) as parts before its closing record.
 */
#ifndef NJ_BPF_TAMPER_KERNEL_H
#define NJ_BPF_TAMPER_KERNEL_H

#include "tamper.h"

/* The closing record of an event whose `parts` were built in sc. */
static __always_inline void nj_tamper_close(void *ctx, struct nj_scratch *sc,
					    struct nj_tmp_signal *rec, __u16 type, __u64 event_id,
					    __u8 backend, __u32 parts)
{
	if (sc->lost_parts)
		rec->op.flags |= NJ_TMP_PARTS_LOST;
	nj_hdr_init_ts(&rec->hdr, NJ_FAM_TAMPER, type, sizeof(*rec), event_id, backend, sc->ts_ns);
	nj_batch_close(ctx, sc, rec, parts);
}

/* A user string part, if the pointer is set. */
static __always_inline __u32 nj_tamper_ustr(void *ctx, struct nj_scratch *sc, __u64 event_id,
					    __u8 backend, __u16 field, __u64 str)
{
	if (!str)
		return 0;
	return nj_part_ustr(ctx, sc, event_id, backend, field, (const char *)str);
}

#endif
