/* cli_inspect.c - the debugger's commands for Go values, in Delve's words
 * and formats: print (p), whatis, locals, args, display.  Expressions are
 * evaluated in the selected frame of the selected goroutine (cli_stack.c)
 * by the value layer (replayer/inspect/values.h; docs/expressions.md). */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"
#include "replayer/inspect/values.h"

#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_SLACK 64   /* frames unwound past the selected one */

struct gv_session *cli_values(struct cli *cli)
{
	if (cli->values)
		return cli->values;
	char err[512];
	const char *exe = grr_replay_program(grr_ctl_replay(cli->ctl));
	cli->values = gv_session_open(exe, err, sizeof(err));
	if (!cli->values)
		cli_error("%s", err);
	return cli->values;
}

void cli_values_close(struct cli *cli)
{
	gv_session_close(cli->values);
	cli->values = NULL;
	for (int i = 0; i < CLI_MAX_DISPLAYS; i++) {
		free(cli->displays[i]);
		cli->displays[i] = NULL;
	}
}

uint32_t cli_goroutine_thread(struct cli *cli, int64_t goid, bool *found)
{
	if (found)
		*found = goid < 0;
	if (goid < 0)
		return grr_ctl_current_tid(cli->ctl);
	struct grr_goroutine *gs;
	char err[256];
	int n = grr_goroutines(cli->ctl, &gs, err, sizeof(err));
	uint32_t tid = 0;
	for (int i = 0; i < n; i++)
		if (gs[i].goid == goid) {
			tid = gs[i].tid;
			if (found)
				*found = true;
		}
	if (n >= 0)
		free(gs);
	return tid;
}

/* Frame I of FR[0..N) as the value layer sees it: a physical frame and
 * how deep in the calls inlined at its pc. */
static void value_frame(const struct grr_frame *fr, int n, int i, struct gv_frame *out)
{
	int phys = i;
	while (phys + 1 < n && fr[phys].inlined)
		phys++;
	memset(out, 0, sizeof(*out));
	out->pc = fr[i].pc;
	out->cfa = fr[i].cfa;
	out->innermost = fr[i].innermost;
	/* callers, and a parked goroutine's saved pc, are return addresses */
	out->caller = !fr[i].innermost;
	out->inline_depth = phys - i;
}

/* -1 after saying so when there is no process to read (the end of the
 * recording keeps it). */
static int need_process(struct cli *cli)
{
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	if (pos.no_process)
		return cli_error("the program has exited (event %llu): go back with restart, goto "
				 "or a reverse command", (unsigned long long)pos.seq);
	return 0;
}

/* The scope of the selected frame F's (number I) SEL_DEFER-th deferred
 * call, as `stack -defer` numbers them: the deferred function at its entry. */
static int deferred_frame(struct cli *cli, const struct grr_frame *f, int i, struct gv_frame *out)
{
	struct grr_defer ds[256];
	char err[256];
	int nd = grr_goroutine_defers(cli->ctl, cli->sel_goid, ds, 256, err, sizeof(err));
	if (nd < 0)
		return cli_error("%s", err);
	int k = 0;
	for (int d = 0; d < nd; d++) {
		if (f->inlined || ds[d].sp < f->sp || ds[d].sp >= f->cfa)
			continue;
		if (++k < cli->sel_defer)
			continue;
		if (!ds[d].fn)
			return cli_error("deferred call %d: its function is not known", k);
		memset(out, 0, sizeof(*out));
		out->pc = ds[d].fn;
		out->cfa = ds[d].sp;
		return 0;
	}
	return cli_error("Frame %d only has %d deferred calls", i, k);
}

int cli_value_ctx(struct cli *cli, struct gv_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->s = cli_values(cli);
	if (!ctx->s)
		return -1;
	ctx->rp = grr_ctl_replay(cli->ctl);
	ctx->syms = grr_ctl_symbols(cli->ctl);
	/* the selected frame and the inlined calls around it are enough */
	int depth = cli->sel_frame + FRAME_SLACK;
	struct grr_frame *fr = malloc((size_t)depth * sizeof(*fr));
	if (!fr)
		return cli_error("out of memory");
	char err[256];
	int n = grr_stack(cli->ctl, cli->sel_goid, fr, depth, err, sizeof(err));
	if (n > 0) {
		int i = cli->sel_frame < n ? cli->sel_frame : n - 1;
		value_frame(fr, n, i, &ctx->fr);
		if (ctx->fr.innermost)
			ctx->fr.tid = cli_goroutine_thread(cli, cli->sel_goid, NULL);
		ctx->have_frame = true;
		if (cli->sel_defer && deferred_frame(cli, &fr[i], i, &ctx->fr) < 0) {
			free(fr);
			return -1;
		}
	} else if (cli->sel_defer) {
		free(fr);
		return cli_error("%s", err);
	}
	free(fr);
	if (!grr_goroutine_g(cli->ctl, cli->sel_goid, &ctx->curg))
		ctx->curg = 0;
	return 0;
}

