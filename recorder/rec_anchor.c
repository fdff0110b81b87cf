/* rec_anchor.c - logging an anchor: a thread stopped at an arbitrary
 * instruction (timeslice end, asynchronous signal).  The anchor holds the
 * full register file and a digest of memory, so that replay can recognize
 * the same dynamic instant: the first time the thread is at that pc with
 * equal registers and equal memory (docs/replay-model.md). */
#include "recorder/rec_private.h"
#include "tracee/digest.h"
#include "tracee/task.h"

#include <string.h>

/* Ranges that threads blocked in the kernel may write at any moment: left
 * out of the digest, since the kernel's write time is not reproducible. */
static uint32_t collect_exclusions(struct recorder *r, struct grr_range *ex, uint32_t max)
{
	uint32_t n = 0;
	for (int i = 0; i < r->nthreads; i++) {
		struct rec_thread *t = &r->threads[i];
		if (t->state != RT_IN_KERNEL)
			continue;
		for (int k = 0; k < t->nmaywrite && n < max; k++) {
			ex[n].addr = t->maywrite[k].addr;
			ex[n].len = t->maywrite[k].len;
			n++;
		}
	}
	return n;
}

int rec_log_anchor(struct recorder *r, struct rec_thread *t,
		   const struct user_regs_struct *regs)
{
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	memcpy(ev.u.anchor.regs, regs, sizeof(ev.u.anchor.regs));
	struct user_fpregs_struct fp;
	if (grr_task_getfpregs(t->tid, &fp) == 0)
		memcpy(ev.u.anchor.fpregs, &fp, sizeof(ev.u.anchor.fpregs));
	struct grr_range ex[64];
	uint32_t nex = collect_exclusions(r, ex, 64);
	uint64_t t0 = rec_now_ns();
	if (grr_digest_memory(&r->mem, ex, nex, &ev.u.anchor.digest, NULL) < 0)
		return -1;
	r->digest_ns += rec_now_ns() - t0;
	r->anchors++;
	ev.u.anchor.nexcluded = nex;
	ev.u.anchor.excluded = ex;
	t->stop_rip = regs->rip;
	t->stop_rsp = regs->rsp;
	return rec_log(r, &ev, t->tid, GRR_EV_ANCHOR);
}
