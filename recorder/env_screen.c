/* env_screen.c - withholding secret-looking environment variables (see
 * env_screen.h). */
#include "recorder/env_screen.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parts of a name that make it look secret, in any case. */
static const char *const secret_parts[] = {
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE",
	"API_KEY", "APIKEY", "ACCESS_KEY", "AUTH", "COOKIE", "SESSION", "JWT",
};

/* Endings that do. */
static const char *const secret_ends[] = { "_KEY", "_DSN" };

/* Well-known secrets whose names have none of those (GITHUB_TOKEN,
 * ACTIONS_RUNTIME_TOKEN, AWS_SECRET_ACCESS_KEY, GOOGLE_APPLICATION_
 * CREDENTIALS, NPM_TOKEN and their like are caught by the parts). */
static const char *const secret_names[] = {
	"DATABASE_URL", "MYSQL_PWD", "SLACK_WEBHOOK_URL", "SSHPASS",
};

static bool contains(const char *name, size_t len, const char *part)
{
	size_t n = strlen(part);
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(name + i, part, n))
			return true;
	return false;
}

bool grr_env_name_secret(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(secret_parts) / sizeof(secret_parts[0]); i++)
		if (contains(name, len, secret_parts[i]))
			return true;
	for (size_t i = 0; i < sizeof(secret_ends) / sizeof(secret_ends[0]); i++) {
		size_t n = strlen(secret_ends[i]);
		if (len >= n && !strncasecmp(name + len - n, secret_ends[i], n))
			return true;
	}
	for (size_t i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++)
		if (strlen(secret_names[i]) == len && !strncasecmp(name, secret_names[i], len))
			return true;
	return false;
}

bool grr_env_name_valid(const char *name)
{
	return name && *name && !strchr(name, '=');
}

static bool listed(char *const *v, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len && !strncmp(v[i], name, len))
			return true;
	return false;
}

/* Appends a copy of NAME (LEN bytes) to *V (N entries), unless there. */
static int add_name(char ***v, size_t *n, const char *name, size_t len)
{
	if (listed(*v, *n, name, len))
		return 0;
	char **nv = realloc(*v, (*n + 2) * sizeof(*nv));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strndup(name, len)))
		return -1;
	nv[++*n] = NULL;
	return 0;
}

int grr_env_screen(char *const *environ, const char *const *keep, size_t nkeep, bool keep_all,
		   struct grr_env_screen *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = 0;
	while (environ[n])
		n++;
	out->envp = calloc(n + 1, sizeof(*out->envp));
	out->withheld = calloc(1, sizeof(char *));
	out->kept_secret = calloc(1, sizeof(char *));
	if (!out->envp || !out->withheld || !out->kept_secret)
		goto oom;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		const char *eq = strchr(e, '=');
		size_t len = eq ? (size_t)(eq - e) : strlen(e);
		bool secret = grr_env_name_secret(e, len);
		bool kept = keep_all;
		for (size_t j = 0; !kept && j < nkeep; j++)
			kept = strlen(keep[j]) == len && !strncmp(keep[j], e, len);
		if (secret && !kept) {
			if (add_name(&out->withheld, &out->nwithheld, e, len) < 0)
				goto oom;
			continue;
		}
		if (secret && add_name(&out->kept_secret, &out->nkept_secret, e, len) < 0)
			goto oom;
		out->envp[k++] = environ[i];
	}
	return 0;
oom:
	grr_env_screen_free(out);
	return -1;
}

void grr_env_screen_free(struct grr_env_screen *s)
{
	for (size_t i = 0; s->withheld && i < s->nwithheld; i++)
		free(s->withheld[i]);
	for (size_t i = 0; s->kept_secret && i < s->nkept_secret; i++)
		free(s->kept_secret[i]);
	free(s->withheld);
	free(s->kept_secret);
	free(s->envp);
	memset(s, 0, sizeof(*s));
}

void grr_env_notice(FILE *f, const char *cmd, const struct grr_env_screen *s)
{
	if (!s->nwithheld)
		return;
	fprintf(f, "%s: withheld %zu environment variable%s whose name%s look%s secret:", cmd,
		s->nwithheld, s->nwithheld == 1 ? "" : "s", s->nwithheld == 1 ? "" : "s",
		s->nwithheld == 1 ? "s" : "");
	for (size_t i = 0; i < s->nwithheld; i++)
		fprintf(f, " %s", s->withheld[i]);
	fprintf(f, " (the program runs without %s; --keep-env NAME passes one on)\n",
		s->nwithheld == 1 ? "it" : "them");
}
