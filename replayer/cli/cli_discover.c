/* cli_discover.c - Delve's discovery commands: funcs, sources, packages,
 * types, vars (package variables and their values), threads, thread,
 * libraries.  Names come from the executable's symbols (replayer/symbols),
 * sorted; an optional regular expression (POSIX extended, close to Go's
 * for names) keeps those that match anywhere. */
#include "replayer/cli/cli.h"
#include "replayer/replay.h"
#include "format/trace.h"

#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* Compiles ARGS as a filter (none if empty); 0 or -1 after saying why. */
static int filter_compile(const char *cmd, char *args, regex_t *re, bool *have)
{
	args = cli_trim(args);
	*have = *args != 0;
	if (!*have)
		return 0;
	int rc = regcomp(re, args, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[200];
		regerror(rc, re, msg, sizeof(msg));
		return cli_error("%s: invalid regular expression '%s': %s", cmd, args, msg);
	}
	return 0;
}

static bool filter_match(const regex_t *re, bool have, const char *s)
{
	return !have || regexec(re, s, 0, NULL, 0) == 0;
}

/* Prints the names of KIND that match, once each. */
static int list_names(struct cli *cli, const char *cmd, char *args, enum grr_sym_list kind)
{
	regex_t re;
	bool have;
	if (filter_compile(cmd, args, &re, &have) < 0)
		return -1;
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	const char *prev = NULL, *n;
	for (size_t i = 0; (n = grr_symbols_name_at(s, kind, i)); i++) {
		if ((prev && strcmp(prev, n) == 0) || !filter_match(&re, have, n))
			continue;
		fprintf(cli->out, "%s\n", n);
		prev = n;
	}
	if (have)
		regfree(&re);
	return 0;
}

static int cmd_funcs(struct cli *cli, char *args) { return list_names(cli, "funcs", args, GRR_SYM_FUNCS); }
static int cmd_sources(struct cli *cli, char *args) { return list_names(cli, "sources", args, GRR_SYM_FILES); }
static int cmd_types(struct cli *cli, char *args) { return list_names(cli, "types", args, GRR_SYM_TYPES); }

/* The package of a function name: "net/http" for
 * "net/http.(*Server).Serve"; false for names that are no Go function
 * ("type:.eq...", C symbols). */
static bool package_of(const char *func, char *out, size_t len)
{
	if (strchr(func, ':') || strchr(func, ' '))
		return false;
	const char *slash = strrchr(func, '/');
	const char *dot = strchr(slash ? slash : func, '.');
	if (!dot || dot == func || (size_t)(dot - func) >= len)
		return false;
	snprintf(out, len, "%.*s", (int)(dot - func), func);
	return true;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_packages(struct cli *cli, char *args)
{
	regex_t re;
	bool have;
	if (filter_compile("packages", args, &re, &have) < 0)
		return -1;
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	size_t n = 0, cap = 0;
	char **pk = NULL;
	const char *f;
	int rc = 0;
	for (size_t i = 0; (f = grr_symbols_name_at(s, GRR_SYM_FUNCS, i)); i++) {
		char p[512];
		if (!package_of(f, p, sizeof(p)) || (n && strcmp(pk[n - 1], p) == 0))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			char **g = realloc(pk, cap * sizeof(*pk));
			if (!g) {
				rc = cli_error("out of memory");
				goto out;
			}
			pk = g;
		}
		if (!(pk[n] = strdup(p))) {
			rc = cli_error("out of memory");
			goto out;
		}
		n++;
	}
	if (n > 1)
		qsort(pk, n, sizeof(*pk), str_cmp);
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || strcmp(pk[i], pk[i - 1]) != 0) && filter_match(&re, have, pk[i]))
			fprintf(cli->out, "%s\n", pk[i]);
out:
	for (size_t i = 0; i < n; i++)
		free(pk[i]);
	free(pk);
	if (have)
		regfree(&re);
	return rc;
}

/* vars [-v] [REGEX]: package variables and their values, "NAME = VALUE". */
static int cmd_vars(struct cli *cli, char *args)
{
	args = cli_trim(args);
	struct gv_config cfg = cli->print_cfg;
	if (strncmp(args, "-v", 2) == 0 && (args[2] == 0 || args[2] == ' ' || args[2] == '\t')) {
		args = cli_trim(args + 2);
		cfg = gv_load_full;
		cfg.max_variable_recurse = 10;
	}
	regex_t re;
	bool have;
	if (filter_compile("vars", args, &re, &have) < 0)
		return -1;
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	struct gv_ctx ctx;
	bool values = !pos.no_process && cli_value_ctx(cli, &ctx) == 0;
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	const char *prev = NULL, *n;
	for (size_t i = 0; (n = grr_symbols_name_at(s, GRR_SYM_GLOBALS, i)); i++) {
		if ((prev && strcmp(prev, n) == 0) || !filter_match(&re, have, n))
			continue;
		prev = n;
		char err[256], *out = NULL;
		if (values && gv_print(&ctx, n, &cfg, false, &out, err, sizeof(err)) == 0) {
			fprintf(cli->out, "%s = %s\n", n, out);
			free(out);
		} else {
			fprintf(cli->out, "%s = (unreadable %s)\n", n, values ? err : "no process");
		}
	}
	if (have)
		regfree(&re);
	return 0;
}

/* ---- threads, thread ---- */

#define MAX_THREADS 4096

