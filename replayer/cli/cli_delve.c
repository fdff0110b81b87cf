/* cli_delve.c - the rest of Delve's terminal on a recording: rev CMD,
 * clear-checkpoint, source FILE, on BP CMD, trace (tracepoints), toggle,
 * deferred N CMD, edit, and the commands that mean nothing on a
 * recording (set, rebuild, target), each answering with a one-line
 * reason. */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* rev CMD: CMD run backward (Delve's rev next, rev step, rev stepout,
 * rev step-instruction, rev continue). */
static int cmd_rev(struct cli *cli, char *args)
{
	static const struct { const char *fwd, *rev; } map[] = {
		{ "next", "reverse-next" }, { "n", "reverse-next" },
		{ "step", "reverse-step" }, { "s", "reverse-step" },
		{ "stepout", "reverse-stepout" }, { "so", "reverse-stepout" },
		{ "step-instruction", "reverse-stepi" }, { "si", "reverse-stepi" },
		{ "stepi", "reverse-stepi" },
		{ "continue", "reverse-continue" }, { "c", "reverse-continue" },
	};
	char *cmd = cli_next_word(&args);
	if (!cmd)
		return cli_error("usage: rev next|step|stepout|step-instruction|continue");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(cmd, map[i].fwd) == 0) {
			char line[512];
			snprintf(line, sizeof(line), "%s %s", map[i].rev, args);
			return cli_execute(cli, line);
		}
	return cli_error("rev %s: only next, step, stepout, step-instruction and continue run "
			 "backward", cmd);
}

static int cmd_clear_checkpoint(struct cli *cli, char *args)
{
	args = cli_trim(args);
	char *end;
	long id = strtol(args, &end, 10);
	if (!*args || *end || id <= 0)
		return cli_error("usage: clear-checkpoint ID (see 'checkpoints')");
	if (grr_ctl_checkpoint_delete(cli->ctl, (int)id) < 0)
		return cli_error("no checkpoint %ld", id);
	return 0;
}

/* source FILE: its commands, one a line ('#' comments); stops at quit. */
static int cmd_source(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (!*args)
		return cli_error("usage: source FILE");
	size_t n = strlen(args);
	if (n > 5 && strcmp(args + n - 5, ".star") == 0)
		return cli_error("source %s: Starlark scripts are not supported (a file of "
				 "commands is)", args);
	FILE *f = fopen(args, "re");
	if (!f)
		return cli_error("source %s: cannot read it", args);
	char line[4096];
	int failed = 0;
	while (!cli->quit && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		failed += cli_execute(cli, line) < 0;
	}
	fclose(f);
	return failed ? -1 : 0;
}

/* Breakpoint SPEC (a number, or a failure breakpoint's name); NULL if
 * there is none.  (Valid until breakpoints are set or cleared.) */
static const struct grr_ctl_break *breakpoint_of(struct cli *cli, const char *spec)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	char *end;
	long v = strtol(spec, &end, 10);
	for (int i = 0; i < n; i++)
		if ((!*end && v == bps[i].id) || (bps[i].name[0] && !strcmp(bps[i].name, spec)))
			return &bps[i];
	return NULL;
}

/* The id of breakpoint SPEC; 0 if there is none. */
static int breakpoint_id(struct cli *cli, const char *spec)
{
	const struct grr_ctl_break *b = breakpoint_of(cli, spec);
	return b ? b->id : 0;
}

/* on BP CMD: CMD runs at each stop at BP (Delve: print, stack,
 * goroutines, locals...; any command that does not move the replay). */
