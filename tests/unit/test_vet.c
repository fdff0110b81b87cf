/* test_vet.c - the log checked against the replay sandbox before replay
 * starts (replayer/rp_vet.c): synthetic traces whose calls replay would
 * run for real, within the sandbox's list or not. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "replayer/rp_private.h"
#include "tests/unit/run_suite.h"

#define GO_THREAD 0x50f00ull

static char *s_argv[] = { "/bin/prog", NULL };
static char *s_envp[] = { NULL };

struct call {
	uint8_t kind;
	uint32_t nr;
	uint64_t a0, a3;
	int64_t ret;
};

/* Writes a trace of CALLS (ENTER: nr(a0, .., a3); EXIT: nr = ret;
 * CLONE), all of thread 1, and vets it: 0 or -1 (ERR). */
static int vet(const struct call *calls, size_t n, char *err, size_t errlen)
{
	char path[] = "/tmp/grr-test-vet-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct grr_header h = { .program = "/bin/prog", .cwd = "/", .argc = 1, .argv = s_argv,
				.envp = s_envp, .build_id = "", .go_version = "", .grr_version = "" };
	struct grr_error e;
	struct grr_writer *w = grr_writer_open(path, &h, &e);
	ck_assert_ptr_nonnull(w);
	for (size_t i = 0; i < n; i++) {
		struct grr_event ev = { .kind = calls[i].kind, .tid = 1 };
		if (ev.kind == GRR_EV_SYSCALL_ENTER) {
			ev.u.enter.nr = calls[i].nr;
			ev.u.enter.args[0] = calls[i].a0;
			ev.u.enter.args[3] = calls[i].a3;
		} else if (ev.kind == GRR_EV_SYSCALL_EXIT) {
			ev.u.exit.nr = calls[i].nr;
			ev.u.exit.ret = calls[i].ret;
		} else {
			ev.u.clone.child_tid = 2;
		}
		ck_assert_int_eq(grr_writer_append(w, &ev, &e), 0);
	}
	ck_assert_int_eq(grr_writer_close(w, &e), 0);
	err[0] = 0;
	int rc = rp_vet(path, err, errlen);
	unlink(path);
	return rc;
}

#define ENTER(nr, a0, a3) { GRR_EV_SYSCALL_ENTER, (nr), (a0), (a3), 0 }
#define EXIT(nr, ret) { GRR_EV_SYSCALL_EXIT, (nr), 0, 0, (ret) }
#define CLONE { GRR_EV_CLONE, 0, 0, 0, 0 }

START_TEST(test_accepted)
{
	const struct call ok[] = {
		ENTER(SYS_mmap, 0, MAP_PRIVATE | MAP_ANONYMOUS), EXIT(SYS_mmap, 0x7000000),
		ENTER(SYS_mmap, 0, MAP_PRIVATE), EXIT(SYS_mmap, 0x7100000),   /* a file's */
		ENTER(SYS_openat, (uint64_t)-100, 0), EXIT(SYS_openat, 3),    /* emulated */
		ENTER(SYS_connect, 3, 0), EXIT(SYS_connect, 0),
		ENTER(SYS_clone, GO_THREAD, 0), CLONE, EXIT(SYS_clone, 2),
		ENTER(SYS_clone3, 0x1000, 0), CLONE, EXIT(SYS_clone3, 3),     /* flags in memory */
		ENTER(SYS_clone, 0x4111, 0), EXIT(SYS_clone, 99),             /* vfork: emulated */
		ENTER(SYS_execve, 0, 0), EXIT(SYS_execve, -2),                /* failed */
		ENTER(SYS_arch_prctl, 0x1002, 0), EXIT(SYS_arch_prctl, 0),
		ENTER(SYS_exit_group, 0, 0),
	};
	char err[600];
	ck_assert_msg(vet(ok, sizeof(ok) / sizeof(ok[0]), err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(test_refused)
{
	char err[600];
	const struct call fork_clone[] = { ENTER(SYS_clone, 0x1200011, 0), CLONE,
					   EXIT(SYS_clone, 5) };
	ck_assert_int_eq(vet(fork_clone, 3, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "refused") && strstr(err, "without CLONE_THREAD"), "%s", err);
	const struct call no_enter[] = { CLONE };
	ck_assert_int_eq(vet(no_enter, 1, err, sizeof(err)), -1);
	const struct call untraced[] = { ENTER(SYS_clone, GO_THREAD | 0x800000, 0) };
	ck_assert_int_eq(vet(untraced, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "asks replay to run clone(") && strstr(err, "sandbox forbids"), "%s", err);
	const struct call exec[] = { ENTER(SYS_execve, 0, 0), EXIT(SYS_execve, 0) };
	ck_assert_int_eq(vet(exec, 2, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "execve") && strstr(err, "new program image"), "%s", err);
	const struct call execat[] = { ENTER(SYS_execveat, 0, 0), EXIT(SYS_execveat, 0) };
	ck_assert_int_eq(vet(execat, 2, err, sizeof(err)), -1);
	/* one line */
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_accepted, test_refused };
	return run_tests("vet", tests, sizeof(tests) / sizeof(tests[0]));
}
