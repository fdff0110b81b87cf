/* rp_exe.h - which executable a replay runs.
 *
 * Normally the recorded one, at its recorded path, with its build id
 * checked.  When that file is missing or was rebuilt and the trace is
 * packed (`grr pack` embedded the executable), the embedded copy is
 * extracted to a private directory (mode 0700, in $XDG_RUNTIME_DIR or
 * /tmp) and run instead.  The process must still start exactly as
 * recorded: the kernel copies the path given to execve onto the initial
 * stack (AT_EXECFN), so the copy is run through a path of the same length
 * as the recorded one (padded with slashes, or relative to the private
 * directory), and the replayer writes the recorded path over that string
 * once the process exists.  Extracted copies are kept for the life of the
 * grr process (the debugger restarts replays often) and removed when it
 * exits, or is killed by SIGINT, SIGTERM or SIGHUP. */
#ifndef GRR_REPLAYER_RP_EXE_H
#define GRR_REPLAYER_RP_EXE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "format/trace.h"

struct rp_exe {
	char path[PATH_MAX];   /* the executable file: recorded, or extracted */
	char run[PATH_MAX];    /* what to pass to execve: strlen(run) is
				  strlen(recorded program) */
	char cwd[PATH_MAX];    /* directory to exec from when RUN is relative;
				  "" otherwise */
	bool extracted;        /* PATH is the copy embedded in the trace */
	int goamd64;           /* GOAMD64 level of the executable (1..4) */
};

/* Chooses the executable for the trace R (header H): checks the recorded
 * one, falls back to the embedded copy of a packed trace, and, for a
 * packed trace, checks that the other files it embeds (the loader of a
 * cgo program) are the same here.  Returns 0, or -1 with a one-line
 * reason in ERR. */
int rp_exe_choose(struct grr_reader *r, const struct grr_header *h, struct rp_exe *x,
		  char *err, size_t errlen);

/* The executable file to read H's program's symbols from: the copy
 * extracted for it in this process if there is one, else H->program. */
const char *rp_exe_path(const struct grr_header *h);

/* Builds into RUN a path of exactly strlen(PROGRAM) bytes (PROGRAM is
 * absolute) that names the file DIR/NAME, where NAME is PROGRAM's base
 * name (so that the process gets the same name), or, for a program at
 * the root, that name with a '_' before it.  When DIR is too long for
 * that, RUN is relative and *RELATIVE set: the process must be started in
 * DIR.  Returns 0, or -1 if no such path exists. */
int rp_exe_same_length_path(const char *dir, const char *program, char *run, size_t runlen,
			    char *name, size_t namelen, bool *relative);

#endif
