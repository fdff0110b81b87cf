/* cli_commands.c - the debugger's commands: Delve's names, gdb's as
 * aliases.  Each handler gets the rest of the line and reports its own
 * errors in one line. */
#include "replayer/cli/cli.h"
#include "replayer/inspect/values.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "error: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}


char *cli_next_word(char **args)
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

char *cli_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (!*s || *end || errno)
		return -1;
	*v = x;
	return 0;
}

/* Runs a control operation and prints where it stopped. */
typedef int (*ctl_op)(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);

static int run_op(struct cli *cli, ctl_op op, char *args)
{
	if (*cli_trim(args))
		return cli_error("this command takes no arguments ('%s')", args);
	struct grr_ctl_stop stop;
	char err[512];
	if (op(cli->ctl, &stop, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	/* tracepoints print their hit and the run goes on (continue, rc) */
	while ((op == grr_ctl_continue || op == grr_ctl_reverse_continue) &&
	       stop.reason == GRR_CTL_BREAKPOINT && cli_is_trace(cli, stop.bp_id)) {
		cli_trace_hit(cli, &stop);
		if (op(cli->ctl, &stop, err, sizeof(err)) < 0)
			return cli_error("%s", err);
	}
	cli_stopped(cli, &stop);
	return 0;
}

/* continue: finishes a call stopped at a breakpoint, if there is one;
 * else runs the replay forward. */
static int cmd_continue(struct cli *cli, char *a)
{
	if (cli->pending_call)
		return cli_call_continue(cli);
	return run_op(cli, grr_ctl_continue, a);
}
static int cmd_next(struct cli *cli, char *a) { return run_op(cli, grr_ctl_next, a); }
static int cmd_step(struct cli *cli, char *a) { return run_op(cli, grr_ctl_step, a); }
static int cmd_stepout(struct cli *cli, char *a) { return run_op(cli, grr_ctl_stepout, a); }
static int cmd_stepi(struct cli *cli, char *a) { return run_op(cli, grr_ctl_stepi, a); }
static int cmd_nexti(struct cli *cli, char *a) { return run_op(cli, grr_ctl_nexti, a); }
static int cmd_rc(struct cli *cli, char *a) { return run_op(cli, grr_ctl_reverse_continue, a); }
static int cmd_rn(struct cli *cli, char *a) { return run_op(cli, grr_ctl_reverse_next, a); }
static int cmd_rs(struct cli *cli, char *a) { return run_op(cli, grr_ctl_reverse_step, a); }
static int cmd_rsi(struct cli *cli, char *a) { return run_op(cli, grr_ctl_reverse_stepi, a); }
static int cmd_rstepout(struct cli *cli, char *a)
{
	return run_op(cli, grr_ctl_reverse_stepout, a);
}

/* break LOC [if COND] */
static int set_break(struct cli *cli, char *args, bool temporary)
{
	args = cli_trim(args);
	if (!*args)
		return cli_error("usage: break LOCATION [if CONDITION]");
	char *cond = strstr(args, " if ");
	if (cond) {
		*cond = 0;
		cond = cli_trim(cond + 4);
	}
	char err[512];
	int id = grr_ctl_break(cli->ctl, cli_trim(args), temporary, cond, err, sizeof(err));
	if (id < 0)
		return cli_error("%s", err);
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	for (int i = 0; i < n; i++) {
		if (bps[i].id != id)
			continue;
		for (int k = 0; k < bps[i].nlocs; k++) {
			char where[512];
			cli_print_location(cli, bps[i].locs[k].pc, where, sizeof(where));
			fprintf(cli->out, "%s %d set at 0x%" PRIx64 " for %s\n",
				temporary ? "Temporary breakpoint" : "Breakpoint", id,
				bps[i].locs[k].pc, where);
		}
	}
	return 0;
}

static int cmd_break(struct cli *cli, char *a) { return set_break(cli, a, false); }
static int cmd_tbreak(struct cli *cli, char *a) { return set_break(cli, a, true); }

static int parse_id(char **args, int *id)
{
	char *s = cli_trim(*args);
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || v <= 0 || (*end && !isspace((unsigned char)*end)))
		return -1;
	*id = (int)v;
	*args = end;
	return 0;
}

/* A breakpoint by id, or a failure breakpoint by name ("unrecovered-panic"). */
static int parse_break_ref(struct cli *cli, char **args, int *id)
{
	if (parse_id(args, id) == 0)
		return 0;
	char *s = cli_trim(*args);
	size_t n = strcspn(s, " \t");
	char name[64];
	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	*id = n ? grr_ctl_break_named(cli->ctl, name) : 0;
	if (!*id)
		return -1;
	*args = s + n;
	return 0;
}

/* "Breakpoint 3" or "Breakpoint unrecovered-panic". */
static void break_title(struct cli *cli, int id, char *buf, size_t len)
{
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	for (int i = 0; i < n; i++)
		if (bps[i].id == id && bps[i].name[0]) {
			snprintf(buf, len, "Breakpoint %s", bps[i].name);
			return;
		}
	snprintf(buf, len, "Breakpoint %d", id);
}

/* Whether ARGS starts with the word FLAG; skips it if so. */
static bool take_word(char **args, const char *flag)
{
	size_t n = strlen(flag);
	char *a = cli_trim(*args);
	if (strncmp(a, flag, n) != 0 || (a[n] && !isspace((unsigned char)a[n])))
		return false;
	*args = a + n;
	return true;
}

/* condition ID EXPR | -hitcount ID [OP] N | -per-g-hitcount ID [OP] N |
 * -clear ID (Delve's forms). */
static int cmd_condition(struct cli *cli, char *args)
{
	int id;
	char err[512];
	bool per_g = take_word(&args, "-per-g-hitcount");
	if (per_g || take_word(&args, "-hitcount")) {
		const char *usage = per_g ? "usage: condition -per-g-hitcount ID [OP] N"
					  : "usage: condition -hitcount ID [OP] N";
		if (parse_break_ref(cli, &args, &id) < 0 || !*cli_trim(args))
			return cli_error("%s (OP: == != > >= < <= %%)", usage);
		if (grr_ctl_hit_condition(cli->ctl, id, cli_trim(args), per_g, err, sizeof(err)) < 0)
			return cli_error("%s", err);
		return 0;
	}
	if (take_word(&args, "-clear")) {
		if (parse_break_ref(cli, &args, &id) < 0 || *cli_trim(args))
			return cli_error("usage: condition -clear ID");
		grr_ctl_condition(cli->ctl, id, "", err, sizeof(err));
		return 0;
	}
	if (parse_break_ref(cli, &args, &id) < 0)
		return cli_error("usage: condition ID CONDITION");
	if (grr_ctl_condition(cli->ctl, id, cli_trim(args), err, sizeof(err)) < 0)
		return cli_error("%s", err);
	return 0;
}

static int cmd_clear(struct cli *cli, char *args)
{
	int id;
	char *a = cli_trim(args);
	if (parse_break_ref(cli, &args, &id) < 0) {
		if (*a && !isdigit((unsigned char)*a))
			return cli_error("no breakpoint named '%s'", a);
		return cli_error("usage: clear ID | clear NAME");
	}
	if (*cli_trim(args))
		return cli_error("usage: clear ID | clear NAME");
	char title[64];
	break_title(cli, id, title, sizeof(title));
	if (grr_ctl_clear(cli->ctl, id) < 0) {
		fprintf(stderr, "error: no breakpoint %d\n", id);
		return -1;
	}
	fprintf(cli->out, "%s cleared\n", title);
	return 0;
}

static int cmd_clearall(struct cli *cli, char *args)
{
	if (*cli_trim(args))
		return cli_error("this command takes no arguments ('%s')", args);
	grr_ctl_clearall(cli->ctl);
	fprintf(cli->out, "All breakpoints cleared\n");
	return 0;
}

static int cmd_breakpoints(struct cli *cli, char *args)
{
	(void)args;
	const struct grr_ctl_break *bps;
	int n = grr_ctl_breakpoints(cli->ctl, &bps);
	if (n == 0)
		fprintf(cli->out, "No breakpoints.\n");
	for (int i = 0; i < n; i++) {
		const struct grr_ctl_break *b = &bps[i];
		if (b->is_watch) {
			fprintf(cli->out, "Watchpoint %d%s %s (0x%" PRIx64 ", %d bytes, %s) hits %" PRIu64
				"\n", b->id, b->disabled ? " (disabled)" : "", b->spec, b->addr, b->len,
				b->kind == GRR_WATCH_WRITE ? "write" : "read/write", b->hits);
			if (b->hitcond[0])
				fprintf(cli->out, "\tcond -hitcount %s\n", b->hitcond);
			continue;
		}
		char title[64];
		if (b->temporary)
			snprintf(title, sizeof(title), "Temporary breakpoint %d", b->id);
		else
			break_title(cli, b->id, title, sizeof(title));
		fprintf(cli->out, "%s%s %s hits %" PRIu64 "%s%s\n", title,
			b->disabled ? " (disabled)" : "", b->spec, b->hits, b->cond[0] ? " if " : "",
			b->cond);
		for (int k = 0; k < b->nlocs; k++) {
			char where[512];
			cli_print_location(cli, b->locs[k].pc, where, sizeof(where));
			fprintf(cli->out, "    0x%" PRIx64 " %s\n", b->locs[k].pc, where);
		}
		if (b->hitcond[0])
			fprintf(cli->out, "\tcond %s %s\n",
				b->hit_per_g ? "-per-g-hitcount" : "-hitcount", b->hitcond);
		if (b->show[0])
			fprintf(cli->out, "\tprint %s\n", b->show);
	}
	return 0;
}

/* Where the watched EXPR lives: *ADDR, or a Go expression in the selected
 * frame (a variable, a field, an element); its size when SIZE is 0. */
static int watch_target(struct cli *cli, const char *expr, uint64_t *addr, int *size)
{
	if (expr[0] == '*') {
		if (parse_u64(expr + 1, addr) < 0)
			return cli_error("bad address '%s'", expr + 1);
		if (!*size)
			*size = 8;
		return 0;
	}
	struct gv_ctx ctx;
	uint64_t n;
	char err[512];
	if (cli_value_ctx(cli, &ctx) < 0)
		return -1;
	if (gv_lvalue(&ctx, expr, addr, &n, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	if (*size)
		return 0;
	if (n != 1 && n != 2 && n != 4 && n != 8)
		return cli_error("%s is %" PRIu64 " bytes; a watchpoint covers 1, 2, 4 or 8: watch one "
				 "of its fields, or *ADDR SIZE", expr, n);
	*size = (int)n;
	return 0;
}

/* watch [-r|-w|-rw] EXPR [SIZE]   or   watch *ADDR [SIZE] */
static int cmd_watch(struct cli *cli, char *args)
{
	args = cli_trim(args);
	enum grr_watch_kind kind = GRR_WATCH_WRITE;
	if (strncmp(args, "-rw ", 4) == 0 || strncmp(args, "-r ", 3) == 0) {
		kind = GRR_WATCH_RW;
		args = cli_trim(strchr(args, ' '));
	} else if (strncmp(args, "-w ", 3) == 0) {
		args = cli_trim(args + 3);
	}
	if (!*args)
		return cli_error("usage: watch [-r|-w|-rw] EXPR [SIZE]  or  watch *ADDR [SIZE]");
	/* a trailing number is a size */
	int size = 0;
	char *last = strrchr(args, ' ');
	if (last && last[1] && strspn(last + 1, "0123456789") == strlen(last + 1)) {
		size = atoi(last + 1);
		*last = 0;
		args = cli_trim(args);
	}
	uint64_t addr;
	if (watch_target(cli, args, &addr, &size) < 0)
		return -1;
	char err[512];
	int id = grr_ctl_watch(cli->ctl, args, addr, size, kind, err, sizeof(err));
	if (id < 0)
		return cli_error("%s", err);
	fprintf(cli->out, "Watchpoint %d set on %s (0x%" PRIx64 ", %d bytes)\n", id, args, addr, size);
	return 0;
}

static int cmd_when(struct cli *cli, char *args)
{
	(void)args;
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	if (pos.no_process) {
		fprintf(cli->out, "event %" PRIu64 " (end of the trace, exit status %d)\n", pos.seq,
			pos.exit_status);
		return 0;
	}
	char where[512];
	cli_print_location(cli, pos.pc, where, sizeof(where));
	fprintf(cli->out, "event %" PRIu64 " thread %u", pos.seq, pos.tid);
	if (pos.goid >= 0)
		fprintf(cli->out, " goroutine %" PRId64, pos.goid);
	fprintf(cli->out, " pc 0x%" PRIx64 " %s", pos.pc, where);
	if (pos.at_end && pos.cut_short)
		fprintf(cli->out, " (end of the recording, cut short)");
	else if (pos.at_end)
		fprintf(cli->out, " (end of the recording, exit status %d)", pos.exit_status);
	fputc('\n', cli->out);
	return 0;
}

static int cmd_goto(struct cli *cli, char *args)
{
	uint64_t seq;
	if (parse_u64(cli_trim(args), &seq) < 0)
		return cli_error("usage: goto EVENT");
	struct grr_ctl_stop stop;
	char err[512];
	if (grr_ctl_goto(cli->ctl, seq, &stop, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	cli_stopped(cli, &stop);
	return 0;
}

static int cmd_checkpoint(struct cli *cli, char *args)
{
	char err[512];
	int id = grr_ctl_checkpoint(cli->ctl, cli_trim(args), err, sizeof(err));
	if (id < 0)
		return cli_error("%s", err);
	struct grr_ctl_pos pos;
	grr_ctl_where(cli->ctl, &pos);
	fprintf(cli->out, "Checkpoint %d at event %" PRIu64 "\n", id, pos.seq);
	return 0;
}

static int cmd_checkpoints(struct cli *cli, char *args)
{
	(void)args;
	struct grr_ctl_checkpoint_info cps[256];
	int n = grr_ctl_checkpoints(cli->ctl, cps, 256);
	if (n == 0)
		fprintf(cli->out, "No checkpoints.\n");
	for (int i = 0; i < n; i++) {
		char where[512] = "";
		if (cps[i].pos.pc)
			cli_print_location(cli, cps[i].pos.pc, where, sizeof(where));
		fprintf(cli->out, "Checkpoint %d event %" PRIu64 " %s%s%s\n", cps[i].id,
			cps[i].pos.seq, where, cps[i].note[0] ? " - " : "", cps[i].note);
	}
	return 0;
}

static int cmd_restart(struct cli *cli, char *args)
{
	args = cli_trim(args);
	int id = 0;
	if (*args && parse_id(&args, &id) < 0)
		return cli_error("usage: restart [CHECKPOINT]");
	struct grr_ctl_stop stop;
	char err[512];
	if (grr_ctl_restart(cli->ctl, id, &stop, err, sizeof(err)) < 0)
		return cli_error("%s", err);
	cli_stopped(cli, &stop);
	return 0;
}

static int cmd_quit(struct cli *cli, char *args)
{
	(void)args;
	cli->quit = true;
	return 0;
}

static int cmd_help(struct cli *cli, char *args);

static const struct cli_command run_commands[] = {
	{ "break", "b", cmd_break, "break LOCATION [if COND]",
	  "Sets a breakpoint at a location.\n"
	  "LOCATION: main.apply, main.(*Ledger).post, pkg/path.Func, file.go:LINE (matched\n"
	  "by path suffix), *0xADDR. With 'if COND', stops only when COND is true." },
	{ "tbreak", "", cmd_tbreak, "tbreak LOCATION [if COND]",
	  "Sets a breakpoint that is deleted when it first stops." },
	{ "condition", "cond", cmd_condition,
	  "condition ID COND | -hitcount ID [OP] N | -per-g-hitcount ID [OP] N | -clear ID",
	  "Sets (or with no COND removes) a breakpoint's condition.\n"
	  "COND: a Go expression of the stopped frame. -hitcount: the breakpoint stops\n"
	  "only when its count of hits (those whose COND held, counted from the start of\n"
	  "the recording, this one included) compares so with N; OP is one of == != >\n"
	  ">= < <= % (N alone means ==; % N: every Nth hit). -per-g-hitcount counts the\n"
	  "stopped goroutine's hits only. The counts are the same forward and backward:\n"
	  "reverse-continue stops at the last earlier hit that satisfies it. An empty\n"
	  "OP N removes it; -clear removes COND." },
	{ "clear", "delete d", cmd_clear, "clear ID | clear NAME",
	  "Deletes a breakpoint or watchpoint.\n"
	  "NAME: the failure breakpoints, unrecovered-panic and runtime-fatal-throw." },
	{ "clearall", "", cmd_clearall, "clearall",
	  "Deletes every breakpoint and watchpoint (not the failure breakpoints)." },
	{ "breakpoints", "bp", cmd_breakpoints, "breakpoints",
	  "Lists breakpoints and watchpoints with their hit counts (hits up to now).\n"
	  "Two are there from the start, as in Delve: unrecovered-panic (runtime.fatalpanic,\n"
	  "an unrecovered panic; its stop prints the panic value) and runtime-fatal-throw\n"
	  "(runtime.throw, runtime.fatal: a fatal runtime error)." },
	{ "watch", "", cmd_watch, "watch [-r|-w|-rw] EXPR [SIZE] | watch *ADDR [SIZE]",
	  "Stops when a variable changes (-w) or is accessed (-r, -rw).\n"
	  "A hardware debug register, four at most. Works backward too: reverse-continue\n"
	  "stops at the last write before now. EXPR is a Go expression in memory,\n"
	  "evaluated in the selected frame: main.counter, acct.Balance, p.Owner.Age,\n"
	  "s[3]; its size is the type's (1, 2, 4 or 8 bytes) unless SIZE is given." },
	{ "continue", "c", cmd_continue, "continue",
	  "Runs forward to the next breakpoint or watchpoint, or the end.\n"
	  "The end of the recording is a stop like the others: the program stands there\n"
	  "as it was just before its exit (or its death by a signal, or the cut), to look\n"
	  "at and to go back from; going further stays there." },
	{ "next", "n", cmd_next, "next",
	  "Steps over to the next source line of the current goroutine." },
	{ "step", "s", cmd_step, "step", "Steps to the next source line, into calls." },
	{ "stepout", "finish", cmd_stepout, "stepout",
	  "Runs until the current function returns, on the current goroutine." },
	{ "stepi", "si step-instruction", cmd_stepi, "stepi", "Executes one machine instruction." },
	{ "nexti", "ni", cmd_nexti, "nexti",
	  "Executes one machine instruction, a call as a whole." },
	{ "reverse-continue", "rc", cmd_rc, "rc",
	  "Runs backward to the last breakpoint or watchpoint hit before now, or the start." },
	{ "reverse-next", "rn", cmd_rn, "rn",
	  "Steps backward to the previous source line of the current goroutine and function." },
	{ "reverse-step", "rs", cmd_rs, "rs",
	  "Steps backward to the previous source line, into functions called from here." },
	{ "reverse-stepout", "rstepout reverse-finish", cmd_rstepout, "rstepout",
	  "Runs backward to the call of the current function." },
	{ "reverse-stepi", "rsi", cmd_rsi, "rsi",
	  "Steps backward one machine instruction of the current thread." },
	{ "when", "", cmd_when, "when",
	  "Prints the position: event number, thread, goroutine, pc." },
	{ "goto", "", cmd_goto, "goto EVENT", "Seeks to the moment EVENT events are complete." },
	{ "checkpoint", "check", cmd_checkpoint, "checkpoint [NOTE]",
	  "Saves the current moment to come back to with 'restart ID'." },
	{ "checkpoints", "", cmd_checkpoints, "checkpoints", "Lists checkpoints." },
	{ "restart", "r", cmd_restart, "restart [ID]",
	  "Goes back to the start of the trace, or to checkpoint ID." },
	{ "help", "h", cmd_help, "help [COMMAND]", "Lists commands, or describes one." },
	{ "quit", "exit q", cmd_quit, "quit", "Ends the session." },
};

const struct cli_table cli_run_table = {
	"Running and time travel", run_commands, sizeof(run_commands) / sizeof(run_commands[0])
};

static const struct cli_table *const tables[] = { &cli_run_table, &cli_stack_table,
						  &cli_inspect_table, &cli_memory_table,
						  &cli_call_table, &cli_core_table,
						  &cli_discover_table, &cli_delve_table,
						  &cli_transcript_table };
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static bool has_alias(const char *aliases, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = aliases; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

void cli_command_words(void (*fn)(void *arg, const char *word, size_t len), void *arg)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct cli_command *c = &tables[t]->commands[i];
			fn(arg, c->name, strlen(c->name));
			for (const char *p = c->aliases; *p;) {
				size_t len = strcspn(p, " ");
				if (len)
					fn(arg, p, len);
				p += len;
				p += *p == ' ';
			}
		}
}

static const struct cli_command *lookup(const char *word)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct cli_command *c = &tables[t]->commands[i];
			if (strcmp(c->name, word) == 0 || has_alias(c->aliases, word))
				return c;
		}
	return NULL;
}

static int cmd_help(struct cli *cli, char *args)
{
	args = cli_trim(args);
	if (*args) {
		const struct cli_command *c = lookup(args);
		if (!c)
			return cli_error("no command '%s' (see 'help')", args);
		fprintf(cli->out, "%s\n%s\n", c->usage, c->help);
		if (c->aliases[0])
			fprintf(cli->out, "Aliases: %s\n", c->aliases);
		return 0;
	}
	fprintf(cli->out, "Commands (aliases in brackets; 'help COMMAND' for details):\n");
	for (size_t t = 0; t < NTABLES; t++) {
		if (tables[t]->n)
			fprintf(cli->out, "\n%s:\n", tables[t]->title);
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct cli_command *c = &tables[t]->commands[i];
			char name[64];
			snprintf(name, sizeof(name), "%s%s%s%s", c->name, c->aliases[0] ? " (" : "",
				 c->aliases, c->aliases[0] ? ")" : "");
			const char *nl = strchr(c->help, '\n');
			int len = nl ? (int)(nl - c->help) : (int)strlen(c->help);
			fprintf(cli->out, "  %-28s %.*s\n", name, len, c->help);
		}
	}
	return 0;
}

int cli_execute(struct cli *cli, const char *line)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", line);
	char *s = cli_trim(buf);
	if (!*s || *s == '#')
		return 0;
	char *args = s;
	while (*args && !isspace((unsigned char)*args))
		args++;
	if (strncmp(s, "x/", 2) == 0 && strlen(buf) + 1 < sizeof(buf)) {
		/* gdb's x/FMT ADDR: the format is x's first argument */
		memmove(s + 2, s + 1, strlen(s + 1) + 1);
		s[1] = 0;
		args = s + 2;
	} else if (*args) {
		*args++ = 0;
	}
	if (cli->exec_depth == 0)
		cli_transcript_echo(cli, line);
	const char *target = cli_alias_target(cli, s);
	const struct cli_command *c = lookup(target ? target : s);
	if (!c)
		return cli_error("unknown command '%s' (see 'help')", s);
	cli->exec_depth++;
	int rc = c->run(cli, args);
	cli->exec_depth--;
	return rc;
}
