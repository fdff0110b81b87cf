/* rp_exit.c - threads and the process ending. */
#include "replayer/rp_private.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define EVENT_EXIT 6  /* PTRACE_EVENT_EXIT */

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
			return -1;
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
	return 0;
}

/* Lets every remaining thread finish exiting; returns the leader's status. */
static int reap_all(struct grr_replay *rp, int *leader_status)
{
	int status;
	*leader_status = -1;
	for (;;) {
		pid_t p = waitpid(-1, &status, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			return 0;  /* ECHILD: all gone */
		}
		struct grr_stop st;
		grr_stop_decode(status, &st);
		if (st.kind == GRR_STOP_EXITED || st.kind == GRR_STOP_KILLED) {
			if (p == rp->pid)
				*leader_status = status;
			continue;
		}
		ptrace(PTRACE_CONT, p, 0, 0);
	}
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
	reap_all(rp, &leader);
	for (int i = 0; i < rp->nthreads; i++)
		rp->threads[i].park = RP_GONE;
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
