/* rec_sched.c - which thread runs next, and for how long.
 *
 * Normal mode: the ready thread that has waited longest runs, for a
 * timeslice of 20 ms; a thread that blocks in the kernel gives way at
 * once.  Each preemption costs an anchor, whose memory digest grows with
 * the memory written since the last one: the timeslice grows with the
 * last anchor's cost, up to 200 ms, so that anchors take at most about a
 * tenth of the run.
 *
 * Chaos mode makes concurrency bugs happen, from one recorded seed
 * (docs/recorder.md, "Chaos scheduling"):
 * - priorities (PCT, Burckhardt et al., ASPLOS 2010): every thread has a
 *   random priority, and the highest ready one runs; a thread that
 *   becomes ready with a higher priority than the running one preempts it
 *   at once, wherever it is (a woken thread may run before its waker goes
 *   on, or, with a low priority, long after);
 * - change points: after a random run time, mostly well under a
 *   millisecond, the running thread's priority is drawn again, often the
 *   lowest of all, so that threads that all have work are interleaved at
 *   arbitrary instructions, many times per millisecond;
 * - starvation (rr's chaos mode): now and then a thread is made to wait
 *   for milliseconds while others have work;
 * - at syscalls: a call that cannot block may give up the CPU at its
 *   entry (its thread is then delayed across the call's exit), and a
 *   change point may come at any syscall exit;
 * - a budget: preemptions at arbitrary instructions cost an interrupt and
 *   an anchor each; they are suspended while they have taken more than
 *   CHAOS_BUDGET of the run, which bounds chaos recording's slowdown. */
#include "recorder/rec_private.h"

#include <math.h>

#define SLICE_NS 20000000ull
#define SLICE_MAX_NS 200000000ull
#define ANCHOR_SHARE 10       /* a timeslice is at least this many anchor costs */
#define GRACE_NS 2000000ull   /* wait this long for a "fast" syscall */
#define GRACE_MM_NS 10000000000ull   /* an address space call: until it returns */

/* Chaos: preemptions may take at most this share of the run (percent). */
#define CHAOS_BUDGET_PCT 50
/* Chaos: priorities are drawn from [PRIO_MIN, PRIO_MIN + PRIO_SPAN); the
 * lowered ones go below, each below the previous. */
#define PRIO_MIN (1ll << 32)
#define PRIO_SPAN (1ll << 30)

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

/* True with probability 1/N. */
static bool one_in(struct rec_sched *s, uint64_t n)
{
	return rng_next(s) % n == 0;
}

/* This recording's mean time between change points: mostly short ones,
 * which interleave threads that all have work many times a millisecond;
 * now and then long ones, which let a thread run far ahead of the
 * others (a choice per recording, so that a series of runs tries both). */
static uint64_t pick_mean_slice(struct rec_sched *s)
{
	static const uint64_t mean[] = { 20000, 40000, 80000, 160000, 320000, 640000,
					 2000000 };
	static const uint8_t weight[] = { 4, 4, 4, 3, 2, 1, 1 };
	uint64_t total = 0;
	for (size_t i = 0; i < sizeof(weight); i++)
		total += weight[i];
	uint64_t k = rng_next(s) % total, i = 0;
	while (k >= weight[i])
		k -= weight[i++];
	return mean[i];
}

/* The number of CPUs this recording tells the program it has: as many as
 * it has (0) one time in four, else 2, 4 or 8. */
static int pick_cpus(struct rec_sched *s)
{
	static const int cpus[] = { 0, 2, 4, 8 };
	return cpus[rng_next(s) % 4];
}

