// nj-bench-dispatch: prototype observers on the raw syscall tracepoints
// (raw_syscalls:sys_enter / sys_exit), for docs/bench/raw-syscall-dispatch.md.
//
//   nj-bench-dispatch btf-empty      tp_btf programs that return at once
//   nj-bench-dispatch raw-empty      the same as raw_tp programs
//   nj-bench-dispatch btf-tail       tp_btf dispatcher: tail call by syscall number
//                                    to an empty program at every hooked syscall,
//                                    a miss for the others
//   nj-bench-dispatch raw-tail       the same with raw_tp programs
//   nj-bench-dispatch btf-flag       tp_btf dispatcher without tail calls: a flag per
//                                    syscall number, a direct call of an empty
//                                    function for the hooked ones
//   nj-bench-dispatch btf-tail-min   btf-tail with the minimal 64-byte record as
//                                    target (batched wake-up, as nj-bench-observer
//                                    minimal-batched)
//
// The hooked syscalls are those of nightjar's syscall tracepoints in
// bench/bpf/hooks.h (entries into the enter array, exits into the exit
// array); --families F[,F...] keeps those families' only. x86_64 only (the
// exit reads the syscall number from orig_ax).
//
// Same protocol as nj-bench-observer: a JSON line when attached, counts on
// SIGUSR1, final counts on SIGTERM/SIGINT.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_dispatch.skel.h"
#include "hooks.h"
#include "observer_loop.h"
#include "syscall_nrs.h"

struct njd_row {
	const char *family;
	const char *category;
	const char *name;
};

#define NJD_ROW(kind, cat, name, id) {fam, #cat, #name},
#define NJD_FAMILY_ROWS(f, rows)                                   \
	{                                                          \
		const char *fam = #f;                              \
		const struct njd_row r[] = {rows(NJD_ROW)};        \
		n += add_rows(out + n, r, sizeof r / sizeof r[0]); \
	}

static size_t add_rows(struct njd_row *out, const struct njd_row *r, size_t k)
{
	memcpy(out, r, k * sizeof *r);
	return k;
}

/* Every hook row of every family, with its family. */
static size_t all_rows(struct njd_row *out)
{
	size_t n = 0;

	NJB_FAMILIES(NJD_FAMILY_ROWS)
	return n;
}

