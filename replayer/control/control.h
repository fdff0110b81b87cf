/* control.h - replay control: the time-travel debugger's engine room.
 *
 * One API for every debugger front end (the command line now; the gdb
 * remote protocol and DAP later).  It drives the replay engine (replay.h)
 * forward and backward over one trace: breakpoints with hit counts,
 * watchpoints, stepping by instruction and by source line on one
 * goroutine, reverse execution, seeking to an event, and saved moments.
 *
 * A moment is where a stop happened: the number of events completed, and
 * when the stop is inside a thread's run toward the next event, that
 * thread and its registers, top of stack and memory digest.  Replay is
 * deterministic, so a moment can be reached again by re-running from the
 * start (or a checkpoint) and waiting for that thread to be in that state:
 * this is how reverse execution works (docs/replay-model.md).
 *
 * The end of the recording is a moment like the others: the program's
 * last one, with its process still standing whole (the entry of the
 * exit_group that ends it, a fatal signal at its delivery, or the cut of a
 * recording stopped early; grr_replay_at_final).  Every forward command
 * stops there (GRR_CTL_EXITED or GRR_CTL_CUT, pos.at_end) and, run again
 * there, stops there again without moving; everything that looks at the
 * program works there, and every reverse command starts from there.  A
 * gdb remote protocol server reports it as its stop (T09 or W, as it
 * likes) and still runs backward from it. */
#ifndef GRR_REPLAYER_CONTROL_H
#define GRR_REPLAYER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "replayer/replay.h"
#include "replayer/symbols/symbols.h"

struct grr_ctl;

struct grr_ctl_opts {
	bool quiet;            /* do not echo the program's output */
	FILE *out, *err;       /* where the program's output goes */
	bool own_hit_counts;   /* the front end counts breakpoint hits itself
				  (a gdb protocol client): breakpoints set
				  after an automatic checkpoint do not keep
				  reverse commands from starting there */
};

/* Opens TRACE and stops at the program's first instruction. */
struct grr_ctl *grr_ctl_open(const char *trace, const struct grr_ctl_opts *o,
			     char *err, size_t errlen);
void grr_ctl_close(struct grr_ctl *c);

struct grr_replay *grr_ctl_replay(struct grr_ctl *c);
/* Makes grr_ctl_replay (what inspection reads) RP, a copy of the replay in
 * which a call stopped at a breakpoint, until called again with NULL.  The
 * replay itself, and every command that moves it, are not affected. */
void grr_ctl_view(struct grr_ctl *c, struct grr_replay *rp);
const struct grr_symbols *grr_ctl_symbols(const struct grr_ctl *c);
/* The targets of the direct calls in the code [LO, HI), in address order,
 * at most MAX into OUT: how many (0 if the code cannot be read). */
int grr_ctl_direct_calls(struct grr_ctl *c, uint64_t lo, uint64_t hi, uint64_t *out, int max);

/* ---- Breakpoints and watchpoints ---- */

#define GRR_CTL_MAX_LOCS 64

/* Delve's failure breakpoints, set when a session opens (clear removes
 * them, clearall keeps them): the program's unrecovered panic
 * (runtime.fatalpanic) and fatal runtime error (runtime.throw,
 * runtime.fatal, runtime.fatalsignal). */
#define GRR_CTL_UNRECOVERED_PANIC (-1)
#define GRR_CTL_FATAL_THROW (-2)

struct grr_ctl_break {
	int id;                /* > 0 the user's; < 0 a failure breakpoint */
	char name[32];         /* a failure breakpoint's name ("unrecovered-panic",
				  "runtime-fatal-throw"); empty for the user's */
	char show[64];         /* an expression to print at its stops (Delve's
				  breakpoint variables): the panic value */
	bool temporary;        /* deleted at its first stop (tbreak) */
	bool is_watch;
	char spec[256];        /* as the user wrote it */
	int nlocs;
	struct grr_location locs[GRR_CTL_MAX_LOCS];
	char cond[256];        /* empty: unconditional */
	uint64_t hits;         /* hits so far in this timeline (those whose
				  condition held, stop or not) */
	bool disabled;         /* toggled off: no stops, no hits counted */
	/* Delve's hit condition (condition -hitcount ID OP N): a hit stops
	 * only when the count of hits, this one included, compares so with
	 * HIT_VAL; HIT_PER_G counts the stopped goroutine's hits only.
	 * HITCOND is "OP N" as shown, empty: none. */
	char hitcond[32];
	enum grr_hit_op { GRR_HIT_EQ, GRR_HIT_NE, GRR_HIT_GT, GRR_HIT_GE, GRR_HIT_LT,
			  GRR_HIT_LE, GRR_HIT_MOD } hit_op;
	uint64_t hit_val;
	bool hit_per_g;
	/* watchpoints */
	uint64_t addr;
	int len;
	enum grr_watch_kind kind;
	int slot;
	uint64_t last_value;
};

