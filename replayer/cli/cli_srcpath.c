/* cli_srcpath.c - substitute-path rules and the automatic GOROOT and
 * module cache mappings (cli_srcpath.h).  Rules are tried longest FROM
 * first, as Delve does, so "/ci/work/vendor" wins over "/ci/work". */
#include "replayer/cli/cli_srcpath.h"

#include <stdio.h>
#include <string.h>

/* Whether PREFIX is a prefix of PATH ending at a path boundary. */
static bool prefix_at_boundary(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 0 || strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '/' || path[n] == 0 || prefix[n - 1] == '/';
}

static bool join(char *out, size_t len, const char *to, const char *rest)
{
	/* "to" + rest, without a doubled or missing '/' */
	size_t tl = strlen(to);
	bool to_slash = tl && to[tl - 1] == '/';
	bool rest_slash = rest[0] == '/';
	int n;
	if (to_slash && rest_slash)
		n = snprintf(out, len, "%s%s", to, rest + 1);
	else if (!to_slash && !rest_slash && rest[0])
		n = snprintf(out, len, "%s/%s", to, rest);
	else
		n = snprintf(out, len, "%s%s", to, rest);
	return n >= 0 && (size_t)n < len;
}

int cli_srcpath_add(struct cli_srcpath *sp, const char *from, const char *to, char *err,
		    size_t errlen)
{
	if (!*from || !*to) {
		snprintf(err, errlen, "substitute-path needs two non-empty paths");
		return -1;
	}
	if (strlen(from) >= CLI_SRCPATH_LEN || strlen(to) >= CLI_SRCPATH_LEN) {
		snprintf(err, errlen, "substitute-path: a path is longer than %d bytes",
			 CLI_SRCPATH_LEN - 1);
		return -1;
	}
	int i;
	for (i = 0; i < sp->n; i++)
		if (strcmp(sp->rules[i].from, from) == 0)
			break;
	if (i == sp->n) {
		if (sp->n == CLI_SRCPATH_MAX_RULES) {
			snprintf(err, errlen, "substitute-path: at most %d rules",
				 CLI_SRCPATH_MAX_RULES);
			return -1;
		}
		sp->n++;
	}
	snprintf(sp->rules[i].from, CLI_SRCPATH_LEN, "%s", from);
	snprintf(sp->rules[i].to, CLI_SRCPATH_LEN, "%s", to);
	return 0;
}

int cli_srcpath_remove(struct cli_srcpath *sp, const char *from)
{
	for (int i = 0; i < sp->n; i++) {
		if (strcmp(sp->rules[i].from, from) != 0)
			continue;
		memmove(&sp->rules[i], &sp->rules[i + 1],
			(size_t)(sp->n - i - 1) * sizeof(sp->rules[0]));
		sp->n--;
		return 0;
	}
	return -1;
}

void cli_srcpath_clear(struct cli_srcpath *sp)
{
	sp->n = 0;
}

bool cli_srcpath_apply_rules(const struct cli_srcpath *sp, const char *file, char *out,
			     size_t len)
{
	const struct cli_srcpath_rule *best = NULL;
	size_t best_len = 0;
	for (int i = 0; i < sp->n; i++) {
		size_t fl = strlen(sp->rules[i].from);
		if (fl > best_len && prefix_at_boundary(file, sp->rules[i].from)) {
			best = &sp->rules[i];
			best_len = fl;
		}
	}
	return best && join(out, len, best->to, file + best_len);
}

bool cli_srcpath_apply_auto(const struct cli_srcpath *sp, const char *file, char *out,
			    size_t len)
{
	if (sp->rec_goroot[0] && sp->local_goroot[0] && prefix_at_boundary(file, sp->rec_goroot))
		return join(out, len, sp->local_goroot, file + strlen(sp->rec_goroot));
	const char *mod = strstr(file, "/pkg/mod/");
	if (sp->local_modcache[0] && mod)
		return join(out, len, sp->local_modcache, mod + strlen("/pkg/mod"));
	return false;
}

bool cli_srcpath_goroot_of(const char *file, char *out, size_t len)
{
	const char *at = strstr(file, "/src/runtime/");
	if (!at || at == file || (size_t)(at - file) >= len)
		return false;
	snprintf(out, len, "%.*s", (int)(at - file), file);
	return true;
}
