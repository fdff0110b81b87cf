/* stack.c - a goroutine's stack as the user sees it (stack.h): physical
 * frames (unwind.c) with the calls inlined at each pc as frames of their
 * own, innermost first, named and placed by the symbol layer. */
#include "replayer/inspect/stack_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INLINE 32

/* Appends the frames of physical frame F (its inlined calls, then the
 * function itself) to OUT[*N..MAX). */
static void expand(struct grr_ctl *c, const struct uw_frame *f, struct grr_frame *out, int *n,
		   int max)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	struct grr_inline_frame inl[MAX_INLINE];
	int ninl = grr_symbols_inline_frames(s, f->lookup, inl, MAX_INLINE);
	struct grr_line_info li;
	const char *file = NULL;
	int line = 0;
	if (grr_symbols_line_at(s, f->lookup, &li) && li.file && strcmp(li.file, "?") != 0) {
		file = li.file;
		line = li.line;
	}
	for (int k = 0; k <= ninl && *n < max; k++) {
		struct grr_frame *o = &out[(*n)++];
		memset(o, 0, sizeof(*o));
		o->pc = f->pc;
		o->sp = f->sp;
		o->cfa = f->cfa;
		o->bp = f->bp;
		o->innermost = f->innermost;
		o->inlined = k < ninl;
		if (k < ninl) {
			o->func = inl[k].func;
		} else {
			o->func = f->fn.name;
			struct grr_func_info fi;
			if (!o->func && grr_symbols_func_at(s, f->lookup, &fi))
				o->func = fi.name;
		}
		o->file = file;
		o->line = line;
		if (k < ninl) {   /* its caller is at the call site */
			file = inl[k].call_file;
			line = inl[k].call_line;
		}
	}
}

/* Unwinds from ST and expands inlined calls into OUT. */
static int frames_from(struct grr_ctl *c, const struct uw_start *st, struct grr_frame *out, int max,
		       char *err, size_t errlen)
{
	struct uw_frame *phys = malloc((size_t)max * sizeof(*phys));
	if (!phys) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int np = uw_unwind(c, st, phys, max, err, errlen);
	int n = 0;
	for (int i = 0; i < np && n < max; i++)
		expand(c, &phys[i], out, &n, max);
	free(phys);
	return np > 0 ? n : -1;
}

/* Where goroutine G's stack starts. */
static int goroutine_start(const struct gr_g *g, struct uw_start *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	st->g = g;
	st->pc = g->pub.pc;
	st->sp = g->pub.sp;
	st->bp = g->pub.bp;
	st->from_regs = g->on_thread;
	/* a goroutine that never ran stands at its function's entry */
	st->exact = g->on_thread || (g->pub.startpc && g->pub.pc == g->pub.startpc);
	if (!st->pc || !st->sp) {
		snprintf(err, errlen, "goroutine %lld has no saved position (%s)",
			 (long long)g->pub.goid, g->pub.status);
		return -1;
	}
	return 0;
}

int grr_goroutine_stack(struct grr_ctl *c, const struct grr_goroutine *g, struct grr_frame *out,
			int max, char *err, size_t errlen)
{
	struct gr_g gr;
	struct uw_start st;
	if (max <= 0) {
		snprintf(err, errlen, "no room for frames");
		return -1;
	}
	if (gr_read(c, g->g, g->tid, &gr, err, errlen) < 0 ||
	    goroutine_start(&gr, &st, err, errlen) < 0)
		return -1;
	return frames_from(c, &st, out, max, err, errlen);
}

int grr_stack(struct grr_ctl *c, int64_t goid, struct grr_frame *out, int max, char *err,
	      size_t errlen)
{
	if (gr_process_gone(c, err, errlen))
		return -1;
	if (max <= 0) {
		snprintf(err, errlen, "no room for frames");
		return -1;
	}
	struct gr_g g;
	uint32_t tid = 0;
	struct uw_start st = { 0 };
	int found = gr_find(c, goid, &g, &tid, err, errlen);
	if (found < 0 && goid >= 0)
		return -1;
	if (found > 0) {
		if (goroutine_start(&g, &st, err, errlen) < 0)
			return -1;
	} else if (goid >= 0) {
		snprintf(err, errlen, "no goroutine %lld", (long long)goid);
		return -1;
	} else {
		/* the current thread runs no goroutine (or there are none to
		 * read yet): its own stack */
		struct user_regs_struct regs;
		tid = grr_ctl_current_tid(c);
		if (!tid || grr_replay_get_regs(grr_ctl_replay(c), tid, &regs) < 0) {
			snprintf(err, errlen, "no thread is stopped here");
			return -1;
		}
		st.pc = grr_replay_program_pc(grr_ctl_replay(c), regs.rip);
		st.sp = regs.rsp;
		st.bp = regs.rbp;
		st.exact = st.from_regs = true;
	}
	return frames_from(c, &st, out, max, err, errlen);
}

