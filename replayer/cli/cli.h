/* cli.h - the debugger's command line (`grr replay TRACE`): a front end on
 * the replay-control API (replayer/control/control.h).  Command names
 * follow Delve, with gdb's as aliases (docs/debugger.md). */
#ifndef GRR_REPLAYER_CLI_H
#define GRR_REPLAYER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "replayer/control/control.h"

struct cli_opts {
	const char *trace;
	const char **ex;       /* --ex commands, in order */
	int nex;
	const char *script;    /* -x FILE */
	bool batch;            /* exit after the scripted commands */
	bool quiet;            /* do not echo the program's output */
};

/* Runs a debugging session; returns the process exit status. */
int cli_main(const struct cli_opts *o);

/* One session's state, shared by the command handlers. */
struct cli {
	struct grr_ctl *ctl;
	FILE *out;
	bool quit;
	char cwd[4096];
	/* What 'print', 'locals', 'bt', 'frame' look at: goroutine SEL_GOID
	 * (-1: the current thread's) and its frame SEL_FRAME.  Reset to the
	 * stopped goroutine's innermost frame at every stop. */
	int64_t sel_goid;
	int sel_frame;
	double call_timeout;   /* seconds a `call` may take (0: 5 s) */
};

/* Runs one command line; 0 success, -1 failure (reported on stderr). */
int cli_execute(struct cli *cli, const char *line);

/* A command: its handler gets the rest of the line and reports its own
 * errors, one line on stderr each (cli_error). */
typedef int (*cli_fn)(struct cli *cli, char *args);
struct cli_command {
	const char *name;
	const char *aliases;   /* space separated */
	cli_fn run;
	const char *usage;
	const char *help;      /* first line: the summary in 'help' */
};
struct cli_table {
	const char *title;     /* heading in 'help' */
	const struct cli_command *commands;
	size_t n;
};
/* The command tables, one per file: running and time travel
 * (cli_commands.c), stacks and goroutines (cli_stack.c), values
 * (cli_inspect.c), function calls (cli_call.c). */
extern const struct cli_table cli_run_table, cli_stack_table, cli_inspect_table, cli_call_table;

/* Prints "error: MSG" on stderr; returns -1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ARGS without leading and trailing blanks (in place). */
char *cli_trim(char *args);

/* cli_cond.c: makes CLI's session evaluate breakpoint conditions; its
 * state, to free() at the end (NULL if out of memory). */
void *cli_cond_install(struct cli *cli);

/* cli_print.c */
void cli_print_stop(struct cli *cli, const struct grr_ctl_stop *stop);
/* After a command moved the replay: resets the selection, prints STOP. */
void cli_stopped(struct cli *cli, const struct grr_ctl_stop *stop);
void cli_print_location(struct cli *cli, uint64_t pc, char *buf, size_t len);
const char *cli_short_path(const struct cli *cli, const char *file);

#endif
