/* rec_syncpt.c - chaos mode defers some change points to the next
 * synchronization (tracee/syncsites.h): a breakpoint on every site (at
 * most SYNCPT_MAX of them, chosen by the seed), and the first thread that
 * hits one (the one running then, or one that runs later: a goroutine
 * woken from a sleep, say) is preempted there, as at a timeslice's end
 * (run on to its next shared access, anchored).  Nothing within a few
 * mean change points: an ordinary preemption.  The breakpoints are
 * removed before grr reads or runs the program's code for an anchor, and
 * before the program forks or execs. */
#include "recorder/rec_private.h"
#include "tracee/syncsites.h"

#include <stdlib.h>
#include <string.h>

#define SYNCPT_MAX 512               /* breakpoints set at most */
#define SYNCPT_CODE (64u << 20)      /* bytes of own code scanned at most */
#define SEEN_CAP 8192u               /* (thread, site) pairs counted at most */

void rec_syncpt_setup(struct recorder *r)
{
	struct rec_syncpts *sp = &r->syncpts;
	memset(sp, 0, sizeof(*sp));
	if (!r->sched.chaos || !r->have_syms)
		return;
	grr_syncsites_find(&r->mem, &r->syms, SYNCPT_CODE, &sp->sites);
	sp->orig = malloc(SYNCPT_MAX);
	sp->armed = malloc(SYNCPT_MAX * sizeof(sp->armed[0]));
	sp->seen_cap = SEEN_CAP;
	sp->seen_key = calloc(SEEN_CAP, sizeof(sp->seen_key[0]));
	sp->seen_count = calloc(SEEN_CAP, sizeof(sp->seen_count[0]));
	if (!sp->orig || !sp->armed || !sp->seen_key || !sp->seen_count)
		sp->sites.n = 0;
}

void rec_syncpt_free(struct recorder *r)
{
	grr_syncsites_free(&r->syncpts.sites);
	free(r->syncpts.orig);
	free(r->syncpts.armed);
	free(r->syncpts.seen_key);
	free(r->syncpts.seen_count);
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
	/* a vfork child shares the code and runs on its own: none then */
	if (rec_vfork_child_running(r))
		return -1;
	/* all of them, or a seeded sample of SYNCPT_MAX */
	size_t step = n > SYNCPT_MAX ? n / SYNCPT_MAX : 1;
	size_t first = n > SYNCPT_MAX ? rec_sched_draw(&r->sched, step) : 0;
	/* half the time, a random quarter of them: the sites a thread
	 * meets first after the arming (a lock at the top of a loop) would
	 * otherwise take nearly every preemption, and the window between
	 * two later operations almost none */
	bool quarter = rec_sched_chance(&r->sched, 1, 2);
	for (size_t i = first; i < n && sp->narmed < SYNCPT_MAX; i += step) {
		uint64_t a = sp->sites.addr[i];
		if (quarter && !rec_sched_chance(&r->sched, 1, 4))
			continue;
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

uint64_t rec_syncpt_deadline(const struct recorder *r)
{
	return r->syncpts.deadline_ns;
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

/* The count of (TID, ADDR), incremented; a full table counts as many. */
static uint32_t seen(struct rec_syncpts *sp, pid_t tid, uint64_t addr)
{
	uint64_t key = (addr << 20) ^ (uint64_t)(uint32_t)tid;
	key = key ? key : 1;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & (sp->seen_cap - 1);
	for (uint32_t probes = 0; probes < 64; probes++, i = (i + 1) & (sp->seen_cap - 1)) {
		if (sp->seen_key[i] == key || !sp->seen_key[i]) {
			sp->seen_key[i] = key;
			return ++sp->seen_count[i];
		}
	}
	return UINT32_MAX;
}

bool rec_syncpt_take(struct recorder *r, struct rec_thread *t, uint64_t addr)
{
	uint32_t n = seen(&r->syncpts, t->tid, addr);
	return n <= 4 || rec_sched_chance(&r->sched, 1, n);
}

int rec_syncpt_pass(struct recorder *r, struct rec_thread *t, uint64_t addr, int *status)
{
	struct rec_syncpts *sp = &r->syncpts;
	int i = 0;
	while (i < sp->narmed && sp->armed[i] != addr)
		i++;
	if (i == sp->narmed)
		return 0;   /* (removed since: nothing in the way) */
	static const uint8_t int3 = 0xcc;
	struct user_regs_struct regs;
	if (grr_mem_write(&r->mem, addr, &sp->orig[i], 1) < 0)
		return -1;
	int m = rec_step(t, &regs, status);
	r->anchor_steps++;
	if (grr_mem_write(&r->mem, addr, &int3, 1) < 0)
		return -1;
	return m;
}
