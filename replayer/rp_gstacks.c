/* rp_gstacks.c - whether a parked goroutine may resume inside a range of
 * code.  Go's asynchronous preemption pushes the interrupted pc on the
 * goroutine's stack and the goroutine later returns there; if the
 * replayer's jump to an anchor stub covers that pc (not at its first
 * byte), the goroutine would resume inside the jump.  Chaos recordings
 * anchor threads where they were interrupted, which is where Go's
 * preemption signals land too, so this happens.  The goroutines are
 * runtime.allgs (a slice of *g, runtime.allglen long), each g starting
 * with its stack bounds (stack.lo, stack.hi: the same in every Go
 * version): their stacks are searched for a word in the range. */
#include "replayer/rp_private.h"

#include <stdlib.h>

/* Stack bytes searched at most: past that, the answer is "maybe". */
#define GSTACKS_MAX (8u << 20)
#define GSTACK_MAX (1u << 20)

bool rp_goroutine_may_resume_in(struct grr_replay *rp, uint64_t lo, uint64_t hi)
{
	if (!rp->have_syms)
		return true;
	const struct grr_symbol *allgs = grr_symtab_find(&rp->syms, "runtime.allgs");
	const struct grr_symbol *allglen = grr_symtab_find(&rp->syms, "runtime.allglen");
	uint64_t arr = 0, n = 0;
	if (!allgs || !allglen || grr_mem_read(&rp->mem, allgs->addr, &arr, 8) < 0 ||
	    grr_mem_read(&rp->mem, allglen->addr, &n, 8) < 0 || n > (1u << 20))
		return true;
	uint64_t *gs = malloc((n ? n : 1) * 8);
	uint64_t *buf = malloc(GSTACK_MAX);
	bool maybe = !gs || !buf || (n && grr_mem_read(&rp->mem, arr, gs, n * 8) < 0);
	uint64_t total = 0;
	for (uint64_t i = 0; i < n && !maybe; i++) {
		uint64_t bounds[2];
		if (!gs[i] || grr_mem_read(&rp->mem, gs[i], bounds, sizeof(bounds)) < 0)
			continue;
		uint64_t len = bounds[1] - bounds[0];
		if (bounds[1] <= bounds[0] || len > GSTACK_MAX || (total += len) > GSTACKS_MAX) {
			maybe = true;
			break;
		}
		size_t got = grr_mem_read_partial(&rp->mem, bounds[0], buf, len);
		for (size_t k = 0; k < got / 8 && !maybe; k++)
			maybe = buf[k] > lo && buf[k] < hi;
	}
	free(gs);
	free(buf);
	return maybe;
}
