/* test_affinity.c - unit tests of tracee/affinity.c: the replay thread and
 * the replayed program pinned to one CPU, the CPUs kept for helper threads
 * (a thread started with them runs there), and the thread's CPUs given
 * back.  test_digester digests with a helper thread on given CPUs. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracee/affinity.h"
#include "tests/unit/run_suite.h"

/* A child process, stopped before it execs /bin/sleep (so that, once let
 * go, it runs a plain binary, not this sanitized one). */
static pid_t stopped_child(void)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		raise(SIGSTOP);
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(st));
	return pid;
}

static void end_child(pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void *helper_cpus(void *arg)
{
	cpu_set_t *out = arg;
	sched_getaffinity(0, sizeof(*out), out);
	return NULL;
}

START_TEST(test_pin_and_restore)
{
	cpu_set_t before;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	pid_t pid = stopped_child();
	struct grr_affinity a;
	ck_assert_int_eq(grr_affinity_pin(&a, pid), 0);
	if (CPU_COUNT(&before) < 2) {
		/* one CPU: nothing to pin, helpers inherit */
		ck_assert(!a.active);
		ck_assert_ptr_null(grr_affinity_helpers(&a));
		end_child(pid);
		return;
	}
	ck_assert(a.active && a.owner);
	cpu_set_t mine, its;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	ck_assert_int_eq(sched_getaffinity(pid, sizeof(its), &its), 0);
	ck_assert_int_eq(CPU_COUNT(&mine), 1);
	ck_assert(CPU_EQUAL(&mine, &its));
	ck_assert(CPU_ISSET(sched_getcpu(), &mine));
	const cpu_set_t *helpers = grr_affinity_helpers(&a);
	ck_assert_ptr_nonnull(helpers);
	ck_assert(CPU_EQUAL(helpers, &before));

	/* a shared copy (a checkpoint's engine) keeps the helpers, and does
	 * not give the thread its CPUs back */
	struct grr_affinity copy;
	grr_affinity_share(&a, &copy);
	ck_assert(CPU_EQUAL(grr_affinity_helpers(&copy), &before));
	grr_affinity_restore(&copy);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	ck_assert_int_eq(CPU_COUNT(&mine), 1);

	/* a thread started the way the digest starts its helper runs there */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	ck_assert_int_eq(pthread_attr_setaffinity_np(&attr, sizeof(*helpers), helpers), 0);
	cpu_set_t seen;
	CPU_ZERO(&seen);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, &attr, helper_cpus, &seen), 0);
	pthread_join(th, NULL);
	pthread_attr_destroy(&attr);
	ck_assert(CPU_EQUAL(&seen, &before));

	grr_affinity_restore(&a);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	ck_assert(CPU_EQUAL(&mine, &before));
	ck_assert(!a.owner);
	grr_affinity_restore(&a);   /* twice: nothing more */
	end_child(pid);
}
END_TEST

/* A thread that may use one CPU only is left alone. */
START_TEST(test_single_cpu_left_alone)
{
	cpu_set_t before, one;
	ck_assert_int_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	pid_t pid = stopped_child();
	cpu_set_t its_before, its;
	ck_assert_int_eq(sched_getaffinity(pid, sizeof(its_before), &its_before), 0);
	struct grr_affinity a;
	ck_assert_int_eq(grr_affinity_pin(&a, pid), 0);
	ck_assert(!a.active && !a.owner);
	ck_assert_ptr_null(grr_affinity_helpers(&a));
	ck_assert_int_eq(sched_getaffinity(pid, sizeof(its), &its), 0);
	ck_assert(CPU_EQUAL(&its, &its_before));
	end_child(pid);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(before), &before), 0);
}
END_TEST

int main(void)
{
	const TTest *tests[] = { test_pin_and_restore, test_single_cpu_left_alone };
	return run_tests("affinity", tests, sizeof(tests) / sizeof(tests[0]));
}