static int cmd_on(struct cli *cli, char *args)
{
	char *bp = cli_next_word(&args);
	char *cmd = cli_trim(args);
	if (!bp || !*cmd)
		return cli_error("usage: on BREAKPOINT COMMAND");
	int id = breakpoint_id(cli, bp);
	if (!id)
		return cli_error("no breakpoint %s (see 'breakpoints')", bp);
	if (cli->non == CLI_MAX_ON)
		return cli_error("on: at most %d commands", CLI_MAX_ON);
	if (strlen(cmd) >= sizeof(cli->on[0].cmd))
		return cli_error("on: the command is too long");
	cli->on[cli->non].bp = id;
	snprintf(cli->on[cli->non].cmd, sizeof(cli->on[0].cmd), "%s", cmd);
	cli->non++;
	return 0;
}

void cli_run_on(struct cli *cli, const struct grr_ctl_stop *stop)
{
	if (stop->reason != GRR_CTL_BREAKPOINT || cli->running_on)
		return;
	cli->running_on = true;
	for (int i = 0; i < cli->non; i++)
		if (cli->on[i].bp == stop->bp_id) {
			fprintf(cli->out, "> %s\n", cli->on[i].cmd);
			cli_execute(cli, cli->on[i].cmd);
		}
	cli->running_on = false;
}

bool cli_is_trace(const struct cli *cli, int id)
{
	for (int i = 0; i < cli->ntraces; i++)
		if (cli->traces[i] == id)
			return true;
	return false;
}

/* A tracepoint's hit, as Delve prints it: "> goroutine(G): FUNC(ARGS)",
 * ARGS "name = value" each, then the `on` commands of the tracepoint. */
void cli_trace_hit(struct cli *cli, const struct grr_ctl_stop *stop)
{
	cli->sel_goid = -1;
	cli->sel_frame = 0;
	char where[512];
	cli_print_location(cli, stop->pos.pc, where, sizeof(where));
	char *paren = strstr(where, "()");
	if (paren)
		*paren = 0;
	struct gv_ctx ctx;
	char err[256], *out = NULL;
	struct gv_config cfg = cli->print_cfg;
	cfg.max_variable_recurse = 0;
	bool have = cli_value_ctx(cli, &ctx) == 0 &&
		    gv_frame_list(&ctx, true, NULL, &cfg, false, &out, err, sizeof(err)) == 0;
	fprintf(cli->out, "> goroutine(%" PRId64 "): %s(", stop->pos.goid, where);
	if (have && out && strcmp(out, "(no args)") != 0) {
		bool first = true;
		for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
			if (strncmp(l, "~r", 2) == 0)
				continue;    /* results are not set at the entry */
			fprintf(cli->out, "%s%s", first ? "" : ", ", l);
			first = false;
		}
	}
	fprintf(cli->out, ") event %" PRIu64 "\n", stop->pos.seq);
	free(out);
	cli_run_on(cli, stop);
}

/* trace [-stack N] LOCATION: a tracepoint. */
static int cmd_trace(struct cli *cli, char *args)
{
	args = cli_trim(args);
	int depth = 0;
	if (strncmp(args, "-stack", 6) == 0 && (args[6] == ' ' || args[6] == '\t')) {
		args += 6;
		char *n = cli_next_word(&args);
		char *end;
		long v = n ? strtol(n, &end, 10) : -1;
		if (!n || *end || v < 0 || v > 1000)
			return cli_error("usage: trace [-stack N] LOCATION");
		depth = (int)v;
		args = cli_trim(args);
	}
	if (!*args)
		return cli_error("usage: trace [-stack N] LOCATION");
	if (cli->ntraces == CLI_MAX_ON || (depth && cli->non == CLI_MAX_ON))
		return cli_error("trace: at most %d tracepoints", CLI_MAX_ON);
	char err[512];
	int id = grr_ctl_break(cli->ctl, args, false, NULL, err, sizeof(err));
	if (id < 0)
		return cli_error("%s", err);
	cli->traces[cli->ntraces++] = id;
	fprintf(cli->out, "Tracepoint %d set for %s\n", id, args);
	if (depth) {
		cli->on[cli->non].bp = id;
		snprintf(cli->on[cli->non].cmd, sizeof(cli->on[0].cmd), "stack %d", depth);
		cli->non++;
	}
	return 0;
}

