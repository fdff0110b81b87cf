/* test_hits.c - breakpoint hit counts and Delve's hit conditions
 * (replayer/control/ctl_hits.c): the forms condition -hitcount accepts,
 * which hits stop, per goroutine counts, and counts saved with a
 * checkpoint and restored (what makes reverse commands count the same). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "replayer/control/ctl_private.h"
#include "tests/unit/run_suite.h"

/* A control session with breakpoints 1 and 2 and nothing else. */
static struct grr_ctl *two_breaks(void)
{
	struct grr_ctl *c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	c->bps = calloc(2, sizeof(*c->bps));
	ck_assert_ptr_nonnull(c->bps);
	c->nbps = c->capbps = 2;
	c->bps[0].id = 1;
	c->bps[1].id = 2;
	return c;
}

static void done(struct grr_ctl *c)
{
	free(c->bps);
	free(c->ghits);
	free(c);
}

/* Which of N hits by goroutine G stop at breakpoint B: a bit each. */
static unsigned stops(struct grr_ctl *c, struct grr_ctl_break *b, int n, int64_t g)
{
	unsigned m = 0;
	for (int i = 0; i < n; i++)
		m |= (unsigned)ctl_hits_count(c, b, g) << i;
	return m;
}

START_TEST(test_forms)
{
	struct grr_ctl *c = two_breaks();
	char err[256];
	static const struct { const char *text; unsigned want; } ok[] = {
		{ "3", 0x4 }, { "== 3", 0x4 }, { "==3", 0x4 }, { "!= 3", 0x3b }, { "> 3", 0x38 },
		{ ">= 3", 0x3c }, { "< 3", 0x3 }, { "<= 3", 0x7 }, { "% 2", 0x2a }, { " %3 ", 0x24 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(grr_ctl_hit_condition(c, 1, ok[i].text, false, err, sizeof(err)) == 0,
			      "%s: %s", ok[i].text, err);
		c->bps[0].hits = 0;
		ck_assert_uint_eq(stops(c, &c->bps[0], 6, 1), ok[i].want);
	}
	static const char *const bad[] = { ">> 3", "x", "= = 3", "3 4", "% 0", "-1", "> 3x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(grr_ctl_hit_condition(c, 1, bad[i], false, err, sizeof(err)) < 0,
			      "accepted %s", bad[i]);
	ck_assert_int_lt(grr_ctl_hit_condition(c, 9, "3", false, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "no breakpoint 9");
	/* "" removes it: every hit stops again */
	ck_assert_int_eq(grr_ctl_hit_condition(c, 1, "", false, err, sizeof(err)), 0);
	ck_assert_uint_eq(stops(c, &c->bps[0], 3, 1), 0x7);
	done(c);
}
END_TEST

START_TEST(test_per_goroutine)
{
	struct grr_ctl *c = two_breaks();
	char err[256];
	ck_assert_int_eq(grr_ctl_hit_condition(c, 1, "== 2", true, err, sizeof(err)), 0);
	/* goroutines 7 and 8 take turns: each one's second hit stops */
	ck_assert(!ctl_hits_count(c, &c->bps[0], 7));
	ck_assert(!ctl_hits_count(c, &c->bps[0], 8));
	ck_assert(ctl_hits_count(c, &c->bps[0], 7));
	ck_assert(ctl_hits_count(c, &c->bps[0], 8));
	ck_assert(!ctl_hits_count(c, &c->bps[0], 7));
	ck_assert_uint_eq(c->bps[0].hits, 5);
	/* breakpoint 2 has counts of its own */
	ck_assert(ctl_hits_count(c, &c->bps[1], 7));
	done(c);
}
END_TEST

START_TEST(test_saved_and_restored)
{
	struct grr_ctl *c = two_breaks();
	char err[256];
	ck_assert_int_eq(grr_ctl_hit_condition(c, 2, "% 2", true, err, sizeof(err)), 0);
	stops(c, &c->bps[0], 3, 5);
	stops(c, &c->bps[1], 3, 5);
	struct ctl_snap s = { 0 };
	ck_assert_int_eq(ctl_hits_save(c, &s), 0);
	unsigned later = stops(c, &c->bps[1], 4, 5);
	stops(c, &c->bps[0], 4, 6);
	/* back at the checkpoint, the same hits stop */
	ctl_hits_load(c, &s);
	ck_assert_uint_eq(c->bps[0].hits, 3);
	ck_assert_uint_eq(c->bps[1].hits, 3);
	ck_assert_uint_eq(stops(c, &c->bps[1], 4, 5), later);
	/* the start: all zero */
	ctl_hits_load(c, NULL);
	ck_assert_uint_eq(c->bps[0].hits, 0);
	ck_assert_int_eq(c->nghits, 0);
	ck_assert_uint_eq(stops(c, &c->bps[1], 2, 5), 0x2);
	free(s.hits);
	done(c);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_forms, test_per_goroutine, test_saved_and_restored };
	return run_tests("hits", tests, sizeof(tests) / sizeof(tests[0]));
}
