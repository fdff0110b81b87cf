/* rp_signal.c - replaying signal deliveries and RDTSC results.
 *
 * A synchronous signal (fault, trap) is raised again by the replayed
 * instruction itself.  An asynchronous one is re-sent by the replayer to
 * the thread (tgkill) where the recording delivered it: right after the
 * thread's previous event, or at the anchor just replayed; the recorded
 * siginfo replaces the replay's. */
#include "replayer/rp_private.h"

#include <signal.h>
#include <string.h>

/* An emulated syscall was skipped with orig_rax -1; when its recorded
 * result asks for a restart (-ERESTART*), the kernel's signal delivery
 * does what it did while recording only if it sees the syscall number. */
static int unhide_syscall(struct rp_thread *t)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return -1;
	regs.orig_rax = t->call.nr;
	return grr_task_setregs(t->tid, &regs);
}

int rp_do_signal(struct grr_replay *rp, struct rp_thread *t)
{
	const struct grr_event *ev = &rp->ev;
	int sig = (int)ev->u.signal.signo;
	if (t->park == RP_AT_ENTRY || t->park == RP_IN_NO_RETURN)
		return rp_diverge(rp, t, "thread is inside syscall %s", grr_syscall_name(t->call.nr));
	/* the signal's delivery decides, in the kernel, whether an interrupted
	 * syscall restarts: it must see the syscall number the emulation hid */
	bool restart = t->restart_pending;
	t->restart_pending = false;
	if (ev->u.signal.how != GRR_SIG_SYNC) {
		if (rp_settle_new(rp, t) < 0)
			return -1;
		if (grr_task_kill(rp->pid, t->tid, sig) < 0)
			return rp_fail(rp, "cannot signal thread %d", (int)t->tid);
	}
	struct grr_stop st;
	int rc = rp_resume_and_wait(rp, t, &st);
	if (rc < 0)
		return rc;
	if (st.kind != GRR_STOP_SIGNAL || st.sig != sig) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	if (grr_task_setsiginfo(t->tid, ev->u.signal.siginfo) < 0)
		return rp_fail(rp, "cannot set siginfo of thread %d", (int)t->tid);
	if (restart && unhide_syscall(t) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	t->pending_sig = sig;
	t->park = RP_STOPPED;
	return 0;
}

int rp_do_rdtsc(struct grr_replay *rp, struct rp_thread *t)
{
	const struct grr_event *ev = &rp->ev;
	if (t->park == RP_AT_ENTRY || t->park == RP_IN_NO_RETURN)
		return rp_diverge(rp, t, "thread is inside syscall %s", grr_syscall_name(t->call.nr));
	struct grr_stop st;
	int rc = rp_resume_and_wait(rp, t, &st);
	if (rc < 0)
		return rc;
	struct user_regs_struct regs;
	if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGSEGV ||
	    grr_task_getregs(t->tid, &regs) < 0 || regs.rip != ev->u.rdtsc.pc) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	regs.rax = ev->u.rdtsc.tsc & 0xffffffffu;
	regs.rdx = ev->u.rdtsc.tsc >> 32;
	if (ev->u.rdtsc.is_rdtscp)
		regs.rcx = ev->u.rdtsc.aux;
	regs.rip += ev->u.rdtsc.is_rdtscp ? 3 : 2;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	t->pending_sig = 0;
	t->park = RP_STOPPED;
	rp->last_pc = regs.rip;
	return 0;
}