/* The commands of Delve's terminal that are not built: each says why in
 * one line. */
static int refuse(const char *why)
{
	return cli_error("%s", why);
}
/* toggle ID|NAME: turns a breakpoint off (no stops, no hits counted) or
 * on again; Delve's output line. */
static int cmd_toggle(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (!*args)
		return cli_error("usage: toggle ID | toggle NAME");
	const struct grr_ctl_break *b = breakpoint_of(cli, args);
	if (!b)
		return cli_error("no breakpoint %s (see 'breakpoints')", args);
	bool off = !b->disabled;
	if (grr_ctl_set_disabled(cli->ctl, b->id, off) < 0)
		return cli_error("cannot %s breakpoint %s in the replay", off ? "disable" : "enable",
				 args);
	char title[64];
	if (b->name[0])
		snprintf(title, sizeof(title), "Breakpoint %s", b->name);
	else
		snprintf(title, sizeof(title), "%s %d", b->is_watch ? "Watchpoint" : "Breakpoint",
			 b->id);
	if (b->is_watch || !b->nlocs) {
		fprintf(cli->out, "%s toggled (%s) at %s\n", title, off ? "disabled" : "enabled",
			b->spec);
		return 0;
	}
	char where[512];
	cli_print_location(cli, b->locs[0].pc, where, sizeof(where));
	fprintf(cli->out, "%s toggled (%s) at 0x%" PRIx64 " for %s\n", title,
		off ? "disabled" : "enabled", b->locs[0].pc, where);
	return 0;
}

/* deferred N COMMAND: print, args or locals in the scope of the selected
 * frame's Nth deferred call (as `stack -defer` numbers them). */
static int cmd_deferred(struct cli *cli, char *args)
{
	char *num = cli_next_word(&args);
	char *cmd = cli_trim(args);
	char *end;
	long n = num ? strtol(num, &end, 10) : 0;
	if (!num || *end || !*cmd)
		return cli_error("usage: deferred N COMMAND (print, args or locals)");
	if (n <= 0)
		return cli_error("argument of deferred must be a number greater than 0 (use "
				 "'stack -defer' to see the list of deferred calls)");
	size_t w = strcspn(cmd, " \t");
	static const char *const allowed[] = { "print", "p", "args", "locals", "whatis" };
	bool ok = false;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ok |= strlen(allowed[i]) == w && strncmp(cmd, allowed[i], w) == 0;
	if (!ok)
		return cli_error("deferred: %.*s cannot run in a deferred call's scope (print, args, "
				 "locals or whatis can)", (int)w, cmd);
	cli->sel_defer = (int)n;
	int rc = cli_execute(cli, cmd);
	cli->sel_defer = 0;
	return rc;
}

static int cmd_set(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("set: a recording cannot be changed; to see the program run with other "
		      "values, call a function in a copy of the moment ('call f(x)')");
}

/* edit [LOCATION | LINE]: $DELVE_EDITOR (else $EDITOR) on the source file
 * at the line, run as Delve runs it; the file as found on this machine
 * (substitute-path, the local GOROOT). */
