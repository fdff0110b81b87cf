/* rp_advance.c - running one replayed thread to its next stop.  Only one
 * thread ever runs user code: the one the next event belongs to.
 *
 * Threads run with PTRACE_SYSEMU: the syscall a thread reaches stops at
 * its entry and is skipped, so that an emulated syscall costs one stop
 * (its result is set right there).  A syscall that must run for real
 * (EXECUTE policy, thread clones, exit) is put back before its syscall
 * instruction and entered again with PTRACE_SYSCALL (rp_rearm_syscall);
 * a thread at such a real entry stop is resumed with PTRACE_SYSCALL, to
 * its exit stop.  Any other kind of resume of a thread still at a SYSEMU
 * entry stop first takes the skipped syscall's exit report
 * (rp_leave_sysemu), which the kernel makes on a PTRACE_SYSCALL or single
 * step.  Where the log says the syscall a thread runs to will be run for
 * real, it goes there with PTRACE_SYSCALL at once (rp_resume_real_entry):
 * its entry stop is then real, and the call costs the two stops it cost
 * when recorded instead of four. */
#include "replayer/rp_private.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int rp_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st)
{
	int status;
	for (;;) {
		pid_t p = waitpid(t->tid, &status, __WALL);
		if (p == t->tid)
			break;
		if (p < 0 && errno == EINTR)
			continue;
		return rp_fail(rp, "lost thread %d: %s", (int)t->tid, strerror(errno));
	}
	grr_stop_decode(status, st);
	if (st->kind == GRR_STOP_EXITED || st->kind == GRR_STOP_KILLED)
		t->park = RP_GONE;
	return 0;
}

/* What the kernel does when a syscall returned -ERESTART* and no signal
 * handler runs: back to the syscall instruction, to run it again (or
 * restart_syscall for -ERESTART_RESTARTBLOCK). */
static int apply_restart(struct grr_replay *rp, struct rp_thread *t)
{
	t->restart_pending = false;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	regs.rax = (int64_t)regs.rax == -516 ? 219 /* restart_syscall */ : regs.orig_rax;
	regs.rip -= 2;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	return 0;
}

/* Resumes T with PTRACE_SYSCALL to its next stop, which must be a syscall
 * stop. */
static int syscall_step(struct grr_replay *rp, struct rp_thread *t)
{
	struct grr_stop st;
	if (grr_task_resume_syscall(t->tid, 0) < 0)
		return rp_fail(rp, "cannot resume thread %d: %s", (int)t->tid, strerror(errno));
	if (rp_wait(rp, t, &st) < 0)
		return -1;
	if (st.kind != GRR_STOP_SYSCALL) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	return 0;
}

int rp_leave_sysemu(struct grr_replay *rp, struct rp_thread *t)
{
	if (!t->sysemu_stop)
		return 0;
	t->sysemu_stop = false;
	return syscall_step(rp, t);
}

int rp_rearm_syscall(struct grr_replay *rp, struct rp_thread *t)
{
	if (!t->sysemu_stop)
		return 0;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	regs.rip -= 2;
	regs.rax = regs.orig_rax;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	/* the skipped call's exit report, then the real entry */
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	return syscall_step(rp, t);
}

/* REAL_ENTRY: stop at the next syscall's real entry (PTRACE_SYSCALL), not
 * at a SYSEMU one. */
static int resume_and_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st,
			   bool real_entry)
{
	if (rp_settle_new(rp, t) < 0)
		return -1;
	/* a signal with a handler is delivered by a single step, a
	 * debugger stop is stepped over, and a real entry needs
	 * PTRACE_SYSCALL */
	if (t->sysemu_stop && (t->pending_sig || t->at_user_stop || real_entry) &&
	    rp_leave_sysemu(rp, t) < 0)
		return -1;
	/* a thread at a real entry stop runs its syscall */
	bool sysemu = !real_entry && (t->park != RP_AT_ENTRY || t->sysemu_stop);
	t->sysemu_stop = false;
	uint64_t skip = 0;
	if (!t->pending_sig) {
		/* stopped by the debugger on a breakpoint: run that instruction */
		int so = rp_step_over_stop(rp, t, st, &skip);
		if (so != 0)
			return so < 0 ? so : 0;
	}
	int sig = t->pending_sig;
	t->pending_sig = 0;
	if (t->restart_pending && apply_restart(rp, t) < 0)
		return -1;
	if (rp_run_prepare(rp, t, skip) < 0)
		return -1;
	int rc = 0;
	if (grr_sigframe_deliver(&rp->mem, t->tid, sig, &t->sigfix,
				 sysemu ? GRR_RESUME_SYSEMU : GRR_RESUME_SYSCALL) < 0)
		rc = rp_fail(rp, "cannot resume thread %d: %s", (int)t->tid, strerror(errno));
	else if (rp_wait(rp, t, st) < 0 || rp_sandbox_stop(rp, t, st) < 0)
		rc = -1;
	else if (t->sigfix.pending && t->park != RP_GONE &&
		 grr_sigframe_settle(&rp->mem, t->tid, &t->sigfix,
				     st->kind == GRR_STOP_SIGNAL && st->sig == SIGTRAP)) {
		/* that was the step into the handler: on to the real stop */
		if ((sysemu ? grr_task_resume_sysemu(t->tid, 0) : grr_task_resume_syscall(t->tid, 0)) < 0)
			rc = rp_fail(rp, "cannot resume thread %d: %s", (int)t->tid, strerror(errno));
		else
			rc = rp_wait(rp, t, st);
	}
	if (rc == 0 && sysemu && st->kind == GRR_STOP_SYSCALL)
		t->sysemu_stop = true;
	if (rc == 0)
		rc = rp_check_debug_stop(rp, t, st);
	rp_run_finish(rp, t);
	return rc;
}

int rp_resume_and_wait(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st)
{
	return resume_and_wait(rp, t, st, false);
}

int rp_resume_real_entry(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st)
{
	return resume_and_wait(rp, t, st, true);
}

int rp_settle_new(struct grr_replay *rp, struct rp_thread *t)
{
	if (t->park != RP_NEW)
		return 0;
	struct grr_stop st;
	if (rp_wait(rp, t, &st) < 0)
		return -1;
	if (st.kind == GRR_STOP_EVENT || st.kind == GRR_STOP_SIGNAL) {
		t->park = RP_STOPPED;
		return 0;
	}
	return rp_fail(rp, "new thread %d did not start", (int)t->tid);
}