static int cmd_threads(struct cli *cli, char *args)
{
	if (*cli_trim(args))
		return cli_error("usage: threads");
	struct grr_replay *rp = grr_ctl_replay(cli->ctl);
	uint32_t *tids = malloc(MAX_THREADS * sizeof(*tids));
	if (!tids)
		return cli_error("out of memory");
	int n = grr_replay_threads(rp, tids, MAX_THREADS);
	uint32_t cur = grr_ctl_current_tid(cli->ctl);
	for (int i = 0; i < n; i++) {
		struct user_regs_struct regs;
		char where[512];
		if (grr_replay_get_regs(rp, tids[i], &regs) < 0) {
			fprintf(cli->out, "%sThread %u (exiting: no registers)\n",
				tids[i] == cur ? "* " : "  ", tids[i]);
			continue;
		}
		cli_print_location(cli, regs.rip, where, sizeof(where));
		/* Delve: "Thread N at PC FILE:LINE FUNC"; grr's location is
		 * "FUNC() FILE:LINE" */
		char *paren = strstr(where, "() ");
		if (paren) {
			*paren = 0;
			/* Delve names assembly functions without their ABI suffix */
			size_t wl = strlen(where);
			if (wl > 5 && strcmp(where + wl - 5, ".abi0") == 0)
				where[wl - 5] = 0;
			fprintf(cli->out, "%sThread %u at 0x%llx %s %s", tids[i] == cur ? "* " : "  ",
				tids[i], (unsigned long long)regs.rip, paren + 3, where);
		} else {
			fprintf(cli->out, "%sThread %u at 0x%llx %s", tids[i] == cur ? "* " : "  ",
				tids[i], (unsigned long long)regs.rip, where);
		}
		fputc('\n', cli->out);
	}
	free(tids);
	return 0;
}

/* thread N: grr looks at goroutines, so it selects the goroutine thread N
 * runs (as Delve's `thread` makes it current). */
static int cmd_thread(struct cli *cli, char *args)
{
	args = cli_trim(args);
	char *end;
	unsigned long tid = strtoul(args, &end, 10);
	if (!*args || *end || tid == 0 || tid > UINT32_MAX)
		return cli_error("usage: thread ID (a thread id from 'threads')");
	struct grr_replay *rp = grr_ctl_replay(cli->ctl);
	uint32_t *tids = malloc(MAX_THREADS * sizeof(*tids));
	if (!tids)
		return cli_error("out of memory");
	int n = grr_replay_threads(rp, tids, MAX_THREADS);
	bool found = false;
	for (int i = 0; i < n; i++)
		found |= tids[i] == tid;
	free(tids);
	if (!found)
		return cli_error("no thread %lu at this moment (see 'threads')", tid);
	int64_t goid = grr_ctl_goroutine_of(cli->ctl, (uint32_t)tid);
	if (goid <= 0)
		return cli_error("thread %lu runs no goroutine now (grr selects goroutines; "
				 "'threads' shows where it is)", tid);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "goroutine %" PRId64, goid);
	return cli_execute(cli, cmd);
}

/* libraries: the shared objects mapped now (a cgo program's), as Delve
 * lists them: index, load address (the lowest mapping), path. */
static int cmd_libraries(struct cli *cli, char *args)
{
	if (*cli_trim(args))
		return cli_error("usage: libraries");
	struct grr_mapping *maps;
	int n = grr_replay_mappings(grr_ctl_replay(cli->ctl), &maps);
	if (n < 0)
		return cli_error("cannot read the program's mappings now");
	int shown = 0;
	for (int i = 0; i < n; i++) {
		const char *p = maps[i].path;
		if (!p || !(strstr(p, ".so.") || (strlen(p) > 3 && !strcmp(p + strlen(p) - 3, ".so"))))
			continue;
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = maps[j].path && strcmp(maps[j].path, p) == 0;
		if (!seen)
			fprintf(cli->out, "%d. %#" PRIx64 " %s\n", shown++, maps[i].start, p);
	}
	if (!shown)
		fprintf(cli->out, "no shared libraries (a statically linked program)\n");
	grr_replay_mappings_free(maps, n);
	return 0;
}

static const struct cli_command discover_commands[] = {
	{ "funcs", "", cmd_funcs, "funcs [REGEX]",
	  "Lists the program's functions (those with code), sorted.\n"
	  "Only those whose names match REGEX (POSIX extended, anywhere in the name)." },
	{ "sources", "", cmd_sources, "sources [REGEX]",
	  "Lists the source files of the line table, as compiled, sorted." },
	{ "packages", "", cmd_packages, "packages [REGEX]",
	  "Lists the packages that have functions in the program, sorted." },
	{ "types", "", cmd_types, "types [REGEX]",
	  "Lists the types the program's DWARF describes, sorted, as Delve does.\n"
	  "Every named type: structs, pointers, slices, maps, functions, basic types." },
	{ "vars", "", cmd_vars, "vars [-v] [REGEX]",
	  "Prints package variables and their values, NAME = VALUE.\n"
	  "-v loads whole values, 10 levels deep." },
	{ "threads", "", cmd_threads, "threads",
	  "Lists the program's threads now: id, pc, line and function, as Delve.\n"
	  "'*' marks the current one." },
	{ "thread", "tr", cmd_thread, "thread ID",
	  "Selects the goroutine that thread ID runs now (grr looks at goroutines:\n"
	  "a thread without one is refused)." },
	{ "libraries", "", cmd_libraries, "libraries",
	  "Lists the shared libraries mapped now (a cgo program's), with their addresses." },
};

const struct cli_table cli_discover_table = {
	"Discovery", discover_commands, sizeof(discover_commands) / sizeof(discover_commands[0])
};
