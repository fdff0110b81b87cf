/* ctl_call.c - calling a function of the program at the current stop,
 * in a disposable copy of the replay, so that the replay itself never
 * sees the call (docs/calls.md). */
#include "replayer/control/ctl_private.h"

#include <string.h>

#define G_RUNNING 2  /* runtime._Grunning */

/* Whether thread TID runs a goroutine on its own stack, in state running. */
static int check_goroutine(struct grr_ctl *c, uint32_t tid, char *err, size_t errlen)
{
	uint64_t g = 0, status_off;
	uint32_t status = 0;
	if (!grr_ctl_thread_g(c, tid, &g)) {
		snprintf(err, errlen, "no goroutine runs on this thread");
		return -1;
	}
	if (ctl_goid(c, tid) < 0) {
		snprintf(err, errlen, "the thread is on the runtime's system stack, not a goroutine's "
			 "(step to a line of Go code first)");
		return -1;
	}
	if (grr_symbols_member_offset(c->syms, "runtime.g", "atomicstatus", &status_off) &&
	    grr_replay_read(c->rp, g + status_off, &status, 4) == 0 && status != G_RUNNING) {
		snprintf(err, errlen, "the goroutine is not running on a thread (status %u)", status);
		return -1;
	}
	return 0;
}

int grr_ctl_call(struct grr_ctl *c, struct grr_call_request *req, struct grr_call_result *res,
		 struct grr_replay **copy, char *err, size_t errlen)
{
	*copy = NULL;
	if (c->broken) {
		snprintf(err, errlen, "the replay failed; 'restart' to begin again");
		return -1;
	}
	if (!c->now.mid || c->cur_tid != c->now.tid) {
		snprintf(err, errlen, "calls need a stop inside a goroutine (a breakpoint or a step)");
		return -1;
	}
	struct grr_func_info dc;
	char why[256];
	if (grr_symbols_func_named(c->syms, "runtime.debugCallV2", &dc, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "this program's runtime has no debugCallV2 (Go >= 1.17 needed)");
		return -1;
	}
	if (check_goroutine(c, c->cur_tid, err, errlen) < 0)
		return -1;
	req->debug_call = dc.entry;
	req->nbreaks = 0;
	const struct grr_ctl_break *bps;
	int nb = grr_ctl_breakpoints(c, &bps);
	for (int i = 0; i < nb; i++)
		for (int k = 0; !bps[i].is_watch && k < bps[i].nlocs; k++)
			if (req->nbreaks < GRR_CALL_MAX_BREAKS)
				req->breaks[req->nbreaks++] = bps[i].locs[k].pc;
	*copy = grr_replay_fork(c->rp, err, errlen);
	if (!*copy)
		return -1;
	grr_replay_set_quiet(*copy, true);
	if (grr_replay_debug_call(*copy, c->cur_tid, req, res) < 0) {
		snprintf(err, errlen, "cannot drive the call");
		grr_replay_close(*copy);
		*copy = NULL;
		return -1;
	}
	return 0;
}

int grr_ctl_call_resume(struct grr_ctl *c, struct grr_replay *copy,
			const struct grr_call_request *req, struct grr_call_result *res, char *err,
			size_t errlen)
{
	if (grr_replay_debug_call_resume(copy, c->cur_tid, req, res) < 0) {
		snprintf(err, errlen, "cannot resume the call");
		return -1;
	}
	return 0;
}
