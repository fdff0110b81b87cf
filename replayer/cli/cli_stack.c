/* cli_stack.c - the debugger's commands for stacks and goroutines, in
 * Delve's words and formats: goroutines, goroutine, stack (bt), frame,
 * up, down.  What they look at is the session's selection: goroutine
 * cli->sel_goid (-1: the current thread's) and frame cli->sel_frame,
 * reset at every stop (cli_stopped). */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DEPTH 50     /* stack, as Delve */
#define LIST_DEPTH 10        /* goroutines -t, as Delve */
#define MAX_DEPTH 100000
#define SELECT_DEPTH 4096    /* frames frame/up/down can reach */
#define USER_DEPTH 64        /* frames searched for the user's */

/* ---- formatting ---- */

/* FILE:LINE as the stop line shows it ("./main.go:27"). */
static void file_line(struct cli *cli, const char *file, int line, char *buf, size_t len)
{
	if (!file) {
		snprintf(buf, len, "?");
		return;
	}
	const char *f = cli_short_path(cli, file);
	snprintf(buf, len, "%s%s:%d", f[0] != '/' ? "./" : "", f, line);
}

static const char *func_name(const struct grr_frame *f)
{
	return f->func ? f->func : "?";
}

/* "./main.go:27 main.apply (0x49e140)", Delve's formatLocation. */
static void location(struct cli *cli, const struct grr_frame *f, char *buf, size_t len)
{
	char fl[4200];
	file_line(cli, f->file, f->line, fl, sizeof(fl));
	snprintf(buf, len, "%s %s (0x%" PRIx64 ")", fl, func_name(f), f->pc);
}

/* The position of PC as a one-frame location; AFTER_CALL: PC is a return
 * address (the line is the call's). */
static void pc_frame(struct cli *cli, uint64_t pc, bool after_call, struct grr_frame *f)
{
	const struct grr_symbols *s = grr_ctl_symbols(cli->ctl);
	uint64_t at = after_call && pc ? pc - 1 : pc;
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	struct grr_inline_frame inl[1];
	struct grr_func_info fi;
	if (grr_symbols_inline_frames(s, at, inl, 1) == 1)
		f->func = inl[0].func;
	else if (grr_symbols_func_at(s, at, &fi))
		f->func = fi.name;
	struct grr_line_info li;
	if (grr_symbols_line_at(s, at, &li) && li.file && strcmp(li.file, "?") != 0) {
		f->file = li.file;
		f->line = li.line;
	}
}

