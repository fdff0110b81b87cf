/* rp_gstacks.c - whether a parked goroutine may resume inside a range of
 * code.  Go's asynchronous preemption pushes the interrupted pc on the
 * goroutine's stack and the goroutine later returns there; if the
 * replayer's jump to an anchor stub covers that pc (not at its first
 * byte), the goroutine would resume inside the jump.  Chaos recordings
 * anchor threads where they were interrupted, which is where Go's
 * preemption signals land too, so this happens.  The goroutines are
 * runtime.allgs (a slice of *g, runtime.allglen long), each g starting
 * with its stack bounds (stack.lo, stack.hi) and, at offset 56, its saved
 * context's sp (sched.sp; the same from Go 1.19 to 1.27): the used part
 * of each stack is searched for a word in the range (words below it are
 * stale: a goroutine once preempted there and since resumed).  The
 * goroutine whose stack holds the anchor's RSP (ANCHOR_SP) is searched
 * from there, or from the thread's own rsp now (NOW_SP) where that is
 * lower on the same stack (the goroutine has still to return through the
 * frames in between: an asynchronous preemption's among them), or all of
 * it while the thread runs on another stack (a signal handler's, the
 * scheduler's: where its frames end is not known). */
#include "replayer/rp_private.h"

#include <stdlib.h>

/* Stack bytes searched at most: past that, the answer is "maybe". */
#define GSTACKS_MAX (8u << 20)
#define GSTACK_MAX (1u << 20)

#define G_SCHED_SP 56

/* Where the search of one goroutine's stack [LO, HI) starts. */
static uint64_t search_from(uint64_t lo, uint64_t hi, uint64_t sched_sp, uint64_t anchor_sp,
			    uint64_t now_sp)
{
	if (anchor_sp >= lo && anchor_sp < hi) {
		if (now_sp < lo || now_sp >= hi)
			return lo;
		return now_sp < anchor_sp ? now_sp : anchor_sp;
	}
	if (sched_sp < lo || sched_sp > hi)
		return lo;   /* (no saved sp: all of it) */
	return sched_sp;
}

/* OWN: only the goroutine whose stack holds ANCHOR_SP, only below it. */
static bool scan(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp, uint64_t lo,
		 uint64_t hi, bool own)
{
	if (!rp->have_syms)
		return true;
	const struct grr_symbol *allgs = grr_symtab_object(&rp->syms, "runtime.allgs");
	const struct grr_symbol *allglen = grr_symtab_object(&rp->syms, "runtime.allglen");
	uint64_t arr = 0, n = 0;
	if (!allgs || !allglen || grr_mem_read(&rp->mem, allgs->addr, &arr, 8) < 0 ||
	    grr_mem_read(&rp->mem, allglen->addr, &n, 8) < 0 || n > (1u << 20))
		return true;
	uint64_t *gs = malloc((n ? n : 1) * 8);
	uint64_t *buf = malloc(GSTACK_MAX);
	bool maybe = !gs || !buf || (n && grr_mem_read(&rp->mem, arr, gs, n * 8) < 0);
	uint64_t total = 0;
	for (uint64_t i = 0; i < n && !maybe; i++) {
		uint64_t bounds[2], sp;
		if (!gs[i] || grr_mem_read(&rp->mem, gs[i], bounds, sizeof(bounds)) < 0 ||
		    grr_mem_read(&rp->mem, gs[i] + G_SCHED_SP, &sp, 8) < 0)
			continue;
		bool holds = anchor_sp >= bounds[0] && anchor_sp < bounds[1];
		if (own && !holds)
			continue;
		sp = search_from(bounds[0], bounds[1], sp, anchor_sp, now_sp);
		uint64_t top = own ? anchor_sp : bounds[1];
		if (own && sp >= top)
			continue;
		uint64_t len = top - (sp & ~7ull);
		if (bounds[1] <= bounds[0] || len > GSTACK_MAX || (total += len) > GSTACKS_MAX) {
			maybe = true;
			break;
		}
		size_t got = grr_mem_read_partial(&rp->mem, sp & ~7ull, buf, len);
		for (size_t k = 0; k < got / 8 && !maybe; k++)
			maybe = buf[k] > lo && buf[k] < hi;
	}
	free(gs);
	free(buf);
	return maybe;
}

bool rp_goroutine_may_resume_in(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				uint64_t lo, uint64_t hi)
{
	return scan(rp, anchor_sp, now_sp, lo, hi, false);
}

bool rp_anchor_goroutine_returns_into(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				      uint64_t lo, uint64_t hi)
{
	return scan(rp, anchor_sp, now_sp, lo, hi, true);
}
