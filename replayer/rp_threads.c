/* rp_threads.c - recorded thread ids and the live threads replaying them. */
#include "replayer/rp_private.h"

#include <stdlib.h>
#include <string.h>

struct rp_thread *rp_thread_by_rec(struct grr_replay *rp, uint32_t rec_tid)
{
	for (int i = 0; i < rp->nthreads; i++)
		if (rp->threads[i].rec_tid == rec_tid && rp->threads[i].park != RP_GONE)
			return &rp->threads[i];
	return NULL;
}

struct rp_thread *rp_thread_add(struct grr_replay *rp, uint32_t rec_tid, pid_t tid,
				enum rp_park park)
{
	if (rp->nthreads == rp->cap_threads) {
		int cap = rp->cap_threads ? 2 * rp->cap_threads : 16;
		struct rp_thread *t = realloc(rp->threads, cap * sizeof(*t));
		if (!t)
			return NULL;
		rp->threads = t;
		rp->cap_threads = cap;
	}
	struct rp_thread *t = &rp->threads[rp->nthreads++];
	memset(t, 0, sizeof(*t));
	t->rec_tid = rec_tid;
	t->tid = tid;
	t->park = park;
	return t;
}
