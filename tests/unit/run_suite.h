/* run_suite.h - the main() of a one-suite unit test: runs SUITE and
 * exits 1 if a check failed. */
#ifndef GRR_TESTS_RUN_SUITE_H
#define GRR_TESTS_RUN_SUITE_H

#include <check.h>

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
