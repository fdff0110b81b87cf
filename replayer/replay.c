/* replay.c - the replay loop: read the next event, run its thread to it,
 * apply it. */
#include "replayer/rp_private.h"
#include "tracee/digest.h"

#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
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
	grr_digester_init_full(&rp->dg);
	rp->stdout_open = rp->stderr_open = true;
	rp->debug = getenv("GRR_DEBUG_REPLAY") != NULL;
	snprintf(rp->trace, sizeof(rp->trace), "%s", trace);
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
	if (rp->pid > 0 && !rp->leader_reaped) {
		kill(rp->pid, SIGKILL);
		int status;
		rp_reap(rp, &status);
	}
	grr_mem_close(&rp->mem);
	grr_digester_free(&rp->dg);
	rp_lookahead_close(&rp->ahead);
	rp_anchor_counters_close(&rp->counters);
	grr_affinity_restore(&rp->aff);
	if (rp->have_syms)
		grr_symtab_free(&rp->syms);
	if (rp->reader)
		grr_reader_close(rp->reader);
	free(rp->threads);
	free(rp->breaks);
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
	case GRR_EV_BUFFERED:      return rp_apply_writes(rp, t);
	default:                   return 0;
	}
}

/* Reads the next event into rp->ev unless one is pending: 1, or 0 at the
 * end, -1 on error. */
static int load_next(struct grr_replay *rp)
{
	if (rp->ended)
		return 0;
	if (rp->failed)
		return -1;
	if (rp->ev_pending)
		return 1;
	if (rp->trace_done)
		return 0;
	struct grr_error e;
	int r = grr_reader_next(rp->reader, &rp->ev, &e);
	if (r < 0)
		return rp_fail(rp, "%s", e.msg);
	if (r == 0) {
		/* a trace cut short (killed recorder): it ends here, the
		 * program standing as it was (ended by the next step) */
		rp->trace_done = true;
		rp->cut_short = true;
		rp->exit_status = 128 + SIGKILL;
		return 0;
	}
	rp->ev_pending = true;
	if (rp->debug) {
		char what[256];
		rp_describe_event(&rp->ev, what, sizeof(what));
		fprintf(rp->opts.err, "grr-debug: event %llu tid %u: %s\n",
			(unsigned long long)rp->ev.seq, rp->ev.tid, what);
	}
	return 1;
}

/* The end of a trace without its program's end (a killed recorder): the
 * program is killed where the recording stopped. */
static int end_cut(struct grr_replay *rp)
{
	int leader;
	kill(rp->pid, SIGKILL);
	rp_reap(rp, &leader);
	rp->ended = true;
	return 0;
}

int grr_replay_step(struct grr_replay *rp)
{
	int r = load_next(rp);
	if (r == 0 && rp->trace_done && !rp->ended)
		return end_cut(rp);
	if (r <= 0)
		return r;
	/* past the program's last moment: its exit_group runs now */
	if (rp->exit_held && rp_release_exit(rp) < 0)
		return -1;
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
		/* (older recorders logged the exit of a thread killed by
		 * the group's exit before its clone event was logged) */
		if (!t && rp->group_exiting)
			rc = 0;
		else if (!t)
			return rp_diverge(rp, NULL, "no live thread for recorded thread %u",
					  rp->ev.tid);
		else
			rc = dispatch(rp, t);
	}
	if (rc == RP_DEBUG_STOP)
		return GRR_REPLAY_STOPPED;
	if (rc < 0)
		return -1;
	rp->ev_pending = false;
	rp->done = rp->ev.seq + 1;
	rp->last_tid = rp->ev.tid;
	return rp->ended ? 0 : 1;
}

int grr_replay_run_to(struct grr_replay *rp, uint64_t seq)
{
	while (rp->done < seq) {
		int r = grr_replay_step(rp);
		if (r <= 0 || r == GRR_REPLAY_STOPPED)
			return r;
	}
	return 1;
}

