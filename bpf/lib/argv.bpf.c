/* SPDX-License-Identifier: GPL-2.0 */
/*
 * argv of a failed exec, read from the caller's argv array (its memory is
 * untouched by a failed exec). Returns length | argc << 32 | flags << 48.
 * Successful execs read the new image's argv block instead (helpers.h).
 */
#include "helpers.h"

#define NJ_USER_ARGV_MAX 128
#define NJ_USER_ARG_MAX 4096

__noinline long nj_build_user_argv(__u64 argv_ptr)
{
	const char *const *argv = (const char *const *)argv_ptr;
	struct nj_scratch *sc = nj_scratch_get();
	long flags = 0, argc = 0;
	__u32 off;
	const char *arg;
	long n;

	if (!sc || !argv)
		return -1;
	/* Offset kept in map memory for the verifier's sake: see path.bpf.c. */
	sc->len = 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < NJ_USER_ARGV_MAX; i++) {
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i])) {
			flags |= NJ_EXEC_ARGV_UNREADABLE;
			break;
		}
		if (!arg)
			break;
		off = sc->len;
		if (off > NJ_STR_MAX - NJ_USER_ARG_MAX) {
			flags |= NJ_EXEC_ARGV_TRUNCATED;
			break;
		}
		n = bpf_probe_read_user_str(NJ_PART_DATA(sc) + (off & (NJ_STR_MAX - 1)),
					    NJ_USER_ARG_MAX, arg);
		if (n < 0) {
			flags |= NJ_EXEC_ARGV_UNREADABLE;
			break;
		}
		sc->len = off + n;
		argc++;
	}
	if (argc >= NJ_USER_ARGV_MAX)
		flags |= NJ_EXEC_ARGV_TRUNCATED;
	return (long)(sc->len & 0xffff) | (argc << 32) | (flags << 48);
}