static int listed(const char *want, const char *family)
{
	size_t n = strlen(family);

	if (!want)
		return 1;
	for (const char *p = want; *p;) {
		const char *e = strchrnul(p, ',');
		if ((size_t)(e - p) == n && !strncmp(p, family, n))
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

static long nr_of(const char *sys)
{
	for (size_t i = 0; i < sizeof njb_syscall_nrs / sizeof njb_syscall_nrs[0]; i++)
		if (!strcmp(njb_syscall_nrs[i].name, sys))
			return njb_syscall_nrs[i].nr;
	return -1;
}

/* Put enter_val / exit_val (a program fd, or a flag) at the index of every
 * hooked syscall: entries into enter_fd, exits into exit_fd. Returns the
 * slots filled, -1 on error. */
static int fill(const char *want, int enter_fd, int exit_fd, const void *enter_val,
		const void *exit_val)
{
	static struct njd_row rows[512];
	size_t n = all_rows(rows);
	int filled = 0;

	for (size_t i = 0; i < n; i++) {
		const char *sys = rows[i].name;
		const void *val;
		int fd;

		if (strcmp(rows[i].category, "syscalls") || !listed(want, rows[i].family))
			continue;
		if (!strncmp(sys, "sys_enter_", 10)) {
			sys += 10, fd = enter_fd, val = enter_val;
		} else if (!strncmp(sys, "sys_exit_", 9)) {
			sys += 9, fd = exit_fd, val = exit_val;
		} else {
			continue;
		}
		long nr = nr_of(sys);
		if (nr < 0)
			continue; /* not in this architecture's table */
		__u32 key = (__u32)nr;
		if (bpf_map_update_elem(fd, &key, val, BPF_ANY)) {
			fprintf(stderr, "nj-bench-dispatch: slot %s (%ld): %s\n", rows[i].name, nr,
				strerror(errno));
			return -1;
		}
		filled++;
	}
	return filled;
}

static void print_counts(struct bench_dispatch *skel, const char *mode, int final)
{
	print_counts_of(mode, final, skel->bss->njb_seq, skel->bss->njb_lost);
}

/* The programs of a mode: the two attached, and the two tail-call targets
 * (none for the empty modes). */
struct njd_mode {
	const char *name;
	const char *enter, *exit, *t_enter, *t_exit;
	int btf, record;
};

static const struct njd_mode modes[] = {
	{"btf-empty", "rd__btf_enter_empty", "rd__btf_exit_empty", NULL, NULL, 1, 0},
	{"raw-empty", "rd__raw_enter_empty", "rd__raw_exit_empty", NULL, NULL, 0, 0},
	{"btf-tail", "rd__btf_enter_tail", "rd__btf_exit_tail", "rt__btf_enter_empty",
	 "rt__btf_exit_empty", 1, 0},
	{"raw-tail", "rd__raw_enter_tail", "rd__raw_exit_tail", "rt__raw_enter_empty",
	 "rt__raw_exit_empty", 0, 0},
	{"btf-tail-min", "rd__btf_enter_tail", "rd__btf_exit_tail", "rt__btf_enter_min",
	 "rt__btf_exit_min", 1, 1},
	{"btf-flag", "rd__btf_enter_flag", "rd__btf_exit_flag", NULL, NULL, 1, 0},
};

static int is_one_of(const char *name, const struct njd_mode *m)
{
	const char *mine[] = {m->enter, m->exit, m->t_enter, m->t_exit};

	for (size_t i = 0; i < 4; i++)
		if (mine[i] && !strcmp(name, mine[i]))
			return 1;
	return 0;
}

static int prog_fd(struct bench_dispatch *skel, const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(skel->obj, name));
}

int main(int argc, char **argv)
{
	double t0 = now();
	const char *mode_name = argc > 1 ? argv[1] : "";
	const char *want = NULL;
	const struct njd_mode *m = NULL;
	struct bench_dispatch *skel;
	struct bpf_program *prog;
	struct ring_buffer *rb = NULL;
	int filled = 0, attached = 0;

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (!strcmp(mode_name, modes[i].name))
			m = &modes[i];
	if (!m) {
		fprintf(stderr, "usage: nj-bench-dispatch btf-empty|raw-empty|btf-tail|raw-tail|"
				"btf-tail-min|btf-flag [--families F,...]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2)
		if (!strcmp(argv[i], "--families"))
			want = argv[i + 1];
	libbpf_set_print(quiet);

	skel = bench_dispatch__open();
	if (!skel) {
		fprintf(stderr, "nj-bench-dispatch: open failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->njb_batched = 1;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, is_one_of(bpf_program__name(prog), m));
	if (bench_dispatch__load(skel)) {
		fprintf(stderr, "nj-bench-dispatch: load failed: %s\n", strerror(errno));
		return 1;
	}
	if (m->t_enter) {
		struct bpf_map *e = m->btf ? skel->maps.njd_btf_enter : skel->maps.njd_raw_enter;
		struct bpf_map *x = m->btf ? skel->maps.njd_btf_exit : skel->maps.njd_raw_exit;
		int te = prog_fd(skel, m->t_enter), tx = prog_fd(skel, m->t_exit);
		filled = fill(want, bpf_map__fd(e), bpf_map__fd(x), &te, &tx);
	} else if (!strcmp(m->name, "btf-flag")) {
		__u8 one = 1;
		filled = fill(want, bpf_map__fd(skel->maps.njd_hooked_enter),
			      bpf_map__fd(skel->maps.njd_hooked_exit), &one, &one);
	}
	if (filled < 0)
		return 1;
	/* The dispatchers last, once their arrays are full. */
	const char *attach[] = {m->enter, m->exit};
	for (size_t i = 0; i < 2; i++) {
		prog = bpf_object__find_program_by_name(skel->obj, attach[i]);
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "nj-bench-dispatch: attach %s failed: %s\n", attach[i],
				strerror(errno));
			return 1;
		}
		attached++;
	}
	if (m->record) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.njb_rb), on_record, NULL, NULL);
		if (!rb) {
			fprintf(stderr, "nj-bench-dispatch: ring buffer: %s\n", strerror(errno));
			return 1;
		}
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	printf("{\"observer\":\"%s\",\"ready\":true,\"programs\":%d,\"slots\":%d,\"pid\":%d,"
	       "\"startup_s\":%.4f}\n",
	       m->name, attached, filled, (int)getpid(), now() - t0);
	fflush(stdout);

	while (!stop_flag) {
		if (rb) {
			int n = ring_buffer__poll(rb, 50);
			if (n < 0 && n != -EINTR) {
				fprintf(stderr, "nj-bench-dispatch: poll: %s\n", strerror(-n));
				return 1;
			}
		} else {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (report_flag) {
			report_flag = 0;
			if (rb)
				ring_buffer__consume(rb);
			print_counts(skel, m->name, 0);
		}
	}
	if (rb)
		ring_buffer__consume(rb);
	print_counts(skel, m->name, 1);
	ring_buffer__free(rb);
	bench_dispatch__destroy(skel);
	return 0;
}
