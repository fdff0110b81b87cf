/* cli.h - the debugger's command line (`grr replay TRACE`): a front end on
 * the replay-control API (replayer/control/control.h).  Command names
 * follow Delve, with gdb's as aliases (docs/debugger.md). */
#ifndef GRR_REPLAYER_CLI_H
#define GRR_REPLAYER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "replayer/cli/cli_srcpath.h"
#include "replayer/control/control.h"
#include "replayer/inspect/values.h"

struct grr_reader;

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

#define CLI_MAX_DISPLAYS 32
#define CLI_MAX_ON 64
#define CLI_MAX_ALIASES 32

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
	int sel_defer;         /* deferred N CMD: that frame's Nth deferred
				  call is the scope while CMD runs (0: none) */
	double call_timeout;   /* seconds a `call` may take (0: 5 s) */
	/* The value layer's session on the program's DWARF, opened at the
	 * first command that needs it (cli_values), and the expressions
	 * `display` prints at every stop. */
	struct gv_session *values;
	char *displays[CLI_MAX_DISPLAYS];
	struct gv_config print_cfg;   /* print's limits (config); from gv_load_full */
	/* A call stopped at a breakpoint in its callee (cli_call.c): `continue`
	 * finishes it; anything that moves the replay abandons it. */
	struct cli_pending_call *pending_call;
	/* Where source files are on this machine (cli_source_file.c): the
	 * substitute-path rules, and the automatic mappings, found at the
	 * first file that is not where it was compiled. */
	struct cli_srcpath srcpath;
	bool srcpath_auto_done;
	/* The trace, read again for the sources it packs (opened at the first
	 * source file not on disk), and the last packed file read. */
	const char *trace;
	struct grr_reader *reader;
	bool reader_failed;
	char *src_name;
	uint8_t *src_data;
	uint64_t src_len;
	int list_lines;        /* lines list shows each side (0: 5) */
	/* Delve's `on BP CMD` commands, run at each stop at BP, and the
	 * breakpoints that are tracepoints (`trace`: print, do not stop);
	 * cli_delve.c. */
	struct cli_on { int bp; char cmd[256]; } on[CLI_MAX_ON];
	int non;
	int traces[CLI_MAX_ON];
	int ntraces;
	bool running_on;       /* an `on` command is running (no nesting) */
	/* The user's aliases (config alias CMD ALIAS; cli_config_file.c). */
	struct cli_alias { char alias[32]; char cmd[64]; } aliases[CLI_MAX_ALIASES];
	int naliases;
	/* The last command line, which an empty line at the prompt repeats. */
	char last[4096];
	/* transcript FILE (cli_transcript.c): cli->out is then TRANSCRIPT, a
	 * stream writing to the terminal and the file. */
	FILE *transcript;
	struct cli_tee *transcript_tee;
	int exec_depth;        /* cli_execute's nesting (source, on, rev...) */
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
 * (cli_inspect.c), function calls (cli_call.c), core files (cli_core.c),
 * discovery: funcs, sources, threads... (cli_discover.c). */
extern const struct cli_table cli_run_table, cli_stack_table, cli_inspect_table, cli_call_table,
	cli_memory_table, cli_core_table, cli_discover_table, cli_delve_table,
	cli_transcript_table;

/* Calls FN with every command name and alias (for completion). */
void cli_command_words(void (*fn)(void *arg, const char *word, size_t len), void *arg);
/* The names `config` knows (for completion): the Ith, NULL past the end. */
const char *cli_config_key_at(size_t i);

/* cli_readline.c: the interactive prompt on a terminal: libedit with Tab
 * completion (cli_complete.h) and history kept in
 * $XDG_DATA_HOME/grr/history; an empty line repeats the last command.
 * Returns at end of input or quit. */
void cli_readline_loop(struct cli *cli, void (*run)(struct cli *cli, const char *line));

/* Prints "error: MSG" on stderr; returns -1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ARGS without leading and trailing blanks (in place). */
char *cli_trim(char *args);
/* The next blank-separated word of *ARGS, NUL-terminated in place (*ARGS
 * moves past it); NULL when there is none. */
char *cli_next_word(char **args);

/* cli_cond.c: makes CLI's session evaluate breakpoint conditions. */
void cli_cond_install(struct cli *cli);