static int digits(int n)
{
	int d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Delve's stack format: "0  0x000000000049e140 in main.apply\n   at
 * ./main.go:29", each line after IND. */
static void print_frame(struct cli *cli, const struct grr_frame *f, int i, int width,
			const char *ind)
{
	char fl[4200];
	file_line(cli, f->file, f->line, fl, sizeof(fl));
	fprintf(cli->out, "%s%*d  0x%016" PRIx64 " in %s%s\n", ind, width, i, f->pc, func_name(f),
		f->inlined ? " (inlined)" : "");
	fprintf(cli->out, "%s%*sat %s\n", ind, width + 2 + (int)strlen(ind), "", fl);
}

static void print_frames(struct cli *cli, const struct grr_frame *fr, int n, bool truncated,
			 const char *ind)
{
	int d = digits(n > 0 ? n - 1 : 0);
	for (int i = 0; i < n; i++)
		print_frame(cli, &fr[i], i, d, ind);
	if (truncated)
		fprintf(cli->out, "%s(truncated)\n", ind);
}

static const char *status_text(const struct grr_goroutine *g)
{
	if (strcmp(g->status, "waiting") == 0 && g->wait_reason[0])
		return g->wait_reason;
	return g->status;
}

/* ---- arguments ---- */

/* A non-negative integer argument; false if S is not one. */
static bool parse_count(const char *s, long *v)
{
	char *end;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (!*s || *end || errno || x < 0)
		return false;
	*v = x;
	return true;
}

/* The next blank-separated word of *ARGS (NUL-terminated in place). */
static char *next_word(char **args)
{
	char *s = *args;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	char *e = s;
	while (*e && !isspace((unsigned char)*e))
		e++;
	if (*e)
		*e++ = 0;
	*args = e;
	return s;
}

/* ---- the selection ---- */

/* The frames of the selected goroutine, at most MAX (malloc'd in *OUT);
 * how many, or -1 after reporting the error. */
static int selected_frames(struct cli *cli, struct grr_frame **out, int max)
{
	*out = malloc((size_t)max * sizeof(**out));
	if (!*out)
		return cli_error("out of memory");
	char err[512];
	int n = grr_stack(cli->ctl, cli->sel_goid, *out, max, err, sizeof(err));
	if (n < 0) {
		free(*out);
		*out = NULL;
		return cli_error("%s", err);
	}
	return n;
}

/* The goroutine the user looks at: the selected one, or the one the
 * current thread runs (-1 if none). */
static int64_t current_goid(struct cli *cli, const struct grr_goroutine *gs, int n)
{
	if (cli->sel_goid >= 0)
		return cli->sel_goid;
	uint32_t tid = grr_ctl_current_tid(cli->ctl);
	for (int i = 0; tid && i < n; i++)
		if (gs[i].tid == tid)
			return gs[i].goid;
	return -1;
}

/* The user's frame of G (Delve's "User:" location): the innermost frame
 * of the program's code, else the innermost. */
static bool user_frame(struct cli *cli, const struct grr_goroutine *g, struct grr_frame *out)
{
	struct grr_frame fr[USER_DEPTH];
	char err[256];
	int n = grr_goroutine_stack(cli->ctl, g, fr, USER_DEPTH, err, sizeof(err));
	if (n <= 0)
		return false;
	*out = fr[0];
	for (int i = 0; i < n; i++)
		if (grr_frame_is_user(fr[i].func)) {
			*out = fr[i];
			break;
		}
	return true;
}

/* ---- goroutines [-t [DEPTH]] ---- */

static void print_goroutine_line(struct cli *cli, const struct grr_goroutine *g, bool current)
{
	struct grr_frame uf, gof;
	char where[4400] = "?", go[4200];
	if (user_frame(cli, g, &uf))
		location(cli, &uf, where, sizeof(where));
	pc_frame(cli, g->gopc, true, &gof);
	file_line(cli, gof.file, gof.line, go, sizeof(go));
	fprintf(cli->out, "%sGoroutine %" PRId64 " - User: %s Go: %s", current ? "* " : "  ",
		g->goid, where, go);
	if (g->tid)
		fprintf(cli->out, " (thread %u)", g->tid);
	fprintf(cli->out, " [%s]\n", status_text(g));
}

static int cmd_goroutines(struct cli *cli, char *args)
{
	bool with_stack = false;
	long depth = LIST_DEPTH;
	char *w;
	while ((w = next_word(&args))) {
		if (strcmp(w, "-t") == 0) {
			with_stack = true;
			char *save = args, *d = next_word(&args);
			if (d && !parse_count(d, &depth))
				return cli_error("usage: goroutines [-t [DEPTH]] ('%s' is not a depth)", d);
			if (!d)
				args = save;
		} else {
			return cli_error("usage: goroutines [-t [DEPTH]] (unknown argument '%s')", w);
		}
	}
	if (depth < 1 || depth > MAX_DEPTH)
		return cli_error("depth must be between 1 and %d", MAX_DEPTH);
	struct grr_goroutine *gs;
	char err[512];
	int n = grr_goroutines(cli->ctl, &gs, err, sizeof(err));
	if (n < 0)
		return cli_error("%s", err);
	int64_t cur = current_goid(cli, gs, n);
	struct grr_frame *fr = with_stack ? malloc((size_t)(depth + 1) * sizeof(*fr)) : NULL;
	if (with_stack && !fr) {
		free(gs);
		return cli_error("out of memory");
	}
	for (int i = 0; i < n; i++) {
		print_goroutine_line(cli, &gs[i], gs[i].goid == cur);
		if (!with_stack)
			continue;
		int k = grr_goroutine_stack(cli->ctl, &gs[i], fr, (int)depth + 1, err, sizeof(err));
		if (k < 0)
			fprintf(cli->out, "\terror: %s\n", err);
		else
			print_frames(cli, fr, k > depth ? (int)depth : k, k > depth, "\t");
	}
	fprintf(cli->out, "[%d goroutines]\n", n);
	free(fr);
	free(gs);
	return 0;
}

/* ---- goroutine [N] ---- */

static int find_goroutine(struct cli *cli, int64_t goid, struct grr_goroutine *out,
			  int64_t *cur)
{
	struct grr_goroutine *gs;
	char err[512];
	int n = grr_goroutines(cli->ctl, &gs, err, sizeof(err));
	if (n < 0)
		return cli_error("%s", err);
	int found = -1;
	for (int i = 0; i < n; i++)
		if (gs[i].goid == goid) {
			*out = gs[i];
			found = 0;
		}
	*cur = current_goid(cli, gs, n);
	free(gs);
	if (found < 0)
		return cli_error("no goroutine %" PRId64, goid);
	return 0;
}

/* Thread N at FILE:LINE; Goroutine N [status]: with its Runtime, User, Go
 * and Start locations (Delve's goroutine without arguments). */
static int describe_selected(struct cli *cli)
{
	struct grr_goroutine *gs;
	char err[512];
	uint32_t tid = grr_ctl_current_tid(cli->ctl);
	struct user_regs_struct regs;
	if (tid && grr_replay_get_regs(grr_ctl_replay(cli->ctl), tid, &regs) == 0) {
		struct grr_frame f;
		char fl[4200];
		pc_frame(cli, regs.rip, false, &f);
		file_line(cli, f.file, f.line, fl, sizeof(fl));
		fprintf(cli->out, "Thread %u at %s\n", tid, fl);
	}
	int n = grr_goroutines(cli->ctl, &gs, err, sizeof(err));
	if (n < 0)
		return cli_error("%s", err);
	int64_t cur = current_goid(cli, gs, n);
	const struct grr_goroutine *g = NULL;
	for (int i = 0; i < n; i++)
		if (gs[i].goid == cur)
			g = &gs[i];
	if (!g) {
		free(gs);
		fprintf(cli->out, "No goroutine runs on this thread.\n");
		return 0;
	}
	struct grr_frame fr[1], uf, gof, sf;
	char a[4400] = "?", b[4400] = "?", c[4400], d[4400];
	if (grr_goroutine_stack(cli->ctl, g, fr, 1, err, sizeof(err)) == 1)
		location(cli, &fr[0], a, sizeof(a));
	if (user_frame(cli, g, &uf))
		location(cli, &uf, b, sizeof(b));
	pc_frame(cli, g->gopc, true, &gof);
	location(cli, &gof, c, sizeof(c));
	pc_frame(cli, g->startpc, false, &sf);
	location(cli, &sf, d, sizeof(d));
	fprintf(cli->out, "Goroutine %" PRId64 " [%s]:\n\tRuntime: %s\n\tUser: %s\n\tGo: %s\n"
		"\tStart: %s\n", g->goid, status_text(g), a, b, c, d);
	free(gs);
	return 0;
}

static int cmd_goroutine(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (!*args)
		return describe_selected(cli);
	long v;
	if (!parse_count(args, &v) || v == 0)
		return cli_error("usage: goroutine [ID] ('%s' is not a goroutine id)", args);
	struct grr_goroutine g;
	int64_t from = -1;
	if (find_goroutine(cli, v, &g, &from) < 0)
		return -1;
	if (grr_ctl_select_goroutine(cli->ctl, g.goid, g.tid, g.pc, g.sp, g.bp) < 0)
		return cli_error("goroutine %" PRId64 " stands at 0x%" PRIx64
				 ", in no known function", g.goid, g.pc);
	cli->sel_goid = g.goid;
	cli->sel_frame = 0;
	if (from >= 0)
		fprintf(cli->out, "Switched from %" PRId64 " to %" PRId64, from, g.goid);
	else
		fprintf(cli->out, "Switched to %" PRId64, g.goid);
	if (g.tid)
		fprintf(cli->out, " (thread %u)", g.tid);
	fputc('\n', cli->out);
	struct grr_frame fr[1];
	char err[512], fl[4200];
	if (grr_goroutine_stack(cli->ctl, &g, fr, 1, err, sizeof(err)) != 1)
		return cli_error("%s", err);
	file_line(cli, fr[0].file, fr[0].line, fl, sizeof(fl));
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	fprintf(cli->out, "> %s() %s goroutine %" PRId64 " [%s] event %" PRIu64 "\n",
		func_name(&fr[0]), fl, g.goid, status_text(&g), pos.seq);
	return 0;
}

/* ---- stack [-defer] [DEPTH] ---- */

#define MAX_DEFERS 256

/* The deferred calls of frame F (those recorded with its stack pointer:
 * the physical frame, not the calls inlined in it), Delve's layout. */
static void print_defers(struct cli *cli, const struct grr_frame *f, const struct grr_defer *ds,
			 int nd, int width)
{
	int k = 0;
	for (int i = 0; i < nd; i++) {
		if (f->inlined || ds[i].sp < f->sp || ds[i].sp >= f->cfa)
			continue;
		struct grr_frame df;
		char fl[4200];
		pc_frame(cli, ds[i].fn, false, &df);
		file_line(cli, df.file, df.line, fl, sizeof(fl));
		fprintf(cli->out, "%*sdefer %d: 0x%016" PRIx64 " in %s\n", width + 2, "", ++k,
			ds[i].fn, func_name(&df));
		fprintf(cli->out, "%*sat %s\n", width + 6, "", fl);
	}
}

static int cmd_stack(struct cli *cli, char *args)
{
	args = cli_trim(args);
	bool defers = strncmp(args, "-defer", 6) == 0 && (!args[6] || isspace((unsigned char)args[6]));
	if (defers)
		args = cli_trim(args + 6);
	long depth = DEFAULT_DEPTH;
	if (*args && (!parse_count(args, &depth) || depth < 1 || depth > MAX_DEPTH))
		return cli_error("usage: stack [-defer] [DEPTH] (DEPTH from 1 to %d)", MAX_DEPTH);
	struct grr_frame *fr;
	int n = selected_frames(cli, &fr, (int)depth + 1);
	if (n < 0)
		return -1;
	int shown = n > depth ? (int)depth : n;
	if (!defers) {
		print_frames(cli, fr, shown, n > depth, "");
		free(fr);
		return 0;
	}
	struct grr_defer ds[MAX_DEFERS];
	char err[512];
	int nd = grr_goroutine_defers(cli->ctl, cli->sel_goid, ds, MAX_DEFERS, err, sizeof(err));
	if (nd < 0) {
		free(fr);
		return cli_error("%s", err);
	}
	for (int i = 0; i < shown; i++) {
		print_frame(cli, &fr[i], i, digits(shown - 1), "");
		print_defers(cli, &fr[i], ds, nd, digits(shown - 1));
	}
	if (n > depth)
		fprintf(cli->out, "(truncated)\n");
	free(fr);
	return 0;
}

/* ---- frame N [COMMAND], up [N], down [N] ---- */

static void print_selected_frame(struct cli *cli, const struct grr_frame *f, int i)
{
	char fl[4200];
	file_line(cli, f->file, f->line, fl, sizeof(fl));
	fprintf(cli->out, "Frame %d: %s() %s (PC: 0x%" PRIx64 ")%s\n", i, func_name(f), fl, f->pc,
		f->inlined ? " (inlined)" : "");
}

/* Selects frame TARGET of the selected goroutine and prints it; with
 * COMMAND, runs it in that frame instead and restores the selection. */
static int select_frame(struct cli *cli, long target, const char *command)
{
	struct grr_frame *fr;
	int n = selected_frames(cli, &fr, SELECT_DEPTH);
	if (n < 0)
		return -1;
	if (target < 0 || target >= n) {
		free(fr);
		if (target < 0)
			return cli_error("no frame %ld (frame 0 is the innermost)", target);
		return cli_error("no frame %ld: the stack has %d frame%s (0-%d)", target, n,
				 n == 1 ? "" : "s", n - 1);
	}
	if (command && *command) {
		free(fr);
		int saved = cli->sel_frame;
		cli->sel_frame = (int)target;
		int rc = cli_execute(cli, command);
		cli->sel_frame = saved;
		return rc;
	}
	cli->sel_frame = (int)target;
	print_selected_frame(cli, &fr[target], (int)target);
	free(fr);
	return 0;
}

static int cmd_frame(struct cli *cli, char *args)
{
	char *w = next_word(&args);
	long v;
	if (!w || !parse_count(w, &v))
		return cli_error("usage: frame N [COMMAND]");
	return select_frame(cli, v, cli_trim(args));
}

static int move_frame(struct cli *cli, char *args, int dir)
{
	args = cli_trim(args);
	long v = 1;
	if (*args && !parse_count(args, &v))
		return cli_error("usage: %s [N]", dir > 0 ? "up" : "down");
	return select_frame(cli, cli->sel_frame + dir * v, NULL);
}

static int cmd_up(struct cli *cli, char *args) { return move_frame(cli, args, 1); }
static int cmd_down(struct cli *cli, char *args) { return move_frame(cli, args, -1); }

static const struct cli_command stack_commands[] = {
	{ "goroutines", "grs", cmd_goroutines, "goroutines [-t [DEPTH]]",
	  "Lists the goroutines: where each stands, where it was created, its status.\n"
	  "Each line: id, the innermost frame of the program's own code (User:), the go\n"
	  "statement that created it (Go:), the thread running it, and its status or\n"
	  "wait reason ([running], [chan receive], [sleep], ...). '*' marks the current\n"
	  "goroutine. -t adds each one's stack (DEPTH frames, default 10)." },
	{ "goroutine", "gr", cmd_goroutine, "goroutine [ID]",
	  "Selects goroutine ID, or describes the current one.\n"
	  "stack, frame, print and locals look at the selected goroutine, and next, step\n"
	  "and stepout follow it, until the replay moves." },
	{ "stack", "bt backtrace", cmd_stack, "stack [-defer] [DEPTH]",
	  "Prints the selected goroutine's stack, innermost frame first.\n"
	  "DEPTH frames, default 50. Calls inlined by the compiler are frames of their own, marked\n"
	  "(inlined). A goroutine on the runtime's system stack is followed back to its\n"
	  "own stack. -defer lists under each frame the calls it deferred that have not\n"
	  "run (the runtime's defer records; optimized code runs most defers inline,\n"
	  "without one)." },
	{ "frame", "", cmd_frame, "frame N [COMMAND]",
	  "Selects frame N of the selected goroutine, or runs COMMAND in it.\n"
	  "Frame 0 is the innermost." },
	{ "up", "", cmd_up, "up [N]", "Selects the frame N (default 1) callers up." },
	{ "down", "", cmd_down, "down [N]", "Selects the frame N (default 1) callees down." },
};

const struct cli_table cli_stack_table = {
	"Stacks and goroutines", stack_commands, sizeof(stack_commands) / sizeof(stack_commands[0])
};
