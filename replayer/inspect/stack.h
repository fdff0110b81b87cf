/* stack.h - goroutines and their stacks at the current moment of a replay,
 * read from the replayed process's memory with the layout of the runtime's
 * structures found in the recorded binary's DWARF (not version tables),
 * and unwound with the binary's own frame tables (docs/go-runtime.md). */
#ifndef GRR_REPLAYER_INSPECT_STACK_H
#define GRR_REPLAYER_INSPECT_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replayer/control/control.h"

/* One frame, innermost first.  Inlined calls are frames of their own that
 * share pc, sp and cfa with the physical frame they are inlined in. */
struct grr_frame {
	uint64_t pc;          /* frame 0: the pc; callers: the return address */
	uint64_t sp;          /* the stack pointer in this frame */
	uint64_t cfa;         /* canonical frame address: sp before the call that
				 made this frame (arguments and locals are found
				 from it: DW_OP_call_frame_cfa) */
	uint64_t bp;
	const char *func;     /* NULL if unknown */
	const char *file;
	int line;
	bool inlined;         /* an inlined call, not a physical frame */
	bool innermost;       /* the registers of the thread are this frame's */
};

struct grr_goroutine {
	int64_t goid;
	uint64_t g;           /* address of its runtime.g */
	const char *status;   /* "running", "runnable", "waiting", "syscall",
				 "dead", "idle", "copystack", "preempted" */
	char wait_reason[64]; /* for waiting goroutines, the runtime's words */
	uint32_t tid;         /* recorded tid of the thread running it, or 0 */
	uint64_t pc, sp, bp;  /* where it stands (the thread's registers when
				 running, else its saved context g.sched) */
	uint64_t gopc;        /* pc of the go statement that created it */
	uint64_t startpc;     /* its function */
};

/* Every goroutine that exists now (dead ones excluded), by goid; a
 * malloc'd array in *OUT (caller frees), its length returned, or -1 with
 * one line in ERR. */
int grr_goroutines(struct grr_ctl *c, struct grr_goroutine **out, char *err, size_t errlen);

/* The stack of goroutine GOID (-1: the goroutine of the current thread,
 * or the thread's own stack when it runs none), at most MAX frames.  A
 * goroutine running on a thread in the runtime's system stack (g0 or
 * gsignal) is unwound across the switch back to its own stack.  Returns
 * the number of frames, or -1 with one line in ERR. */
int grr_stack(struct grr_ctl *c, int64_t goid, struct grr_frame *out, int max,
	      char *err, size_t errlen);

/* The stack of G, a goroutine as grr_goroutines listed it at this moment
 * (no search through all goroutines: for listing many stacks). */
int grr_goroutine_stack(struct grr_ctl *c, const struct grr_goroutine *g, struct grr_frame *out,
			int max, char *err, size_t errlen);

/* The stack of goroutine GOID (-1: the current thread's): [*LO, *HI).
 * 0, or -1 when there is no such goroutine. */
int grr_goroutine_stack_bounds(struct grr_ctl *c, int64_t goid, uint64_t *lo, uint64_t *hi);

/* The runtime.g of goroutine GOID (-1: the current thread's goroutine);
 * false if there is none. */
bool grr_goroutine_g(struct grr_ctl *c, int64_t goid, uint64_t *g);

/* A call deferred by a goroutine and not run yet: a record of the
 * runtime's _defer chain (g._defer; open-coded defers of optimized code
 * are not in it). */
struct grr_defer {
	uint64_t sp;          /* the stack pointer of the frame that deferred it */
	uint64_t fn;          /* the deferred function's entry (0: unknown) */
	uint64_t pc;          /* where the deferring function resumes */
	uint64_t called;      /* the function FN calls, when FN is the
				 compiler's wrapper of a deferred call
				 (main.f.deferwrap1 since Go 1.17); else FN */
};

/* The deferred calls of goroutine GOID (-1: the current thread's),
 * innermost first, at most MAX; how many, or -1 with one line in ERR. */
int grr_goroutine_defers(struct grr_ctl *c, int64_t goid, struct grr_defer *out, int max,
			 char *err, size_t errlen);

/* Whether FUNC is the user's code by Delve's rule (the "User:" location of
 * a goroutine): not the runtime's internals (runtime.* other than
 * exported names, internal/..., runtime/internal/...). */
bool grr_frame_is_user(const char *func);

#endif