uint64_t rec_sched_draw(struct rec_sched *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

bool rec_sched_chance(struct rec_sched *s, uint64_t num, uint64_t den)
{
	return rng_next(s) % den < num;
}

void rec_sched_init(struct rec_sched *s, bool chaos, uint64_t seed)
{
	s->chaos = chaos;
	s->seed = seed;
	s->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	s->slice_ns = SLICE_NS;
	s->ready_counter = 0;
	s->low_prio = PRIO_MIN;
	s->preempt_cost_ns = 0;
	s->start_ns = rec_now_ns();
	s->mean_slice_ns = chaos ? pick_mean_slice(s) : 0;
	s->cpus = chaos ? pick_cpus(s) : 0;
}

void rec_sched_anchor_cost(struct rec_sched *s, uint64_t ns)
{
	s->anchor_cost_ns = ns;
	uint64_t slice = ns * ANCHOR_SHARE;
	s->slice_ns = slice < SLICE_NS ? SLICE_NS : slice > SLICE_MAX_NS ? SLICE_MAX_NS : slice;
}

uint64_t rec_sched_slice(struct rec_sched *s)
{
	if (!s->chaos)
		return s->slice_ns;
	/* exponential around this recording's mean: memoryless, so any
	 * instant of a thread's run is as likely a change point as any other */
	double u = (double)((rng_next(s) >> 11) + 1) / 9007199254740993.0;
	uint64_t ns = (uint64_t)(-log(u) * (double)s->mean_slice_ns);
	return ns < 5000 ? 5000 : ns;
}

void rec_sched_new_thread(struct rec_sched *s, struct rec_thread *t)
{
	t->prio = s->chaos ? PRIO_MIN + (int64_t)(rng_next(s) % PRIO_SPAN) : 0;
	t->starved_until = 0;
}

/* A change point for T: its priority is drawn again.  Mostly it goes
 * below every other thread (PCT's change point: the others run now), and
 * one time in twenty it is starved: it runs only when no other thread
 * can, for 1 to 10 ms (rr's low-priority threads). */
static void change_point(struct recorder *r, struct rec_thread *t)
{
	struct rec_sched *s = &r->sched;
	uint64_t draw = rng_next(s) % 20;
	if (draw < 1) {
		rec_sched_starve(r, t, 1000000, 10000000);
	} else if (draw < 15) {
		t->prio = --s->low_prio;
	} else {
		t->prio = PRIO_MIN + (int64_t)(rng_next(s) % PRIO_SPAN);
	}
}

void rec_sched_starve(struct recorder *r, struct rec_thread *t, uint64_t min_ns, uint64_t max_ns)
{
	struct rec_sched *s = &r->sched;
	t->starved_until = rec_now_ns() + min_ns + rng_next(s) % (max_ns - min_ns + 1);
	t->prio = --s->low_prio - PRIO_SPAN;
}

/* T's priority now: a starved thread's stays below all others until its
 * time is up, then it gets a random one again. */
static int64_t prio_of(struct recorder *r, struct rec_thread *t, uint64_t now)
{
	if (t->starved_until && now >= t->starved_until) {
		t->starved_until = 0;
		t->prio = PRIO_MIN + (int64_t)(rng_next(&r->sched) % PRIO_SPAN);
	}
	return t->prio;
}

/* How long a preempted thread is held when no other thread is ready: Go's
 * idle threads sleep in the kernel until a timer or a poll wakes them
 * (epoll waits are in whole milliseconds). */
#define HOLD_MIN_NS 500000ull
#define HOLD_MAX_NS 3000000ull

void rec_sched_hold(struct recorder *r, struct rec_thread *t)
{
	struct rec_sched *s = &r->sched;
	uint64_t now = rec_now_ns();
	for (int i = 0; i < r->nthreads; i++)
		if (&r->threads[i] != t && r->threads[i].state == RT_READY &&
		    !r->threads[i].unannounced)
			return;   /* another runs anyway */
	uint64_t hold = HOLD_MIN_NS + rng_next(s) % (HOLD_MAX_NS - HOLD_MIN_NS + 1);
	if (!rec_sched_may_preempt(r, now))
		return;
	t->held_until = now + hold;
	s->holds++;
	rec_sched_preempted(r, hold);
}

static bool held(const struct rec_thread *t, uint64_t now)
{
	return t->held_until && now < t->held_until;
}

uint64_t rec_sched_held_until(struct recorder *r, uint64_t now)
{
	uint64_t until = 0;
	for (int i = 0; i < r->nthreads; i++) {
		const struct rec_thread *t = &r->threads[i];
		if (t->state != RT_READY || t->unannounced)
			continue;
		if (!held(t, now))
			return 0;
		if (!until || t->held_until < until)
			until = t->held_until;
	}
	return until;
}

struct rec_thread *rec_sched_pick(struct recorder *r)
{
	struct rec_thread *best = NULL;
	uint64_t now = r->sched.chaos ? rec_now_ns() : 0;
	for (int i = 0; i < r->nthreads; i++) {
		struct rec_thread *t = &r->threads[i];
		if (t->state != RT_READY || t->unannounced || (r->sched.chaos && held(t, now)))
			continue;
		if (!best) {
			best = t;
			continue;
		}
		if (r->sched.chaos) {
			int64_t p = prio_of(r, t, now), q = prio_of(r, best, now);
			if (p > q || (p == q && t->ready_since < best->ready_since))
				best = t;
		} else if (t->ready_since < best->ready_since) {
			best = t;
		}
	}
	return best;
}

/* Whether a ready thread outranks the running one (chaos). */
static bool outranked(struct recorder *r, struct rec_thread *run)
{
	uint64_t now = rec_now_ns();
	int64_t mine = prio_of(r, run, now);
	for (int i = 0; i < r->nthreads; i++) {
		struct rec_thread *t = &r->threads[i];
		if (t->state == RT_READY && !t->unannounced && prio_of(r, t, now) > mine)
			return true;
	}
	return false;
}

bool rec_sched_switch_at_syscall(struct recorder *r)
{
	struct rec_thread *t = r->running;
	if (!r->sched.chaos)
		return rec_now_ns() >= r->slice_end_ns;
	if (rec_now_ns() >= r->slice_end_ns || one_in(&r->sched, 16)) {
		change_point(r, t);
		r->slice_end_ns = rec_now_ns() + rec_sched_slice(&r->sched);
	}
	return outranked(r, t);
}

/* How long an armed wait for a synchronization site may last. */
static uint64_t syncpt_wait(const struct rec_sched *s)
{
	uint64_t wait = 4 * s->mean_slice_ns;
	return wait < 200000 ? 200000 : wait > 20000000 ? 20000000 : wait;
}

bool rec_sched_slice_over(struct recorder *r, uint64_t now)
{
	struct rec_thread *t = r->running;
	if (!r->sched.chaos)
		return true;
	if (rec_syncpt_armed(r) && now >= rec_syncpt_deadline(r)) {
		/* no synchronization came in time: here, then */
		rec_syncpt_disarm(r);
		if (outranked(r, t) && rec_sched_may_preempt(r, now))
			return true;
	} else {
		change_point(r, t);
		if (outranked(r, t) && rec_sched_may_preempt(r, now)) {
			/* half the time, at the next synchronization (of this
			 * thread, or of the next one that reaches one) */
			if (rec_syncpt_armed(r)) {   /* (waiting for one already) */
				r->slice_end_ns = rec_syncpt_deadline(r);
				return false;
			}
			uint64_t wait = syncpt_wait(&r->sched);
			if (!rec_syncpt_usable(r) || !rec_sched_chance(&r->sched, 1, 2) ||
			    rec_syncpt_arm(r, now + wait) < 0)
				return true;
			r->slice_end_ns = now + wait;
			return false;
		}
	}
	r->slice_end_ns = now + rec_sched_slice(&r->sched);
	return false;
}

void rec_sched_resumed(struct recorder *r, struct rec_thread *t)
{
	(void)t;
	uint64_t now = rec_now_ns();
	/* one time in four, the thread that runs now (a woken one, often)
	 * is preempted at its next synchronization, if no other thread
	 * reaches one first */
	if (!r->sched.chaos || rec_syncpt_armed(r) || !rec_syncpt_usable(r) ||
	    !rec_sched_chance(&r->sched, 1, 4) || !rec_sched_may_preempt(r, now))
		return;
	rec_syncpt_arm(r, now + syncpt_wait(&r->sched));
	rec_sched_preempted(r, rec_now_ns() - now);
}

bool rec_sched_may_preempt(struct recorder *r, uint64_t now)
{
	const struct rec_sched *s = &r->sched;
	if (!s->chaos)
		return true;
	uint64_t run = now - s->start_ns;
	return s->preempt_cost_ns * 100 <= run * CHAOS_BUDGET_PCT;
}

void rec_sched_preempted(struct recorder *r, uint64_t cost_ns)
{
	r->sched.preempt_cost_ns += cost_ns;
}

void rec_sched_became_ready(struct recorder *r, struct rec_thread *t)
{
	struct rec_thread *run = r->running;
	if (!r->sched.chaos || !run || run == t || run->state != RT_RUNNING || t->unannounced)
		return;
	uint64_t now = rec_now_ns();
	if (prio_of(r, t, now) > prio_of(r, run, now) && !r->preempt_at_ns)
		r->preempt_at_ns = now;   /* preempt the running thread now */
}

uint64_t rec_sched_grace_ns(struct recorder *r, struct rec_thread *t,
			    const struct grr_syscall_call *c)
{
	const struct grr_syscall_desc *d = grr_syscall_desc(c->nr);
	/* sched_yield asks for another thread to run: let one (a lock holder
	 * the yielder spins on, typically); in chaos mode the yielder also
	 * gets a new priority, or it would be picked again at once */
	if (c->nr == 24) {
		if (r->sched.chaos)
			change_point(r, t);
		return 0;
	}
	bool fast = !(d->flags & GRR_SYS_MAY_BLOCK) ||
		    /* futex wake and requeue never block */
		    (c->nr == 202 && ((c->args[1] & 0x7f) == 1 || (c->args[1] & 0x7f) == 4 ||
				      (c->args[1] & 0x7f) == 5));
	if (!fast)
		return 0;
	/* a call that changes the address space keeps the CPU until it
	 * returns: another thread's mmap made meanwhile would be placed by
	 * the kernel in whichever order they ran, not in the log's, and replay
	 * would get other addresses (glibc's per-thread arenas in cgo
	 * programs) */
	if (d->flags & GRR_SYS_MM)
		return GRACE_MM_NS;
	/* chaos: the caller is sometimes held back until after others ran,
	 * whatever the call (a thread that woke another one, say) */
	if (r->sched.chaos && one_in(&r->sched, 6))
		return 0;
	return GRACE_NS;
}
