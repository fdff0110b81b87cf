/* grr.c - entry point of the grr command: dispatches to a subcommand. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tools/commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "run a program and record its execution into a trace" },
	{ "flaky",  cmd_flaky,  "record a program again and again until it fails; keep those traces" },
	{ "replay", cmd_replay, "replay a trace (--autopilot: to the end, no debugger)" },
	{ "pack",   cmd_pack,   "embed the executable in a trace, to replay it where the executable is gone" },
	{ "dump",   cmd_dump,   "print a trace's events, one per line (--json for JSON Lines)" },
	{ "info",   cmd_info,   "summarize a trace: program, CPU, events, sizes, packed or not" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: grr COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "show this help, or a command's (grr help COMMAND)");
	fprintf(f, "\n'grr COMMAND --help' describes each command.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Whether grr was run under rr's name (bin/rr). */
static bool called_rr(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	return strcmp(base ? base + 1 : argv0, "rr") == 0;
}

int main(int argc, char **argv)
{
	if (argc > 0 && called_rr(argv[0]))
		return cmd_rr(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return GRR_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("grr %s\n", GRR_VERSION);
		return 0;
	}
	if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		if (argc >= 3 && find_command(argv[2])) {
			char *help_argv[] = { argv[2], "--help", NULL };
			return find_command(argv[2])->run(2, help_argv);
		}
		if (argc >= 3) {
			fprintf(stderr, "grr: unknown command '%s' (see 'grr help')\n", argv[2]);
			return GRR_EXIT_USAGE;
		}
		usage(stdout);
		return 0;
	}
	const struct command *c = find_command(name);
	if (!c) {
		fprintf(stderr, "grr: unknown command '%s' (see 'grr help')\n", name);
		return GRR_EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
