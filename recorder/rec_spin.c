/* rec_spin.c - threads that spin while another has work.
 *
 * grr runs one thread of the program at a time, and a thread keeps its
 * turn (a timeslice of at least 20 ms, rec_sched.c) through its syscalls.
 * Go's idle and waiting code spins without syscalls: runtime.GC waits for
 * the background sweepers with a runtime.Gosched loop, the scheduler
 * looks for work, tests poll a condition with Gosched.  Natively the
 * thread they wait for runs beside them; under grr it waits for the
 * spinner's timeslice to end, and a 1 ms wait becomes 20 ms.
 *
 * Such loops read the clock (every eighth goroutine switch is timed, and
 * the scheduler and timers check the time) or make buffered syscalls, all
 * in-process, through grr's clock page and syscall buffer, whose counters
 * grr can read without stopping the thread.  So, while another thread is
 * ready, the running one is checked every millisecond: if since its
 * turn began it has read the clock or made a buffered call at least once
 * per SPIN_NS_PER_OP on average, and its turn has lasted a few anchors'
 * cost (an anchor is what a preemption costs), it gives way: it is
 * interrupted and anchored as at the end of a timeslice.
 *
 * A loop that polls memory only (`for ctx.Err() == nil {}`) moves no
 * counter: when the counters say no, the thread is probed instead
 * (rec_busywait.c: does it come round to the same state?), first after
 * the same minimum turn, then after twice the time since the last probe,
 * so that a thread that computes pays for a few probes per turn at most.
 * Chaos mode has its own, much shorter, change points, and no check. */
#include "recorder/rec_private.h"
#include "tracee/clockpage.h"
#include "tracee/sysbuf.h"

#define SPIN_CHECK_NS     1000000ull   /* look this often */
#define SPIN_MIN_TURN_NS  1000000ull   /* a spinning thread keeps at least this */
#define SPIN_ANCHOR_TURNS 4            /* ... and this many anchors' cost */
#define SPIN_NS_PER_OP    20000ull     /* one clock read or buffered call per 20 us */

/* The number of clock reads and buffered syscalls so far (0 without the
 * pages): the counters in their data pages. */
static uint64_t ops_so_far(struct recorder *r)
{
	uint64_t n = 0, v;
	if (r->cp.active && grr_mem_read(&r->mem, grr_cp_index(r->cp.lay), &v, 8) == 0)
		n += v;
	if (r->sb.active && grr_mem_read(&r->mem, GRR_SB_COUNT, &v, 8) == 0)
		n += v;
	return n;
}

static bool spin_check_applies(const struct recorder *r)
{
	return !r->sched.chaos && (r->cp.active || r->sb.active);
}

void rec_spin_turn_begins(struct recorder *r, uint64_t now)
{
	if (!spin_check_applies(r))
		return;
	r->spin.turn_ns = now;
	r->spin.ops = ops_so_far(r);
	r->spin.next_check_ns = now + SPIN_CHECK_NS;
	r->spin.probe_gap_ns = SPIN_MIN_TURN_NS;
	r->spin.next_probe_ns = 0;
	r->spin.probing = false;
}

uint64_t rec_spin_next_check(const struct recorder *r)
{
	return spin_check_applies(r) ? r->spin.next_check_ns : 0;
}

enum rec_spin_verdict rec_spin_check(struct recorder *r, uint64_t now)
{
	if (!spin_check_applies(r) || now < r->spin.next_check_ns)
		return REC_SPIN_NO;
	r->spin.next_check_ns = now + SPIN_CHECK_NS;
	uint64_t turn = now - r->spin.turn_ns;
	uint64_t min_turn = SPIN_ANCHOR_TURNS * r->sched.anchor_cost_ns;
	if (turn < SPIN_MIN_TURN_NS || turn < min_turn)
		return REC_SPIN_NO;
	uint64_t ops = ops_so_far(r) - r->spin.ops;
	if (ops * SPIN_NS_PER_OP >= turn) {
		r->spin.preemptions++;
		return REC_SPIN_GIVE_WAY;
	}
	if (now < r->spin.next_probe_ns)
		return REC_SPIN_NO;
	r->spin.next_probe_ns = now + r->spin.probe_gap_ns;
	r->spin.probe_gap_ns *= 2;
	return REC_SPIN_PROBE;
}