/* Splits a leading "-v" off ARGS. */
static bool take_flag(char **args, const char *flag)
{
	size_t n = strlen(flag);
	char *a = cli_trim(*args);
	if (strncmp(a, flag, n) == 0 && (a[n] == 0 || a[n] == ' ' || a[n] == '\t')) {
		*args = cli_trim(a + n);
		return true;
	}
	*args = a;
	return false;
}

/* ---- print, whatis ---- */

/* Whether EXPR is a call of a function of the program (acct.String(),
 * main.f(1)): everything up to a final parenthesized argument list, which
 * is not one of the builtins the evaluator knows. */
static bool is_program_call(const char *expr)
{
	size_t n = strlen(expr);
	if (!n || expr[n - 1] != ')')
		return false;
	const char *open = strchr(expr, '(');
	if (!open || open == expr)
		return false;
	/* the parenthesis that the final one closes: after a '.', it is a
	 * type assertion (x.(T)), not a call */
	int depth = 0;
	for (const char *p = expr + n - 1; p >= expr; p--) {
		depth += *p == ')' ? 1 : *p == '(' ? -1 : 0;
		if (depth == 0) {
			if (p > expr && p[-1] == '.')
				return false;
			break;
		}
	}
	size_t k = (size_t)(open - expr);
	if ((k == 3 && (strncmp(expr, "len", 3) == 0 || strncmp(expr, "cap", 3) == 0)))
		return false;
	for (const char *p = expr; p < open; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '/' ||
		      *p == '[' || *p == ']' || *p == '*' || *p == '"'))
			return false;
	return true;
}

static int cmd_print(struct cli *cli, char *args)
{
	args = cli_trim(args);
	char verb = 0;
	if (args[0] == '%') {
		verb = args[1];
		if (!verb || !strchr("xXobdqsv", verb) || (args[2] != ' ' && args[2] != '\t'))
			return cli_error("print: unknown format '%.3s' (%%x %%X %%o %%b %%d %%q %%s %%v)",
					 args);
		args = cli_trim(args + 2);
	}
	if (!*args)
		return cli_error("usage: print [%%VERB] EXPR");
	struct gv_ctx ctx;
	if (need_process(cli) < 0 || cli_value_ctx(cli, &ctx) < 0)
		return -1;
	char err[512], *out;
	/* Delve's print %VERB: integers, also inside structs, slices and
	 * maps, in that base, as Go's fmt; other values as without it */
	struct gv_config cfg = cli->print_cfg;
	cfg.int_verb = strchr("xXobd", verb) ? verb : 0;
	if (gv_print(&ctx, args, &cfg, true, &out, err, sizeof(err)) < 0) {
		/* f(x) that is no conversion: a call of the program's code */
		if (is_program_call(args) && strncmp(err, GV_ERR_CALL, strlen(GV_ERR_CALL)) == 0)
			return cli_call_expr(cli, args, false);
		return cli_error("%s", err);
	}
	fprintf(cli->out, "%s\n", out);
	free(out);
	return 0;
}

