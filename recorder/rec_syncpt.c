/* rec_syncpt.c - chaos mode defers some change points to the running
 * thread's next synchronization (tracee/syncsites.h): a breakpoint on
 * every site (at most SYNCPT_MAX of them, chosen by the seed), and the
 * thread is preempted where it hits one, as at a timeslice's end (run on
 * to its next shared access, anchored).  A syscall first is a switch at
 * that syscall; nothing within a few timeslices, an ordinary preemption.
 * The breakpoints are in place only while the thread runs toward them,
 * and never while anything else reads or runs the program's code. */
#include "recorder/rec_private.h"
#include "tracee/syncsites.h"

#include <stdlib.h>
#include <string.h>

#define SYNCPT_MAX 512               /* breakpoints set at most */
#define SYNCPT_CODE (64u << 20)      /* bytes of own code scanned at most */

void rec_syncpt_setup(struct recorder *r)
{
	struct rec_syncpts *sp = &r->syncpts;
	memset(sp, 0, sizeof(*sp));
	if (!r->sched.chaos || !r->have_syms)
		return;
	grr_syncsites_find(&r->mem, &r->syms, SYNCPT_CODE, &sp->sites);
	sp->orig = malloc(SYNCPT_MAX);
	sp->armed = malloc(SYNCPT_MAX * sizeof(sp->armed[0]));
	if (!sp->orig || !sp->armed)
		sp->sites.n = 0;
}

void rec_syncpt_free(struct recorder *r)
{
	grr_syncsites_free(&r->syncpts.sites);
	free(r->syncpts.orig);
	free(r->syncpts.armed);
}

bool rec_syncpt_usable(const struct recorder *r)
{
	return r->syncpts.sites.n > 0;
}

int rec_syncpt_arm(struct recorder *r, uint64_t deadline)
{
	struct rec_syncpts *sp = &r->syncpts;
	size_t n = sp->sites.n;
	static const uint8_t int3 = 0xcc;
	sp->narmed = 0;
	/* all of them, or a seeded sample of SYNCPT_MAX */
	size_t step = n > SYNCPT_MAX ? n / SYNCPT_MAX : 1;
	size_t first = n > SYNCPT_MAX ? rec_sched_draw(&r->sched, step) : 0;
	for (size_t i = first; i < n && sp->narmed < SYNCPT_MAX; i += step) {
		uint64_t a = sp->sites.addr[i];
		if (grr_mem_read(&r->mem, a, &sp->orig[sp->narmed], 1) < 0 ||
		    grr_mem_write(&r->mem, a, &int3, 1) < 0)
			continue;
		sp->armed[sp->narmed++] = a;
	}
	sp->deadline_ns = deadline;
	return sp->narmed > 0 ? 0 : -1;
}

void rec_syncpt_disarm(struct recorder *r)
{
	struct rec_syncpts *sp = &r->syncpts;
	for (int i = sp->narmed; i-- > 0;)
		grr_mem_write(&r->mem, sp->armed[i], &sp->orig[i], 1);
	sp->narmed = 0;
	sp->deadline_ns = 0;
}

bool rec_syncpt_armed(const struct recorder *r)
{
	return r->syncpts.narmed > 0;
}

bool rec_syncpt_is_site(const struct recorder *r, uint64_t addr)
{
	/* (the program's own code has no int3 at a site: a trap there is
	 * one of these breakpoints, set now or a moment ago) */
	return grr_syncsites_has(&r->syncpts.sites, addr);
}
