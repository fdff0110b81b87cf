/* cli_readline.c - the interactive prompt on a terminal (libedit): Tab
 * completion, history kept across sessions, an empty line repeating the
 * last command (as Delve and gdb).
 *
 * libedit's completion hook takes no user pointer, so the session being
 * completed is kept in `completing` while the prompt is up; nothing else
 * is kept between calls. */
#include "replayer/cli/cli.h"
#include "replayer/cli/cli_complete.h"

#include <readline.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_MAX 1000

static struct cli *completing;

/* The matches for one Tab, grown as candidates come. */
struct matches {
	char **v;
	size_t n, cap;
	const char *word;
	bool oom;
};

static void add(struct matches *m, const char *s, size_t len)
{
	if (m->oom)
		return;
	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->v[i]) == len && strncmp(m->v[i], s, len) == 0)
			return;
	if (m->n + 2 > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		char **v = realloc(m->v, cap * sizeof(*v));
		if (!v) {
			m->oom = true;
			return;
		}
		m->v = v;
		m->cap = cap;
	}
	if (!(m->v[m->n] = strndup(s, len))) {
		m->oom = true;
		return;
	}
	m->n++;
}

static void add_if_fits(struct matches *m, const char *s)
{
	if (cli_complete_fits(s, m->word, false))
		add(m, s, strlen(s));
}

static void add_word(void *arg, const char *w, size_t len)
{
	struct matches *m = arg;
	size_t n = strlen(m->word);
	if (len >= n && strncmp(w, m->word, n) == 0)
		add(m, w, len);
}

static void add_locations(struct cli *cli, struct matches *m)
{
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	const char *n;
	for (size_t i = 0; (n = grr_symbols_name_at(s, GRR_SYM_FUNCS, i)); i++)
		add_if_fits(m, n);
	/* FILE: by its base name, or by the path typed so far */
	for (size_t i = 0; (n = grr_symbols_name_at(s, GRR_SYM_FILES, i)); i++) {
		if (!cli_complete_fits(n, m->word, true))
			continue;
		char buf[4200];
		const char *base = strrchr(n, '/');
		bool by_path = strchr(m->word, '/') || !base;
		snprintf(buf, sizeof(buf), "%s:", by_path ? n : base + 1);
		add_if_fits(m, buf);
	}
}

/* The names of the selected frame's locals or arguments: the text before
 * " = " of each line gv_frame_list prints, without a shadowed name's
 * parentheses. */
static void add_frame_names(struct cli *cli, struct matches *m, bool args)
{
	struct gv_ctx ctx;
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	if (pos.no_process || cli_value_ctx(cli, &ctx) < 0 || !ctx.have_frame)
		return;
	struct gv_config cfg = cli->print_cfg;
	cfg.max_string_len = 1;
	cfg.max_array_values = 1;
	cfg.max_variable_recurse = 0;
	char err[256], *out = NULL;
	if (gv_frame_list(&ctx, args, NULL, &cfg, false, &out, err, sizeof(err)) < 0 || !out)
		return;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strstr(line, " = ");
		if (!eq)
			continue;
		*eq = 0;
		char *name = line;
		if (*name == '(') {
			name++;
			name[strcspn(name, ")")] = 0;
		}
		add_if_fits(m, name);
	}
	free(out);
}

static void add_exprs(struct cli *cli, struct matches *m)
{
	add_frame_names(cli, m, false);
	add_frame_names(cli, m, true);
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	const char *n;
	for (size_t i = 0; (n = grr_symbols_name_at(s, GRR_SYM_GLOBALS, i)); i++) {
		add_if_fits(m, n);
		/* package main's variables by their short name too */
		if (strncmp(n, "main.", 5) == 0)
			add_if_fits(m, n + 5);
	}
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	struct cli *cli = completing;
	if (!cli)
		return NULL;
	struct matches m = { .word = text };
	switch (cli_complete_kind(rl_line_buffer, (size_t)start)) {
	case CLI_COMPLETE_COMMAND:
		cli_command_words(add_word, &m);
		break;
	case CLI_COMPLETE_LOCATION:
		add_locations(cli, &m);
		break;
	case CLI_COMPLETE_EXPR:
		add_exprs(cli, &m);
		break;
	case CLI_COMPLETE_SETTING: {
		const char *k;
		for (size_t i = 0; (k = cli_config_key_at(i)); i++)
			add_if_fits(&m, k);
		break;
	}
	case CLI_COMPLETE_NONE:
		break;
	}
	if (m.oom || m.n == 0) {
		for (size_t i = 0; i < m.n; i++)
			free(m.v[i]);
		free(m.v);
		return NULL;
	}
	/* libedit's form: the common prefix first, then the matches, NULL */
	char common[4200];
	cli_complete_common((const char *const *)m.v, m.n, common, sizeof(common));
	char **r = malloc((m.n + 2) * sizeof(*r));
	char *c = strdup(common);
	if (!r || !c) {
		free(r);
		free(c);
		for (size_t i = 0; i < m.n; i++)
			free(m.v[i]);
		free(m.v);
		return NULL;
	}
	r[0] = c;
	if (m.n == 1) {
		free(m.v[0]);
		r[1] = NULL;
	} else {
		memcpy(r + 1, m.v, m.n * sizeof(*r));
		r[m.n + 1] = NULL;
	}
	/* FILE: goes on with the line number, no blank */
	size_t cl = strlen(common);
	rl_completion_append_character = m.n == 1 && cl && common[cl - 1] == ':' ? '\0' : ' ';
	free(m.v);
	return r;
}

/* $XDG_DATA_HOME/grr/history (~/.local/share/grr/history), its directory
 * made; false if neither variable is set or it cannot be made. */
static bool history_path(char *buf, size_t len)
{
	return cli_user_file("XDG_DATA_HOME", ".local/share", "history", true, buf, len);
}

void cli_readline_loop(struct cli *cli, void (*run)(struct cli *cli, const char *line))
{
	char hist[4200];
	bool have_hist = history_path(hist, sizeof(hist));
	using_history();
	stifle_history(HISTORY_MAX);
	if (have_hist)
		read_history(hist);
	rl_attempted_completion_function = complete;
	completing = cli;
	while (!cli->quit) {
		char *line = readline("(grr) ");
		if (!line)
			break;
		const char *cmd = line;
		if (!*cli_trim(line)) {
			cmd = cli->last;    /* the empty line: the last command again */
		} else {
			add_history(line);
			if (have_hist)
				write_history(hist);
			snprintf(cli->last, sizeof(cli->last), "%s", line);
		}
		if (*cmd)
			run(cli, cmd);
		fflush(cli->out);
		free(line);
	}
	completing = NULL;
	if (!cli->quit)
		fputc('\n', cli->out);
}
