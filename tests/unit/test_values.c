/* test_values.c - unit tests of the value layer's pieces that need no
 * process: the expression parser (replayer/inspect/eval_parse.c: Go's
 * precedence, literals, package paths, one-line errors), Go's string
 * quoting and shortest float formatting as Delve prints them
 * (render.c), and the arena and growable strings (val_arena.c). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "replayer/inspect/val_private.h"

/* Package variables the parser may take as one name. */
static bool known(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "main.counter") == 0 || strcmp(name, "net/http.DefaultClient") == 0;
}

/* TEXT parsed and formatted back (fully parenthesized), or "ERR: msg". */
static char *roundtrip(const char *text)
{
	static char out[512];
	struct arena ar = { 0 };
	char err[256];
	struct gexpr *x = ge_parse(&ar, text, known, NULL, err, sizeof(err));
	if (!x) {
		snprintf(out, sizeof(out), "ERR: %s", err);
	} else {
		struct sbuf b = { 0 };
		ge_format(x, &b);
		snprintf(out, sizeof(out), "%s", b.s ? b.s : "");
		sb_free(&b);
	}
	ar_free(&ar);
	return out;
}

static const char *quoted(const char *s, size_t n)
{
	static char out[256];
	struct sbuf b = { 0 };
	gr_quote(&b, s, n);
	snprintf(out, sizeof(out), "%s", b.s);
	sb_free(&b);
	return out;
}

static const char *floated(double f, int bits)
{
	static char out[64];
	struct sbuf b = { 0 };
	gr_float(&b, f, bits);
	snprintf(out, sizeof(out), "%s", b.s);
	sb_free(&b);
	return out;
}

START_TEST(test_precedence)
{
	/* * binds tighter than +, + than ==, == than &&, && than || */
	char a[512];
	snprintf(a, sizeof(a), "%s", roundtrip("a + b * c == d || e && !f"));
	ck_assert_str_eq(a, roundtrip("((a + (b * c)) == d) || (e && (!f))"));
	snprintf(a, sizeof(a), "%s", roundtrip("a - b - c"));
	ck_assert_str_eq(a, roundtrip("(a - b) - c"));
	snprintf(a, sizeof(a), "%s", roundtrip("-x.f[2]"));
	ck_assert_str_eq(a, roundtrip("-((x.f)[2])"));
	snprintf(a, sizeof(a), "%s", roundtrip("*p.next"));
	ck_assert_str_eq(a, roundtrip("*(p.next)"));
}
END_TEST

START_TEST(test_literals)
{
	ck_assert_str_eq(roundtrip("0x1F"), "31");
	ck_assert_str_eq(roundtrip("0b101"), "5");
	ck_assert_str_eq(roundtrip("0o17"), "15");
	ck_assert_str_eq(roundtrip("1_000"), "1000");
	ck_assert_str_eq(roundtrip("'a'"), "97");
	ck_assert_str_eq(roundtrip("2.5"), "2.5");
	ck_assert_str_eq(roundtrip("1e3"), "1000");
	ck_assert_str_eq(roundtrip("\"a\\tb\""), "\"a\\tb\"");
	ck_assert_str_eq(roundtrip("`raw\\n`"), "\"raw\\\\n\"");
}
END_TEST

START_TEST(test_names)
{
	/* a known package variable with a path is one name; then a field */
	ck_assert_ptr_nonnull(strstr(roundtrip("net/http.DefaultClient.Timeout"),
				     "net/http.DefaultClient"));
	ck_assert_str_eq(roundtrip("main.counter"), "main.counter");
	ck_assert_str_eq(roundtrip("m[\"k\"]"), "m[\"k\"]");
	ck_assert_str_eq(roundtrip("len(s)"), "len(s)");
	ck_assert_str_eq(roundtrip("a[1:n]"), "a[1:n]");
	ck_assert_str_eq(roundtrip("a[:]"), "a[:]");
	ck_assert_str_eq(roundtrip("x.( *main.T ).f"), "x.(*main.T).f");
}
END_TEST

START_TEST(test_errors)
{
	const char *bad[] = { "a +", "(a", "a)", "\"open", "1 2", "", "a[", "0x", "09" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *r = roundtrip(bad[i]);
		ck_assert_msg(strncmp(r, "ERR: ", 5) == 0, "'%s' parsed as %s", bad[i], r);
		ck_assert_msg(!strchr(r, '\n'), "'%s': error on several lines", bad[i]);
	}
}
END_TEST

START_TEST(test_quote)
{
	ck_assert_str_eq(quoted("hi \"you\"\n\ttab", 13), "\"hi \\\"you\\\"\\n\\ttab\"");
	ck_assert_str_eq(quoted("\xc3\xa9", 2), "\"\xc3\xa9\"");      /* printable UTF-8 kept */
	ck_assert_str_eq(quoted("\xff", 1), "\"\\xff\"");            /* invalid byte */
	ck_assert_str_eq(quoted("\x01", 1), "\"\\x01\"");
	ck_assert_str_eq(quoted("a\0b", 3), "\"a\\x00b\"");
}
END_TEST

START_TEST(test_float)
{
	ck_assert_str_eq(floated(3.25, 64), "3.25");
	ck_assert_str_eq(floated(0.1, 64), "0.1");
	ck_assert_str_eq(floated(1.5f, 32), "1.5");
	ck_assert_str_eq(floated(0.1f, 32), "0.1");
	ck_assert_str_eq(floated(1e21, 64), "1000000000000000000000");
	ck_assert_str_eq(floated(-2, 64), "-2");
	ck_assert_str_eq(floated(INFINITY, 64), "+Inf");
	ck_assert_str_eq(floated(NAN, 64), "NaN");
}
END_TEST

START_TEST(test_arena)
{
	struct arena ar = { 0 };
	char *small = ar_strdup(&ar, "x");
	char *big = ar_alloc(&ar, 200000);       /* bigger than a chunk */
	memset(big, 'b', 200000);
	char *after = ar_printf(&ar, "%d-%s", 42, "y");
	ck_assert_str_eq(small, "x");
	ck_assert_str_eq(after, "42-y");
	ck_assert_int_eq(big[199999], 'b');
	ar_free(&ar);
	struct sbuf b = { 0 };
	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%d,", i % 10);
	ck_assert_uint_eq(b.len, 2000);
	ck_assert_int_eq(b.s[b.len], 0);
	sb_free(&b);
}
END_TEST

static Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_literals);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_float);
	tcase_add_test(tc, test_arena);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(values_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
