/* unwind.c - physical frames of a stack, innermost first.
 *
 * Each step uses the frame table (frame_table.c): at pc with stack
 * pointer sp, CFA = sp + pcsp(pc) + 8, the return address is at CFA - 8,
 * and the caller's sp is the CFA.  The caller's rbp is the one saved at
 * CFA - 16 when rbp points there (the function has set up its frame
 * pointer), else rbp itself (not yet saved, or a frameless function).  A
 * pc outside every known function is unwound by the frame pointer.
 *
 * The runtime's system stacks (docs/go-runtime.md), as Delve does:
 *   runtime.mcall, runtime.systemstack, runtime.newstack on g0, and
 *   runtime.mstart under a goroutine parked in systemstack_switch: the
 *     rest of the stack is the goroutine's, from its saved context g.sched;
 *   runtime.sigtramp on gsignal: the rest is where the signal interrupted
 *     the thread, from the ucontext the kernel put at sigtramp's CFA (and
 *     the frame after runtime.sigpanic or runtime.asyncPreempt is at an
 *     interrupted pc too, not after a call);
 *   runtime.goexit, runtime.rt0_go, runtime.mstart, _rt0_*: the bottom. */
#include "replayer/inspect/stack_private.h"

#include <stdio.h>
#include <string.h>

#define MAX_SWITCHES 4
/* struct ucontext (x86-64): uc_flags, uc_link, uc_stack (24 bytes), then
 * uc_mcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip */
#define UC_MCONTEXT 40
#define MC_RBP 10
#define MC_RSP 15
#define MC_RIP 16

static bool is(const char *name, const char *want)
{
	return name && strcmp(name, want) == 0;
}

static bool starts(const char *name, const char *prefix)
{
	return name && strncmp(name, prefix, strlen(prefix)) == 0;
}

static bool in_func(const struct frame_table *ft, uint64_t pc, const char *prefix)
{
	struct ft_func f;
	return ft_func_at(ft, pc, &f) && starts(f.name, prefix);
}

/* The function at PC: from pclntab, else from the symbol layer. */
static bool func_at(struct grr_ctl *c, const struct frame_table *ft, uint64_t pc,
		    struct ft_func *f)
{
	if (ft_func_at(ft, pc, f))
		return true;
	struct grr_func_info fi;
	if (!grr_symbols_func_at(grr_ctl_symbols(c), pc, &fi))
		return false;
	f->entry = fi.entry;
	f->end = fi.end;
	f->name = fi.name;
	return true;
}

struct cursor {
	uint64_t pc, sp, bp;
	bool exact, innermost, systemstack;
	bool saved;     /* pc from a saved context (g.sched) */
};

static bool on_goroutine_stack(const struct gr_g *g, uint64_t sp)
{
	return g && g->stack_hi && sp >= g->stack_lo && sp < g->stack_hi;
}

/* Continues on goroutine G's own stack, from its saved context. */
static bool to_goroutine(const struct gr_g *g, struct cursor *k)
{
	if (!g || !g->sched_pc || !g->sched_sp)
		return false;
	k->pc = g->sched_pc;
	k->sp = g->sched_sp;
	k->bp = g->sched_bp;
	k->exact = false;
	k->systemstack = false;
	k->saved = true;
	return true;
}

int uw_unwind(struct grr_ctl *c, const struct uw_start *start, struct uw_frame *out, int max,
	      char *err, size_t errlen)
{
	struct grr_replay *rp = grr_ctl_replay(c);
	const struct frame_table *ft = ft_get(c);
	const struct gr_g *g = start->g;
	struct cursor k = { start->pc, start->sp, start->bp, start->exact, start->from_regs, true,
			    false };
	k.systemstack = !on_goroutine_stack(g, k.sp);
	int n = 0, switches = 0;
	while (n < max) {
		struct uw_frame *f = &out[n];
		memset(f, 0, sizeof(*f));
		f->pc = k.pc;
		f->sp = k.sp;
		f->bp = k.bp;
		f->innermost = k.innermost;
		/* a return address is after the call: look at the call itself */
		f->lookup = k.exact ? k.pc : k.pc - 1;
		bool known = func_at(c, ft, f->lookup, &f->fn);
		if (known && !k.exact && f->fn.entry == k.pc)
			f->lookup = k.pc;   /* a fake return address at an entry */
		struct ft_func at;
		if (k.saved && func_at(c, ft, k.pc, &at) && at.entry == k.pc) {
			/* the same in a saved context: Go <= 1.20 parks a goroutine
			 * in systemstack at runtime.systemstack_switch's entry */
			f->fn = at;
			f->lookup = k.pc;
			known = true;
		}
		k.saved = false;
		int64_t delta = known ? ft_sp_delta(ft, f->lookup) : -1;
		uint64_t ret = 0, caller_bp = k.bp;
		if (delta >= 0) {
			f->cfa = k.sp + (uint64_t)delta + 8;
		} else if (k.bp >= k.sp && k.bp - k.sp < (64u << 20)) {
			f->cfa = k.bp + 16;     /* by the frame pointer */
		} else {
			n++;
			break;
		}
		n++;
		const char *name = f->fn.name;
		if (is(name, "runtime.goexit") || is(name, "runtime.rt0_go") || starts(name, "_rt0_"))
			break;
		if (k.systemstack && g && switches < MAX_SWITCHES &&
		    (is(name, "runtime.mcall") || is(name, "runtime.systemstack") ||
		     is(name, "runtime.newstack") ||
		     (is(name, "runtime.mstart") && n > 1 &&
		      in_func(ft, g->sched_pc, "runtime.systemstack_switch")))) {
			if (!to_goroutine(g, &k))
				break;
			switches++;
			k.innermost = false;
			continue;
		}
		if (is(name, "runtime.mcall") || is(name, "runtime.mstart"))
			break;
		uint64_t word;
		if (is(name, "runtime.sigtramp") && switches < MAX_SWITCHES &&
		    grr_replay_read(rp, f->cfa - 8, &word, 8) == 0 &&
		    in_func(ft, word, "runtime.sigreturn")) {
			uint64_t mc[MC_RIP + 1];
			if (grr_replay_read(rp, f->cfa + UC_MCONTEXT, mc, sizeof(mc)) < 0 || !mc[MC_RIP])
				break;
			k.pc = mc[MC_RIP];
			k.sp = mc[MC_RSP];
			k.bp = mc[MC_RBP];
			k.exact = true;
			k.innermost = false;
			k.systemstack = !on_goroutine_stack(g, k.sp);
			switches++;
			continue;
		}
		if (grr_replay_read(rp, f->cfa - 8, &ret, 8) < 0 || ret == 0)
			break;
		if (delta < 0 || k.bp == f->cfa - 16) {
			if (grr_replay_read(rp, f->cfa - 16, &caller_bp, 8) < 0)
				caller_bp = 0;
		}
		if (f->cfa <= k.sp)
			break;      /* no progress: a damaged stack */
		k.exact = is(name, "runtime.sigpanic") || is(name, "runtime.asyncPreempt");
		k.pc = ret;
		k.sp = f->cfa;
		k.bp = caller_bp;
		k.innermost = false;
	}
	if (n == 0)
		snprintf(err, errlen, "no frames");
	return n;
}
