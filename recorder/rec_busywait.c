/* rec_busywait.c - is an interrupted thread busy-waiting?
 *
 * A goroutine that polls a condition another goroutine will set (a test's
 * `for ctx.Err() == nil {}`) makes no syscall and reads no clock: the
 * counters rec_spin.c watches do not move, and under one-thread-at-a-time
 * recording the thread that would set the condition waits for the whole
 * timeslice, once per hand-over.  Such a loop comes back to the same
 * instruction in the same state: no register differs, nor the words at
 * the top of its stack (its frame), because nothing it could change
 * changes.  A loop that computes something (a counter in a register or in
 * its frame, a cursor, a result) does not.
 *
 * So the probe, given a thread stopped by an interrupt at some pc, steps
 * it over that instruction, puts a breakpoint there and lets it run, for
 * at most PROBE_NS: if it comes back in the state it left, it is waiting
 * for another thread, and gives way there (an anchor, as at the end of a
 * timeslice); otherwise it goes on with its turn.  A false verdict costs
 * one early switch, nothing more. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#define PROBE_NS     300000ull   /* how long the loop may take to come round */
#define FRAME_BYTES  256         /* stack compared above rsp */

/* Waits up to NS for the next stop of TID; without one by then, interrupts
 * it and waits for the stop that brings.  0 (*STATUS set) or -1. */
static int wait_bounded(pid_t tid, uint64_t ns, int *status)
{
	uint64_t end = rec_now_ns() + ns;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		pid_t p = waitpid(tid, status, __WALL | WNOHANG);
		if (p == tid)
			return 0;
		if (p < 0)
			return -1;
		uint64_t now = rec_now_ns();
		if (now >= end)
			break;
		/* (a SIGCHLD taken here may be another thread's: the recorder's
		 * loop asks waitpid before it waits for the signal) */
		struct timespec ts = { 0, (long)(end - now) };
		(void)sigtimedwait(&set, NULL, &ts);
	}
	if (grr_task_interrupt(tid) < 0)
		return -1;
	return waitpid(tid, status, __WALL) == tid ? 0 : -1;
}

/* The registers and the top of the stack: what must come back alike. */
struct loop_state {
	struct user_regs_struct regs;
	uint8_t frame[FRAME_BYTES];
	size_t nframe;
};

static void take_state(struct recorder *r, const struct user_regs_struct *regs,
		       struct loop_state *s)
{
	s->regs = *regs;
	s->nframe = grr_mem_read_partial(&r->mem, regs->rsp, s->frame, sizeof(s->frame));
}

static bool same_state(const struct loop_state *a, const struct loop_state *b)
{
	return memcmp(&a->regs, &b->regs, sizeof(a->regs)) == 0 && a->nframe == b->nframe &&
	       memcmp(a->frame, b->frame, a->nframe) == 0;
}

/* Whether a single step may run the instruction at PC unrecorded, and a
 * breakpoint go there: the program's own code, no syscall, clock read or
 * trap. */
static bool probe_ok(struct recorder *r, uint64_t pc)
{
	return rec_program_code(r, pc) && !rec_must_not_step(r, pc);
}

/* Runs T, stopped at REGS, round its loop once (see above).  Returns 0: it
 * busy-waits (stopped at REGS, which are updated); 2: it does not (it is
 * stopped, ready to be continued); 1: another stop came (*STATUS, to be
 * handled as any stop); -1. */
int rec_busywait_probe(struct recorder *r, struct rec_thread *t,
		       struct user_regs_struct *regs, int *status)
{
	uint64_t pc = regs->rip;
	if (rec_vfork_child_running(r) || !probe_ok(r, pc))
		return 2;
	r->spin.probes++;
	struct loop_state before, after;
	take_state(r, regs, &before);
	struct user_regs_struct now = *regs;
	int m = rec_step(t, &now, status);
	if (m != 0)
		return m;
	if (now.rip != pc) {
		uint8_t orig;
		static const uint8_t int3 = 0xcc;
		if (rec_no_anchor(r, now.rip))
			return 2;   /* (into grr's own code: let it go on) */
		if (grr_mem_read(&r->mem, pc, &orig, 1) < 0 ||
		    grr_mem_write(&r->mem, pc, &int3, 1) < 0)
			return -1;
		int rc = rec_continue(r, t, 0) < 0 ? -1 : wait_bounded(t->tid, PROBE_NS, status);
		if (grr_mem_write(&r->mem, pc, &orig, 1) < 0 || rc < 0)
			return -1;
		if (!WIFSTOPPED(*status))
			return 1;
		bool trap = WSTOPSIG(*status) == SIGTRAP && (*status >> 16) == 0;
		if (!trap || grr_task_getregs(t->tid, &now) < 0 || now.rip != pc + 1)
			/* not round in time (our interrupt's stop: go on), or
			 * another stop first */
			return (*status >> 16) == PTRACE_EVENT_STOP ? 2 : 1;
		now.rip = pc;
		if (grr_task_setregs(t->tid, &now) < 0)
			return -1;
	}
	take_state(r, &now, &after);
	if (!same_state(&before, &after))
		return 2;
	*regs = now;
	r->spin.busy_waits++;
	return 0;
}