static int cmd_edit(struct cli *cli, char *args)
{
	struct cli_listing ls;
	if (cli_listing(cli, cli_trim(args), &ls) < 0)
		return -1;
	const char *editor = getenv("DELVE_EDITOR");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		return cli_error("edit: neither DELVE_EDITOR nor EDITOR is set");
	char path[4200];
	FILE *f = cli_source_open(cli, ls.file, path, sizeof(path));
	if (f)
		fclose(f);
	if (!f || access(path, F_OK) != 0)
		return cli_error("edit: %s is not on this machine%s (config substitute-path FROM TO "
				 "says where it is)", ls.file, f ? ", only packed in the trace" : "");
	char line[32], goto_arg[4300];
	snprintf(line, sizeof(line), "+%d", ls.line);
	const char *base = strrchr(editor, '/') ? strrchr(editor, '/') + 1 : editor;
	char *argv[4] = { (char *)editor, line, path, NULL };
	if (strcmp(base, "code") == 0 || strcmp(base, "hx") == 0 || strcmp(base, "zed") == 0) {
		snprintf(goto_arg, sizeof(goto_arg), strcmp(base, "zed") == 0 ? "%s:%d:0" : "%s:%d",
			 path, ls.line);
		bool code = strcmp(base, "code") == 0;
		argv[0] = (char *)editor;
		argv[1] = code ? "--goto" : goto_arg;
		argv[2] = code ? goto_arg : NULL;
	}
	fflush(cli->out);
	pid_t pid = fork();
	if (pid < 0)
		return cli_error("edit: cannot start %s: %s", editor, strerror(errno));
	if (pid == 0) {
		execvp(editor, argv);
		fprintf(stderr, "error: edit: cannot run %s: %s\n", editor, strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_error("edit: %s exited with status %d", editor,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

static int cmd_rebuild(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("rebuild: a recording is one run of one build: rebuild and record again");
}
static int cmd_target(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("target: grr replays one process (a child process is not followed)");
}

static const struct cli_command delve_commands[] = {
	{ "rev", "", cmd_rev, "rev next|step|stepout|step-instruction|continue",
	  "Runs a stepping command backward (reverse-next, reverse-step, ...)." },
	{ "clear-checkpoint", "clearcheck", cmd_clear_checkpoint, "clear-checkpoint ID",
	  "Deletes checkpoint ID." },
	{ "source", "", cmd_source, "source FILE",
	  "Runs the commands in FILE, one a line ('#' starts a comment)." },
	{ "on", "", cmd_on, "on BREAKPOINT COMMAND",
	  "Runs COMMAND at each stop at BREAKPOINT (an id, or a failure breakpoint's\n"
	  "name): print EXPR, stack, goroutines, locals... It runs after the stop line\n"
	  "and the displays, preceded by '> COMMAND'." },
	{ "trace", "t", cmd_trace, "trace [-stack N] LOCATION",
	  "Sets a tracepoint: continue and reverse-continue print\n"
	  "'> goroutine(G): FUNC(ARGS) event E' at each hit and go on. -stack N also\n"
	  "prints N frames. 'clear ID' deletes it. next and step stop at it like at a\n"
	  "breakpoint." },
	{ "toggle", "", cmd_toggle, "toggle ID | toggle NAME",
	  "Turns a breakpoint or watchpoint off, or on again.\n"
	  "Off, it neither stops nor counts hits; 'breakpoints' marks it (disabled)." },
	{ "deferred", "", cmd_deferred, "deferred N COMMAND",
	  "Runs print, args, locals or whatis in the scope of a deferred call.\n"
	  "N numbers the selected frame's pending deferred calls from 1, as\n"
	  "'stack -defer' lists them; the scope is the deferred function at its entry\n"
	  "(since Go 1.17 a deferred call is a closure without arguments: its captured\n"
	  "values are not known before it runs, as in Delve)." },
	{ "set", "", cmd_set, "set VAR = VALUE", "Refused on a recording: says why." },
	{ "edit", "ed", cmd_edit, "edit [LOCATION | LINE]",
	  "Opens the source file in $DELVE_EDITOR (else $EDITOR) at the line.\n"
	  "The selected frame's line, or LOCATION's, or LINE of the selected frame's\n"
	  "file, as list finds them (substitute-path applies). As in Delve, 'code' gets\n"
	  "--goto FILE:LINE, 'zed' and 'hx' FILE:LINE, any other editor +LINE FILE." },
	{ "rebuild", "", cmd_rebuild, "rebuild", "Meaningless on a recording: says why." },
	{ "target", "", cmd_target, "target", "Meaningless on a recording: says why." },
};

const struct cli_table cli_delve_table = {
	"Delve's other commands", delve_commands,
	sizeof(delve_commands) / sizeof(delve_commands[0])
};
