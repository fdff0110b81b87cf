/* ctl_goroutine.c - which goroutine a thread runs.  On linux/amd64 the Go
 * runtime keeps the running g in the thread's TLS, 8 bytes below fs_base
 * (lower in a cgo binary whose C code has thread-locals: the symbols say
 * where); the offset of g.goid comes from DWARF (docs/go-runtime.md). */
#include "replayer/control/ctl_private.h"

int64_t grr_ctl_goroutine_of(struct grr_ctl *c, uint32_t tid) { return ctl_goid(c, tid); }

bool grr_ctl_thread_g(struct grr_ctl *c, uint32_t tid, uint64_t *g)
{
	struct user_regs_struct regs;
	*g = 0;
	return grr_replay_get_regs(c->rp, tid, &regs) == 0 && regs.fs_base &&
	       grr_replay_read(c->rp, regs.fs_base + (uint64_t)grr_symbols_g_tls_offset(c->syms),
			       g, 8) == 0 && *g;
}

int64_t ctl_goid(struct grr_ctl *c, uint32_t tid)
{
	uint64_t g = 0, goid = 0;
	if (!c->have_goid_off || !grr_ctl_thread_g(c, tid, &g))
		return -1;
	if (grr_replay_read(c->rp, g + c->goid_off, &goid, 8) < 0)
		return -1;
	/* goid 0: the thread's g0, the runtime's system stack, no goroutine */
	return goid ? (int64_t)goid : -1;
}

/* Goroutine stacks move when they grow (the runtime copies them), so a
 * frame is known by its stack pointer's offset from the top of its
 * goroutine's stack, g.stack.hi, as Delve does. */
static bool stack_hi_of_g(struct grr_ctl *c, uint64_t g, uint64_t *hi)
{
	return c->have_stack_hi_off && g &&
	       grr_replay_read(c->rp, g + c->stack_hi_off, hi, 8) == 0 && *hi;
}

bool ctl_thread_stack_hi(struct grr_ctl *c, uint32_t tid, uint64_t *hi)
{
	uint64_t g = 0;
	return grr_ctl_thread_g(c, tid, &g) && stack_hi_of_g(c, g, hi);
}

bool ctl_goid_stack_hi(struct grr_ctl *c, int64_t goid, uint64_t *hi)
{
	uint64_t allgs[2], addr;
	if (!c->have_goid_off || !grr_symbols_global_addr(c->syms, "runtime.allgs", &addr) ||
	    grr_replay_read(c->rp, addr, allgs, sizeof(allgs)) < 0 || allgs[1] > (1u << 24))
		return false;
	for (uint64_t i = 0; i < allgs[1]; i++) {
		uint64_t g, id;
		if (grr_replay_read(c->rp, allgs[0] + 8 * i, &g, 8) == 0 &&
		    grr_replay_read(c->rp, g + c->goid_off, &id, 8) == 0 && (int64_t)id == goid)
			return stack_hi_of_g(c, g, hi);
	}
	return false;
}

int ctl_stopped_on(struct grr_ctl *c, uint32_t tid, int64_t goid, struct user_regs_struct *regs,
		   int64_t *sp)
{
	uint64_t hi = 0;
	if (grr_replay_get_regs(c->rp, tid, regs) < 0)
		return -1;
	if (!ctl_thread_stack_hi(c, tid, &hi))
		hi = 0;
	*sp = (int64_t)(regs->rsp - hi);
	return goid < 0 || ctl_goid(c, tid) == goid;
}
