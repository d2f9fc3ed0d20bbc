/* SPDX-License-Identifier: GPL-2.0 */
/*
 * utime, utimes, futimesat, utimensat: the access and modification times
 * set, which is how timestomping (touch -d, touch -r) looks. The times are
 * read from the caller's array at exit; a NULL array means "now".
 */
#include "file.h"

#define NJ_UTIME_NOW ((1l << 30) - 1l)

/* utimensat(dfd, NULL, times, 0) is futimens(dfd): name 0, the fd. */
static __always_inline int utimensat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], a->args[3]);
}

/* Times as (atime s, ns, mtime s, ns) from the caller's utimbuf (seconds),
 * timeval[2] (microseconds) or timespec[2] (nanoseconds). */
static __always_inline int times_leave(void *ctx, long ret, __u8 backend, __u32 syscall)
{
	struct nj_file_out out = {.type = NJ_REC_FILE_TIMES};
	struct nj_file_args *fa;
	struct nj_sys_args a;
	__s64 t[4] = {0, NJ_UTIME_NOW, 0, NJ_UTIME_NOW};

	if (!nj_sys_take(bpf_get_current_pid_tgid(), syscall, syscall, &a))
		return 0;
	if (ret < 0 && !nj_file_failure_reported(ret))
		return 0;
	fa = nj_fa(&a);
	if (fa->v0) {
		if (syscall == NJ_SYS_UTIME) {
			if (!bpf_probe_read_user(t, 2 * sizeof(__s64), (const void *)fa->v0)) {
				t[2] = t[1];
				t[1] = 0;
				t[3] = 0;
			}
		} else if (!bpf_probe_read_user(t, sizeof(t), (const void *)fa->v0) &&
			   syscall != NJ_SYS_UTIMENSAT) {
			t[1] *= 1000;
			t[3] *= 1000;
		}
	}
	if (!fa->name)
		out.file = nj_fd_file((struct task_struct *)bpf_get_current_task(), fa->dfd);
	fa->v0 = t[0];
	out.extra[0] = t[2];
	out.extra[1] = t[3];
	/* utimensat's flags travel in the record's last argument slot only
	 * when no second time needs it: v1 keeps atime's nanoseconds. */
	fa->v1 = t[1];
	return nj_file_emit(ctx, backend, &a, ret, &out);
}

NJ_SYSCALL_ENTER(utimensat, NJ_SYS_UTIMENSAT, 4, utimensat_enter)
NJ_FILE_EXIT_WITH(utimensat, NJ_SYS_UTIMENSAT, times_leave)

#if NJ_LEGACY_PATH_SYSCALLS
static __always_inline int utime_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, NJ_AT_FDCWD, a->args[0], 0, 0, a->args[1], 0);
}

static __always_inline int futimesat_enter(struct nj_sys_args *a)
{
	return nj_file_save(a, a->args[0], a->args[1], 0, 0, a->args[2], 0);
}

NJ_SYSCALL_ENTER(utime, NJ_SYS_UTIME, 2, utime_enter)
NJ_SYSCALL_ENTER(utimes, NJ_SYS_UTIMES, 2, utime_enter)
NJ_SYSCALL_ENTER(futimesat, NJ_SYS_FUTIMESAT, 3, futimesat_enter)
NJ_FILE_EXIT_WITH(utime, NJ_SYS_UTIME, times_leave)
NJ_FILE_EXIT_WITH(utimes, NJ_SYS_UTIMES, times_leave)
NJ_FILE_EXIT_WITH(futimesat, NJ_SYS_FUTIMESAT, times_leave)
#endif
