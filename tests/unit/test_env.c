/* test_env.c - which environment variables grr record withholds
 * (recorder/env_screen.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder/env_screen.h"
#include "tests/unit/run_suite.h"

static bool secret(const char *name)
{
	return grr_env_name_secret(name, strlen(name));
}

START_TEST(test_names)
{
	const char *yes[] = {
		"GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
		"GOOGLE_APPLICATION_CREDENTIALS", "NPM_TOKEN", "MYSECRET_TOKEN", "db_password",
		"PGPASSWORD", "SMTP_PASSWD", "GPG_PASSPHRASE", "SSH_PRIVATE_KEY", "STRIPE_API_KEY",
		"OPENAI_APIKEY", "SSH_AUTH_SOCK", "BROWSER_COOKIE", "SESSION_ID", "CI_JOB_JWT",
		"ENCRYPTION_KEY", "SENTRY_DSN", "DATABASE_URL", "MYSQL_PWD", "SLACK_WEBHOOK_URL",
		"SSHPASS", "AWS_SESSION_TOKEN", "HEROKU_API_KEY",
	};
	const char *no[] = {
		"HOME", "PATH", "PWD", "OLDPWD", "USER", "LANG", "TERM", "GOPATH", "GOFLAGS", "CI",
		"GITHUB_ACTIONS", "GITHUB_SHA", "KEYBOARD_LAYOUT", "MONKEY", "SHELL", "TMPDIR",
		"PLAIN_VAR", "GODEBUG", "DSN_HOST", "",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(secret(yes[i]), "%s should look secret", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!secret(no[i]), "%s should not look secret", no[i]);
	/* only the name counts, up to LEN */
	ck_assert(!grr_env_name_secret("HOME=TOKEN", 4));
	ck_assert(grr_env_name_valid("A_B"));
	ck_assert(!grr_env_name_valid(""));
	ck_assert(!grr_env_name_valid("A=B"));
	ck_assert(!grr_env_name_valid(NULL));
}
END_TEST

static char *env[] = {
	"HOME=/root", "GITHUB_TOKEN=ghp_x", "PLAIN=1", "MYSECRET_TOKEN=abc", "NPM_TOKEN=n",
	"GITHUB_TOKEN=again", "NOVALUE", "SESSION", NULL,
};

static bool has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

START_TEST(test_screen)
{
	struct grr_env_screen s;
	ck_assert_int_eq(grr_env_screen(env, NULL, 0, false, &s), 0);
	ck_assert_uint_eq(s.nwithheld, 4);   /* GITHUB_TOKEN once */
	ck_assert(has(s.withheld, s.nwithheld, "GITHUB_TOKEN"));
	ck_assert(has(s.withheld, s.nwithheld, "MYSECRET_TOKEN"));
	ck_assert(has(s.withheld, s.nwithheld, "NPM_TOKEN"));
	ck_assert(has(s.withheld, s.nwithheld, "SESSION"));
	ck_assert_ptr_null(s.withheld[4]);
	ck_assert_uint_eq(s.nkept_secret, 0);
	size_t n = 0;
	while (s.envp[n])
		n++;
	ck_assert_uint_eq(n, 3);
	ck_assert(has(s.envp, n, "HOME=/root") && has(s.envp, n, "PLAIN=1") && has(s.envp, n, "NOVALUE"));
	for (size_t i = 0; i < n; i++)
		ck_assert_ptr_null(strstr(s.envp[i], "TOKEN"));
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	grr_env_notice(f, "grr record", &s);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(line, "withheld 4 environment variables"));
	ck_assert_ptr_nonnull(strstr(line, " MYSECRET_TOKEN"));
	ck_assert_ptr_null(strstr(line, "abc"));
	ck_assert(strchr(line, '\n') == line + len - 1);   /* one line */
	free(line);
	grr_env_screen_free(&s);

	const char *keep[] = { "GITHUB_TOKEN", "NOT_SET_TOKEN" };
	ck_assert_int_eq(grr_env_screen(env, keep, 2, false, &s), 0);
	ck_assert_uint_eq(s.nwithheld, 3);
	ck_assert(!has(s.withheld, s.nwithheld, "GITHUB_TOKEN"));
	ck_assert_uint_eq(s.nkept_secret, 1);
	ck_assert_str_eq(s.kept_secret[0], "GITHUB_TOKEN");
	n = 0;
	while (s.envp[n])
		n++;
	ck_assert_uint_eq(n, 5);
	grr_env_screen_free(&s);

	ck_assert_int_eq(grr_env_screen(env, NULL, 0, true, &s), 0);
	ck_assert_uint_eq(s.nwithheld, 0);
	ck_assert_uint_eq(s.nkept_secret, 4);
	n = 0;
	while (s.envp[n])
		n++;
	ck_assert_uint_eq(n, 8);
	f = open_memstream(&line, &len);
	grr_env_notice(f, "grr record", &s);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(line);
	grr_env_screen_free(&s);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_names, test_screen };
	return run_tests("env", tests, sizeof(tests) / sizeof(tests[0]));
}
