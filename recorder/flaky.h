/* flaky.h - `grr flaky`: recording a program run after run until it fails.
 *
 * Each run is a child process, `grr record -o TRACE ... -- PROGRAM ARGS`
 * (this executable, through /proc/self/exe), whose stdout and stderr go to
 * a file beside the trace.  The trace's last event says how the run ended
 * (exit status, signal, or cut off by the recorder's --timeout), which
 * also tells a failing program from a failing recorder.  cmd_flaky.c is
 * the command (options, the loop, keeping and packing traces, progress,
 * summary); flaky_run.c runs and judges one run. */
#ifndef GRR_RECORDER_FLAKY_H
#define GRR_RECORDER_FLAKY_H

#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flaky_opts {
	char **argv;             /* PROGRAM ARGS..., NULL terminated */
	double timeout_s;        /* per run; 0: none */
	bool chaos;
	bool portable;
	const char **keep_env;   /* --keep-env NAMEs, passed to each recording */
	size_t nkeep_env;
	bool keep_all_env;
	bool have_regex;
	regex_t regex;           /* --match */
	const char *regex_src;
};

enum flaky_outcome {
	FLAKY_PASS,
	FLAKY_EXIT,              /* non-zero exit status */
	FLAKY_SIGNAL,            /* killed by a signal */
	FLAKY_TIMEOUT,           /* ran longer than the timeout: stopped */
	FLAKY_MATCH,             /* its output matched --match */
	FLAKY_INTERRUPTED,       /* grr flaky was interrupted during the run */
	FLAKY_ERROR,             /* the recorder failed: no usable trace */
};

struct flaky_result {
	enum flaky_outcome outcome;
	int status;              /* exit status, or signal number */
	uint64_t seed;           /* chaos seed, 0 without --chaos */
	double seconds;          /* wall time of the run */
	uint64_t events;
	char detail[512];        /* the matching line, or the recorder's error */
};

/* Records one run into TRACE, the program's output into OUT.  STOP is set
 * asynchronously when grr flaky is asked to stop (the run is then
 * interrupted).  TICK, if not NULL, is called about every 250 ms while the
 * run goes on.  Returns 0 with *RES filled (whatever the outcome), or -1
 * if the run could not even start (ERR filled). */
int flaky_run(const struct flaky_opts *o, const char *trace, const char *out, uint64_t seed,
	      volatile sig_atomic_t *stop, void (*tick)(void *ctx), void *ctx,
	      struct flaky_result *res, char *err, size_t errlen);

/* The last LINES lines of the file PATH (at most LEN-1 bytes of its end),
 * without the final newline.  Returns 0, or -1 if it cannot be read. */
int flaky_tail(const char *path, char *buf, size_t len, int lines);

/* "exit status 1", "killed by signal 11 (SIGSEGV)", "timed out after 30 s",
 * "output matched 'panic:'" ... */
void flaky_describe(const struct flaky_opts *o, const struct flaky_result *res, char *buf,
		    size_t len);

#endif
