/* rp_syscall.c - replaying syscalls.
 *
 * At the ENTER event the thread is run to its syscall-entry stop and the
 * call is compared with the recording; the call itself takes effect at the
 * EXIT event, which is where its result became visible during recording.
 * Then, by the syscall table's policy: EMULATE skips the call (orig_rax =
 * -1), sets the recorded result and writes the recorded memory; EXECUTE
 * runs it for real and checks its result; SPECIAL covers mmap of a file
 * (anonymous memory at the recorded address, filled from the trace) and
 * thread clones (real thread, recorded tid returned). */
#include "replayer/rp_private.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define CLONE_THREAD_FLAG 0x00010000ull

/* Runs T to its next stop, which must be a syscall entry or exit (OP; not
 * checked, and no request spent on it, when SI is NULL); REAL_ENTRY: an
 * entry where the call will run for real. */
static int expect_syscall_stop(struct grr_replay *rp, struct rp_thread *t, int op,
			       struct grr_sysinfo *si, bool real_entry)
{
	struct grr_stop st;
	int rc = real_entry ? rp_resume_real_entry(rp, t, &st) : rp_resume_and_wait(rp, t, &st);
	if (rc < 0)
		return rc;
	if (st.kind != GRR_STOP_SYSCALL ||
	    (si && (grr_task_sysinfo(t->tid, si) < 0 || si->op != op))) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	return 0;
}

bool rp_runs_for_real(const struct grr_event *ev)
{
	struct grr_syscall_call c = { .nr = ev->u.enter.nr };
	memcpy(c.args, ev->u.enter.args, sizeof(c.args));
	switch (c.nr) {
	case SYS_clone:
		return c.args[0] & CLONE_THREAD_FLAG;
	case SYS_clone3:    /* (its flags are in memory, maybe not written yet) */
	case SYS_mmap:      /* of a file too: anonymous memory, made for real */
		return true;
	default:            /* (exit and exit_group among them) */
		return grr_syscall_policy(&c) == GRR_REPLAY_EXECUTE;
	}
}

static int expect_entry(struct grr_replay *rp, struct rp_thread *t, struct grr_sysinfo *si)
{
	return expect_syscall_stop(rp, t, GRR_SYSINFO_ENTRY, si, rp_runs_for_real(&rp->ev));
}

int rp_do_enter(struct grr_replay *rp, struct rp_thread *t)
{
	const struct grr_event *ev = &rp->ev;
	if (t->park == RP_AT_ENTRY || t->park == RP_IN_NO_RETURN)
		return rp_diverge(rp, t, "thread is still inside syscall %s",
				  grr_syscall_name(t->call.nr));
	struct grr_sysinfo si;
	int rc = expect_entry(rp, t, &si);
	if (rc < 0)
		return rc;
	const struct grr_syscall_desc *d = grr_syscall_desc(ev->u.enter.nr);
	int mismatch = si.entry.nr != ev->u.enter.nr;
	for (int i = 0; !mismatch && i < d->nargs && i < 6; i++)
		mismatch = si.entry.args[i] != ev->u.enter.args[i];
	if (mismatch)
		return rp_diverge(rp, t, "syscall entry %s(0x%llx, 0x%llx, 0x%llx, ...)",
				  grr_syscall_name((uint32_t)si.entry.nr),
				  (unsigned long long)si.entry.args[0],
				  (unsigned long long)si.entry.args[1],
				  (unsigned long long)si.entry.args[2]);
	memset(&t->call, 0, sizeof(t->call));
	t->call.nr = ev->u.enter.nr;
	memcpy(t->call.args, ev->u.enter.args, sizeof(t->call.args));
	t->park = RP_AT_ENTRY;
	rp->last_pc = si.instruction_pointer;
	if (t->call.nr == SYS_exit_group)
		return rp_hold_exit(rp, t);
	if (t->call.nr == SYS_exit) {
		if (rp_rearm_syscall(rp, t) < 0)
			return -1;
		if (grr_task_resume_syscall(t->tid, 0) < 0)
			return rp_fail(rp, "cannot resume thread %d", (int)t->tid);
		t->park = RP_IN_NO_RETURN;
	}
	return 0;
}

