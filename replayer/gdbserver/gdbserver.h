/* gdbserver.h - the gdb remote serial protocol server for grr traces
 * (`grr replay --dbgport=PORT TRACE`), in rr's dialect, so that gdb,
 * Delve (`dlv replay`), VS Code and GoLand debug a grr trace as they
 * debug an rr trace (docs/ide.md).  It is a front end on the replay
 * control API (replayer/control/control.h), like the command line. */
#ifndef GRR_REPLAYER_GDBSERVER_H
#define GRR_REPLAYER_GDBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gs_opts {
	const char *trace;     /* a trace file, or a directory holding one */
	int port;              /* TCP port on 127.0.0.1; 0 picks a free one */
	uint32_t onprocess;    /* rr's --onprocess: must be the recorded pid
				  (0: not given) */
	bool quiet;            /* do not echo the program's output */
};

/* Serves one debugger connection; the exit status of `grr replay`. */
int gs_main(const struct gs_opts *o);

/* The trace in PATH: PATH itself, or the one grr trace in directory PATH
 * (an rr-style trace directory).  0, or -1 with one line in ERR. */
int gs_trace_in(const char *path, char *out, size_t outlen, char *err, size_t errlen);

#endif
