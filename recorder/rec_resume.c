/* rec_resume.c - letting one thread run user code. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <errno.h>

int rec_resume(struct recorder *r, struct rec_thread *t)
{
	if (rec_split_finish(r, t) < 0)
		return -1;
	int sig = t->pending_sig;
	t->pending_sig = 0;
	t->signal_at_resume = grr_task_signal_deliverable(t->tid);
	t->state = RT_RUNNING;
	/* an interrupt asked for in an earlier turn is not this turn's: a
	 * late stop from it is let go (rec_event.c) */
	t->interrupt_requested = false;
	r->running = t;
	uint64_t now = rec_now_ns();
	r->slice_end_ns = now + rec_sched_slice(&r->sched);
	r->preempt_at_ns = 0;
	rec_spin_turn_begins(r, now);
	rec_sched_resumed(r, t);
	if (grr_sigframe_deliver(&r->mem, t->tid, sig, &t->sigfix, rec_resume_how(r, t)) < 0) {
		/* The thread died under us (killed with its process); its exit
		 * status will come through waitpid. */
		if (errno == ESRCH) {
			t->state = RT_EXITING;
			r->running = NULL;
			return 0;
		}
		return -1;
	}
	return 0;
}

enum grr_resume rec_resume_how(const struct recorder *r, const struct rec_thread *t)
{
	return r->seccomp && !t->in_syscall ? GRR_RESUME_CONT : GRR_RESUME_SYSCALL;
}

int rec_continue(struct recorder *r, struct rec_thread *t, int sig)
{
	t->signal_at_resume = grr_task_signal_deliverable(t->tid);
	return grr_task_resume(t->tid, rec_resume_how(r, t), sig);
}
