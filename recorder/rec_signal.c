/* rec_signal.c - signal-delivery stops.
 *
 * Three cases: (1) the SIGSEGV that PR_SET_TSC raises for RDTSC/RDTSCP:
 * emulated, never delivered; (2) synchronous signals raised by the
 * instruction at pc (faults, traps): replay meets them again by itself;
 * (3) asynchronous signals: delivered where the thread stands, which is
 * either right where it left its last event (nothing ran since) or an
 * arbitrary instruction, which is then anchored first. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <x86intrin.h>

#define SI_KERNEL_CODE 0x80

static int siginfo_code(const uint8_t *si)
{
	int code;
	memcpy(&code, si + 8, sizeof(code));
	return code;
}

/* If the thread faulted on RDTSC or RDTSCP, emulates it and returns 1. */
static int try_emulate_rdtsc(struct recorder *r, struct rec_thread *t,
			     struct user_regs_struct *regs)
{
	uint8_t insn[3];
	if (grr_mem_read(&r->mem, regs->rip, insn, 3) < 0 || insn[0] != 0x0f)
		return 0;
	int is_rdtscp = insn[1] == 0x01 && insn[2] == 0xf9;
	if (insn[1] != 0x31 && !is_rdtscp)
		return 0;
	unsigned aux = 0;
	uint64_t tsc = is_rdtscp ? __rdtscp(&aux) : __rdtsc();
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.rdtsc.pc = regs->rip;
	ev.u.rdtsc.tsc = tsc;
	ev.u.rdtsc.aux = aux;
	ev.u.rdtsc.is_rdtscp = (uint8_t)is_rdtscp;
	/* (in the clock page's record-only code or the kernel's vDSO, before a
	 * dynamically linked program's entry point: the value reaches the
	 * page's slot, which is recorded; replay never runs this code) */
	if (!grr_clockpage_record_only(&r->cp, regs->rip) &&
	    rec_log(r, &ev, t->tid, GRR_EV_RDTSC) < 0)
		return -1;
	regs->rax = tsc & 0xffffffffu;
	regs->rdx = tsc >> 32;
	if (is_rdtscp)
		regs->rcx = aux;
	regs->rip += is_rdtscp ? 3 : 2;
	if (grr_task_setregs(t->tid, regs) < 0)
		return -1;
	t->stop_rip = regs->rip;
	t->stop_rsp = regs->rsp;
	return 1;
}

static int is_synchronous(int sig, int code)
{
	if (code <= 0)   /* SI_USER, SI_TKILL, SI_QUEUE, ...: sent by someone */
		return 0;
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP:
		return 1;
	default:
		return 0;
	}
}

/* Whether STATUS is the stop of a signal sent to the thread (not one its
 * own instruction raised, nor the step's trap): its number, else 0. */
static int async_signal_stop(int status)
{
	if (!WIFSTOPPED(status) || (status >> 16) != 0)
		return 0;
	int sig = WSTOPSIG(status);
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSTOP:
		return 0;
	default:
		return sig;
	}
}

#define MAX_HELD_SIGNALS 64

/* An asynchronous signal that stopped the thread inside a clock read's
 * record-only code (which replay never runs), or part way through a
 * repeated string instruction (a state replay cannot find again), is held
 * back until the thread is past it; its siginfo is put back for the
 * delivery.  Other such signals that the steps meet on the way are held
 * back too and sent again at the boundary (handled one by one, each
 * would meet the other again, sent again, in its own steps: a SIGPIPE and
 * a SIGCHLD did so until grr's stack overflowed).  Returns 0 (REGS
 * updated), 1 if another stop came first (handled; the signal is sent
 * again), -1. */
static int defer_to_boundary(struct recorder *r, struct rec_thread *t, int sig,
			     const uint8_t *siginfo, struct user_regs_struct *regs)
{
	uint64_t pc = regs->rip, held = 0;
	rec_syncpt_disarm(r);
	int status, m, other;
	for (int n = 0;; n++) {
		m = rec_step_out(r, t, regs, &status);
		if (m == 0)
			m = rec_finish_string_op(r, t, regs, &status);
		if (m != 1 || n == MAX_HELD_SIGNALS || !(other = async_signal_stop(status)))
			break;
		/* (the next step resumes it without that signal) */
		held |= 1ull << (other - 1);
		if (grr_task_getregs(t->tid, regs) < 0)
			return -1;
	}
	for (int s = 1; s <= 64; s++)
		if (held & (1ull << (s - 1)))
			grr_task_kill(r->pid, t->tid, s);
	if (m == 0 && regs->rip == pc)
		return 0;
	if (m < 0)
		return -1;
	if (m == 1) {
		grr_task_kill(r->pid, t->tid, sig);
		return rec_handle_status(r, t->tid, status) < 0 ? -1 : 1;
	}
	return grr_task_setsiginfo(t->tid, siginfo) < 0 ? -1 : 0;
}

int rec_on_signal_stop(struct recorder *r, struct rec_thread *t, int sig)
{
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	if (grr_task_getsiginfo(t->tid, ev.u.signal.siginfo) < 0)
		return -1;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return -1;
	int code = siginfo_code(ev.u.signal.siginfo);

	if (sig == SIGTRAP) {
		int e = rec_clock_at_entry(r, t);
		if (e < 0)
			return -1;
		if (e == 1)
			return r->running == t ? rec_continue(r, t, 0)
					       : (rec_thread_set_ready(r, t), 0);
	}
	if (sig == SIGSEGV && code == SI_KERNEL_CODE) {
		int e = try_emulate_rdtsc(r, t, &regs);
		if (e < 0)
			return -1;
		if (e == 1)
			return r->running == t ? rec_continue(r, t, 0)
					       : (rec_thread_set_ready(r, t), 0);
	}

	if (is_synchronous(sig, code)) {
		ev.u.signal.how = GRR_SIG_SYNC;
	} else if (t->signal_at_resume && regs.rip == t->stop_rip && regs.rsp == t->stop_rsp) {
		/* (the same rip and rsp alone do not say that nothing ran: a
		 * loop comes back to them) */
		ev.u.signal.how = GRR_SIG_AT_STOP;
	} else {
		int m = defer_to_boundary(r, t, sig, ev.u.signal.siginfo, &regs);
		if (m != 0)
			return m < 0 ? -1 : 0;
		if (rec_log_anchor(r, t, &regs) < 0)
			return -1;
		ev.u.signal.how = GRR_SIG_AT_ANCHOR;
	}
	ev.u.signal.signo = (uint32_t)sig;
	if (rec_log(r, &ev, t->tid, GRR_EV_SIGNAL) < 0)
		return -1;
	t->stop_rip = regs.rip;
	t->stop_rsp = regs.rsp;
	t->pending_sig = sig;
	if (r->running == t) {
		t->pending_sig = 0;
		return grr_sigframe_deliver(&r->mem, t->tid, sig, &t->sigfix, rec_resume_how(r, t));
	}
	rec_thread_set_ready(r, t);
	return 0;
}
