/* rp_exit.c - threads and the process ending.
 *
 * The program's last moment is kept: the exit_group that ends it is held
 * at its entry stop (the process still whole, every thread stopped) until
 * the replay goes on to the next event, which a debugger never does
 * there (grr_replay_at_final). */
#include "replayer/rp_private.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define EVENT_EXIT 6   /* PTRACE_EVENT_EXIT */
#define EVENT_STOP 128 /* PTRACE_EVENT_STOP: a new thread's first stop */

/* A queued stop of T, if any, without blocking: 1 found, 0 none. */
static int poll_stop(struct rp_thread *t, struct grr_stop *st)
{
	int status;
	pid_t p = waitpid(t->tid, &status, __WALL | WNOHANG);
	if (p != t->tid)
		return 0;
	grr_stop_decode(status, st);
	return 1;
}

int rp_hold_exit(struct grr_replay *rp, struct rp_thread *t)
{
	/* at a real entry stop, so that the release only resumes it */
	if (rp_rearm_syscall(rp, t) < 0)
		return -1;
	rp->exit_held = t;
	return 0;
}

int rp_release_exit(struct grr_replay *rp)
{
	struct rp_thread *t = rp->exit_held;
	rp->exit_held = NULL;
	if (grr_task_resume_syscall(t->tid, 0) < 0)
		return rp_fail(rp, "cannot resume thread %d into exit_group: %s", (int)t->tid,
			       strerror(errno));
	t->park = RP_IN_NO_RETURN;
	rp->group_exiting = true;
	return 0;
}

static int reap_thread(pid_t tid);

int rp_do_thread_exit(struct grr_replay *rp, struct rp_thread *t)
{
	struct grr_stop st;
	bool own_exit = t->park == RP_IN_NO_RETURN && t->call.nr == SYS_exit;
	int found = poll_stop(t, &st);
	if (!found) {
		/* In a group exit the kernel ends the thread by itself; otherwise it
		 * runs to its end (a fatal signal pending, say). */
		bool by_itself = t->park == RP_IN_NO_RETURN || t->park == RP_NEW || rp->group_exiting;
		int rc = by_itself ? rp_wait(rp, t, &st) : rp_resume_and_wait(rp, t, &st);
		if (rc < 0)
			return rc;
	}
	/* A thread cloned just before its group ends may report its first
	 * stop before its exit: let it go on to the exit. */
	for (int i = 0; i < 4 && st.kind == GRR_STOP_EVENT && st.event == EVENT_STOP &&
			(t->park == RP_NEW || rp->group_exiting); i++) {
		t->park = RP_STOPPED;
		/* (ESRCH: the group's end already took it; its exit follows) */
		if ((grr_task_resume_cont(t->tid, 0) < 0 && errno != ESRCH) ||
		    rp_wait(rp, t, &st) < 0)
			return rp_fail(rp, "cannot let thread %d end: %s", (int)t->tid,
				       strerror(errno));
	}
	if (st.kind == GRR_STOP_EXITED || st.kind == GRR_STOP_KILLED) {
		t->park = RP_GONE;
		return 0;
	}
	if (st.kind != GRR_STOP_EVENT || st.event != EVENT_EXIT) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	grr_task_resume_cont(t->tid, 0);
	t->park = RP_GONE;
	if (!own_exit)
		rp->group_exiting = true;  /* a thread ended by its group's end */
	else if (t->tid != rp->pid)
		/* gone before any other thread runs, as in the recording
		 * (rec_event.c): its thread id cleared in memory, which glibc
		 * reads before it reuses the thread's stack */
		reap_thread(t->tid);
	return 0;
}

/* Waits until thread TID has gone, letting its exit stops go; its wait
 * status, or -1 if it was already reaped. */
static int reap_thread(pid_t tid)
{
	int status;
	/* a thread whose stop was seen already (an exit stop after the
	 * replay sandbox's kill, reported as a divergence) waits for it */
	ptrace(PTRACE_CONT, tid, 0, 0);
	for (;;) {
		pid_t p = waitpid(tid, &status, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return status;
		ptrace(PTRACE_CONT, tid, 0, 0);
	}
}

/* Lets every remaining thread of this process finish exiting, the leader
 * last (its status comes when the group is empty); only this process's
 * threads are waited for: other replays (checkpoints) live beside it. */
int rp_reap(struct grr_replay *rp, int *leader_status)
{
	*leader_status = -1;
	for (int i = 0; i < rp->nthreads; i++) {
		struct rp_thread *t = &rp->threads[i];
		if (t->tid != rp->pid)
			reap_thread(t->tid);  /* ECHILD at once if reaped already */
		t->park = RP_GONE;
	}
	if (!rp->leader_reaped) {
		*leader_status = reap_thread(rp->pid);
		rp->leader_reaped = true;
	}
	return 0;
}

int rp_do_process_exit(struct grr_replay *rp)
{
	const struct grr_event *ev = &rp->ev;
	int how = ev->u.process_exit.how, status = ev->u.process_exit.status;
	if (how == GRR_EXIT_DETACHED) {
		kill(rp->pid, SIGKILL);
		rp->cut_short = true;
	}
	int leader;
	rp_reap(rp, &leader);
	rp->ended = true;
	if (how == GRR_EXIT_DETACHED) {
		rp->exit_status = 128 + SIGKILL;
		return 0;
	}
	rp->exit_status = how == GRR_EXIT_SIGNAL ? 128 + status : status;
	bool same = leader >= 0 &&
		    (how == GRR_EXIT_SIGNAL ? (WIFSIGNALED(leader) && WTERMSIG(leader) == status)
					    : (WIFEXITED(leader) && WEXITSTATUS(leader) == status));
	if (!same) {
		rp->ended = false;
		return rp_diverge(rp, NULL, "the program ended with status 0x%x", leader);
	}
	return 0;
}