static int expect_exit(struct grr_replay *rp, struct rp_thread *t, struct grr_sysinfo *si)
{
	return expect_syscall_stop(rp, t, GRR_SYSINFO_EXIT, si, false);
}

static int set_result(struct grr_replay *rp, struct rp_thread *t, int64_t ret)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	regs.rax = (uint64_t)ret;
	/* orig_rax back to the syscall number: the kernel's restart logic
	 * (-ERESTARTSYS and friends) reads it when a signal follows. */
	regs.orig_rax = t->call.nr;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	return 0;
}

/* Cancels the syscall at the entry stop (orig_rax -1: the kernel runs
 * nothing and leaves rax alone, so RESULT set here is what the thread
 * sees) and runs the thread to the exit stop. */
static int skip_syscall(struct grr_replay *rp, struct rp_thread *t, int64_t result)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	regs.orig_rax = (uint64_t)-1;
	regs.rax = (uint64_t)result;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	return expect_syscall_stop(rp, t, GRR_SYSINFO_EXIT, NULL, false);
}

/* The kernel's internal "restart me" results; user code never sees them. */
static bool is_restart_code(int64_t ret)
{
	return ret == -512 || ret == -513 || ret == -514 || ret == -516;
}

/* The recorded result without running the call: three ptrace requests
 * and one stop.  orig_rax stays -1 (nothing reads it after the call),
 * except for a restart code, which the kernel's restart logic and
 * apply_restart read with the syscall number back in orig_rax. */
static int emulate(struct grr_replay *rp, struct rp_thread *t)
{
	int64_t ret = rp->ev.u.exit.ret;
	if (t->sysemu_stop) {
		/* skipped already: the result is all there is to do */
		t->restart_pending = is_restart_code(ret);
		return set_result(rp, t, ret);
	}
	if (skip_syscall(rp, t, ret) < 0)
		return -1;
	t->restart_pending = is_restart_code(ret);
	return t->restart_pending ? set_result(rp, t, ret) : 0;
}

static int execute(struct grr_replay *rp, struct rp_thread *t, bool check)
{
	struct grr_sysinfo si;
	if (rp_rearm_syscall(rp, t) < 0)
		return -1;
	int rc = expect_exit(rp, t, &si);
	if (rc < 0)
		return rc;
	char killed[256];
	struct grr_stop st = { .kind = GRR_STOP_SYSCALL };
	if (check && si.exit.rval != rp->ev.u.exit.ret)
		return rp_sandbox_describe(t, &st, killed, sizeof(killed))
			       ? rp_diverge(rp, t, "%s", killed)
			       : rp_diverge(rp, t, "syscall exit %s = %lld", grr_syscall_name(t->call.nr),
					    (long long)si.exit.rval);
	return 0;
}

/* mmap of a file: anonymous private memory at the recorded address; the
 * recorded file contents arrive as the event's memory writes. */
static int replay_file_mmap(struct grr_replay *rp, struct rp_thread *t)
{
	int64_t ret = rp->ev.u.exit.ret;
	if (ret < 0)
		return emulate(rp, t);
	if (rp_rearm_syscall(rp, t) < 0)
		return -1;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	struct user_regs_struct orig = regs;
	uint64_t flags = regs.r10 & ~(uint64_t)(MAP_SHARED | MAP_SHARED_VALIDATE);
	regs.rdi = (uint64_t)ret;
	regs.r10 = flags | MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	regs.r8 = (uint64_t)-1;
	regs.r9 = 0;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	if (execute(rp, t, true) < 0)
		return -1;
	/* the program's own arguments back: the kernel leaves them in their
	 * registers, and code after the call may read them (an anchor just
	 * after an mmap of a file compared r10) */
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	regs.rdi = orig.rdi;
	regs.r10 = orig.r10;
	regs.r8 = orig.r8;
	regs.r9 = orig.r9;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	return 0;
}

