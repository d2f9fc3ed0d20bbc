// nj-bench-observer: reference observers on the hooks nightjar uses, for the
// benchmark suite (bench/run.sh).
//
//   nj-bench-observer empty            programs that return 0 (the floor)
//   nj-bench-observer minimal-wakeup   64-byte record per hit, consumer woken per record
//   nj-bench-observer minimal-batched  64-byte record per hit, wake-up past a threshold
//                                      (--wakeup-bytes, default 256 KiB as nightjar),
//                                      consumer also polls every --poll-ms (default 50)
//
// --families F[,F...] (default: every family) attaches only those families'
// hooks (bench/bpf/hooks.h). --syscalls-only leaves out the hooks that are
// not syscall tracepoints (sched_process_*, signal_generate, ...), for a
// comparison with the raw-syscall prototype (nj-bench-dispatch). A
// tracepoint this kernel lacks (x86's legacy open, mkdir, ... syscalls on
// arm64) is skipped, as nightjar skips it.
//
// Prints one JSON line when attached ({"ready":true,...}), one line of counts on
// SIGUSR1, and the final counts on SIGTERM/SIGINT after draining the buffer.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench_bpf.skel.h"
#include "hooks.h"
#include "observer_loop.h"

/* Every hook of every family, from the rows the programs are built from. */
struct njb_hook {
	const char *name;
	const char *category; /* a tracepoint's (syscalls, sock), which a kernel may lack */
	int tracepoint;
};

#define NJB_TRACEPOINT_TP 1
#define NJB_TRACEPOINT_BTF 0
#define NJB_HOOK_ROW(kind, cat, name, id) {#name, #cat, NJB_TRACEPOINT_##kind},
#define NJB_FAMILY_ROW(fam, rows) \
	{#fam, (const struct njb_hook[]){rows(NJB_HOOK_ROW){NULL, NULL, 0}}},

static const struct njb_family {
	const char *name;
	const struct njb_hook *hooks;
} families[] = {NJB_FAMILIES(NJB_FAMILY_ROW)};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* The hook of program `name` (empty__<hook>, min__<hook>) if it belongs to
 * a family in `want` (comma-separated; NULL: any), else NULL. */
static const struct njb_hook *hook_of(const char *name, const char *want)
{
	const char *u = strstr(name, "__");

	if (!u)
		return NULL;
	for (size_t f = 0; f < NFAMILIES; f++) {
		size_t n = strlen(families[f].name);
		if (want) {
			const char *p = want;
			int listed = 0;
			while (*p) {
				const char *e = strchrnul(p, ',');
				if ((size_t)(e - p) == n && !strncmp(p, families[f].name, n))
					listed = 1;
				p = *e ? e + 1 : e;
			}
			if (!listed)
				continue;
		}
		for (const struct njb_hook *h = families[f].hooks; h->name; h++)
			if (!strcmp(h->name, u + 2))
				return h;
	}
	return NULL;
}

/* Whether the running kernel has the tracepoint <category>:<name>. */
static int have_tracepoint(const char *category, const char *name)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char path[256];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/events/%s/%s", roots[i], category, name);
		if (!access(path, F_OK))
			return 1;
	}
	return 0;
}

static void print_counts(struct bench_bpf *skel, const char *mode, int final)
{
	print_counts_of(mode, final, skel->bss->njb_seq, skel->bss->njb_lost);
}

int main(int argc, char **argv)
{
	double t0 = now();
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned wakeup_bytes = 256u << 10;
	int poll_ms = 50, empty, batched, skipped = 0;
	const char *want = NULL;
	struct bench_bpf *skel;
	struct bpf_program *prog;
	struct ring_buffer *rb = NULL;
	int attached = 0;
	int syscalls_only = 0;

	empty = !strcmp(mode, "empty");
	batched = !strcmp(mode, "minimal-batched");
	if (!empty && !batched && strcmp(mode, "minimal-wakeup")) {
		fprintf(stderr, "usage: nj-bench-observer empty|minimal-wakeup|minimal-batched "
				"[--wakeup-bytes N] [--poll-ms MS] [--families F,...] "
				"[--syscalls-only]\n");
		return 2;
	}
	for (int i = 2; i < argc; i += 2) {
		if (!strcmp(argv[i], "--syscalls-only")) {
			syscalls_only = 1;
			i--;
		} else if (i + 1 >= argc) {
			break;
		} else if (!strcmp(argv[i], "--wakeup-bytes"))
			wakeup_bytes = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--poll-ms"))
			poll_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--families"))
			want = argv[i + 1];
	}
	libbpf_set_print(quiet);

	skel = bench_bpf__open();
	if (!skel) {
		fprintf(stderr, "nj-bench-observer: open failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->njb_batched = batched;
	skel->rodata->njb_wakeup_bytes = wakeup_bytes;
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *name = bpf_program__name(prog);
		int mine = empty ? !strncmp(name, "empty__", 7) : !strncmp(name, "min__", 5);
		const struct njb_hook *h = hook_of(name, want);

		if (h && syscalls_only && strcmp(h->category, "syscalls"))
			h = NULL;
		if (mine && h && h->tracepoint && !have_tracepoint(h->category, h->name)) {
			skipped++;
			h = NULL;
		}
		bpf_program__set_autoload(prog, mine && h);
	}
	if (bench_bpf__load(skel)) {
		fprintf(stderr, "nj-bench-observer: load failed: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l = bpf_program__attach(prog);
		if (!l) {
			fprintf(stderr, "nj-bench-observer: attach %s failed: %s\n",
				bpf_program__name(prog), strerror(errno));
			return 1;
		}
		attached++;
	}
	if (!empty) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.njb_rb), on_record, NULL, NULL);
		if (!rb) {
			fprintf(stderr, "nj-bench-observer: ring buffer: %s\n", strerror(errno));
			return 1;
		}
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	printf("{\"observer\":\"%s\",\"ready\":true,\"programs\":%d,\"skipped\":%d,\"pid\":%d,"
	       "\"startup_s\":%.4f}\n",
	       mode, attached, skipped, (int)getpid(), now() - t0);
	fflush(stdout);

	while (!stop_flag) {
		if (rb) {
			/* Woken per record: block until data (signals interrupt).
			 * Batched: the kernel wakes us past the threshold; poll
			 * on a short timer for the rest. */
			int n = ring_buffer__poll(rb, batched ? poll_ms : 1000);
			if (n < 0 && n != -EINTR) {
				fprintf(stderr, "nj-bench-observer: poll: %s\n", strerror(-n));
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
			print_counts(skel, mode, 0);
		}
	}
	if (rb)
		ring_buffer__consume(rb);
	print_counts(skel, mode, 1);
	ring_buffer__free(rb);
	bench_bpf__destroy(skel);
	return 0;
}
