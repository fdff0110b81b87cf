/* core.h - `dump FILE`: an ELF core file of the replayed program at the
 * current moment, forward or after reverse execution, for gdb, Delve
 * (`dlv core EXE FILE`) and Go's heap tools (docs/debugger.md, "Core
 * files").
 *
 * The file is what Linux would have written had the program dumped core
 * at that moment (core_capture.h says what is in it), with the recorded
 * thread ids and none of grr's own pages or breakpoints.  It is written
 * beside FILE under another name and renamed when complete: a failure
 * (an unwritable directory, a full disk) leaves no partial file.  When
 * the program runs from the copy a packed trace embeds (its recorded
 * executable is gone or was rebuilt), that copy is written too, as
 * FILE.exe, and NT_FILE names it: `dlv core FILE.exe FILE` works on
 * another machine. */
#ifndef GRR_REPLAYER_CORE_H
#define GRR_REPLAYER_CORE_H

#include <limits.h>
#include <stdint.h>

#include "replayer/control/control.h"

struct grr_core_result {
	int nthreads;
	int nsegs;                  /* PT_LOADs */
	uint64_t file_size;         /* apparent size (a sparse file) */
	uint64_t written;           /* bytes of memory written (no holes) */
	uint64_t unreadable;        /* bytes that could not be read (zeros) */
	uint64_t seq;               /* the moment: events completed */
	char exe_copy[PATH_MAX];    /* FILE.exe, when written; else "" */
};

/* Writes the core file of C's current moment to PATH, thread FIRST's
 * NT_PRSTATUS first (0: the current thread's).  0, or -1 with one line in
 * ERR (no process at this moment, an unwritable path, a full disk). */
int grr_core_dump(struct grr_ctl *c, const char *path, uint32_t first,
		  struct grr_core_result *res, char *err, size_t errlen);

#endif
