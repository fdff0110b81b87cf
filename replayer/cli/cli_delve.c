/* cli_delve.c - the rest of Delve's terminal on a recording: rev CMD,
 * clear-checkpoint, source FILE, on BP CMD, trace (tracepoints), and the
 * commands that are not built yet or mean nothing on a recording, each
 * answering with a one-line reason. */
#include "replayer/cli/cli.h"
#include "replayer/inspect/stack.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* The id of breakpoint SPEC (a number, or a failure breakpoint's name);
 * 0 if there is none. */
static int breakpoint_id(struct cli *cli, const char *spec)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	char *end;
	long v = strtol(spec, &end, 10);
	for (int i = 0; i < n; i++)
		if ((!*end && v == bps[i].id) || (bps[i].name[0] && !strcmp(bps[i].name, spec)))
			return bps[i].id;
	return 0;
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
static int cmd_toggle(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("toggle: not built yet in grr (delete the breakpoint with 'clear ID' "
		      "and set it again)");
}
static int cmd_deferred(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("deferred: not built yet in grr ('stack -defer' lists the pending "
		      "deferred calls)");
}
static int cmd_set(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("set: a recording cannot be changed, and grr does not yet run set in "
		      "a copy of the moment (call does: 'call f(x)')");
}
static int cmd_transcript(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("transcript: not built yet in grr (run grr replay under script(1) "
		      "or tee)");
}
static int cmd_edit(struct cli *cli, char *a)
{
	(void)cli, (void)a;
	return refuse("edit: not built yet in grr ('list' shows the source)");
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
	{ "toggle", "", cmd_toggle, "toggle ID", "Not built yet: says so." },
	{ "deferred", "", cmd_deferred, "deferred N COMMAND", "Not built yet: says so." },
	{ "set", "", cmd_set, "set VAR = VALUE", "Refused on a recording: says why." },
	{ "transcript", "", cmd_transcript, "transcript FILE", "Not built yet: says so." },
	{ "edit", "ed", cmd_edit, "edit [LOCATION]", "Not built yet: says so." },
	{ "rebuild", "", cmd_rebuild, "rebuild", "Meaningless on a recording: says why." },
	{ "target", "", cmd_target, "target", "Meaningless on a recording: says why." },
};

const struct cli_table cli_delve_table = {
	"Delve's other commands", delve_commands,
	sizeof(delve_commands) / sizeof(delve_commands[0])
};
