/* ctl_end.c - the end of the recording as a moment of the session: the
 * program's last moment, its process kept whole by the engine
 * (grr_replay_at_final), where forward commands stop and stay, and from
 * which reverse commands start (control.h). */
#include "replayer/control/ctl_private.h"

bool ctl_at_end(struct grr_ctl *c, uint32_t *tid)
{
	uint32_t who = 0;
	bool end = !c->broken && grr_replay_at_final(c->rp, &who);
	if (tid)
		*tid = who ? who : c->cur_tid;
	return end;
}

int ctl_end_stop(struct grr_ctl *c, struct grr_ctl_stop *stop)
{
	uint32_t tid;
	ctl_at_end(c, &tid);
	enum grr_ctl_reason why = grr_replay_at_cut(c->rp) ? GRR_CTL_CUT : GRR_CTL_EXITED;
	return ctl_stop_here(c, tid, false, why, stop);
}
