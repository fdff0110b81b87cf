/* test_call.c - function calls at a recorded moment (rp_call.c,
 * ctl_call.c): tests/programs/calls is built with Go 1.26 and Go 1.19
 * (optimized and -N -l), recorded, and replayed to main.stop, where
 * main.add(2, 40) is called in a disposable copy: it must return 42, and
 * the replay must then reach its recorded end as if no call had happened.
 * A call where no goroutine is stopped is refused.
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
	{ "go126-debug", "GRR_GO126", "/usr/local/go/bin/go", "-gcflags='all=-N -l'" },
	{ "go119-opt", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "" },
	{ "go119-debug", "GRR_GO119", "/usr/lib/go-1.19/bin/go", "-gcflags='all=-N -l'" },
};

static char tmpdir[64];

/* Builds and records the calls program for C; the trace's path in TRACE. */
static void build_and_record(const struct config *c, char *trace, size_t len)
{
	const char *go = getenv(c->env) ? getenv(c->env) : c->fallback;
	ck_assert_msg(access(go, X_OK) == 0, "Go toolchain not found at %s (set %s)", go, c->env);
	char bin[256], cmd[1024];
	snprintf(bin, sizeof(bin), "%s/calls-%s", tmpdir, c->name);
	snprintf(trace, len, "%s/calls-%s.grr", tmpdir, c->name);
	snprintf(cmd, sizeof(cmd),
		 "cd tests/programs && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod "
		 "%s build %s -o %s ./calls >%s/build.log 2>&1",
		 go, c->flags, bin, tmpdir);
	ck_assert_msg(system(cmd) == 0, "%s: go build failed (see %s/build.log)", c->name, tmpdir);
	char *argv[] = { bin, NULL };
	struct grr_record_opts o = { .program = bin, .argv = argv, .envp = environ, .output = trace };
	struct grr_record_result res;
	char err[512];
	FILE *keep = freopen("/dev/null", "w", stdout);
	int rc = grr_record(&o, &res, err, sizeof(err));
	ck_assert_ptr_nonnull(keep);
	ck_assert_msg(rc == 0 && res.exit_status == 0, "%s: record failed: %s", c->name, err);
}

START_TEST(test_call_add)
{
	const struct config *c = &configs[_i];
	char trace[256], err[512];
	build_and_record(c, trace, sizeof(trace));
	struct grr_ctl_opts o = { .quiet = true };
	struct grr_ctl *ctl = grr_ctl_open(trace, &o, err, sizeof(err));
	ck_assert_msg(ctl != NULL, "%s: %s", c->name, err);

	/* no goroutine stopped yet: refused with a reason */
	struct grr_call_request req = { .nint = 2, .ints = { 2, 40 }, .frame_size = 256, .timeout = 5 };
	struct grr_call_result res;
	struct grr_replay *copy;
	ck_assert_int_eq(grr_ctl_call(ctl, &req, &res, &copy, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "stop inside a goroutine"), "%s: %s", c->name, err);

	ck_assert_int_gt(grr_ctl_break(ctl, "main.stop", false, NULL, err, sizeof(err)), 0);
	struct grr_ctl_stop stop;
	ck_assert_int_eq(grr_ctl_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert_int_eq(stop.reason, GRR_CTL_BREAKPOINT);

	struct grr_func_info f;
	ck_assert_int_eq(grr_symbols_func_named(grr_ctl_symbols(ctl), "main.add", &f, err,
						sizeof(err)), 0);
	req.fn = f.entry;
	ck_assert_msg(grr_ctl_call(ctl, &req, &res, &copy, err, sizeof(err)) == 0, "%s: %s",
		      c->name, err);
	grr_replay_close(copy);
	ck_assert_msg(res.how == GRR_CALL_RETURNED, "%s: call ended %d: %s", c->name, res.how,
		      res.reason);
	ck_assert_uint_eq(res.ints[0], 42);

	/* the replay goes on as recorded */
	ck_assert_int_eq(grr_ctl_continue(ctl, &stop, err, sizeof(err)), 0);
	ck_assert_int_eq(stop.reason, GRR_CTL_EXITED);
	ck_assert_int_eq(stop.pos.exit_status, 0);
	grr_ctl_close(ctl);
}
END_TEST

static Suite *call_suite(void)
{
	Suite *s = suite_create("call");
	TCase *tc = tcase_create("debugcall");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_call_add, 0, (int)(sizeof(configs) / sizeof(configs[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/grr-test-call.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	SRunner *sr = srunner_create(call_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_call: could not remove %s\n", tmpdir);
	return failed ? 1 : 0;
}
