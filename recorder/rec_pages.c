/* rec_pages.c - grr's pages in the recorded program, the clock page
 * (rec_clock.c) and the syscall buffer (rec_sysbuf.c), as the rest of the
 * recorder sees them: code where no anchor may be placed, and what the
 * running thread did in them since its last stop, collected at each stop.
 *
 * Both pages have record-only code: a thread interrupted there (or about
 * to get a signal there) is in a state replay never shows, since replay
 * runs the other branch.  It is first run out of that code. */
#include "recorder/rec_private.h"
#include "tracee/relocate.h"
#include "tracee/task.h"

#include <sys/ptrace.h>

bool rec_no_anchor(const struct recorder *r, uint64_t pc)
{
	return grr_clockpage_code(&r->cp, pc) || grr_sysbuf_no_anchor(&r->sb, pc);
}

bool rec_program_code(const struct recorder *r, uint64_t pc)
{
	return r->have_syms && !rec_no_anchor(r, pc) && grr_symtab_lookup(&r->syms, pc);
}

bool rec_pages_drainable(struct recorder *r, struct rec_thread *t, const struct grr_stop *st)
{
	switch (st->kind) {
	case GRR_STOP_SYSCALL:
		return true;   /* no value is half-stored at a syscall */
	case GRR_STOP_EVENT:
		if (st->event != PTRACE_EVENT_STOP)
			return true;   /* (clone, exit, exec, seccomp: inside a syscall) */
		break;
	case GRR_STOP_SIGNAL:
		break;
	default:
		return false;
	}
	/* an interrupt or a signal may stop the thread between claiming a
	 * slot and filling it: such a stop is stepped out of first, and the
	 * values are collected before its anchor */
	struct user_regs_struct regs;
	return grr_task_getregs(t->tid, &regs) == 0 && !rec_no_anchor(r, regs.rip);
}

int rec_pages_drain(struct recorder *r, struct rec_thread *t)
{
	if (r->cp.active && rec_clock_drain(r, t) < 0)
		return -1;
	if (r->sb.active && rec_sysbuf_drain(r, t) < 0)
		return -1;
	return 0;
}

#define MAX_STEPS 100000

int rec_step_out(struct recorder *r, struct rec_thread *t, struct user_regs_struct *regs,
		 int *status)
{
	for (int i = 0; rec_no_anchor(r, regs->rip); i++) {
		if (i == MAX_STEPS)
			return 0;
		/* (the ring copy: to its end at once, not byte by byte) */
		int m = rec_finish_string_op(r, t, regs, status);
		if (m == 0 && rec_no_anchor(r, regs->rip)) {
			m = rec_step(t, regs, status);
			r->anchor_steps++;
		}
		if (m != 0)
			return m;
	}
	return 0;
}
