/* core_capture.h - the replayed process at the current moment as a core
 * image (core_image.h): what `dump` writes, read through the engine's
 * API (replay.h) only.
 *
 * - Threads: every live thread under its recorded tid, FIRST first, each
 *   with its registers (fs_base: where its g is), FP registers, XSAVE
 *   area and blocked signals.  A thread standing in grr's syscall buffer
 *   page shows the program's place instead: Syscall6's `syscall` (after
 *   it when stopped in the call), the page touching no stack.
 * - Segments: the program's mappings without grr's pages, in address
 *   order, with their protections.  Copied in full: every readable
 *   mapping but the executable's read-only ones, which NT_FILE names (as
 *   EXE_NAME) for the tools to read from the file; the kernel's [vvar]
 *   and [vsyscall], which nothing can read, are left out (p_filesz 0), and
 *   so are inaccessible (PROT_NONE) reservations that never held a page
 *   (the Go runtime reserves hundreds of megabytes so).
 * - The recorded auxv, pid, program name and arguments. */
#ifndef GRR_REPLAYER_CORE_CAPTURE_H
#define GRR_REPLAYER_CORE_CAPTURE_H

#include "replayer/core/core_image.h"
#include "replayer/replay.h"

struct core_capture {
	struct core_image im;
	struct core_thread *threads;
	struct grr_thread_state *states;
	struct core_segment *segs;
	struct grr_mapping *maps;
	int nmaps;
	uint64_t *auxv;
	char fname[16];
	char psargs[80];
	char *exe_name;
	struct grr_replay *rp;
};

/* Captures RP (stopped at a moment, its process there).  SIGNO: the
 * signal the program stands at (0: none).  EXE_NAME: the executable's
 * path to name in NT_FILE (NULL: where it runs from).  0, or -1 with one
 * line in ERR. */
int core_capture(struct grr_replay *rp, uint32_t first, int signo, const char *exe_name,
		 struct core_capture *cap, char *err, size_t errlen);
void core_capture_free(struct core_capture *cap);

#endif