int grr_goroutine_stack_bounds(struct grr_ctl *c, int64_t goid, uint64_t *lo, uint64_t *hi)
{
	struct gr_g g;
	uint32_t tid = 0;
	char err[256];
	if (gr_find(c, goid, &g, &tid, err, sizeof(err)) <= 0)
		return -1;
	*lo = g.stack_lo;
	*hi = g.stack_hi;
	return 0;
}

bool grr_goroutine_g(struct grr_ctl *c, int64_t goid, uint64_t *gaddr)
{
	struct gr_g g;
	uint32_t tid = 0;
	char err[256];
	*gaddr = 0;
	if (gr_find(c, goid, &g, &tid, err, sizeof(err)) <= 0)
		return false;
	*gaddr = g.pub.g;
	return *gaddr != 0;
}

/* Whether NAME is a runtime function a deferred call's wrapper calls on
 * the way (morestack, panicwrap...), not the deferred one. */
static bool private_runtime(const char *name)
{
	return strncmp(name, "runtime.", 8) == 0 && name[8] >= 'a' && name[8] <= 'z';
}

/* The function a defer wrapper FN calls (Delve's rule: the first direct
 * call to a function that is not the runtime's own); FN when it is no
 * wrapper or no such call is found. */
static uint64_t unwrap_deferred(struct grr_ctl *c, uint64_t fn)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	struct grr_func_info f;
	if (!grr_symbols_func_at(s, fn, &f) || f.entry != fn ||
	    (!grr_symbols_is_trampoline(s, fn) && !strstr(f.name, "\xc2\xb7" "dwrap" "\xc2\xb7")))
		return fn;
	uint64_t calls[16];
	int n = grr_ctl_direct_calls(c, f.entry, f.end, calls, 16);
	for (int i = 0; i < n; i++) {
		struct grr_func_info t;
		if (grr_symbols_func_at(s, calls[i], &t) && t.entry == calls[i] &&
		    !private_runtime(t.name))
			return calls[i];
	}
	return fn;
}

int grr_goroutine_defers(struct grr_ctl *c, int64_t goid, struct grr_defer *out, int max,
			 char *err, size_t errlen)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	struct grr_replay *rp = grr_ctl_replay(c);
	uint64_t o_defer, o_sp, o_pc, o_fn, o_link;
	if (!grr_symbols_member_offset(s, "runtime.g", "_defer", &o_defer) ||
	    !grr_symbols_member_offset(s, "runtime._defer", "sp", &o_sp) ||
	    !grr_symbols_member_offset(s, "runtime._defer", "pc", &o_pc) ||
	    !grr_symbols_member_offset(s, "runtime._defer", "fn", &o_fn) ||
	    !grr_symbols_member_offset(s, "runtime._defer", "link", &o_link)) {
		snprintf(err, errlen, "the program's DWARF does not describe runtime._defer");
		return -1;
	}
	struct gr_g g;
	uint32_t tid = 0;
	int found = gr_find(c, goid, &g, &tid, err, errlen);
	if (found <= 0) {
		if (found == 0)
			snprintf(err, errlen, "no goroutine runs on this thread");
		return -1;
	}
	uint64_t d = 0;
	int n = 0;
	if (grr_replay_read(rp, g.pub.g + o_defer, &d, 8) < 0)
		d = 0;
	for (; d && n < max; n++) {
		uint64_t funcval = 0, next = 0;
		struct grr_defer *o = &out[n];
		memset(o, 0, sizeof(*o));
		if (grr_replay_read(rp, d + o_sp, &o->sp, 8) < 0 ||
		    grr_replay_read(rp, d + o_pc, &o->pc, 8) < 0 ||
		    grr_replay_read(rp, d + o_fn, &funcval, 8) < 0 ||
		    grr_replay_read(rp, d + o_link, &next, 8) < 0) {
			snprintf(err, errlen, "cannot read the defer record at 0x%llx",
				 (unsigned long long)d);
			return -1;
		}
		if (funcval && grr_replay_read(rp, funcval, &o->fn, 8) < 0)
			o->fn = 0;
		o->called = o->fn ? unwrap_deferred(c, o->fn) : 0;
		d = next;
	}
	return n;
}

bool grr_frame_is_user(const char *func)
{
	if (!func || !strchr(func, '.') || strncmp(func, "internal/", 9) == 0 ||
	    strncmp(func, "runtime/internal/", 17) == 0)
		return false;
	if (strncmp(func, "runtime.", 8) == 0)   /* exported: runtime.Gosched */
		return func[8] >= 'A' && func[8] <= 'Z';
	return true;
}