int rp_apply_writes(struct grr_replay *rp, struct rp_thread *t)
{
	for (uint32_t i = 0; i < rp->ev.u.exit.nwrites; i++) {
		const struct grr_mem_write *w = &rp->ev.u.exit.writes[i];
		if (grr_mem_write(&rp->mem, w->addr, w->data, w->len) < 0)
			return rp_diverge(rp, t, "cannot write %llu bytes at 0x%llx",
					  (unsigned long long)w->len,
					  (unsigned long long)w->addr);
	}
	return 0;
}

static bool is_thread_clone(struct grr_replay *rp, const struct grr_syscall_call *c)
{
	if (c->nr == SYS_clone)
		return c->args[0] & CLONE_THREAD_FLAG;
	if (c->nr == SYS_clone3) {
		uint64_t flags = 0;
		grr_mem_read(&rp->mem, c->args[0], &flags, 8);
		return flags & CLONE_THREAD_FLAG;
	}
	return false;
}

int rp_do_exit(struct grr_replay *rp, struct rp_thread *t)
{
	const struct grr_event *ev = &rp->ev;
	if (t->park != RP_AT_ENTRY || t->call.nr != ev->u.exit.nr)
		return rp_diverge(rp, t, "thread is not inside syscall %s",
				  grr_syscall_name(ev->u.exit.nr));
	t->call.ret = ev->u.exit.ret;
	int rc;
	uint32_t nr = t->call.nr;
	if (nr == SYS_clone || nr == SYS_clone3) {
		if (is_thread_clone(rp, &t->call) && ev->u.exit.ret > 0)
			rc = execute(rp, t, false) < 0 ? -1 : set_result(rp, t, ev->u.exit.ret);
		else
			rc = emulate(rp, t);  /* a child process: never created */
	} else if (nr == SYS_set_tid_address) {
		/* run for real (the kernel clears and wakes the word at the
		 * thread's exit), returning the recorded tid */
		rc = execute(rp, t, false) < 0 ? -1 : set_result(rp, t, ev->u.exit.ret);
	} else if ((nr == SYS_execve || nr == SYS_execveat) && ev->u.exit.ret == 0) {
		return rp_fail(rp, "the program called execve at event %llu: replay of a new "
			       "program image is not supported", (unsigned long long)ev->seq);
	} else {
		switch (grr_syscall_policy(&t->call)) {
		case GRR_REPLAY_EXECUTE:
			rc = execute(rp, t, true);
			break;
		case GRR_REPLAY_SPECIAL:
			if (nr == SYS_mmap)
				rc = replay_file_mmap(rp, t);
			else
				rc = emulate(rp, t);
			break;
		default:
			rc = emulate(rp, t);
		}
	}
	if (rc < 0)
		return -1;
	if (rp_apply_writes(rp, t) < 0)
		return -1;
	rp_fork_track(rp, t);
	t->park = RP_STOPPED;
	rp_echo_output(rp, &t->call);
	return 0;
}

int rp_do_clone(struct grr_replay *rp, struct rp_thread *t)
{
	if (t->park != RP_AT_ENTRY || (t->call.nr != SYS_clone && t->call.nr != SYS_clone3))
		return rp_diverge(rp, t, "thread is not inside clone");
	if (rp_rearm_syscall(rp, t) < 0)
		return -1;
	struct grr_stop st;
	int rc = rp_resume_and_wait(rp, t, &st);
	if (rc < 0)
		return rc;
	unsigned long child;
	if (st.kind != GRR_STOP_EVENT || st.event != 3 /* PTRACE_EVENT_CLONE */ ||
	    grr_task_eventmsg(t->tid, &child) < 0) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	uint32_t parent_rec = t->rec_tid;
	if (!rp_thread_add(rp, rp->ev.u.clone.child_tid, (pid_t)child, RP_NEW))
		return rp_fail(rp, "out of memory");
	(void)parent_rec;
	return 0;
}
