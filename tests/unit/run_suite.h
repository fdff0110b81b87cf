/* run_suite.h - the main() of a small unit test: runs the N TESTS as one
 * test case of a suite named NAME and returns 1 if a check failed. */
#ifndef GRR_TESTS_RUN_SUITE_H
#define GRR_TESTS_RUN_SUITE_H

#include <check.h>
#include <stddef.h>

static inline int run_tests(const char *name, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
