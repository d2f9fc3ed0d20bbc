/*
 * tamper_signal_actions.c - the tamper family's signal actions for
 * nj-actions: a decoy killed, a kill refused (EPERM) and one that finds
 * nobody (ESRCH), a process group signalled, a queued signal (sigqueue).
 *
 * A decoy is a child that waits in pause() until a signal ends it; every
 * action prints the pid that sent the signal ("pid") and the decoys'
 * pids, so a test can find the sensor's events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actions.h"

static void decoy_body(int wfd, void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	child_val(wfd, VAL_TID, getpid());
	close(wfd);
	for (;;)
		pause();
}

/* A decoy that has started (its pid reported), so a signal reaches it. */
static pid_t decoy(int *rfd)
{
	pid_t pid = spawn(decoy_body, NULL, rfd);
	char c;

	/* The decoy closes its end once running: EOF says it is in pause(). */
	while (read(*rfd, &c, 1) > 0)
		;
	return pid;
}

static int reap(pid_t pid, int rfd)
{
	int status = 0;

	close(rfd);
	if (wait_pid(pid, &status))
		die_errno("waitpid");
	return status;
}

static void expect_signalled(pid_t pid, int rfd, int sig)
{
	int status = reap(pid, rfd);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		die(1, "decoy %d did not die of signal %d (status %#x)", (int)pid, sig, status);
}

/* kill(decoy, SIGKILL) */
static void act_kill_decoy(void)
{
	int rfd;
	pid_t d = decoy(&rfd);

	if (kill(d, SIGKILL))
		die_errno("kill");
	expect_signalled(d, rfd, SIGKILL);
	j_begin("tamper-kill-decoy");
	j_num("pid", getpid());
	j_num("target_pid", d);
	j_num("signal", SIGKILL);
}

/* An unprivileged child's kill(root decoy, SIGTERM): EPERM. */
static void refused_body(int wfd, void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setgid(65534) || setuid(65534))
		child_fail(wfd, "setuid(nobody)", errno);
	child_val(wfd, VAL_TID, getpid());
	if (kill(target, SIGTERM) == 0)
		child_fail(wfd, "kill as nobody succeeded", 0);
	child_val(wfd, VAL_EXEC_ERRNO, errno);
	_exit(0);
}

static void act_kill_refused(void)
{
	int rfd, crfd, status;
	pid_t d = decoy(&rfd), c;
	struct report rep;

	c = spawn(refused_body, &d, &crfd);
	finish(c, crfd, &rep, &status);
	expect_exit("unprivileged killer", status, 0);
	if (rep.val[VAL_EXEC_ERRNO] != EPERM)
		die(1, "kill as nobody failed with %ld, not EPERM", rep.val[VAL_EXEC_ERRNO]);
	kill(d, SIGKILL);
	expect_signalled(d, rfd, SIGKILL);
	j_begin("tamper-kill-refused");
	j_num("pid", c);
	j_num("target_pid", d);
	j_num("signal", SIGTERM);
}

/* kill() of a pid that no process has: ESRCH. The pid of a reaped child,
 * checked free just before. */
static void act_kill_nobody(void)
{
	int rfd;
	pid_t d = decoy(&rfd);

	kill(d, SIGKILL);
	expect_signalled(d, rfd, SIGKILL);
	if (kill(d, SIGUSR1) == 0 || errno != ESRCH)
		die(1, "kill of reaped pid %d did not fail with ESRCH", (int)d);
	j_begin("tamper-kill-nobody");
	j_num("pid", getpid());
	j_num("target_pid", d);
	j_num("signal", SIGUSR1);
}

/* Two decoys in a new process group, signalled as a group: one event each. */
static void act_kill_group(void)
{
	int rfd1, rfd2;
	pid_t d1 = decoy(&rfd1), d2 = decoy(&rfd2);

	if (setpgid(d1, d1) || setpgid(d2, d1))
		die_errno("setpgid");
	if (kill(-d1, SIGTERM))
		die_errno("kill(-pgid)");
	expect_signalled(d1, rfd1, SIGTERM);
	expect_signalled(d2, rfd2, SIGTERM);
	j_begin("tamper-kill-group");
	j_num("pid", getpid());
	j_num("pgid", d1);
	j_num("target_pid", d1);
	j_num("target2_pid", d2);
	j_num("signal", SIGTERM);
}

/* sigqueue(): rt_sigqueueinfo with SI_QUEUE. */
static void act_sigqueue(void)
{
	int rfd;
	pid_t d = decoy(&rfd);
	union sigval v = {.sival_int = 7};

	if (sigqueue(d, SIGTERM, v))
		die_errno("sigqueue");
	expect_signalled(d, rfd, SIGTERM);
	j_begin("tamper-sigqueue");
	j_num("pid", getpid());
	j_num("target_pid", d);
	j_num("signal", SIGTERM);
}

const struct action tamper_signal_actions[] = {
	{"tamper-kill-decoy", act_kill_decoy},	 {"tamper-kill-refused", act_kill_refused},
	{"tamper-kill-nobody", act_kill_nobody}, {"tamper-kill-group", act_kill_group},
	{"tamper-sigqueue", act_sigqueue},	 {NULL, NULL},
};