uint32_t grr_replay_next_tid(struct grr_replay *rp)
{
	if (load_next(rp) <= 0)
		return 0;
	if (rp->ev.kind != GRR_EV_PROCESS_EXIT && rp->ev.kind != GRR_EV_NOTE)
		thread_for(rp, rp->ev.tid);  /* the initial thread, before its first event */
	return rp->ev.kind == GRR_EV_PROCESS_EXIT || rp->ev.kind == GRR_EV_NOTE ? 0 : rp->ev.tid;
}

bool grr_replay_at_cut(struct grr_replay *rp)
{
	if (rp->ended)
		return false;
	int r = load_next(rp);
	if (r == 0)
		return rp->trace_done;
	return r > 0 && rp->ev.kind == GRR_EV_PROCESS_EXIT &&
	       rp->ev.u.process_exit.how == GRR_EXIT_DETACHED;
}

/* How a thread ending with recorded wait status ST leaves the program's
 * exit status, as a shell sees it. */
static int shell_status(int st)
{
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

bool grr_replay_at_final(struct grr_replay *rp, uint32_t *tid)
{
	uint32_t who = 0;
	bool final = false;
	if (rp->ended || rp->failed) {
		final = false;
	} else if (rp->exit_held) {
		who = rp->exit_held->rec_tid;
		rp->exit_status = (int)(rp->exit_held->call.args[0] & 0xff);
		final = true;
	} else if (grr_replay_at_cut(rp)) {
		who = rp->last_tid;
		rp->exit_status = 128 + SIGKILL;
		final = true;
	} else if (load_next(rp) > 0 && !rp->group_exiting &&
		   (rp->ev.kind == GRR_EV_THREAD_EXIT || rp->ev.kind == GRR_EV_PROCESS_EXIT)) {
		/* a thread ends that did not exit by itself, with no exit_group
		 * before: a signal kills the program (a fatal one at its
		 * delivery stop, or SIGKILL) */
		struct rp_thread *t = rp_thread_by_rec(rp, rp->ev.tid);
		final = rp->ev.kind == GRR_EV_PROCESS_EXIT ||
			(t && t->park != RP_IN_NO_RETURN && t->park != RP_GONE);
		if (final && rp->ev.kind == GRR_EV_THREAD_EXIT) {
			who = rp->ev.tid;
			rp->exit_status = shell_status(rp->ev.u.thread_exit.status);
		} else if (final) {
			who = rp->last_tid;
			rp->exit_status = rp->ev.u.process_exit.how == GRR_EXIT_SIGNAL
						  ? 128 + rp->ev.u.process_exit.status
						  : rp->ev.u.process_exit.status;
		}
	}
	if (tid)
		*tid = who;
	return final;
}

/* Whether the pending event happens at T's current point without T
 * running: an anchor whose state T is in, an asynchronous signal. */
static bool event_is_here(struct grr_replay *rp, struct rp_thread *t)
{
	if (rp->ev.kind == GRR_EV_SIGNAL)
		return rp->ev.u.signal.how != GRR_SIG_SYNC;
	if (rp->ev.kind != GRR_EV_ANCHOR)
		return rp->ev.kind != GRR_EV_SYSCALL_ENTER && rp->ev.kind != GRR_EV_RDTSC;
	return rp_anchor_here(rp, t);
}

int grr_replay_stepi(struct grr_replay *rp)
{
	int r = load_next(rp);
	if (r <= 0)
		return r;
	if (rp->group_exiting || rp->ev.kind == GRR_EV_PROCESS_EXIT || rp->ev.kind == GRR_EV_NOTE)
		return grr_replay_step(rp);
	struct rp_thread *t = thread_for(rp, rp->ev.tid);
	if (!t || (t->park != RP_STOPPED && t->park != RP_NEW) || event_is_here(rp, t))
		return grr_replay_step(rp);
	if (rp_settle_new(rp, t) < 0)
		return -1;
	struct user_regs_struct regs;
	uint8_t insn[2];
	if (grr_task_getregs(t->tid, &regs) < 0 || grr_mem_read(&rp->mem, regs.rip, insn, 2) < 0)
		return rp_fail(rp, "cannot read thread %d", (int)t->tid);
	/* a syscall instruction or a signal to deliver: the events up to the
	 * thread's next stop after them */
	if ((insn[0] == 0x0f && insn[1] == 0x05) || t->pending_sig || t->restart_pending) {
		uint32_t tid = t->rec_tid;
		for (;;) {
			r = grr_replay_step(rp);
			if (r != 1)
				return r;
			struct rp_thread *u = rp_thread_by_rec(rp, tid);
			if (!u || u->park == RP_GONE || u->park == RP_STOPPED ||
			    grr_replay_at_final(rp, NULL))
				return 1;
		}
	}
	r = rp_singlestep(rp, t);
	return r == 1 ? grr_replay_step(rp) : r;
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

int grr_replay_get_regs(struct grr_replay *rp, uint32_t tid, struct user_regs_struct *regs)
{
	struct rp_thread *t = rp_thread_by_rec(rp, tid);
	if (!t || t->park == RP_GONE || t->park == RP_NEW || rp->ended)
		return -1;
	return grr_task_getregs(t->tid, regs);
}

int grr_replay_get_fpregs(struct grr_replay *rp, uint32_t tid, struct user_fpregs_struct *fp)
{
	struct rp_thread *t = rp_thread_by_rec(rp, tid);
	if (!t || t->park == RP_GONE || t->park == RP_NEW || rp->ended)
		return -1;
	return grr_task_getfpregs(t->tid, fp);
}

int grr_replay_get_xstate(struct grr_replay *rp, uint32_t tid, void *buf, size_t len)
{
	struct rp_thread *t = rp_thread_by_rec(rp, tid);
	if (!t || t->park == RP_GONE || t->park == RP_NEW || rp->ended)
		return -1;
	struct iovec io = { buf, len };
	if (ptrace(PTRACE_GETREGSET, t->tid, (void *)NT_X86_XSTATE, &io) < 0)
		return -1;
	return (int)io.iov_len;
}

int grr_replay_read(struct grr_replay *rp, uint64_t addr, void *buf, size_t len)
{
	if (rp->ended || rp->mem.fd < 0)
		return -1;
	return grr_mem_read(&rp->mem, addr, buf, len);
}

int grr_replay_digest(struct grr_replay *rp, uint64_t *digest)
{
	if (rp->ended)
		return -1;
	return grr_digester_digest(&rp->dg, &rp->mem, NULL, 0, digest);
}

int grr_replay_threads(const struct grr_replay *rp, uint32_t *tids, int max)
{
	int n = 0;
	for (int i = 0; !rp->ended && i < rp->nthreads && n < max; i++)
		if (rp->threads[i].park != RP_GONE)
			tids[n++] = rp->threads[i].rec_tid;
	return n;
}

const char *grr_replay_program(const struct grr_replay *rp) { return rp->hdr->program; }

void grr_replay_stop_info(const struct grr_replay *rp, struct grr_replay_stop *stop)
{
	*stop = rp->stop;
}

void grr_replay_set_quiet(struct grr_replay *rp, bool quiet) { rp->opts.quiet = quiet; }

uint64_t grr_replay_program_pc(const struct grr_replay *rp, uint64_t pc)
{
	return grr_sysbuf_caller_pc(&rp->sb, pc);
}

#define SYSCALL_INSN_LEN 2   /* 0f 05 */

void grr_replay_program_regs(struct grr_replay *rp, struct user_regs_struct *regs)
{
	uint64_t pc = grr_replay_program_pc(rp, regs->rip);
	if (pc == regs->rip)
		return;
	uint8_t insn[SYSCALL_INSN_LEN];
	bool after_syscall = grr_replay_read(rp, regs->rip - SYSCALL_INSN_LEN, insn,
					     sizeof(insn)) == 0 &&
			     insn[0] == 0x0f && insn[1] == 0x05;
	regs->rip = pc + (after_syscall ? SYSCALL_INSN_LEN : 0);
}
