/* replay.c - the replay loop: read the next event, run its thread to it,
 * apply it. */
#include "replayer/rp_private.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

struct grr_replay *grr_replay_open(const char *trace, const struct grr_replay_opts *o,
				   char *err, size_t errlen)
{
	struct grr_replay *rp = calloc(1, sizeof(*rp));
	if (!rp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rp->opts = *o;
	if (!rp->opts.out)
		rp->opts.out = stdout;
	if (!rp->opts.err)
		rp->opts.err = stderr;
	rp->mem.fd = -1;
	rp->stdout_open = rp->stderr_open = true;
	rp->debug = getenv("GRR_DEBUG_REPLAY") != NULL;
	if (rp_start(rp, trace, err, errlen) < 0) {
		grr_replay_close(rp);
		return NULL;
	}
	return rp;
}

void grr_replay_close(struct grr_replay *rp)
{
	if (!rp)
		return;
	if (rp->pid > 0 && !rp->ended) {
		kill(rp->pid, SIGKILL);
		int status;
		pid_t p;
		/* killed threads still stop at PTRACE_EVENT_EXIT: let them go */
		while ((p = waitpid(-1, &status, __WALL)) > 0)
			if (WIFSTOPPED(status))
				ptrace(PTRACE_CONT, p, 0, 0);
	}
	grr_mem_close(&rp->mem);
	if (rp->have_syms)
		grr_symtab_free(&rp->syms);
	if (rp->reader)
		grr_reader_close(rp->reader);
	free(rp->threads);
	free(rp);
}

/* The live thread replaying recorded thread TID; the first thread seen is
 * the program's initial thread. */
static struct rp_thread *thread_for(struct grr_replay *rp, uint32_t tid)
{
	struct rp_thread *t = rp_thread_by_rec(rp, tid);
	if (!t && rp->nthreads == 0)
		t = rp_thread_add(rp, tid, rp->pid, RP_STOPPED);
	return t;
}

static int dispatch(struct grr_replay *rp, struct rp_thread *t)
{
	switch (rp->ev.kind) {
	case GRR_EV_SYSCALL_ENTER: return rp_do_enter(rp, t);
	case GRR_EV_SYSCALL_EXIT:  return rp_do_exit(rp, t);
	case GRR_EV_SIGNAL:        return rp_do_signal(rp, t);
	case GRR_EV_CLONE:         return rp_do_clone(rp, t);
	case GRR_EV_THREAD_EXIT:   return rp_do_thread_exit(rp, t);
	case GRR_EV_RDTSC:         return rp_do_rdtsc(rp, t);
	case GRR_EV_ANCHOR:        return rp_do_anchor(rp, t);
	default:                   return 0;
	}
}

int grr_replay_step(struct grr_replay *rp)
{
	if (rp->ended)
		return 0;
	if (rp->failed)
		return -1;
	struct grr_error e;
	int r = grr_reader_next(rp->reader, &rp->ev, &e);
	if (r < 0)
		return rp_fail(rp, "%s", e.msg);
	if (r == 0) {
		/* a trace cut short (killed recorder): it ends here */
		rp->cut_short = true;
		rp->ended = true;
		rp->exit_status = 128 + SIGKILL;
		return 0;
	}
	if (rp->debug) {
		char what[256];
		rp_describe_event(&rp->ev, what, sizeof(what));
		fprintf(rp->opts.err, "grr-debug: event %llu tid %u: %s\n",
			(unsigned long long)rp->ev.seq, rp->ev.tid, what);
	}
	int rc;
	if (rp->ev.kind == GRR_EV_PROCESS_EXIT) {
		rc = rp_do_process_exit(rp);
	} else if (rp->ev.kind == GRR_EV_NOTE) {
		rc = 0;
	} else if (rp->group_exiting && rp->ev.kind != GRR_EV_THREAD_EXIT) {
		/* the group is being torn down: what other threads' syscalls
		 * returned then is never seen by user code */
		rc = 0;
	} else {
		struct rp_thread *t = thread_for(rp, rp->ev.tid);
		if (!t)
			return rp_diverge(rp, NULL, "no live thread for recorded thread %u",
					  rp->ev.tid);
		rc = dispatch(rp, t);
	}
	if (rc < 0)
		return -1;
	rp->done = rp->ev.seq + 1;
	rp->last_tid = rp->ev.tid;
	return rp->ended ? 0 : 1;
}

int grr_replay_run_to(struct grr_replay *rp, uint64_t seq)
{
	while (rp->done < seq) {
		int r = grr_replay_step(rp);
		if (r <= 0)
			return r;
	}
	return 1;
}

void grr_replay_position(const struct grr_replay *rp, struct grr_replay_pos *pos)
{
	pos->seq = rp->done;
	pos->tid = rp->last_tid;
	pos->pc = rp->last_pc;
	pos->at_end = rp->ended;
	/* the thread's own pc where it stands now, when it is stopped there */
	for (int i = 0; !rp->ended && i < rp->nthreads; i++) {
		const struct rp_thread *t = &rp->threads[i];
		struct user_regs_struct regs;
		if (t->rec_tid == rp->last_tid && t->park != RP_GONE && t->park != RP_NEW &&
		    t->park != RP_IN_NO_RETURN && grr_task_getregs(t->tid, &regs) == 0)
			pos->pc = regs.rip;
	}
}

int grr_replay_exit_status(const struct grr_replay *rp) { return rp->exit_status; }
bool grr_replay_was_cut_short(const struct grr_replay *rp) { return rp->cut_short; }
const char *grr_replay_error(const struct grr_replay *rp) { return rp->error; }
uint64_t grr_replay_event_count(const struct grr_replay *rp) { return rp->nevents; }

const struct grr_divergence *grr_replay_divergence(const struct grr_replay *rp)
{
	return rp->diverged ? &rp->div : NULL;
}
