/* cli_config_file.c - the debugger's settings file and the user's
 * aliases.  `config -save` writes $XDG_CONFIG_HOME/grr/config
 * (~/.config/grr/config): one `config` argument list a line (settings,
 * substitute-path rules, aliases), which every session runs at its start.
 * A line that fails is reported with the file and line and skipped. */
#include "replayer/cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The settings file's path; its directory made when MAKE_DIR.  false if
 * neither XDG_CONFIG_HOME nor HOME is set (or the directory cannot be
 * made). */
static bool config_path(char *buf, size_t len, bool make_dir)
{
	return cli_user_file("XDG_CONFIG_HOME", ".config", "config", make_dir, buf, len);
}

/* $XDG_VAR/grr/NAME, else ~/HOME_DIR/grr/NAME; grr's directory (and the
 * one above it) made when MAKE_DIR. */
bool cli_user_file(const char *xdg_var, const char *home_dir, const char *name, bool make_dir,
		   char *buf, size_t len)
{
	const char *xdg = getenv(xdg_var);
	const char *home = getenv("HOME");
	char dir[4096];
	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/grr", xdg);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/%s/grr", home, home_dir);
	else
		return false;
	if (make_dir) {
		/* mkdir -p of the last two levels is enough for the usual layouts */
		char parent[4096];
		snprintf(parent, sizeof(parent), "%s", dir);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = 0;
			if (mkdir(parent, 0700) < 0 && errno != EEXIST)
				return false;
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return false;
	}
	int n = snprintf(buf, len, "%s/%s", dir, name);
	return n > 0 && (size_t)n < len;
}

int cli_config_save(struct cli *cli)
{
	char path[4200], tmp[4300];
	if (!config_path(path, sizeof(path), true))
		return cli_error("config -save: no $XDG_CONFIG_HOME or $HOME to save in");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return cli_error("config -save: cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "# grr replay settings (config -save); one `config` command a line\n");
	cli_config_write(cli, f);
	for (int i = 0; i < cli->srcpath.n; i++)
		fprintf(f, "substitute-path %s %s\n", cli->srcpath.rules[i].from,
			cli->srcpath.rules[i].to);
	for (int i = 0; i < cli->naliases; i++)
		fprintf(f, "alias %s %s\n", cli->aliases[i].cmd, cli->aliases[i].alias);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return cli_error("config -save: cannot write %s", path);
	}
	fprintf(cli->out, "Saved to %s\n", path);
	return 0;
}

void cli_config_load(struct cli *cli)
{
	char path[4200];
	if (!config_path(path, sizeof(path), false))
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[4096], cmd[4200];
	int no = 0;
	while (fgets(line, sizeof(line), f)) {
		no++;
		line[strcspn(line, "\n")] = 0;
		char *l = cli_trim(line);
		if (!*l || *l == '#')
			continue;
		/* settings are tab separated when written: blanks for config */
		for (char *p = l; *p; p++)
			if (*p == '\t')
				*p = ' ';
		snprintf(cmd, sizeof(cmd), "config %s", l);
		if (cli_execute(cli, cmd) < 0)
			fprintf(stderr, "error: %s:%d: the line above was skipped\n", path, no);
	}
	fclose(f);
}

int cli_config_alias(struct cli *cli, char *args)
{
	char *cmd = cli_next_word(&args);
	char *alias = cli_next_word(&args);
	if (!cmd || cli_next_word(&args))
		return cli_error("usage: config alias COMMAND ALIAS | config alias ALIAS");
	if (!alias) {
		/* remove ALIAS (the one word given) */
		for (int i = 0; i < cli->naliases; i++)
			if (strcmp(cli->aliases[i].alias, cmd) == 0) {
				memmove(&cli->aliases[i], &cli->aliases[i + 1],
					(size_t)(cli->naliases - i - 1) * sizeof(cli->aliases[0]));
				cli->naliases--;
				return 0;
			}
		return cli_error("no alias %s", cmd);
	}
	if (strlen(alias) >= sizeof(cli->aliases[0].alias) ||
	    strlen(cmd) >= sizeof(cli->aliases[0].cmd))
		return cli_error("config alias: too long a name");
	if (strcmp(alias, cmd) == 0)
		return cli_error("config alias: %s would stand for itself", alias);
	int i;
	for (i = 0; i < cli->naliases; i++)
		if (strcmp(cli->aliases[i].alias, alias) == 0)
			break;
	if (i == cli->naliases) {
		if (cli->naliases == CLI_MAX_ALIASES)
			return cli_error("config alias: at most %d aliases", CLI_MAX_ALIASES);
		cli->naliases++;
	}
	snprintf(cli->aliases[i].alias, sizeof(cli->aliases[0].alias), "%s", alias);
	snprintf(cli->aliases[i].cmd, sizeof(cli->aliases[0].cmd), "%s", cmd);
	return 0;
}

const char *cli_alias_target(const struct cli *cli, const char *word)
{
	for (int i = 0; i < cli->naliases; i++)
		if (strcmp(cli->aliases[i].alias, word) == 0)
			return cli->aliases[i].cmd;
	return NULL;
}

void cli_show_aliases(struct cli *cli)
{
	fprintf(cli->out, "aliases\t");
	if (cli->naliases == 0)
		fprintf(cli->out, "[]");
	for (int i = 0; i < cli->naliases; i++)
		fprintf(cli->out, "%s%s: %s", i ? ", " : "", cli->aliases[i].cmd,
			cli->aliases[i].alias);
	fprintf(cli->out, "\tyour names for commands (config alias COMMAND ALIAS)\n");
}
