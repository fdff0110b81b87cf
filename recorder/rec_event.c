/* rec_event.c - ptrace event stops (clone, exec, exit, interrupt/stop) and
 * threads that are gone. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int on_clone(struct recorder *r, struct rec_thread *t)
{
	unsigned long child;
	if (grr_task_eventmsg(t->tid, &child) < 0)
		return -1;
	pid_t parent = t->tid;
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.clone.child_tid = (uint32_t)child;
	ev.u.clone.flags = t->call.args[0];
	if (rec_log(r, &ev, parent, GRR_EV_CLONE) < 0)
		return -1;
	struct rec_thread *c = rec_thread_find(r, (pid_t)child);
	if (!c && !(c = rec_thread_add(r, (pid_t)child, RT_NEW)))
		return -1;
	c->unannounced = false;
	/* the parent goes on to its syscall exit (found again: adding the
	 * child may have moved the threads) */
	t = rec_thread_find(r, parent);
	return t ? rec_continue(r, t, 0) : grr_task_resume_syscall(parent, 0);
}

/* Waits until thread T, let go from its exit stop, is gone (its other
 * stops let go too). */
static void wait_gone(struct recorder *r, struct rec_thread *t)
{
	for (;;) {
		int st;
		pid_t p = waitpid(t->tid, &st, __WALL);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0) {
			t->state = RT_GONE;
			return;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			rec_on_thread_gone(r, t, st);
			return;
		}
		grr_task_resume_cont(t->tid, 0);
	}
}

/* A thread's exit.  One that ends by its own exit (not the leader, not
 * its group's end) is waited for until it is gone before any other
 * thread runs: the kernel clears its thread id in the program's memory
 * (CLONE_CHILD_CLEARTID) only after the exit stop, and glibc reuses a
 * thread's stack for a new thread once that id reads 0.  Replay does the
 * same (rp_exit.c), so the next thread reads 0 in both. */
static int on_exit_event(struct recorder *r, struct rec_thread *t)
{
	unsigned long status = 0;
	grr_task_eventmsg(t->tid, &status);
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.thread_exit.status = (int32_t)status;
	/* (a thread whose clone event was never logged, killed by an
	 * exit_group before it ran: replay never knew it) */
	if (!t->unannounced && rec_log(r, &ev, t->tid, GRR_EV_THREAD_EXIT) < 0)
		return -1;
	t->state = RT_EXITING;
	if (r->running == t)
		r->running = NULL;
	bool own_exit = t->in_syscall && t->call.nr == SYS_exit && t->tid != r->pid;
	grr_task_resume_cont(t->tid, 0);
	if (own_exit)
		wait_gone(r, t);
	return 0;
}

int rec_preempt_at(struct recorder *r, struct rec_thread *t, struct user_regs_struct *regs)
{
	int status, m = rec_anchor_move(r, t, regs, &status);
	if (m < 0)
		return -1;
	if (m == 1)  /* it met an event on the way: no anchor */
		return rec_handle_status(r, t->tid, status);
	if (rec_log_anchor(r, t, regs) < 0 || rec_split_begin(r, t, regs) < 0)
		return -1;
	rec_sched_preempted(r, rec_now_ns() - t->interrupt_ns);
	rec_thread_set_ready(r, t);
	return 0;
}

/* T stopped for a busy-wait probe (rec_spin.c): it gives way where it
 * waits, or goes on with its turn. */
static int probed(struct recorder *r, struct rec_thread *t, struct user_regs_struct *regs)
{
	int status, m = rec_busywait_probe(r, t, regs, &status);
	if (m < 0)
		return -1;
	if (m == 1)
		return rec_handle_status(r, t->tid, status);
	if (m == 2) {
		r->slice_end_ns = r->spin.probe_slice_end_ns;
		return rec_continue(r, t, 0);
	}
	r->spin.preemptions++;
	t->interrupt_ns = rec_now_ns();
	return rec_preempt_at(r, t, regs);
}

/* PTRACE_EVENT_STOP: a new thread's first stop, the stop our
 * PTRACE_INTERRUPT asked for, or a group-stop (job control), which grr
 * does not keep: the program runs on. */
