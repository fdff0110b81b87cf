/* test_srcpath.c - where a source file compiled elsewhere is here:
 * substitute-path rules, longest prefix first, at path boundaries, and the
 * automatic GOROOT and module cache mappings (replayer/cli/cli_srcpath.h). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "replayer/cli/cli_srcpath.h"
#include "tests/unit/run_suite.h"

static struct cli_srcpath sp;

static const char *map(const char *file)
{
	static char out[CLI_SRCPATH_LEN];
	return cli_srcpath_apply_rules(&sp, file, out, sizeof(out)) ? out : NULL;
}

START_TEST(test_rules)
{
	char err[200];
	memset(&sp, 0, sizeof(sp));
	ck_assert_ptr_null(map("/ci/work/main.go"));
	ck_assert_int_eq(cli_srcpath_add(&sp, "/ci/work", "/home/me/src", err, sizeof(err)), 0);
	ck_assert_str_eq(map("/ci/work/main.go"), "/home/me/src/main.go");
	ck_assert_str_eq(map("/ci/work"), "/home/me/src");
	/* a boundary: /ci/workshop is not below /ci/work */
	ck_assert_ptr_null(map("/ci/workshop/main.go"));
	/* the longest FROM wins, whatever the order they were added in */
	ck_assert_int_eq(cli_srcpath_add(&sp, "/ci/work/vendor", "/v", err, sizeof(err)), 0);
	ck_assert_str_eq(map("/ci/work/vendor/x/y.go"), "/v/x/y.go");
	ck_assert_str_eq(map("/ci/work/pkg/z.go"), "/home/me/src/pkg/z.go");
	/* slashes at the ends are neither doubled nor lost */
	ck_assert_int_eq(cli_srcpath_add(&sp, "/a/", "/b/", err, sizeof(err)), 0);
	ck_assert_str_eq(map("/a/f.go"), "/b/f.go");
	ck_assert_int_eq(cli_srcpath_add(&sp, "/c", "/d/", err, sizeof(err)), 0);
	ck_assert_str_eq(map("/c/f.go"), "/d/f.go");
	/* the same FROM again replaces its rule */
	ck_assert_int_eq(cli_srcpath_add(&sp, "/ci/work", "/elsewhere", err, sizeof(err)), 0);
	ck_assert_int_eq(sp.n, 4);
	ck_assert_str_eq(map("/ci/work/main.go"), "/elsewhere/main.go");
	/* removal, clear, bad input */
	ck_assert_int_eq(cli_srcpath_remove(&sp, "/ci/work"), 0);
	ck_assert_int_eq(cli_srcpath_remove(&sp, "/ci/work"), -1);
	ck_assert_ptr_null(map("/ci/work/main.go"));
	ck_assert_str_eq(map("/ci/work/vendor/x/y.go"), "/v/x/y.go");
	ck_assert_int_eq(cli_srcpath_add(&sp, "", "/x", err, sizeof(err)), -1);
	ck_assert(strlen(err) > 0);
	cli_srcpath_clear(&sp);
	ck_assert_int_eq(sp.n, 0);
	ck_assert_ptr_null(map("/ci/work/vendor/x/y.go"));
	for (int i = 0; i < CLI_SRCPATH_MAX_RULES; i++) {
		char from[32];
		snprintf(from, sizeof(from), "/r%d", i);
		ck_assert_int_eq(cli_srcpath_add(&sp, from, "/t", err, sizeof(err)), 0);
	}
	ck_assert_int_eq(cli_srcpath_add(&sp, "/one-more", "/t", err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_auto)
{
	char out[CLI_SRCPATH_LEN], root[CLI_SRCPATH_LEN];
	memset(&sp, 0, sizeof(sp));
	ck_assert(cli_srcpath_goroot_of("/opt/hostedtoolcache/go/1.26.0/x64/src/runtime/proc.go",
					root, sizeof(root)));
	ck_assert_str_eq(root, "/opt/hostedtoolcache/go/1.26.0/x64");
	ck_assert(!cli_srcpath_goroot_of("/home/me/main.go", root, sizeof(root)));
	/* nothing configured: nothing maps */
	ck_assert(!cli_srcpath_apply_auto(&sp, "/opt/go/src/fmt/print.go", out, sizeof(out)));
	snprintf(sp.rec_goroot, sizeof(sp.rec_goroot), "/opt/go");
	/* GOROOT only when the versions matched (local_goroot set) */
	ck_assert(!cli_srcpath_apply_auto(&sp, "/opt/go/src/fmt/print.go", out, sizeof(out)));
	snprintf(sp.local_goroot, sizeof(sp.local_goroot), "/usr/local/go");
	ck_assert(cli_srcpath_apply_auto(&sp, "/opt/go/src/fmt/print.go", out, sizeof(out)));
	ck_assert_str_eq(out, "/usr/local/go/src/fmt/print.go");
	ck_assert(!cli_srcpath_apply_auto(&sp, "/opt/gopher/src/x.go", out, sizeof(out)));
	/* the module cache: whatever its directory was, below .../pkg/mod/ */
	ck_assert(!cli_srcpath_apply_auto(&sp, "/home/runner/go/pkg/mod/golang.org/x/sync@v0.1.0/errgroup/errgroup.go",
					  out, sizeof(out)));
	snprintf(sp.local_modcache, sizeof(sp.local_modcache), "/root/go/pkg/mod");
	ck_assert(cli_srcpath_apply_auto(&sp, "/home/runner/go/pkg/mod/golang.org/x/sync@v0.1.0/errgroup/errgroup.go",
					 out, sizeof(out)));
	ck_assert_str_eq(out, "/root/go/pkg/mod/golang.org/x/sync@v0.1.0/errgroup/errgroup.go");
	/* too long a result is no mapping */
	ck_assert(!cli_srcpath_apply_auto(&sp, "/opt/go/src/fmt/print.go", out, 8));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_rules, test_auto };
	return run_tests("srcpath", tests, sizeof(tests) / sizeof(tests[0]));
}
