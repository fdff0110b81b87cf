/* ctl_moment.c - moments: capturing where a stop is, recognizing it
 * again, and re-running the replay to it (see control.h). */
#include "replayer/control/ctl_private.h"

#include <string.h>

/* Thread TID's registers and top of stack into M; 0 or -1. */
static int thread_state(struct grr_ctl *c, uint32_t tid, struct ctl_moment *m)
{
	if (grr_replay_get_regs(c->rp, tid, &m->regs) < 0)
		return -1;
	if (grr_replay_read(c->rp, m->regs.rsp, m->stack, sizeof(m->stack)) < 0)
		memset(m->stack, 0, sizeof(m->stack));
	return 0;
}

void ctl_capture_held(struct grr_ctl *c, uint32_t tid, struct ctl_moment *m)
{
	m->held = !m->mid && tid && thread_state(c, tid, m) == 0;
}

int ctl_capture(struct grr_ctl *c, uint32_t tid, bool mid, struct ctl_moment *m)
{
	struct grr_replay_pos pos;
	grr_replay_position(c->rp, &pos);
	memset(m, 0, sizeof(*m));
	m->seq = pos.seq;
	m->tid = tid;
	m->mid = mid;
	if (mid)
		return thread_state(c, tid, m);
	if (ctl_at_end(c, NULL))  /* the end: where its thread stands */
		ctl_capture_held(c, tid, m);
	return 0;
}

#define EFLAGS_ARITH 0x8d5ull

static bool regs_same(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
	return a->rip == b->rip && a->rsp == b->rsp && a->rbp == b->rbp && a->rax == b->rax &&
	       a->rbx == b->rbx && a->rcx == b->rcx && a->rdx == b->rdx && a->rsi == b->rsi &&
	       a->rdi == b->rdi && a->r8 == b->r8 && a->r9 == b->r9 && a->r10 == b->r10 &&
	       a->r11 == b->r11 && a->r12 == b->r12 && a->r13 == b->r13 && a->r14 == b->r14 &&
	       a->r15 == b->r15 && a->fs_base == b->fs_base &&
	       (a->eflags & EFLAGS_ARITH) == (b->eflags & EFLAGS_ARITH);
}

int ctl_moment_here(struct grr_ctl *c, struct ctl_moment *m, uint32_t tid)
{
	struct grr_replay_pos pos;
	grr_replay_position(c->rp, &pos);
	if (!m->mid || tid != m->tid || pos.seq != m->seq)
		return 0;
	struct user_regs_struct regs;
	uint64_t stack[CTL_STACK_WORDS];
	if (grr_replay_get_regs(c->rp, tid, &regs) < 0 || !regs_same(&regs, &m->regs))
		return 0;
	if (grr_replay_read(c->rp, regs.rsp, stack, sizeof(stack)) < 0)
		memset(stack, 0, sizeof(stack));
	if (memcmp(stack, m->stack, sizeof(stack)) != 0)
		return 0;
	if (!m->have_digest)
		return 1;
	uint64_t d;
	return grr_replay_digest(c->rp, &d) == 0 && d == m->digest;
}

/* Counts the user breakpoint hits on the way (so hit counts are those of
 * the moment reached) and stops at M. */
int ctl_reach(struct grr_ctl *c, const struct ctl_moment *m, char *err, size_t errlen)
{
	/* forward from here when the moment is ahead, else from a checkpoint */
	uint64_t base;
	if ((c->broken || c->now.seq >= m->seq) &&
	    ctl_restart_before(c, m->seq, &base, err, errlen) < 0)
		return -1;
	uint64_t extra = m->regs.rip;
	if (ctl_sync_engine(c, &extra, m->mid ? 1 : 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	struct ctl_moment want = *m;
	for (;;) {
		struct grr_replay_pos pos;
		grr_replay_position(c->rp, &pos);
		if (!want.mid && pos.seq == want.seq)
			break;
		if (pos.seq > want.seq) {
			snprintf(err, errlen, "lost the moment at event %llu",
				 (unsigned long long)want.seq);
			return -1;
		}
		if (ctl_at_end(c, NULL)) {
			if (want.mid) {
				snprintf(err, errlen, "the recording ended before the moment was reached");
				return -1;
			}
			want.seq = pos.seq;  /* past the end: the end */
			break;
		}
		ctl_set_echo(c, true);
		int r = grr_replay_step(c->rp);
		if (r < 0)
			return ctl_engine_error(c, err, errlen);
		if (r == 0) {
			if (!want.mid)
				break;
			snprintf(err, errlen, "the trace ended before the moment was reached");
			return -1;
		}
		if (r != GRR_REPLAY_STOPPED) {
			ctl_snap_maybe(c);
			continue;
		}
		struct grr_replay_stop at;
		grr_replay_stop_info(c->rp, &at);
		struct grr_ctl_stop ignored;
		if (want.mid && at.pc == want.regs.rip && ctl_moment_here(c, &want, at.tid) == 1) {
			ctl_user_stop(c, &at, &ignored, true);
			break;
		}
		ctl_user_stop(c, &at, &ignored, true);
	}
	c->now = want;
	c->cur_tid = want.mid || want.held ? want.tid : grr_replay_next_tid(c->rp);
	ctl_watch_reset_values(c);
	return ctl_sync_engine(c, NULL, 0, false) < 0 ? -1 : 0;
}

void ctl_position(struct grr_ctl *c, struct grr_ctl_pos *pos)
{
	struct grr_replay_pos rp;
	grr_replay_position(c->rp, &rp);
	memset(pos, 0, sizeof(*pos));
	pos->seq = rp.seq;
	pos->goid = -1;
	pos->no_process = rp.at_end;
	pos->at_end = rp.at_end || ctl_at_end(c, NULL);
	if (pos->at_end) {
		pos->exit_status = grr_replay_exit_status(c->rp);
		pos->cut_short = grr_replay_was_cut_short(c->rp) || grr_replay_at_cut(c->rp);
	}
	if (pos->no_process)
		return;
	pos->tid = c->cur_tid;
	struct user_regs_struct regs;
	if (pos->tid && grr_replay_get_regs(c->rp, pos->tid, &regs) == 0) {
		pos->pc = regs.rip;
		pos->goid = ctl_goid(c, pos->tid);
	}
}

int ctl_stop_here(struct grr_ctl *c, uint32_t tid, bool mid, enum grr_ctl_reason why,
		  struct grr_ctl_stop *stop)
{
	struct grr_replay_pos rp;
	grr_replay_position(c->rp, &rp);
	if (rp.seq > c->high_water)
		c->high_water = rp.seq;
	c->cur_tid = tid;
	c->sel.active = false;
	memset(stop, 0, sizeof(*stop));
	if (ctl_capture(c, tid, mid && !rp.at_end, &c->now) < 0)
		ctl_capture(c, tid, false, &c->now);
	stop->reason = why;
	ctl_position(c, &stop->pos);
	return 0;
}
