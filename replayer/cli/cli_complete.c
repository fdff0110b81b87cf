/* cli_complete.c - which kind of word Tab completes, and which candidates
 * fit it (cli_complete.h). */
#include "replayer/cli/cli_complete.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Commands whose first argument is a location, or an expression. */
static const char *const location_cmds[] = {
	"break", "b", "tbreak", "trace", "t", "list", "l", "ls", "funcs", "disassemble", "disass",
	NULL,
};
static const char *const expr_cmds[] = {
	"print", "p", "whatis", "ptype", "display", "watch", "locals", "args", "vars", "call",
	"set", "condition", "cond", NULL,
};
/* Commands that run another command after some words: how many. */
static const struct { const char *name; int skip; } prefix_cmds[] = {
	{ "frame", 1 }, { "on", 1 }, { "deferred", 1 }, { "rev", 0 }, { "goroutine", 1 },
	{ "gr", 1 },
};

static bool in(const char *const *list, const char *w, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, w, n) == 0)
			return true;
	return false;
}

enum cli_complete_kind cli_complete_kind(const char *line, size_t start)
{
	/* the words before START */
	const char *w[16];
	size_t wl[16];
	int nw = 0;
	for (size_t i = 0; i < start && nw < 16;) {
		while (i < start && isspace((unsigned char)line[i]))
			i++;
		if (i >= start)
			break;
		size_t b = i;
		while (i < start && !isspace((unsigned char)line[i]))
			i++;
		w[nw] = line + b;
		wl[nw++] = i - b;
	}
	int cmd = 0;
	for (;;) {
		if (cmd >= nw)
			return CLI_COMPLETE_COMMAND;
		bool prefix = false;
		for (size_t k = 0; k < sizeof(prefix_cmds) / sizeof(prefix_cmds[0]); k++)
			if (strlen(prefix_cmds[k].name) == wl[cmd] &&
			    strncmp(prefix_cmds[k].name, w[cmd], wl[cmd]) == 0 &&
			    nw > cmd + prefix_cmds[k].skip) {
				cmd += 1 + prefix_cmds[k].skip;
				prefix = true;
				break;
			}
		if (!prefix)
			break;
	}
	/* the command's word, then its arguments (options skipped) */
	int nargs = 0;
	for (int i = cmd + 1; i < nw; i++)
		nargs += w[i][0] != '-';
	if (wl[cmd] == 6 && strncmp(w[cmd], "config", 6) == 0)
		return nargs == 0 ? CLI_COMPLETE_SETTING : CLI_COMPLETE_NONE;
	if (in(location_cmds, w[cmd], wl[cmd]))
		return nargs == 0 ? CLI_COMPLETE_LOCATION : CLI_COMPLETE_NONE;
	if (in(expr_cmds, w[cmd], wl[cmd]))
		return CLI_COMPLETE_EXPR;
	return CLI_COMPLETE_NONE;
}

bool cli_complete_fits(const char *cand, const char *word, bool basename_too)
{
	size_t n = strlen(word);
	if (strncmp(cand, word, n) == 0)
		return true;
	if (!basename_too)
		return false;
	const char *slash = strrchr(cand, '/');
	return slash && strncmp(slash + 1, word, n) == 0;
}

void cli_complete_common(const char *const *s, size_t n, char *out, size_t len)
{
	if (!len)
		return;
	out[0] = 0;
	if (!n)
		return;
	size_t k = strlen(s[0]);
	for (size_t i = 1; i < n; i++) {
		size_t j = 0;
		while (j < k && s[i][j] == s[0][j])
			j++;
		k = j;
	}
	if (k >= len)
		k = len - 1;
	memcpy(out, s[0], k);
	out[k] = 0;
}
