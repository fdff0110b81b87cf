/* sigframe.h - making signal frames deterministic.
 *
 * When the kernel delivers a signal to a handler it writes an rt_sigframe
 * on the handler's stack.  Its sigcontext carries err, trapno and cr2: the
 * thread's last hardware exception, which depends on page faults and on
 * the debugger's own breakpoints, and the saved eflags may carry the
 * resume flag (RF) that ptrace stops leave behind: both differ between
 * recording and replay.  Go's handlers never read them; grr zeroes them in every frame,
 * recording and replay alike, and clears RF there, so memory stays identical.
 *
 * To catch the frame, a signal is delivered with PTRACE_SINGLESTEP: the
 * thread stops at the handler's first instruction with the frame at its
 * stack pointer. */
#ifndef GRR_TRACEE_SIGFRAME_H
#define GRR_TRACEE_SIGFRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tracee/mem.h"
#include "tracee/task.h"

/* What a delivery left to check: the interrupted rip and rsp. */
struct grr_sigfix {
	bool pending;
	uint64_t rip, rsp;
};

/* Resumes TID delivering SIG: when SIG has a handler, single-steps into it
 * and arms FIX (without one, no frame is written, and a single step would
 * run the thread's next instruction unseen).  Otherwise resumes as HOW
 * says (tracee/task.h).  Returns 0 or -1. */
int grr_sigframe_deliver(const struct grr_mem *m, pid_t tid, int sig, struct grr_sigfix *fix,
			 enum grr_resume how);
/* At the thread's next stop: if its stack holds the frame of the armed
 * delivery, zeroes err/trapno/cr2 there.  Disarms FIX.  Returns 1 if the
 * stop was the single-step report that ended the delivery (the caller
 * swallows it and resumes), else 0. */
int grr_sigframe_settle(const struct grr_mem *m, pid_t tid, struct grr_sigfix *fix,
			bool stop_is_sigtrap);

#endif
