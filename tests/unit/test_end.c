/* test_end.c - the moment of failure and the end of a recording through
 * the replay-control API (control.h), as a gdb protocol server would use
 * it: tests/programs/failures (a nil map write in a goroutine) is built
 * with Go 1.26 and Go 1.19, recorded (exit status 2) and replayed.  The
 * failure breakpoints exist from the start; continue stops at
 * unrecovered-panic on the panicking goroutine, then at the end with the
 * process still there (registers readable); continue and goto past the
 * end stay there; a breakpoint set at the end is found again backward,
 * and reverse-stepi goes back one instruction from the end.
 *
 * Toolchains: $GRR_GO126 (default /usr/local/go/bin/go) and $GRR_GO119
 * (default /usr/lib/go-1.19/bin/go); a missing one fails its tests. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder/recorder.h"
#include "replayer/control/control.h"

extern char **environ;

struct config {
	const char *name, *env, *fallback, *flags;
};

static const struct config configs[] = {
	{ "go126-opt", "GRR_GO126", "/usr/local/go/bin/go", "" },
	{ "go119-debug", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "-gcflags='all=-N -l'" },
};

static char tmpdir[64];

/* Builds the failures program for C and records `failures panic`; the
 * trace's path in TRACE. */
static void build_and_record(const struct config *c, char *trace, size_t len)
{
	const char *go = getenv(c->env) ? getenv(c->env) : c->fallback;
	ck_assert_msg(access(go, X_OK) == 0, "Go toolchain not found at %s (set %s)", go, c->env);
	char bin[256], cmd[1024];
	snprintf(bin, sizeof(bin), "%s/failures-%s", tmpdir, c->name);
	snprintf(trace, len, "%s/failures-%s.grr", tmpdir, c->name);
	snprintf(cmd, sizeof(cmd),
		 "cd tests/programs && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod "
		 "%s build %s -o %s ./failures >%s/build.log 2>&1",
		 go, c->flags, bin, tmpdir);
	ck_assert_msg(system(cmd) == 0, "%s: go build failed (see %s/build.log)", c->name, tmpdir);
	char *argv[] = { bin, "panic", NULL };
	struct grr_record_opts o = { .program = bin, .argv = argv, .envp = environ, .output = trace };
	struct grr_record_result res;
	char err[512];
	FILE *out = freopen("/dev/null", "w", stdout), *errf = freopen("/dev/null", "w", stderr);
	int rc = grr_record(&o, &res, err, sizeof(err));
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(errf);
	ck_assert_msg(rc == 0 && res.exit_status == 2, "%s: record failed (%d): %s", c->name,
		      res.exit_status, err);
}

static const struct grr_ctl_break *find_break(struct grr_ctl *ctl, int id)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(ctl, &bps);
	for (int i = 0; i < n; i++)
		if (bps[i].id == id)
			return &bps[i];
	return NULL;
}

START_TEST(test_end_live)
{
	const struct config *c = &configs[_i];
	char trace[256], err[512];
	build_and_record(c, trace, sizeof(trace));
	struct grr_ctl_opts o = { .quiet = true };
	struct grr_ctl *ctl = grr_ctl_open(trace, &o, err, sizeof(err));
	ck_assert_msg(ctl != NULL, "%s: %s", c->name, err);

	/* Delve's failure breakpoints, there from the start */
	const struct grr_ctl_break *p = find_break(ctl, GRR_CTL_UNRECOVERED_PANIC);
	const struct grr_ctl_break *t = find_break(ctl, GRR_CTL_FATAL_THROW);
	ck_assert_msg(p && strcmp(p->name, "unrecovered-panic") == 0 && p->nlocs == 1, "%s", c->name);
	ck_assert_msg(t && strcmp(t->name, "runtime-fatal-throw") == 0 && t->nlocs >= 2, "%s",
		      c->name);
	ck_assert_str_eq(p->show, "runtime.curg._panic.arg");

	/* the panic, on the goroutine that panicked */
	struct grr_ctl_stop stop;
	ck_assert_msg(grr_ctl_continue(ctl, &stop, err, sizeof(err)) == 0, "%s: %s", c->name, err);
	ck_assert_int_eq(stop.reason, GRR_CTL_BREAKPOINT);
	ck_assert_int_eq(stop.bp_id, GRR_CTL_UNRECOVERED_PANIC);
	ck_assert_int_gt(stop.pos.goid, 0);
	ck_assert(!stop.pos.at_end);
	uint64_t panic_seq = stop.pos.seq;

	/* the end: the process is still there */
	ck_assert_msg(grr_ctl_continue(ctl, &stop, err, sizeof(err)) == 0, "%s: %s", c->name, err);
	ck_assert_int_eq(stop.reason, GRR_CTL_EXITED);
	ck_assert(stop.pos.at_end && !stop.pos.no_process && !stop.pos.cut_short);
	ck_assert_int_eq(stop.pos.exit_status, 2);
	ck_assert_uint_ne(stop.pos.tid, 0);
	struct user_regs_struct regs;
	ck_assert_int_eq(grr_replay_get_regs(grr_ctl_replay(ctl), stop.pos.tid, &regs), 0);
	ck_assert_uint_eq(regs.rip, stop.pos.pc);
	uint64_t end = stop.pos.seq;

	/* continue and goto past the end stay there */
	ck_assert_int_eq(grr_ctl_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert(stop.reason == GRR_CTL_EXITED && stop.pos.seq == end);
	ck_assert_int_eq(grr_ctl_goto(ctl, grr_replay_event_count(grr_ctl_replay(ctl)), &stop, err,
				      sizeof(err)), 0);
	ck_assert(stop.pos.at_end && stop.pos.seq == end);

	/* a breakpoint set at the end, found backward (after the panic's) */
	int id = grr_ctl_break(ctl, "main.fill", false, NULL, err, sizeof(err));
	ck_assert_msg(id > 0, "%s: %s", c->name, err);
	ck_assert_int_eq(grr_ctl_reverse_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert_int_eq(stop.bp_id, GRR_CTL_UNRECOVERED_PANIC);
	ck_assert_uint_eq(stop.pos.seq, panic_seq);
	ck_assert_int_eq(grr_ctl_clear(ctl, GRR_CTL_UNRECOVERED_PANIC), 0);
	ck_assert_int_eq(grr_ctl_break_named(ctl, "unrecovered-panic"), 0);
	ck_assert_int_eq(grr_ctl_reverse_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert_int_eq(stop.bp_id, id);
	ck_assert_uint_eq(stop.hits, 2);

	/* back to the end, and one instruction back from it */
	ck_assert_int_eq(grr_ctl_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert(stop.pos.at_end && stop.pos.seq == end);
	ck_assert_msg(grr_ctl_reverse_stepi(ctl, &stop, err, sizeof(err)) == 0, "%s: %s", c->name,
		      err);
	ck_assert_int_eq(stop.reason, GRR_CTL_STEPPED);
	ck_assert(!stop.pos.at_end);
	ck_assert_uint_eq(stop.pos.seq, end - 1);
	grr_ctl_close(ctl);
}
END_TEST

static Suite *end_suite(void)
{
	Suite *s = suite_create("end");
	TCase *tc = tcase_create("failure");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_end_live, 0, (int)(sizeof(configs) / sizeof(configs[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/grr-test-end.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	SRunner *sr = srunner_create(end_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_end: could not remove %s\n", tmpdir);
	return failed ? 1 : 0;
}