/* cli_inspect.c: the value session (NULL after reporting why not); the
 * evaluation context of the selected goroutine and frame in *CTX (only
 * package variables when no frame is known); the displays, printed after
 * every stop; the end of the session's value state. */
struct gv_session *cli_values(struct cli *cli);
int cli_value_ctx(struct cli *cli, struct gv_ctx *ctx);
void cli_show_displays(struct cli *cli);
/* The expression a breakpoint shows at its stops (the panic value at
 * unrecovered-panic), as Delve prints it: "\tEXPR: VALUE". */
void cli_show_break_values(struct cli *cli, const struct grr_ctl_stop *stop);
/* The thread running goroutine GOID (-1: the current thread's), 0 if it is
 * parked; *FOUND (if not NULL) whether the goroutine exists. */
uint32_t cli_goroutine_thread(struct cli *cli, int64_t goid, bool *found);
void cli_values_close(struct cli *cli);

/* cli_call.c: calls EXPR (a function call) in a copy of the replay and
 * prints its results; 0 or -1 after reporting the error. */
int cli_call_expr(struct cli *cli, const char *expr, bool unsafe_ok);
/* Goes on with the pending call, to its end or the next breakpoint. */
int cli_call_continue(struct cli *cli);
/* Abandons the pending call, if any, saying so when SAY. */
void cli_call_discard(struct cli *cli, bool say);

/* cli_source_file.c: FILE (as compiled) opened for reading from where it
 * is on this machine or from the trace, with the path shown for it in
 * SHOWN; NULL if it is nowhere.  The end of the session's source state;
 * `config substitute-path ...`; its line in `config -list`. */
FILE *cli_source_open(struct cli *cli, const char *file, char *shown, size_t len);
void cli_sources_close(struct cli *cli);
int cli_config_substitute_path(struct cli *cli, char *args);
void cli_show_substitute_path(struct cli *cli);

/* cli_config_file.c: the settings file, $XDG_CONFIG_HOME/grr/config
 * (config -save writes it; read at the start of every session, its
 * errors reported with the file and line); the user's aliases: `config
 * alias`, the command an alias stands for (NULL: none), their lines in
 * `config -list`.  cli_inspect.c writes the settings' lines. */
int cli_config_save(struct cli *cli);
/* $XDG_VAR/grr/NAME, else ~/HOME_DIR/grr/NAME (the settings file, the
 * history); grr's directory made when MAKE_DIR.  false if neither
 * variable is set, the path is too long or the directory cannot be made. */
bool cli_user_file(const char *xdg_var, const char *home_dir, const char *name, bool make_dir,
		   char *buf, size_t len);
void cli_config_load(struct cli *cli);
int cli_config_alias(struct cli *cli, char *args);
const char *cli_alias_target(const struct cli *cli, const char *word);
void cli_show_aliases(struct cli *cli);
void cli_config_write(struct cli *cli, FILE *f);

/* cli_delve.c: runs the `on` commands of the breakpoint STOP is at;
 * whether breakpoint ID is a tracepoint, and prints its hit's line. */
void cli_run_on(struct cli *cli, const struct grr_ctl_stop *stop);
bool cli_is_trace(const struct cli *cli, int id);
void cli_trace_hit(struct cli *cli, const struct grr_ctl_stop *stop);

/* cli_memory.c: where ARGS points in the sources, as list shows it:
 * nothing (the selected frame's line), LINE of the selected frame's file,
 * or a location (main.apply, file.go:LINE, *0xADDR).  FILE as compiled,
 * the line to centre on, the pc to mark with '=>' (0: none), the current
 * line when it is in that file (0: not).  0, or -1 after reporting the
 * error. */
struct cli_listing {
	const char *file;
	int line;
	uint64_t pc;
	int mark;
};
int cli_listing(struct cli *cli, const char *args, struct cli_listing *ls);

/* cli_transcript.c: writes a command line typed or scripted (not one
 * run by another command) to the transcript, if one is open; ends it. */
void cli_transcript_echo(struct cli *cli, const char *line);
void cli_transcript_close(struct cli *cli);

/* cli_print.c */
void cli_print_stop(struct cli *cli, const struct grr_ctl_stop *stop);
/* After a command moved the replay: resets the selection, prints STOP. */
void cli_stopped(struct cli *cli, const struct grr_ctl_stop *stop);
void cli_print_location(struct cli *cli, uint64_t pc, char *buf, size_t len);
const char *cli_short_path(const struct cli *cli, const char *file);

#endif
