/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the reference observers (observer.c, dispatch.c) share: the signals
 * that report and stop them, the consumer that only counts, the clock and
 * the counts line bench.py reads.
 */
#ifndef NJB_OBSERVER_LOOP_H
#define NJB_OBSERVER_LOOP_H

#include <bpf/libbpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static volatile sig_atomic_t stop_flag, report_flag;
static unsigned long long records;

/* SIGUSR1: print the counts; anything else: stop. */
static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_flag = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	records++;
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_counts_of(const char *mode, int final, unsigned long long produced,
			    unsigned long long lost)
{
	printf("{\"observer\":\"%s\",\"final\":%s,\"records\":%llu,\"produced\":%llu,\"lost\":%llu}"
	       "\n",
	       mode, final ? "true" : "false", records, produced, lost);
	fflush(stdout);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

#endif