/* Sets a breakpoint at a location spec (symbols.h).  Its id, or -1 with
 * one line in ERR. */
int grr_ctl_break(struct grr_ctl *c, const char *spec, bool temporary, const char *cond,
		  char *err, size_t errlen);
/* A hardware watchpoint on LEN bytes at ADDR; SPEC is what the user wrote.
 * Its id, or -1 (no free debug register, bad size or alignment). */
int grr_ctl_watch(struct grr_ctl *c, const char *spec, uint64_t addr, int len,
		  enum grr_watch_kind kind, char *err, size_t errlen);
int grr_ctl_condition(struct grr_ctl *c, int id, const char *cond, char *err, size_t errlen);
int grr_ctl_clear(struct grr_ctl *c, int id);
/* Sets breakpoint ID's hit condition from TEXT ("N" or "OP N", OP one of
 * == != > >= < <= %; "" clears it); PER_G: per goroutine.  0, or -1 with
 * one line in ERR. */
int grr_ctl_hit_condition(struct grr_ctl *c, int id, const char *text, bool per_g, char *err,
			  size_t errlen);
/* Turns breakpoint ID off or on again (Delve's toggle); 0, -1 if none. */
int grr_ctl_set_disabled(struct grr_ctl *c, int id, bool disabled);
/* Deletes the user's breakpoints and watchpoints (not the failure ones). */
void grr_ctl_clearall(struct grr_ctl *c);
/* The id of the breakpoint named NAME, or 0. */
int grr_ctl_break_named(const struct grr_ctl *c, const char *name);
int grr_ctl_breakpoints(const struct grr_ctl *c, const struct grr_ctl_break **out);

/* Decides a breakpoint condition at a stop: 1 stop, 0 go on, -1 error (the
 * stop happens and the error is reported).  Set by the front end, which
 * owns the expression language; without one, conditions are refused. */
typedef int (*grr_ctl_cond_fn)(void *ctx, struct grr_ctl *c, const char *cond,
			       char *err, size_t errlen);
void grr_ctl_set_cond_eval(struct grr_ctl *c, grr_ctl_cond_fn fn, void *ctx);

/* ---- Where the replay stands ---- */

struct grr_ctl_pos {
	uint64_t seq;          /* events completed */
	uint32_t tid;          /* the thread the user looks at (0: none) */
	uint64_t pc;
	int64_t goid;          /* its goroutine (-1: none or unknown) */
	bool at_end;           /* the end of the recording: the program's last
				  moment, its process still there to look at */
	int exit_status;       /* at the end: how the program ended, as a shell
				  sees it (128+N: killed by signal N) */
	bool cut_short;        /* the recording ends here without the program's
				  end (Ctrl-C, --timeout, a killed recorder) */
	bool no_process;       /* nothing to look at: the replay failed, or went
				  past the end (never in a session) */
};
void grr_ctl_where(struct grr_ctl *c, struct grr_ctl_pos *pos);

/* ---- Running ---- */

enum grr_ctl_reason {
	GRR_CTL_BREAKPOINT,    /* a breakpoint (bp_id, hits) */
	GRR_CTL_WATCHPOINT,    /* a watched location changed / was read */
	GRR_CTL_STEPPED,       /* a step command completed */
	GRR_CTL_AT_START,      /* reverse execution reached the trace start */
	GRR_CTL_EXITED,        /* the end of the recording: the program's exit
				  or death (pos.at_end, pos.exit_status) */
	GRR_CTL_ARRIVED,       /* goto / restart reached its moment */
	GRR_CTL_INTERRUPTED,   /* grr_ctl_interrupt stopped a forward run */
	GRR_CTL_CUT,           /* the end of a recording cut short here */
};

