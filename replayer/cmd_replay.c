/* cmd_replay.c - `grr replay`: replays a trace. With --autopilot, to the
 * end (or to --goto N) with no debugger. */
#include "replayer/replay.h"
#include "tools/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_DIVERGED 70

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr replay --autopilot [--quiet] [--goto N] TRACE\n\n"
		"Re-executes a recorded run exactly, touching nothing outside: files,\n"
		"sockets, signals to others and child processes are not re-done.\n"
		"The program's recorded stdout/stderr are written as it reaches each\n"
		"write; grr exits with the recorded exit status (70 on divergence).\n\n"
		"  --autopilot  run to the end with no debugger\n"
		"  --quiet      do not print the program's output\n"
		"  --goto N     stop after N events and print the position\n");
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

int cmd_replay(int argc, char **argv)
{
	struct grr_replay_opts o = { 0 };
	int autopilot = 0, have_goto = 0;
	unsigned long long goto_seq = 0;
	const char *trace = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--autopilot") == 0) {
			autopilot = 1;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			o.quiet = true;
		} else if (strcmp(a, "--goto") == 0 && i + 1 < argc) {
			char *end;
			goto_seq = strtoull(argv[++i], &end, 10);
			if (*end) {
				fprintf(stderr, "grr replay: --goto needs an event number\n");
				return GRR_EXIT_USAGE;
			}
			have_goto = 1;
		} else if (a[0] == '-') {
			fprintf(stderr, "grr replay: unknown option '%s' (see 'grr replay --help')\n", a);
			return GRR_EXIT_USAGE;
		} else if (!trace) {
			trace = a;
		} else {
			fprintf(stderr, "grr replay: one trace at a time ('%s')\n", a);
			return GRR_EXIT_USAGE;
		}
	}
	if (!trace) {
		fprintf(stderr, "grr replay: no trace given (see 'grr replay --help')\n");
		return GRR_EXIT_USAGE;
	}
	if (!autopilot) {
		fprintf(stderr, "grr replay: the interactive debugger is not part of this "
			"build; use --autopilot\n");
		return GRR_EXIT_USAGE;
	}
	char err[1024];
	struct grr_replay *rp = grr_replay_open(trace, &o, err, sizeof(err));
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
