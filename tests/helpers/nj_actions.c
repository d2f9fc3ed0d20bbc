/*
 * nj_actions.c - end-to-end test helper for the sensor: main() only.
 *
 * Usage: nj-actions ACTION [WORKDIR]
 *        nj-actions list
 *
 * Each invocation performs exactly ONE real action against the running
 * kernel (exec, fork, clone, exit, ...), waits for every process it created,
 * and then prints exactly one flat JSON object line on stdout describing what
 * it did (pids as numbers), so a test can find the matching sensor events.
 *
 * Exit status:
 *   0   the action was performed as intended (including "an exec that fails"
 *       when failing was the intent),
 *   77  a required syscall is unavailable (ENOSYS), i.e. "skip",
 *   2   usage error,
 *   1   anything else; a one-line message is printed on stderr.
 *
 * JSON strings: '"' and '\\' are backslash-escaped; every byte < 0x20, 0x7f
 * and every byte >= 0x80 is emitted as \u00XX (one escape per byte), so the
 * output is always plain ASCII.  A reader recovers the original bytes with
 * e.g. Python's  value.encode("latin-1").
 *
 * WORKDIR (only used by actions that write files): if omitted, a fresh
 * mkdtemp("/tmp/nj-actions.XXXXXX") is created and left in place (its path is
 * reported as "workdir") so that the files still exist when the sensor or
 * the test looks at them.
 *
 * Files: actions.h/actions.c hold the shared infrastructure (errors, the
 * child report channel, JSON output, workdir, fork + exec helpers); each
 * event family's actions are in <family>_actions.c, which exports a
 * NULL-terminated `const struct action <family>_actions[]`.  Adding a family
 * = its file + one X(<family>) line in NJ_ACTION_FAMILIES below (+ the file
 * in tests/CMakeLists.txt).  Action names are unique across families.
 *
 * Only libc + Linux UAPI headers are used.
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -O2 -pthread nj_actions.c \
 *            actions.c process_actions.c file_actions.c uring_actions.c \
 *            net_actions.c net_dns_actions.c net_waiting_actions.c ...
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "actions.h"

/* The families whose actions this binary offers, in `list` order. */
#define NJ_ACTION_FAMILIES(X) \
	X(process)            \
	X(file)               \
	X(uring)              \
	X(net) X(tamper_signal) X(tamper_inject) X(tamper_creds) X(tamper_mem) X(tamper_kernel)

#define NJ_DECLARE_FAMILY(fam) extern const struct action fam##_actions[];
NJ_ACTION_FAMILIES(NJ_DECLARE_FAMILY)

#define NJ_FAMILY_TABLE(fam) fam##_actions,
static const struct action *const families[] = {NJ_ACTION_FAMILIES(NJ_FAMILY_TABLE)};

static void usage(void)
{
	fprintf(stderr, "usage: nj-actions ACTION [WORKDIR] | nj-actions list\n");
}

static const struct action *find_action(const char *name)
{
	size_t f;
	const struct action *a;

	for (f = 0; f < sizeof families / sizeof families[0]; f++)
		for (a = families[f]; a->name; a++)
			if (strcmp(name, a->name) == 0)
				return a;
	return NULL;
}

int main(int argc, char **argv)
{
	size_t f;
	const struct action *a;

	if (argc < 2 || argc > 3) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		for (f = 0; f < sizeof families / sizeof families[0]; f++)
			for (a = families[f]; a->name; a++)
				printf("%s\n", a->name);
		if (fflush(stdout) != 0)
			return 1;
		return 0;
	}
	a = find_action(argv[1]);
	if (!a) {
		fprintf(stderr, "nj-actions: unknown action '%s'\n", argv[1]);
		usage();
		return 2;
	}
	g_action = a->name;
	if (argc == 3)
		set_workdir(argv[2]);
	a->fn();
	j_emit();
	return 0;
}