struct grr_ctl_stop {
	enum grr_ctl_reason reason;
	int bp_id;             /* breakpoint or watchpoint id, or 0 */
	uint64_t hits;
	uint64_t old_value, new_value;  /* watchpoint */
	char cond_error[256];  /* a condition that could not be evaluated */
	struct grr_ctl_pos pos;
};

/* Each returns 0 with STOP filled, or -1 with one line in ERR (the session
 * goes on where it was, unless grr_ctl_broken() says the replay failed).
 * At the end of the recording the forward ones stop there again. */
int grr_ctl_continue(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_stepi(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
/* stepi, but a call instruction runs until the call returns. */
int grr_ctl_nexti(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_next(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_step(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_stepout(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);

int grr_ctl_reverse_continue(struct grr_ctl *c, struct grr_ctl_stop *stop,
			     char *err, size_t errlen);
int grr_ctl_reverse_stepi(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_reverse_next(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_reverse_step(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen);
int grr_ctl_reverse_stepout(struct grr_ctl *c, struct grr_ctl_stop *stop,
			    char *err, size_t errlen);

/* Seeks to the moment SEQ events are complete (forward or backward). */
int grr_ctl_goto(struct grr_ctl *c, uint64_t seq, struct grr_ctl_stop *stop,
		 char *err, size_t errlen);

/* ---- Checkpoints: saved moments to return to ---- */
struct grr_ctl_checkpoint_info {
	int id;
	char note[128];
	struct grr_ctl_pos pos;
};
int grr_ctl_checkpoint(struct grr_ctl *c, const char *note, char *err, size_t errlen);
int grr_ctl_checkpoints(const struct grr_ctl *c, struct grr_ctl_checkpoint_info *out, int max);
/* Forgets checkpoint ID: 0, or -1 if there is none. */
int grr_ctl_checkpoint_delete(struct grr_ctl *c, int id);
/* To the start (ID 0) or checkpoint ID. */
int grr_ctl_restart(struct grr_ctl *c, int id, struct grr_ctl_stop *stop,
		    char *err, size_t errlen);

/* ---- Function calls (ctl_call.c) ---- */

/* Calls REQ->fn (arguments laid out by the caller for Go's register ABI)
 * on the current goroutine, in a disposable copy of the replay: nothing of
 * the call reaches the replay.  *COPY gets the copy after the call, to read
 * what the results point to; the caller closes it (grr_replay_close).
 * -1 with one line in ERR when no call can be made here (not stopped in a
 * goroutine, no debugCallV2 in the program's runtime). */
int grr_ctl_call(struct grr_ctl *c, struct grr_call_request *req, struct grr_call_result *res,
		 struct grr_replay **copy, char *err, size_t errlen);
/* A call stops at the session's breakpoints (RES->how GRR_CALL_STOPPED,
 * the copy kept); this goes on with it, to its end or the next one. */
int grr_ctl_call_resume(struct grr_ctl *c, struct grr_replay *copy,
			const struct grr_call_request *req, struct grr_call_result *res, char *err,
			size_t errlen);

/* Asks a forward run (continue, next, step, stepout) in progress to stop
 * at the next event boundary.  Async-signal-safe: for a SIGINT handler. */
void grr_ctl_interrupt(struct grr_ctl *c);

/* The replay failed (divergence or error): the session can only restart. */
bool grr_ctl_broken(const struct grr_ctl *c);

/* Makes next/step/stepout follow goroutine GOID instead of the current
 * thread's until the next stop: it runs on thread TID (0: parked, standing
 * at PC/SP/BP, its saved context).  0, or -1 when no function is at PC. */
int grr_ctl_select_goroutine(struct grr_ctl *c, int64_t goid, uint32_t tid, uint64_t pc,
			     uint64_t sp, uint64_t bp);

/* The goroutine a thread runs now (-1 if none / unknown). */
int64_t grr_ctl_goroutine_of(struct grr_ctl *c, uint32_t tid);
/* The g in thread TID's TLS slot (a goroutine's, or the thread's g0 or
 * gsignal); false if the thread has none. */
bool grr_ctl_thread_g(struct grr_ctl *c, uint32_t tid, uint64_t *g);
/* The thread the user looks at: the one of the last stop. */
uint32_t grr_ctl_current_tid(const struct grr_ctl *c);

#endif
