/* env_screen.h - the environment variables `grr record` and `grr flaky`
 * withhold from the program, so that neither their values nor anything
 * derived from them can reach the trace: those whose names look secret.
 *
 * A name looks secret if it contains, in any case, one of TOKEN, SECRET,
 * PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL, PRIVATE, API_KEY, APIKEY,
 * ACCESS_KEY, AUTH, COOKIE, SESSION, JWT, or ends in _KEY or _DSN, or is
 * one of a few well-known ones that do not (DATABASE_URL, MYSQL_PWD,
 * SLACK_WEBHOOK_URL, SSHPASS); docs/commands.md has the list.
 * --keep-env NAME passes one on, --keep-all-env all. */
#ifndef GRR_RECORDER_ENV_SCREEN_H
#define GRR_RECORDER_ENV_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether the variable name NAME (LEN bytes, no '=') looks secret. */
bool grr_env_name_secret(const char *name, size_t len);

struct grr_env_screen {
	char **envp;             /* what the program gets: the kept entries of
				    the environment given (not copied), NULL
				    terminated */
	char **withheld;         /* names left out (malloc'd), NULL terminated */
	size_t nwithheld;
	char **kept_secret;      /* names that look secret but were kept */
	size_t nkept_secret;
};

/* Screens ENVIRON (NULL terminated): entries whose names look secret are
 * left out unless KEEP_ALL, or their name is one of the NKEEP in KEEP.
 * A name is listed once however often it occurs.  0, or -1 when out of
 * memory. */
int grr_env_screen(char *const *environ, const char *const *keep, size_t nkeep, bool keep_all,
		   struct grr_env_screen *out);
void grr_env_screen_free(struct grr_env_screen *s);

/* The one line naming what was withheld ("CMD: withheld 2 environment
 * variables ..."), on F; nothing when nothing was. */
void grr_env_notice(FILE *f, const char *cmd, const struct grr_env_screen *s);

/* Whether NAME can be given to --keep-env (non-empty, no '='). */
bool grr_env_name_valid(const char *name);

#endif
