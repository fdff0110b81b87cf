/* test_complete.c - what Tab completes at the debugger's prompt: the kind
 * of word under the cursor and which candidates fit it
 * (replayer/cli/cli_complete.h). */
#include <check.h>
#include <string.h>

#include "replayer/cli/cli_complete.h"
#include "tests/unit/run_suite.h"

static enum cli_complete_kind kind(const char *line)
{
	/* the word under the cursor starts after the last blank */
	const char *sp = strrchr(line, ' ');
	return cli_complete_kind(line, sp ? (size_t)(sp - line) + 1 : 0);
}

START_TEST(test_kind)
{
	ck_assert_int_eq(kind(""), CLI_COMPLETE_COMMAND);
	ck_assert_int_eq(kind("brea"), CLI_COMPLETE_COMMAND);
	ck_assert_int_eq(kind("  brea"), CLI_COMPLETE_COMMAND);
	ck_assert_int_eq(kind("break main.ap"), CLI_COMPLETE_LOCATION);
	ck_assert_int_eq(kind("b main.go:"), CLI_COMPLETE_LOCATION);
	ck_assert_int_eq(kind("trace -stack 3 main.ap"), CLI_COMPLETE_NONE);
	ck_assert_int_eq(kind("trace main.ap"), CLI_COMPLETE_LOCATION);
	ck_assert_int_eq(kind("list mai"), CLI_COMPLETE_LOCATION);
	/* after the location: the condition is no location */
	ck_assert_int_eq(kind("break main.apply if"), CLI_COMPLETE_NONE);
	ck_assert_int_eq(kind("print acc"), CLI_COMPLETE_EXPR);
	ck_assert_int_eq(kind("p acct.Name == na"), CLI_COMPLETE_EXPR);
	ck_assert_int_eq(kind("whatis x"), CLI_COMPLETE_EXPR);
	ck_assert_int_eq(kind("config max"), CLI_COMPLETE_SETTING);
	ck_assert_int_eq(kind("config max-string-len 1"), CLI_COMPLETE_NONE);
	/* commands that run a command */
	ck_assert_int_eq(kind("frame 2 pri"), CLI_COMPLETE_COMMAND);
	ck_assert_int_eq(kind("frame 2 print co"), CLI_COMPLETE_EXPR);
	ck_assert_int_eq(kind("on 1 print amo"), CLI_COMPLETE_EXPR);
	ck_assert_int_eq(kind("rev ne"), CLI_COMPLETE_COMMAND);
	ck_assert_int_eq(kind("frame "), CLI_COMPLETE_NONE);
	ck_assert_int_eq(kind("continue x"), CLI_COMPLETE_NONE);
}
END_TEST

START_TEST(test_fits)
{
	ck_assert(cli_complete_fits("main.apply", "main.ap", false));
	ck_assert(!cli_complete_fits("main.apply", "ap", false));
	ck_assert(cli_complete_fits("main.apply", "", false));
	ck_assert(cli_complete_fits("/ci/work/main.go", "main.g", true));
	ck_assert(!cli_complete_fits("/ci/work/main.go", "main.g", false));
	ck_assert(cli_complete_fits("/ci/work/main.go", "/ci/w", true));
	ck_assert(!cli_complete_fits("/ci/work/main.go", "work", true));
}
END_TEST

START_TEST(test_common)
{
	char out[64];
	const char *a[] = { "main.apply", "main.amount", "main.a" };
	cli_complete_common(a, 3, out, sizeof(out));
	ck_assert_str_eq(out, "main.a");
	cli_complete_common(a, 2, out, sizeof(out));
	ck_assert_str_eq(out, "main.a");
	cli_complete_common(a, 1, out, sizeof(out));
	ck_assert_str_eq(out, "main.apply");
	cli_complete_common(a, 0, out, sizeof(out));
	ck_assert_str_eq(out, "");
	cli_complete_common(a, 1, out, 5);
	ck_assert_str_eq(out, "main");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_kind, test_fits, test_common };
	return run_tests("complete", tests, sizeof(tests) / sizeof(tests[0]));
}
