/* cmd_replay.c - `grr replay`: replays a trace. With --autopilot, to the
 * end (or to --goto N) with no debugger. */
#include "replayer/cli/cli.h"
#include "replayer/gdbserver/gdbserver.h"
#include "replayer/replay.h"
#include "tools/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_DIVERGED 70

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr replay [-x FILE] [--ex CMD]... [--batch] [--quiet] TRACE\n"
		"       grr replay --autopilot [--quiet] [--goto N] TRACE\n"
		"       grr replay --dbgport=PORT [--onprocess=PID] [--quiet] TRACE\n\n"
		"Without --autopilot: a time-travel debugger on the replay, with a\n"
		"(grr) prompt; 'help' lists its commands (docs/debugger.md).\n"
		"Re-executes a recorded run exactly, touching nothing outside: files,\n"
		"sockets, signals to others and child processes are not re-done.\n"
		"The program's recorded stdout/stderr are written as it reaches each\n"
		"write; grr exits with the recorded exit status (70 on divergence).\n\n"
		"  -x FILE      run the debugger commands in FILE\n"
		"  --ex CMD     run one debugger command (repeatable, before -x)\n"
		"  --batch      exit after the scripted commands: status 0 if all succeeded\n"
		"  --autopilot  run to the end with no debugger\n"
		"  --quiet      do not print the program's output\n"
		"  --goto N     stop after N events and print the position\n"
		"  --dbgport=PORT  serve the gdb remote protocol on 127.0.0.1:PORT (0: any\n"
		"               free port), as `rr replay --dbgport` does, for gdb, Delve,\n"
		"               VS Code and GoLand (docs/ide.md); TRACE may be a directory\n"
		"               holding one trace\n");
}

static void print_divergence(const struct grr_divergence *d)
{
	fprintf(stderr, "grr: replay diverged at event %llu (thread %u)\n",
		(unsigned long long)d->seq, d->tid);
	fprintf(stderr, "  expected: %s\n", d->expected);
	fprintf(stderr, "  actual:   %s\n", d->actual);
	if (d->pc)
		fprintf(stderr, "  at pc 0x%llx in %s\n%s", (unsigned long long)d->pc, d->where,
			d->backtrace);
}

static int report_failure(struct grr_replay *rp)
{
	const struct grr_divergence *d = grr_replay_divergence(rp);
	if (d) {
		print_divergence(d);
		return EXIT_DIVERGED;
	}
	fprintf(stderr, "grr replay: %s\n", grr_replay_error(rp));
	return GRR_EXIT_BAD_INPUT;
}

/* Runs the recording to the end, or to event GOTO_SEQ, with no debugger. */
static int autopilot(const char *trace, const struct grr_replay_opts *o, bool have_goto,
		     unsigned long long goto_seq)
{
	char err[1024];
	struct grr_replay *rp = grr_replay_open(trace, o, err, sizeof(err));
	if (!rp) {
		fprintf(stderr, "grr replay: %s\n", err);
		return GRR_EXIT_BAD_INPUT;
	}
	int r = have_goto ? grr_replay_run_to(rp, goto_seq) : grr_replay_run_to(rp, UINT64_MAX);
	int status;
	if (r < 0) {
		status = report_failure(rp);
	} else if (have_goto && r > 0) {
		struct grr_replay_pos pos;
		grr_replay_position(rp, &pos);
		printf("event %llu thread %u pc 0x%llx\n", (unsigned long long)pos.seq, pos.tid,
		       (unsigned long long)pos.pc);
		status = 0;
	} else {
		if (grr_replay_was_cut_short(rp))
			fprintf(stderr, "grr: the recording was cut short here (event %llu)\n",
				(unsigned long long)grr_replay_event_count(rp));
		status = grr_replay_exit_status(rp);
	}
	grr_replay_close(rp);
	return status;
}

int cmd_replay(int argc, char **argv)
{
	struct grr_replay_opts o = { 0 };
	bool use_autopilot = false, have_goto = false;
	unsigned long long goto_seq = 0;
	struct cli_opts co = { 0 };
	struct gs_opts gso = { 0 };
	bool use_server = false;
	const char **ex = calloc((size_t)argc + 1, sizeof(*ex));
	if (!ex) {
		fprintf(stderr, "grr replay: out of memory\n");
		return GRR_EXIT_BAD_INPUT;
	}
	co.ex = ex;
	int status = -1;
	for (int i = 1; i < argc && status < 0; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			status = 0;
		} else if (strcmp(a, "--autopilot") == 0) {
			use_autopilot = true;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			o.quiet = co.quiet = true;
		} else if (strcmp(a, "--batch") == 0) {
			co.batch = true;
		} else if (strcmp(a, "--ex") == 0 && i + 1 < argc) {
			ex[co.nex++] = argv[++i];
		} else if (strcmp(a, "-x") == 0 && i + 1 < argc) {
			co.script = argv[++i];
		} else if (strcmp(a, "--goto") == 0 && i + 1 < argc) {
			char *end;
			goto_seq = strtoull(argv[++i], &end, 10);
			if (*end) {
				fprintf(stderr, "grr replay: --goto needs an event number\n");
				status = GRR_EXIT_USAGE;
			}
			have_goto = true;
		} else if (strncmp(a, "--dbgport=", 10) == 0 || strncmp(a, "--onprocess=", 12) == 0) {
			char *end;
			bool port = a[2] == 'd';
			long v = strtol(strchr(a, '=') + 1, &end, 10);
			if (*end || v < 0 || v > (port ? 65535 : INT32_MAX)) {
				fprintf(stderr, "grr replay: bad value in '%s'\n", a);
				status = GRR_EXIT_USAGE;
			}
			if (port) {
				gso.port = (int)v;
				use_server = true;
			} else {
				gso.onprocess = (uint32_t)v;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "grr replay: unknown option '%s' (see 'grr replay --help')\n", a);
			status = GRR_EXIT_USAGE;
		} else if (!co.trace) {
			co.trace = a;
		} else {
			fprintf(stderr, "grr replay: one trace at a time ('%s')\n", a);
			status = GRR_EXIT_USAGE;
		}
	}
	if (status < 0 && !co.trace) {
		fprintf(stderr, "grr replay: no trace given (see 'grr replay --help')\n");
		status = GRR_EXIT_USAGE;
	}
	if (status < 0 && have_goto && !use_autopilot) {
		fprintf(stderr, "grr replay: --goto is for --autopilot; in the debugger use 'goto N'\n");
		status = GRR_EXIT_USAGE;
	}
	if (status < 0 && use_server && (use_autopilot || co.nex || co.script || co.batch)) {
		fprintf(stderr, "grr replay: --dbgport serves a debugger; it takes no debugger "
			"commands and no --autopilot\n");
		status = GRR_EXIT_USAGE;
	}
	if (status < 0 && use_server) {
		gso.trace = co.trace;
		gso.quiet = co.quiet;
		status = gs_main(&gso);
	}
	if (status < 0)
		status = use_autopilot ? autopilot(co.trace, &o, have_goto, goto_seq) : cli_main(&co);
	free(ex);
	return status;
}
