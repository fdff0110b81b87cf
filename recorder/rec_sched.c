/* rec_sched.c - which thread runs next, and for how long.
 *
 * Normal mode: the ready thread that has waited longest runs, for a
 * timeslice of 50 ms; a thread that blocks in the kernel gives way at
 * once.  Each preemption costs an anchor, whose memory digest grows with
 * the memory written since the last one: the timeslice grows with the
 * last anchor's cost, up to 200 ms, so that anchors take at most about a
 * tenth of the run.
 * Chaos mode (rr's idea): the next thread is chosen at random, timeslices
 * are random between 10 us and 20 ms (mostly under 1 ms, since short ones
 * split critical sections), and threads are switched at random
 * syscall exits, all from one recorded seed. */
#include "recorder/rec_private.h"

#define SLICE_NS 50000000ull
#define SLICE_MAX_NS 200000000ull
#define ANCHOR_SHARE 10       /* a timeslice is at least this many anchor costs */
#define GRACE_NS 2000000ull   /* wait this long for a "fast" syscall */

/* xorshift64*: small, seeded, good enough for scheduling choices. */
static uint64_t rng_next(struct rec_sched *s)
{
	uint64_t x = s->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

void rec_sched_init(struct rec_sched *s, bool chaos, uint64_t seed)
{
	s->chaos = chaos;
	s->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	s->slice_ns = SLICE_NS;
	s->ready_counter = 0;
}

void rec_sched_anchor_cost(struct rec_sched *s, uint64_t ns)
{
	uint64_t slice = ns * ANCHOR_SHARE;
	s->slice_ns = slice < SLICE_NS ? SLICE_NS : slice > SLICE_MAX_NS ? SLICE_MAX_NS : slice;
}

uint64_t rec_sched_slice(struct rec_sched *s)
{
	if (!s->chaos)
		return s->slice_ns;
	/* between 10 us and 20 ms, mostly short */
	static const uint64_t choices[] = { 10000, 20000, 30000, 50000, 75000, 100000,
					    150000, 200000, 300000, 500000, 1000000, 5000000,
					    20000000 };
	return choices[rng_next(s) % (sizeof(choices) / sizeof(choices[0]))];
}

struct rec_thread *rec_sched_pick(struct recorder *r)
{
	struct rec_thread *best = NULL;
	int nready = 0;
	for (int i = 0; i < r->nthreads; i++) {
		struct rec_thread *t = &r->threads[i];
		if (t->state != RT_READY)
			continue;
		nready++;
		if (!best || t->ready_since < best->ready_since)
			best = t;
	}
	if (!r->sched.chaos || nready <= 1)
		return best;
	uint64_t k = rng_next(&r->sched) % (uint64_t)nready;
	for (int i = 0; i < r->nthreads; i++)
		if (r->threads[i].state == RT_READY && k-- == 0)
			return &r->threads[i];
	return best;
}

bool rec_sched_switch_at_syscall(struct recorder *r)
{
	if (r->sched.chaos)
		return rng_next(&r->sched) % 8 == 0;
	return rec_now_ns() >= r->slice_end_ns;
}

uint64_t rec_sched_grace_ns(struct recorder *r, const struct grr_syscall_call *c)
{
	(void)r;
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);
	/* sched_yield asks for another thread to run: let one (a lock holder
	 * the yielder spins on, typically) */
	if (c->nr == 24)
		return 0;
	if (!(d->flags & GRR_SYS_MAY_BLOCK))
		return GRACE_NS;
	/* futex wake and requeue never block */
	if (c->nr == 202 && ((c->args[1] & 0x7f) == 1 || (c->args[1] & 0x7f) == 4 ||
			     (c->args[1] & 0x7f) == 5))
		return GRACE_NS;
	return 0;
}
