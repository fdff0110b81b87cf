/* ctl_goroutine.c - which goroutine a thread runs.  On linux/amd64 the Go
 * runtime keeps the running g in the thread's TLS, 8 bytes below fs_base;
 * the offset of g.goid comes from DWARF (docs/go-runtime.md). */
#include "replayer/control/ctl_private.h"

int64_t grr_ctl_goroutine_of(struct grr_ctl *c, uint32_t tid) { return ctl_goid(c, tid); }

int64_t ctl_goid(struct grr_ctl *c, uint32_t tid)
{
	struct user_regs_struct regs;
	if (!c->have_goid_off || grr_replay_get_regs(c->rp, tid, &regs) < 0 || !regs.fs_base)
		return -1;
	uint64_t g = 0, goid = 0;
	if (grr_replay_read(c->rp, regs.fs_base - 8, &g, 8) < 0 || !g)
		return -1;
	if (grr_replay_read(c->rp, g + c->goid_off, &goid, 8) < 0)
		return -1;
	/* goid 0: the thread's g0, the runtime's system stack, no goroutine */
	return goid ? (int64_t)goid : -1;
}

int ctl_stopped_on(struct grr_ctl *c, uint32_t tid, int64_t goid, struct user_regs_struct *regs)
{
	if (grr_replay_get_regs(c->rp, tid, regs) < 0)
		return -1;
	return goid < 0 || ctl_goid(c, tid) == goid;
}