static int on_stop_event(struct recorder *r, struct rec_thread *t)
{
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return -1;
	switch (t->state) {
	case RT_NEW:
		t->stop_rip = regs.rip;
		t->stop_rsp = regs.rsp;
		rec_thread_set_ready(r, t);
		return 0;
	case RT_RUNNING:
		if (t->interrupt_requested && r->running == t) {
			bool probe = r->spin.probing;
			t->interrupt_requested = false;
			r->spin.probing = false;
			/* (if no anchor comes of it, the scheduler decides again
			 * at the next occasion, not at the interrupt's retry) */
			r->slice_end_ns = rec_now_ns();
			/* The interrupt met the thread as it entered a syscall,
			 * before the syscall-entry stop: rip is past the `syscall`
			 * instruction, a state that replay never sees before the
			 * syscall itself.  No anchor: the syscall's own stop comes
			 * next, and the switch happens there. */
			/* Or it has just hit a synchronization site's breakpoint,
			 * whose SIGTRAP comes next: handled there. */
			if (rec_syncpt_is_site(r, regs.rip - 1))
				return rec_continue(r, t, 0);
			if ((int64_t)regs.orig_rax >= 0) {
				/* Or the thread had not yet left the syscall whose exit
				 * was its last event: still there, it gives way as at
				 * that exit, with no anchor. */
				if (!t->in_syscall && regs.rip == t->stop_rip &&
				    regs.rsp == t->stop_rsp) {
					rec_thread_set_ready(r, t);
					return 0;
				}
				return rec_continue(r, t, 0);
			}
			/* (asked for before a vfork child started: see
			 * wants_interrupt in recorder.c) */
			if (rec_vfork_child_running(r))
				return rec_continue(r, t, 0);
			if (probe)
				return probed(r, t, &regs);
			return rec_preempt_at(r, t, &regs);
		}
		return rec_continue(r, t, 0);
	case RT_READY:
		/* a late interrupt or group-stop of a thread already waiting for
		 * its turn: it stays stopped (resuming it would let two threads
		 * run user code) */
		if (r->debug)
			fprintf(stderr, "grr-debug: tid %d: event stop while ready\n", (int)t->tid);
		t->interrupt_requested = false;  /* (else no timeslice would end again) */
		return 0;
	default:
		return rec_continue(r, t, 0);
	}
}

int rec_on_ptrace_event(struct recorder *r, struct rec_thread *t, int event, int sig)
{
	(void)sig;
	switch (event) {
	case PTRACE_EVENT_CLONE:
		return on_clone(r, t);
	case PTRACE_EVENT_EXIT:
		return on_exit_event(r, t);
	case PTRACE_EVENT_STOP:
		return on_stop_event(r, t);
	case PTRACE_EVENT_SECCOMP:
		/* the filter's stop: the entry of a syscall, unless the thread
		 * was resumed with PTRACE_SYSCALL and its entry stop came first */
		if (t->in_syscall)
			return rec_continue(r, t, 0);
		return rec_on_syscall_stop(r, t);
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		/* the child's own stops come to rec_children.c */
		return rec_continue(r, t, 0);
	case PTRACE_EVENT_EXEC:
		fprintf(stderr, "grr: warning: the program called execve; the recording "
			"goes on but replay stops at that point\n");
		rec_log_note(r, t->tid, "execve: a new program image; replay ends here");
		/* the write tracking and the syscall buffer belonged to the
		 * old address space; the filter stays, so every syscall is
		 * made to stop again */
		grr_digester_free(&r->dg);
		r->sb.active = false;
		r->seccomp = false;
		return rec_continue(r, t, 0);
	default:
		return rec_continue(r, t, 0);
	}
}

void rec_on_thread_gone(struct recorder *r, struct rec_thread *t, int status)
{
	if (r->running == t)
		r->running = NULL;
	t->state = RT_GONE;
	if (t->tid != r->pid)
		return;
	/* The leader is reported last, when the whole group is gone. */
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	if (WIFSIGNALED(status)) {
		ev.u.process_exit.how = GRR_EXIT_SIGNAL;
		ev.u.process_exit.status = WTERMSIG(status);
		r->exit_status = 128 + WTERMSIG(status);
	} else {
		ev.u.process_exit.how = GRR_EXIT_NORMAL;
		ev.u.process_exit.status = WEXITSTATUS(status);
		r->exit_status = WEXITSTATUS(status);
	}
	if (!r->exited)
		rec_log(r, &ev, t->tid, GRR_EV_PROCESS_EXIT);
	r->exited = true;
}
