/* recorder.h - records one run of a program into a trace.
 *
 * The recorder runs the program under ptrace with exactly one thread
 * executing user code at a time, and logs every event that replay needs to
 * repeat the run: syscalls and the memory they wrote, signals, thread
 * creation and exit, RDTSC values, and the points where it switched
 * threads.  docs/recorder.md describes the design. */
#ifndef GRR_RECORDER_H
#define GRR_RECORDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct grr_record_opts {
	const char *program;        /* path as given by the user */
	char **argv;                /* argv[0] is the program as given */
	char **envp;
	/* the environment was screened (env_screen.h): the names withheld
	 * from envp and those kept although they look secret, for the
	 * header (NULL terminated; NULL: none) */
	bool env_screened;
	char **env_withheld;
	char **env_kept_secret;
	const char *output;         /* trace path */
	bool chaos;
	uint64_t seed;              /* chaos seed; 0 = pick one */
	bool verbose;
	bool portable;              /* GODEBUG=cpu.all=off was added */
	double timeout_s;           /* > 0: stop recording after this long */
	/* Set asynchronously (signal handler) to ask for a clean stop. */
	volatile sig_atomic_t *stop_request;
};

struct grr_record_result {
	int exit_status;            /* the program's status as a shell sees it */
	bool timed_out;
	bool interrupted;           /* stopped by Ctrl-C/SIGTERM to grr */
	uint64_t events;
	uint64_t seed;
};

/* Records; returns 0 (the trace is complete, whatever the program's exit
 * status), or -1 with a one-line reason in ERR (the trace, if any was
 * started, is still readable up to its last complete chunk). */
int grr_record(const struct grr_record_opts *o, struct grr_record_result *res,
	       char *err, size_t errlen);

#endif