static int cmd_whatis(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (!*args)
		return cli_error("usage: whatis EXPR");
	struct gv_ctx ctx;
	if (cli_value_ctx(cli, &ctx) < 0)
		return -1;
	char err[512], *out;
	if (gv_whatis(&ctx, args, &out, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	fprintf(cli->out, "%s\n", out);
	free(out);
	return 0;
}

/* ---- locals, args ---- */

static int frame_list(struct cli *cli, char *args, bool want_args)
{
	bool verbose = take_flag(&args, "-v");
	struct gv_ctx ctx;
	if (need_process(cli) < 0 || cli_value_ctx(cli, &ctx) < 0)
		return -1;
	if (!ctx.have_frame)
		return cli_error("no frame is selected: the thread runs no Go code here");
	char err[512], *out;
	if (gv_frame_list(&ctx, want_args, *args ? args : NULL,
			  verbose ? &gv_load_full : &gv_load_short, verbose, &out, err,
			  sizeof(err)) < 0)
		return cli_error("%s", err);
	fprintf(cli->out, "%s\n", out);
	free(out);
	return 0;
}

static int cmd_locals(struct cli *cli, char *args) { return frame_list(cli, args, false); }
static int cmd_args(struct cli *cli, char *args) { return frame_list(cli, args, true); }

/* ---- display ---- */

static void show_display(struct cli *cli, const struct gv_ctx *ctx, int i)
{
	char err[512], *out;
	struct gv_ctx c = *ctx;
	if (gv_print(&c, cli->displays[i], &gv_load_short, false, &out, err, sizeof(err)) < 0) {
		fprintf(cli->out, "%d: %s = error: %s\n", i, cli->displays[i], err);
		return;
	}
	fprintf(cli->out, "%d: %s = %s\n", i, cli->displays[i], out);
	free(out);
}

void cli_show_displays(struct cli *cli)
{
	bool any = false;
	for (int i = 0; i < CLI_MAX_DISPLAYS; i++)
		any |= cli->displays[i] != NULL;
	struct gv_ctx ctx;
	if (!any || cli_value_ctx(cli, &ctx) < 0)
		return;
	for (int i = 0; i < CLI_MAX_DISPLAYS; i++)
		if (cli->displays[i])
			show_display(cli, &ctx, i);
}

void cli_show_break_values(struct cli *cli, const struct grr_ctl_stop *stop)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	const char *expr = NULL;
	for (int i = 0; i < n; i++)
		if (stop->reason == GRR_CTL_BREAKPOINT && bps[i].id == stop->bp_id && bps[i].show[0])
			expr = bps[i].show;
	struct gv_ctx ctx;
	if (!expr || cli_value_ctx(cli, &ctx) < 0)
		return;
	char err[512], *out;
	if (gv_print(&ctx, expr, &cli->print_cfg, false, &out, err, sizeof(err)) < 0) {
		fprintf(cli->out, "\t%s: (unreadable: %s)\n", expr, err);
		return;
	}
	fprintf(cli->out, "\t%s: %s\n", expr, out);
	free(out);
}

static int display_add(struct cli *cli, const char *expr)
{
	if (!*expr)
		return cli_error("usage: display -a EXPR");
	for (int i = 0; i < CLI_MAX_DISPLAYS; i++) {
		if (cli->displays[i])
			continue;
		cli->displays[i] = strdup(expr);
		if (!cli->displays[i])
			return cli_error("out of memory");
		struct gv_ctx ctx;
		if (cli_value_ctx(cli, &ctx) == 0)
			show_display(cli, &ctx, i);
		return 0;
	}
	return cli_error("too many displays (%d): delete one with display -d N", CLI_MAX_DISPLAYS);
}

static int display_del(struct cli *cli, const char *num)
{
	char *end;
	long i = strtol(num, &end, 10);
	if (!*num || *end || i < 0 || i >= CLI_MAX_DISPLAYS || !cli->displays[i])
		return cli_error("no display number %s", *num ? num : "(none given)");
	free(cli->displays[i]);
	cli->displays[i] = NULL;
	return 0;
}

static int cmd_display(struct cli *cli, char *args)
{
	if (take_flag(&args, "-a"))
		return display_add(cli, args);
	if (take_flag(&args, "-d"))
		return display_del(cli, args);
	if (*args)
		return cli_error("usage: display [-a EXPR | -d N]");
	cli_show_displays(cli);
	return 0;
}

/* ---- config ---- */

/* The settings `config` knows: print's limits in cli->print_cfg, and
 * cli->call_timeout. */
struct setting {
	const char *name;
	const char *help;
};

static const struct setting settings[] = {
	{ "max-string-len", "bytes of a string print loads (default 64)" },
	{ "max-array-values", "elements of arrays, slices and maps print loads (default 64)" },
	{ "max-variable-recurse", "levels of nested values print follows (default 1)" },
	{ "call-timeout", "seconds a call may run before it is abandoned (default 5)" },
	{ "source-list-line-count", "lines list shows above and below its line (default 5)" },
};

const char *cli_config_key_at(size_t i)
{
	size_t n = sizeof(settings) / sizeof(settings[0]);
	if (i < n)
		return settings[i].name;
	return i == n ? "substitute-path" : NULL;
}

static double *setting_double(struct cli *cli, int i)
{
	return i == 3 ? &cli->call_timeout : NULL;
}

static int *setting_int(struct cli *cli, int i)
{
	switch (i) {
	case 0: return &cli->print_cfg.max_string_len;
	case 1: return &cli->print_cfg.max_array_values;
	case 2: return &cli->print_cfg.max_variable_recurse;
	case 4: return &cli->list_lines;
	default: return NULL;
	}
}

/* The settings, "NAME\tVALUE[\tHELP]" a line, to F. */
static void write_settings(struct cli *cli, FILE *f, bool help)
{
	for (int i = 0; i < (int)(sizeof(settings) / sizeof(settings[0])); i++) {
		int *iv = setting_int(cli, i);
		double *dv = setting_double(cli, i);
		if (iv)
			fprintf(f, "%s\t%d", settings[i].name, i == 4 && *iv == 0 ? 5 : *iv);
		else
			fprintf(f, "%s\t%g", settings[i].name, *dv > 0 ? *dv : 5.0);
		fprintf(f, "%s%s\n", help ? "\t" : "", help ? settings[i].help : "");
	}
}

void cli_config_write(struct cli *cli, FILE *f)
{
	write_settings(cli, f, false);
}

static void show_settings(struct cli *cli)
{
	write_settings(cli, cli->out, true);
}

static int cmd_config(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (!*args || strcmp(args, "-list") == 0) {
		show_settings(cli);
		cli_show_substitute_path(cli);
		cli_show_aliases(cli);
		return 0;
	}
	if (strcmp(args, "-save") == 0)
		return cli_config_save(cli);
	char *val = strpbrk(args, " \t");
	if (val)
		*val++ = 0;
	if (strcmp(args, "substitute-path") == 0)
		return cli_config_substitute_path(cli, val ? val : (char *)"");
	if (strcmp(args, "alias") == 0 || strcmp(args, "aliases") == 0)
		return cli_config_alias(cli, val ? val : (char *)"");
	if (!val)
		return cli_error("usage: config NAME VALUE (config -list shows them)");
	val = cli_trim(val);
	for (int i = 0; i < (int)(sizeof(settings) / sizeof(settings[0])); i++) {
		if (strcmp(args, settings[i].name) != 0)
			continue;
		char *end;
		double v = strtod(val, &end);
		if (!*val || *end || v < 0 || v > 1e9)
			return cli_error("config %s: '%s' is not a number >= 0", args, val);
		int *iv = setting_int(cli, i);
		if (iv)
			*iv = (int)v;
		else
			*setting_double(cli, i) = v;
		return 0;
	}
	return cli_error("unknown setting '%s' (config -list shows them)", args);
}

static const struct cli_command inspect_commands[] = {
	{ "print", "p", cmd_print, "print [%VERB] EXPR",
	  "Evaluates a Go expression and prints its value, as Delve does.\n"
	  "Variables are looked up in the selected frame (frame, up, down) of the\n"
	  "selected goroutine, then among package variables (main.counter, or\n"
	  "counter for package main). EXPR: fields, *p, &x, a[i], s[i], m[\"key\"],\n"
	  "len, cap, arithmetic and comparisons (docs/expressions.md).\n"
	  "%x %X %o %b %d print integers in that base, as Go's fmt, also inside\n"
	  "structs, arrays, slices and maps (other values as without a verb); %q %s %v\n"
	  "print as without one." },
	{ "whatis", "ptype", cmd_whatis, "whatis EXPR",
	  "Prints the type of EXPR; for an interface, its dynamic type too." },
	{ "locals", "", cmd_locals, "locals [-v] [FILTER]",
	  "Prints the local variables of the selected frame.\n"
	  "Only those whose names contain FILTER, if given. Shadowed variables are in\n"
	  "parentheses; -v prints whole values." },
	{ "args", "", cmd_args, "args [-v] [FILTER]",
	  "Prints the arguments of the selected frame." },
	{ "display", "", cmd_display, "display [-a EXPR | -d N]",
	  "Prints expressions after every stop.\n"
	  "-a EXPR adds one; -d N deletes display N; without arguments, prints them all now." },
	{ "config", "", cmd_config, "config [-list | -save | NAME VALUE | substitute-path FROM [TO] | substitute-path -clear | alias COMMAND [ALIAS]]",
	  "Shows or changes a setting.\n"
	  "max-string-len, max-array-values, max-variable-recurse (print's limits, as\n"
	  "Delve's), call-timeout (seconds), source-list-line-count (list's lines each\n"
	  "side), substitute-path FROM TO (where sources compiled below FROM are here:\n"
	  "below TO; several rules, the longest FROM first; 'substitute-path FROM'\n"
	  "removes one, 'substitute-path -clear' all), alias COMMAND ALIAS (a name of\n"
	  "your own for a command; 'alias ALIAS' removes it).\n"
	  "config -save writes them to $XDG_CONFIG_HOME/grr/config (~/.config/grr/config),\n"
	  "which every session reads at its start." },
};

const struct cli_table cli_inspect_table = { "Values", inspect_commands,
					     sizeof(inspect_commands) / sizeof(inspect_commands[0]) };
