/* replay.h - the replay engine: re-executes a recorded run event by event.
 *
 * This is the one API every front end uses (`grr replay --autopilot`, the
 * debugger command line, later the gdb remote protocol and DAP).  A replay
 * re-creates the recorded process from the trace header, then, for each
 * event in the log, runs that event's thread until it reaches the event's
 * point and applies the recorded effects (docs/replay-model.md).  Nothing
 * the replayed program does reaches the outside world. */
#ifndef GRR_REPLAYER_REPLAY_H
#define GRR_REPLAYER_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct grr_replay;

struct grr_replay_opts {
	bool quiet;          /* do not echo the program's stdout/stderr */
	FILE *out, *err;     /* where its output goes (default stdout/stderr) */
};

/* What went wrong when replay and recording disagree. */
struct grr_divergence {
	uint64_t seq;        /* event number */
	uint32_t tid;        /* recorded thread id */
	char expected[256];
	char actual[256];
	uint64_t pc;
	char where[256];     /* function+offset of pc */
	char backtrace[1024];
};

/* Where the replay stands: the next event to execute is SEQ. */
struct grr_replay_pos {
	uint64_t seq;        /* events completed so far */
	uint32_t tid;        /* recorded tid of the last event's thread */
	uint64_t pc;         /* that thread's pc */
	bool at_end;
};

/* Opens TRACE and starts the program, stopped at its first instruction.
 * Refuses (NULL, one line in ERR) a trace whose executable is missing or
 * differs, whose CPU features this machine lacks, or that is unreadable. */
struct grr_replay *grr_replay_open(const char *trace, const struct grr_replay_opts *o,
				   char *err, size_t errlen);
void grr_replay_close(struct grr_replay *rp);

/* Executes the next event.  1: done, 0: the recording ended, -1: error or
 * divergence (see grr_replay_divergence / grr_replay_error). */
int grr_replay_step(struct grr_replay *rp);
/* Executes events until SEQ events are complete (or the end). */
int grr_replay_run_to(struct grr_replay *rp, uint64_t seq);
void grr_replay_position(const struct grr_replay *rp, struct grr_replay_pos *pos);
/* The recorded program's exit status as a shell sees it (valid at end). */
int grr_replay_exit_status(const struct grr_replay *rp);
/* Whether the recording was cut short (Ctrl-C, timeout, killed recorder). */
bool grr_replay_was_cut_short(const struct grr_replay *rp);
const struct grr_divergence *grr_replay_divergence(const struct grr_replay *rp);
const char *grr_replay_error(const struct grr_replay *rp);
uint64_t grr_replay_event_count(const struct grr_replay *rp);

#endif
