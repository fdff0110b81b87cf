/* recorder.c - the recording loop: wait for the next stop of any thread,
 * handle it, and keep exactly one thread running user code. */
#include "recorder/rec_private.h"
#include "tracee/task.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

/* Seconds a program gets to exit by itself after grr forwarded Ctrl-C or
 * SIGTERM to it, before it is killed. */
#define STOP_GRACE_NS 3000000000ull
/* How long an interrupted thread may take to stop before it is
 * interrupted again. */
#define INTERRUPT_RETRY_NS 20000000ull

static bool any_ready(const struct recorder *r)
{
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].state == RT_READY && !r->threads[i].unannounced)
			return true;
	return false;
}

/* How long to wait for the next stop; -1: as long as it takes. */
static int64_t next_timeout(struct recorder *r, uint64_t now, uint64_t stop_deadline)
{
	int64_t timeout = -1;
	struct rec_thread *t = r->running;
	if (t && t->state == RT_IN_KERNEL)
		timeout = r->grace_end_ns > now ? (int64_t)(r->grace_end_ns - now) : 0;
	else if (t && t->state == RT_RUNNING && any_ready(r)) {
		uint64_t end = r->slice_end_ns;
		if (r->preempt_at_ns && r->preempt_at_ns < end)
			end = r->preempt_at_ns;
		uint64_t spin = rec_spin_next_check(r);
		if (spin && spin < end && !t->interrupt_requested)
			end = spin;
		timeout = end > now ? (int64_t)(end - now) : 0;
	}
	uint64_t hold = r->running ? 0 : rec_vfork_hold_until(r, now);
	uint64_t held = r->running || !r->sched.chaos ? 0 : rec_sched_held_until(r, now);
	if (held && (!hold || held < hold))
		hold = held;
	if (hold && (timeout < 0 || (int64_t)(hold - now) < timeout))
		timeout = (int64_t)(hold - now);
	if (stop_deadline) {
		int64_t left = stop_deadline > now ? (int64_t)(stop_deadline - now) : 0;
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	return timeout;
}

/* Waits for a stop.  Returns 1 with the stop in tid and status, 0 on timeout or a signal
 * to grr (in *grr_sig), -1 when no tracee is left. */
static int wait_stop(int64_t timeout_ns, pid_t *tid, int *status, int *grr_sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (;;) {
		pid_t p = waitpid(-1, status, __WALL | WNOHANG);
		if (p > 0) {
			*tid = p;
			return 1;
		}
		if (p < 0 && errno == ECHILD)
			return -1;
		if (timeout_ns == 0)
			return 0;
		struct timespec ts = { timeout_ns / 1000000000, timeout_ns % 1000000000 };
		siginfo_t si;
		int s = sigtimedwait(&set, &si, timeout_ns < 0 ? NULL : &ts);
		if (s == SIGINT || s == SIGTERM || s == SIGHUP) {
			*grr_sig = s;
			return 0;
		}
		if (s < 0 && errno == EAGAIN)
			return 0;
	}
}

/* Whether the running thread T is to be stopped now: its time is up
 * (the scheduler decides), or a thread of higher priority became ready
 * (chaos), or an interrupt asked for earlier brought no stop yet. */
static bool wants_interrupt(struct recorder *r, struct rec_thread *t, uint64_t now)
{
	/* A vfork child runs on the program's memory until its exec: an
	 * anchor's digest then would see whichever of its writes were made
	 * yet. Threads change only at syscalls meanwhile. */
	if (rec_vfork_child_running(r))
		return false;
	if (t->interrupt_requested) {
		r->preempt_at_ns = 0;
		return now >= r->slice_end_ns;
	}
	if (r->preempt_at_ns && now >= r->preempt_at_ns) {
		r->preempt_at_ns = 0;
		if (rec_sched_may_preempt(r, now))
			return true;
	}
	return now >= r->slice_end_ns && rec_sched_slice_over(r, now);
}

/* An interrupt that meets the thread entering a syscall is reported as
 * that syscall's stop, not as an interrupt stop: so it is sent again if
 * no stop came in time. */
static void interrupt(struct recorder *r, struct rec_thread *t, uint64_t now)
{
	if (grr_task_interrupt(t->tid) == 0) {
		if (!t->interrupt_requested)
			t->interrupt_ns = now;
		t->interrupt_requested = true;
	}
	r->slice_end_ns = now + INTERRUPT_RETRY_NS;
}

static void on_timeout(struct recorder *r, uint64_t now)
{
	struct rec_thread *t = r->running;
	if (!t)
		return;
	if (t->state == RT_IN_KERNEL && now >= r->grace_end_ns) {
		r->running = NULL;  /* blocked: let another thread run */
	} else if (t->state == RT_RUNNING && any_ready(r) && !t->sigfix.pending) {
		/* (not while it single-steps into a signal handler: the step's
		 * trap must come first) */
		if (wants_interrupt(r, t, now)) {
			interrupt(r, t, now);
		} else if (!t->interrupt_requested && !rec_vfork_child_running(r)) {
			enum rec_spin_verdict v = rec_spin_check(r, now);
			uint64_t slice_end = r->slice_end_ns;
			if (v != REC_SPIN_NO)
				interrupt(r, t, now);
			if (v == REC_SPIN_PROBE) {
				r->spin.probing = true;
				r->spin.probe_slice_end_ns = slice_end;
			}
		}
	}
}

/* A trap of the running thread at a synchronization site (one of the
 * breakpoints, set now or a moment ago: its stop came after they were
 * removed): it is preempted there.  0 or -1; 1: not such a trap. */
static int on_syncpt_stop(struct recorder *r, struct rec_thread *t, const struct grr_stop *st)
{
	struct user_regs_struct regs;
	if (st->kind != GRR_STOP_SIGNAL || st->sig != SIGTRAP ||
	    grr_task_getregs(t->tid, &regs) < 0 || !rec_syncpt_is_site(r, regs.rip - 1))
		return 1;
	regs.rip -= 1;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return -1;
	t->interrupt_ns = rec_now_ns();
	if (rec_syncpt_armed(r) && !rec_syncpt_take(r, t, regs.rip)) {
		/* a site this thread knows well: on past it, still waiting */
		int status, m = rec_syncpt_pass(r, t, regs.rip, &status);
		rec_sched_preempted(r, rec_now_ns() - t->interrupt_ns);
		if (m < 0)
			return -1;
		return m == 1 ? rec_handle_status(r, t->tid, status) : rec_continue(r, t, 0);
	}
	rec_syncpt_disarm(r);
	r->sched.sync_preemptions++;
	int rc = rec_preempt_at(r, t, &regs);
	if (rc == 0 && t->state == RT_READY)
		rec_sched_hold(r, t);
	return rc;
}

int rec_handle_status(struct recorder *r, pid_t tid, int status)
{
	struct rec_thread *t = rec_thread_find(r, tid);
	if (!t && (rec_child_known(r, tid) || grr_task_tgid(tid) != r->pid))
		return rec_child_stop(r, tid, status);   /* os/exec */
	if (!t) {
		/* a new thread's first stop can come before its parent's
		 * clone event */
		t = rec_thread_add(r, tid, RT_NEW);
		if (!t)
			return -1;
		t->unannounced = true;
	}
	struct grr_stop st;
	grr_stop_decode(status, &st);
	/* what the thread did in-process before this stop comes first */
	if ((r->cp.active || r->sb.active) && t->state == RT_RUNNING &&
	    rec_pages_drainable(r, t, &st) && rec_pages_drain(r, t) < 0)
		return -1;
	if (r->debug) {
		char what[64];
		fprintf(stderr, "grr-debug: %.6f tid %d state %d %s\n",
			(double)(rec_now_ns() - r->t0) / 1e9, (int)tid, (int)t->state,
			grr_stop_describe(&st, what, sizeof(what)));
	}
	if (t->sigfix.pending && st.kind != GRR_STOP_EXITED && st.kind != GRR_STOP_KILLED &&
	    grr_sigframe_settle(&r->mem, tid, &t->sigfix,
				st.kind == GRR_STOP_SIGNAL && st.sig == SIGTRAP))
		return rec_continue(r, t, 0);  /* the step into the handler */
	if (rec_syncpt_usable(r) && t == r->running && st.kind == GRR_STOP_SIGNAL &&
	    st.sig == SIGTRAP) {
		int s = on_syncpt_stop(r, t, &st);
		if (s <= 0)
			return s;
	}
	switch (st.kind) {
	case GRR_STOP_EXITED:
	case GRR_STOP_KILLED:
		rec_on_thread_gone(r, t, status);
		return 0;
	case GRR_STOP_SYSCALL:
		return rec_on_syscall_stop(r, t);
	case GRR_STOP_EVENT:
		return rec_on_ptrace_event(r, t, st.event, st.sig);
	case GRR_STOP_SIGNAL:
		if (t->state == RT_NEW) {  /* initial SIGSTOP of a traced clone */
			rec_thread_set_ready(r, t);
			return 0;
		}
		return rec_on_signal_stop(r, t, st.sig);
	}
	return 0;
}

/* Ends the recording where it stands: the trace ends with a DETACHED exit
 * event, replayable up to there; then the program is killed. */
static void detach_and_kill(struct recorder *r, bool timed_out)
{
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.process_exit.how = GRR_EXIT_DETACHED;
	ev.u.process_exit.status = SIGKILL;
	if (!r->exited)
		rec_log(r, &ev, r->pid, GRR_EV_PROCESS_EXIT);
	r->exited = true;
	r->exit_status = timed_out ? 124 : 128 + SIGINT;
	kill(r->pid, SIGKILL);
}

static int run(struct recorder *r, struct grr_record_result *res, char *err, size_t errlen)
{
	uint64_t stop_deadline = 0;
	uint64_t timeout_at = r->opts->timeout_s > 0 ?
		r->t0 + (uint64_t)(r->opts->timeout_s * 1e9) : 0;
	for (;;) {
		if (r->exited)
			rec_children_let_go(r);
		if (!r->running && !r->exited && !rec_vfork_hold_until(r, rec_now_ns())) {
			struct rec_thread *t = rec_sched_pick(r);
			if (t && rec_resume(r, t) < 0) {
				snprintf(err, errlen, "cannot resume thread %d: %s", (int)t->tid,
					 strerror(errno));
				return -1;
			}
		}
		uint64_t now = rec_now_ns();
		uint64_t deadline = stop_deadline;
		if (timeout_at && !r->exited && (!deadline || timeout_at < deadline))
			deadline = timeout_at;
		pid_t tid;
		int status, grr_sig = 0;
		int w = wait_stop(next_timeout(r, now, deadline), &tid, &status, &grr_sig);
		if (w < 0)
			return 0;
		now = rec_now_ns();
		if (grr_sig) {
			if (!stop_deadline) {
				kill(r->pid, grr_sig);
				stop_deadline = now + STOP_GRACE_NS;
				res->interrupted = true;
			} else {
				detach_and_kill(r, false);
			}
			continue;
		}
		if (w == 0) {
			if (timeout_at && now >= timeout_at && !r->exited) {
				res->timed_out = true;
				detach_and_kill(r, true);
			} else if (stop_deadline && now >= stop_deadline && !r->exited) {
				detach_and_kill(r, false);
			}
			on_timeout(r, now);
			continue;
		}
		if (r->exited) {
			/* after a detach: only reap, and let the children go */
			if (!rec_thread_find(r, tid) &&
			    (rec_child_known(r, tid) || grr_task_tgid(tid) != r->pid)) {
				rec_child_stop(r, tid, status);
				continue;
			}
			struct grr_stop st;
			grr_stop_decode(status, &st);
			if (st.kind != GRR_STOP_EXITED && st.kind != GRR_STOP_KILLED)
				ptrace(PTRACE_CONT, tid, 0, 0);
			continue;
		}
		if (rec_handle_status(r, tid, status) < 0 && !r->exited) {
			if (r->write_failed) {
				snprintf(err, errlen, "%s", r->werr.msg);
				kill(r->pid, SIGKILL);
				r->exited = true;
				continue;
			}
			/* a thread vanished under us (killed): keep going */
			if (errno != ESRCH) {
				snprintf(err, errlen, "tracing thread %d failed: %s", (int)tid,
					 strerror(errno));
				kill(r->pid, SIGKILL);
				return -1;
			}
		}
	}
}

int grr_record(const struct grr_record_opts *o, struct grr_record_result *res,
	       char *err, size_t errlen)
{
	struct recorder r;
	memset(&r, 0, sizeof(r));
	grr_digester_init_full(&r.dg);
	memset(res, 0, sizeof(*res));
	r.opts = o;
	r.mem.fd = -1;
	r.debug = getenv("GRR_DEBUG_RECORD") != NULL;
	uint64_t seed = o->seed;
	if (o->chaos && !seed)
		seed = rec_now_ns() ^ ((uint64_t)getpid() << 32);
	rec_sched_init(&r.sched, o->chaos, seed);
	res->seed = o->chaos ? seed : 0;

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	r.t0 = r.last_flush_ns = rec_now_ns();
	int rc = rec_start(&r, err, errlen);
	if (rc == 0)
		rc = run(&r, res, err, errlen);
	if (r.w) {
		if (r.write_failed && rc == 0) {
			snprintf(err, errlen, "%s", r.werr.msg);
			rc = -1;
		}
		struct grr_error e;
		res->events = grr_writer_event_count(r.w);
		if (grr_writer_close(r.w, &e) < 0 && rc == 0) {
			snprintf(err, errlen, "%s", e.msg);
			rc = -1;
		}
	}
	if (o->verbose && rc == 0)
		fprintf(stderr, "grr: %llu events, %llu anchors (%.1f ms digesting, %llu pages "
			"reread, %llu full digests, %llu steps to place them), %llu clock "
			"reads and %llu syscalls in-process, %llu turns ended early for spinning "
			"(%llu busy-waits found by %llu probes)\n",
			(unsigned long long)res->events, (unsigned long long)r.anchors,
			r.digest_ns / 1e6, (unsigned long long)r.dg.pages_read,
			(unsigned long long)r.dg.full_digests, (unsigned long long)r.anchor_steps,
			(unsigned long long)r.cp_values, (unsigned long long)r.sb.records,
			(unsigned long long)r.spin.preemptions, (unsigned long long)r.spin.busy_waits,
			(unsigned long long)r.spin.probes);
	if (o->verbose && rc == 0 && o->chaos)
		fprintf(stderr, "grr: chaos: %d CPUs shown, change points every %.0f us on "
			"average, %.1f ms preempting threads, %llu read-modify-writes split, %llu "
			"preemptions at synchronization (%zu sites; %llu held for others to wake)\n",
			r.sched.cpus, r.sched.mean_slice_ns / 1e3, r.sched.preempt_cost_ns / 1e6,
			(unsigned long long)r.sched.splits,
			(unsigned long long)r.sched.sync_preemptions, r.syncpts.sites.n,
			(unsigned long long)r.sched.holds);
	grr_digester_free(&r.dg);
	grr_affinity_restore(&r.aff);
	rec_syncpt_free(&r);
	if (r.have_syms)
		grr_symtab_free(&r.syms);
	grr_mem_close(&r.mem);
	for (int i = 0; i < r.nthreads; i++)
		free(r.threads[i].vfork_stack);
	free(r.threads);
	rec_children_free(&r);
	sigprocmask(SIG_SETMASK, &old, NULL);
	res->exit_status = r.exit_status;
	return rc;
}
