/* rec_split.c - chaos mode's split read-modify-writes.
 *
 * Go compiles `counter++` on a shared variable to a single `incq`, and
 * `m.flags ^= hashWriting` to one `xorb`: instructions whose load and
 * store another CPU's store may come between, which is the lost update
 * of a data race.  With one thread at a time, a preemption falls before
 * or after such an instruction, never inside it.  So when chaos mode
 * preempts a thread right before one (memory not in its own frame, no
 * lock prefix: tracee/access.h), it may cut it in two: the load is taken
 * now (the value is kept), other threads run, and when the thread runs
 * again the memory gets that value back just before it executes the
 * instruction, which then stores what it computed from the value it
 * "loaded" when it was preempted.  That is what a multiprocessor may do;
 * a correct program (one that holds a lock around such an instruction,
 * or uses atomics) cannot tell.
 *
 * The reload is a BUFFERED event (nr GRR_BUFFERED_SPLIT, ret the
 * instruction's pc, one write) logged for the thread right before it
 * runs again; replay applies it at the same point, while the thread is
 * still at the anchor before the instruction. */
#include "recorder/rec_private.h"
#include "tracee/access.h"

#include <string.h>

/* One preemption in SPLIT_ODDS before such an instruction is a split. */
#define SPLIT_ODDS_NUM 3
#define SPLIT_ODDS_DEN 4

int rec_split_begin(struct recorder *r, struct rec_thread *t, const struct user_regs_struct *regs)
{
	t->split.pending = false;
	if (!r->sched.chaos)
		return 0;
	uint8_t code[16];
	size_t n = grr_mem_read_partial(&r->mem, regs->rip, code, sizeof(code));
	struct grr_rmw rmw;
	if (n == 0 || grr_access_rmw(code, n, regs->rip, regs, &rmw) != 1)
		return 0;
	if (!rec_sched_chance(&r->sched, SPLIT_ODDS_NUM, SPLIT_ODDS_DEN))
		return 0;
	if (grr_mem_read(&r->mem, rmw.addr, t->split.loaded, rmw.len) < 0)
		return 0;   /* (it will fault: no split) */
	t->split.pc = regs->rip;
	t->split.addr = rmw.addr;
	t->split.len = rmw.len;
	t->split.pending = true;
	/* while the others run (and maybe store there too) as long as they
	 * have work, for up to a few milliseconds */
	rec_sched_starve(r, t, 500000, 5000000);
	return 0;
}

int rec_split_finish(struct recorder *r, struct rec_thread *t)
{
	if (!t->split.pending)
		return 0;
	t->split.pending = false;
	/* a signal handler runs first: the instruction is not cut around it */
	if (t->pending_sig)
		return 0;
	uint8_t now[GRR_RMW_MAX];
	if (grr_mem_read(&r->mem, t->split.addr, now, t->split.len) < 0)
		return 0;   /* unmapped meanwhile: the instruction will fault */
	if (memcmp(now, t->split.loaded, t->split.len) == 0)
		return 0;   /* nobody wrote it: nothing to reload */
	struct grr_mem_write w = { .addr = t->split.addr, .len = t->split.len,
				     .data = t->split.loaded };
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.u.exit.nr = GRR_BUFFERED_SPLIT;
	ev.u.exit.ret = (int64_t)t->split.pc;
	ev.u.exit.nwrites = 1;
	ev.u.exit.writes = &w;
	if (rec_log(r, &ev, t->tid, GRR_EV_BUFFERED) < 0)
		return -1;
	r->sched.splits++;
	return grr_mem_write(&r->mem, t->split.addr, t->split.loaded, t->split.len);
}
