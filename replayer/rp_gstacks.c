/* rp_gstacks.c - the replay's side of tracee/gstacks.h. */
#include "replayer/rp_private.h"
#include "tracee/gstacks.h"

bool rp_goroutine_may_resume_in(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				uint64_t lo, uint64_t hi)
{
	return !rp->have_syms || grr_gstacks_hold(&rp->mem, &rp->syms, anchor_sp, now_sp, lo, hi,
						  false);
}

bool rp_anchor_goroutine_returns_into(struct grr_replay *rp, uint64_t anchor_sp, uint64_t now_sp,
				      uint64_t lo, uint64_t hi)
{
	return !rp->have_syms || grr_gstacks_hold(&rp->mem, &rp->syms, anchor_sp, now_sp, lo, hi,
						  true);
}
