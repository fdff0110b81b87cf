/* ctl_forward.c - running forward: continue, and stepping by instruction,
 * line (next, step) and frame (stepout) on one goroutine.
 *
 * Line steps follow Delve: temporary breakpoints on every statement of the
 * current function and on its return address, which stop only for the
 * goroutine being stepped, in the same frame (or its caller after the
 * return); other goroutines running the same code pass through them.  A
 * user breakpoint hit by any goroutine on the way stops there. */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>

void ctl_stepper_free(struct ctl_stepper *s)
{
	free(s->pcs);
	free(s->callsites);
	memset(s, 0, sizeof(*s));
}

static int push(uint64_t **arr, int *n, int *cap, uint64_t pc)
{
	for (int i = 0; i < *n; i++)
		if ((*arr)[i] == pc)
			return 0;
	if (*n == *cap) {
		int ncap = *cap ? 2 * *cap : 32;
		uint64_t *a = realloc(*arr, (size_t)ncap * sizeof(*a));
		if (!a)
			return -1;
		*arr = a;
		*cap = ncap;
	}
	(*arr)[(*n)++] = pc;
	return 0;
}

int ctl_stepper_add(struct ctl_stepper *s, uint64_t pc) { return push(&s->pcs, &s->npcs, &s->cap, pc); }

bool ctl_stepper_has(const struct ctl_stepper *s, uint64_t pc)
{
	for (int i = 0; s && i < s->npcs; i++)
		if (s->pcs[i] == pc)
			return true;
	return false;
}

static bool is_callsite(const struct ctl_stepper *s, uint64_t pc)
{
	for (int i = 0; i < s->ncallsites; i++)
		if (s->callsites[i] == pc)
			return true;
	return false;
}

/* Whether the replay can go forward: 1 yes; 0 at the end of the
 * recording, which is the stop (STOP filled); -1 no, why in ERR. */
static int can_run(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	struct grr_replay_pos pos;
	if (c->broken) {
		snprintf(err, errlen, "the replay failed; 'restart' to begin again");
		return -1;
	}
	if (ctl_at_end(c, NULL)) {
		ctl_end_stop(c, stop);
		return 0;
	}
	grr_replay_position(c->rp, &pos);
	if (pos.at_end) {
		snprintf(err, errlen, "the program has ended (event %llu): go back with "
			 "reverse commands, goto or restart", (unsigned long long)pos.seq);
		return -1;
	}
	return 1;
}

int ctl_run_forward(struct grr_ctl *c, struct ctl_stepper *s, struct grr_ctl_stop *stop,
		    char *err, size_t errlen)
{
	int can = can_run(c, stop, err, errlen);
	if (can <= 0)
		return can;
	if (ctl_sync_engine(c, s ? s->pcs : NULL, s ? s->npcs : 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	c->interrupted = 0;
	for (;;) {
		if (c->interrupted)
			return ctl_stop_here(c, grr_replay_next_tid(c->rp), false,
					     GRR_CTL_INTERRUPTED, stop);
		if (ctl_at_end(c, NULL))  /* the program's last moment: stay */
			return ctl_end_stop(c, stop);
		ctl_set_echo(c, true);
		int r = grr_replay_step(c->rp);
		if (r < 0)
			return ctl_engine_error(c, err, errlen);
		if (r == 0)
			return ctl_stop_here(c, 0, false, GRR_CTL_EXITED, stop);
		if (r != GRR_REPLAY_STOPPED) {
			ctl_snap_maybe(c);
			continue;
		}
		struct grr_replay_stop at;
		grr_replay_stop_info(c->rp, &at);
		struct grr_ctl_stop hit;
		struct grr_ctl_break *b = ctl_user_stop(c, &at, &hit, true);
		if (b) {
			int id = b->id;
			bool temp = b->temporary;
			ctl_stop_here(c, at.tid, true, hit.reason, stop);
			stop->bp_id = hit.bp_id;
			stop->hits = hit.hits;
			stop->old_value = hit.old_value;
			stop->new_value = hit.new_value;
			memcpy(stop->cond_error, hit.cond_error, sizeof(stop->cond_error));
			if (temp)
				grr_ctl_clear(c, id);
			return 0;
		}
		if (!s || at.why != GRR_STOP_BREAK || !ctl_stepper_has(s, at.pc))
			continue;
		int p = s->pred(c, s, &at);
		if (p < 0) {
			snprintf(err, errlen, "cannot read the stopped thread");
			return -1;
		}
		if (p == 2) {  /* the stepper added breakpoints: load them */
			if (ctl_sync_engine(c, s->pcs, s->npcs, true) < 0) {
				snprintf(err, errlen, "cannot set breakpoints");
				return -1;
			}
			continue;
		}
		if (p == 1)
			return ctl_stop_here(c, at.tid, true, GRR_CTL_STEPPED, stop);
	}
}

void grr_ctl_interrupt(struct grr_ctl *c) { c->interrupted = 1; }

int grr_ctl_continue(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	return ctl_run_forward(c, NULL, stop, err, errlen);
}

int grr_ctl_stepi(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	int can = can_run(c, stop, err, errlen);
	if (can <= 0)
		return can;
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	ctl_set_echo(c, true);
	uint32_t tid = grr_replay_next_tid(c->rp);
	int r = grr_replay_stepi(c->rp);
	if (r < 0)
		return ctl_engine_error(c, err, errlen);
	if (r == 0)
		return ctl_stop_here(c, 0, false, GRR_CTL_EXITED, stop);
	if (r == 1 && ctl_at_end(c, NULL))
		return ctl_end_stop(c, stop);
	if (r == 1)
		return ctl_stop_here(c, tid, false, GRR_CTL_STEPPED, stop);
	struct grr_replay_stop at;
	grr_replay_stop_info(c->rp, &at);
	struct grr_ctl_stop hit;
	if (at.why != GRR_STOP_STEP && ctl_user_stop(c, &at, &hit, true)) {
		ctl_stop_here(c, at.tid, true, hit.reason, stop);
		stop->bp_id = hit.bp_id;
		stop->hits = hit.hits;
		stop->old_value = hit.old_value;
		stop->new_value = hit.new_value;
		return 0;
	}
	return ctl_stop_here(c, at.tid, true, GRR_CTL_STEPPED, stop);
}

static int same_goroutine_frame(struct grr_ctl *c, struct ctl_stepper *s,
				const struct grr_replay_stop *at);

int grr_ctl_nexti(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	if (ctl_at_end(c, NULL))
		return ctl_end_stop(c, stop);
	struct user_regs_struct regs;
	struct ctl_code code;
	if (!c->cur_tid || grr_replay_get_regs(c->rp, c->cur_tid, &regs) < 0 ||
	    ctl_disasm(c, regs.rip, regs.rip + 16, &code) < 0)
		return grr_ctl_stepi(c, stop, err, errlen);
	bool is_call = code.n > 0 && code.insn[0].id == X86_INS_CALL;
	uint64_t after = code.n > 0 ? regs.rip + code.insn[0].size : 0;
	ctl_disasm_free(&code);
	if (!is_call)
		return grr_ctl_stepi(c, stop, err, errlen);
	uint64_t hi = 0;
	if (!ctl_thread_stack_hi(c, c->cur_tid, &hi))
		hi = 0;
	struct ctl_stepper s = { .goid = ctl_goid(c, c->cur_tid),
				 .frame_sp = (int64_t)(regs.rsp - hi),
				 .pred = same_goroutine_frame };  /* back after the call */
	if (ctl_stepper_add(&s, after) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = ctl_run_forward(c, &s, stop, err, errlen);
	ctl_stepper_free(&s);
	return rc;
}

/* ---- line stepping ---- */

/* The stepped goroutine in the same frame, or back in its caller (at the
 * return address S->ret, if set). */
static int same_goroutine_frame(struct grr_ctl *c, struct ctl_stepper *s,
				const struct grr_replay_stop *at)
{
	struct user_regs_struct regs;
	int64_t sp;
	int on = ctl_stopped_on(c, at->tid, s->goid, &regs, &sp);
	if (on <= 0)
		return on;
	if (at->pc == s->ret && sp == s->cfa_sp)
		return 1;          /* returned to the caller */
	return sp == s->frame_sp;
}

/* The stepped goroutine deeper in the stack (a called function). */
static int into_callee(struct grr_ctl *c, struct ctl_stepper *s,
		       const struct grr_replay_stop *at)
{
	struct user_regs_struct regs;
	int64_t sp;
	int on = ctl_stopped_on(c, at->tid, s->goid, &regs, &sp);
	if (on <= 0)
		return on;
	if (is_callsite(s, at->pc)) {
		if (sp != s->frame_sp)
			return 0;
		/* an indirect call: one instruction into the callee, and a
		 * breakpoint on its body */
		if (grr_replay_stepi(c->rp) != GRR_REPLAY_STOPPED ||
		    grr_replay_get_regs(c->rp, at->tid, &regs) < 0)
			return 0;
		struct grr_func_info f;
		if (grr_symbols_func_at(c->syms, regs.rip, &f) && !ctl_is_runtime(f.name)) {
			if (regs.rip == f.body)
				return 1;
			if (ctl_stepper_add(s, f.body) < 0)
				return -1;
			return 2;
		}
		return 0;
	}
	if (at->pc == s->ret || sp == s->frame_sp)
		return same_goroutine_frame(c, s, at);
	return sp < s->frame_sp;
}

/* The goroutine the stepping commands follow, where it stands, and the top
 * of its stack (*HI, 0 if unknown): the selected one
 * (grr_ctl_select_goroutine), else the current thread's. */
static int step_context(struct grr_ctl *c, struct user_regs_struct *regs, int64_t *goid,
			uint64_t *hi, char *err, size_t errlen)
{
	uint32_t tid = c->sel.active ? c->sel.tid : c->cur_tid;
	if (c->sel.active && (!tid || grr_replay_get_regs(c->rp, tid, regs) < 0)) {
		*regs = c->sel.regs;
		tid = 0;
	} else if (!tid || grr_replay_get_regs(c->rp, tid, regs) < 0) {
		snprintf(err, errlen, "no thread is stopped here (the program has not started or has ended)");
		return -1;
	}
	*goid = c->sel.active ? c->sel.goid : ctl_goid(c, tid);
	bool known = tid ? ctl_thread_stack_hi(c, tid, hi) : ctl_goid_stack_hi(c, *goid, hi);
	if (!known)
		*hi = 0;
	return 0;
}

int grr_ctl_select_goroutine(struct grr_ctl *c, int64_t goid, uint32_t tid, uint64_t pc,
			     uint64_t sp, uint64_t bp)
{
	struct grr_func_info f;
	if (!grr_symbols_func_at(c->syms, pc, &f))
		return -1;
	memset(&c->sel, 0, sizeof(c->sel));
	c->sel.active = true;
	c->sel.goid = goid;
	c->sel.tid = tid;
	c->sel.regs.rip = pc;
	c->sel.regs.rsp = sp;
	c->sel.regs.rbp = bp;
	return 0;
}

/* Sets up S to stop at the next line of the stepped goroutine's current
 * function, or in its caller after it returns. */
static int plan_next(struct grr_ctl *c, struct ctl_stepper *s, struct user_regs_struct *regs,
		     struct grr_line_info *cur, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	uint64_t hi;
	if (step_context(c, regs, &s->goid, &hi, err, errlen) < 0)
		return -1;
	struct grr_func_info f;
	const struct grr_line_row *rows;
	size_t nrows;
	if (!grr_symbols_func_at(c->syms, regs->rip, &f) ||
	    !grr_symbols_line_at(c->syms, regs->rip, cur) ||
	    grr_symbols_func_rows(c->syms, regs->rip, &rows, &nrows) < 0) {
		snprintf(err, errlen, "no source line at pc 0x%llx (use stepi)",
			 (unsigned long long)regs->rip);
		return -1;
	}
	uint64_t cfa;
	s->frame_sp = (int64_t)(regs->rsp - hi);
	if (ctl_frame_return(c, regs, &s->ret, &cfa) < 0)
		s->ret = cfa = 0;
	s->cfa_sp = (int64_t)(cfa - hi);
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].is_stmt && rows[i].pc >= f.body && rows[i].pc < f.end &&
		    !(rows[i].line == cur->line && rows[i].file == cur->file) &&
		    ctl_same_inline_level(c, regs->rip, rows[i].pc) &&
		    ctl_stepper_add(s, rows[i].pc) < 0)
			goto oom;
	if (s->ret && ctl_stepper_add(s, s->ret) < 0)
		goto oom;
	s->pred = same_goroutine_frame;
	return 0;
oom:
	ctl_stepper_free(s);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int grr_ctl_next(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	if (ctl_at_end(c, NULL))
		return ctl_end_stop(c, stop);
	struct ctl_stepper s;
	struct user_regs_struct regs;
	struct grr_line_info cur;
	if (plan_next(c, &s, &regs, &cur, err, errlen) < 0)
		return -1;
	int rc = ctl_run_forward(c, &s, stop, err, errlen);
	ctl_stepper_free(&s);
	return rc;
}

/* Calls made by the current line: direct ones get a breakpoint on the
 * callee's body, indirect ones on the call instruction. */
static int add_callees(struct grr_ctl *c, struct ctl_stepper *s, uint64_t pc,
		       const struct grr_line_info *cur)
{
	const struct grr_line_row *rows;
	size_t nrows;
	if (grr_symbols_func_rows(c->syms, pc, &rows, &nrows) < 0)
		return 0;
	int rc = 0;
	for (size_t i = 0; i + 1 < nrows && rc == 0; i++) {
		struct ctl_code code;
		const char *callee = NULL;
		bool inlined = ctl_inlined_from_line(c, pc, rows[i].pc, cur, &callee);
		/* a call inlined here: its first statement is where step stops */
		if (inlined && rows[i].is_stmt && !ctl_is_runtime(callee))
			rc = ctl_stepper_add(s, rows[i].pc);
		if (!inlined && (rows[i].line != cur->line || rows[i].file != cur->file))
			continue;
		if (ctl_disasm(c, rows[i].pc, rows[i + 1].pc, &code) < 0)
			continue;
		for (size_t k = 0; k < code.n && rc == 0; k++) {
			uint64_t target;
			struct grr_func_info f;
			if (code.insn[k].id != X86_INS_CALL)
				continue;
			if (!ctl_direct_call(&code.insn[k], &target))
				rc = push(&s->callsites, &s->ncallsites, &s->capcall, code.insn[k].address) < 0 ||
				     ctl_stepper_add(s, code.insn[k].address) < 0 ? -1 : 0;
			else if (grr_symbols_func_at(c->syms, target, &f) && !ctl_is_runtime(f.name))
				rc = ctl_stepper_add(s, f.body);
		}
		ctl_disasm_free(&code);
	}
	return rc;
}

int grr_ctl_step(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	if (ctl_at_end(c, NULL))
		return ctl_end_stop(c, stop);
	struct ctl_stepper s;
	struct user_regs_struct regs;
	struct grr_line_info cur;
	if (plan_next(c, &s, &regs, &cur, err, errlen) < 0)
		return -1;
	if (add_callees(c, &s, regs.rip, &cur) < 0) {
		ctl_stepper_free(&s);
		snprintf(err, errlen, "cannot decode the current line");
		return -1;
	}
	s.pred = into_callee;
	int rc = ctl_run_forward(c, &s, stop, err, errlen);
	ctl_stepper_free(&s);
	return rc;
}

int grr_ctl_stepout(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	if (ctl_at_end(c, NULL))
		return ctl_end_stop(c, stop);
	struct ctl_stepper s;
	memset(&s, 0, sizeof(s));
	struct user_regs_struct regs;
	uint64_t hi, cfa;
	if (step_context(c, &regs, &s.goid, &hi, err, errlen) < 0)
		return -1;
	if (ctl_frame_return(c, &regs, &s.ret, &cfa) < 0 || !s.ret) {
		snprintf(err, errlen, "cannot find the caller of the function at 0x%llx",
			 (unsigned long long)regs.rip);
		return -1;
	}
	s.cfa_sp = (int64_t)(cfa - hi);
	s.frame_sp = INT64_MIN;  /* only the return counts */
	s.pred = same_goroutine_frame;
	if (ctl_stepper_add(&s, s.ret) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = ctl_run_forward(c, &s, stop, err, errlen);
	ctl_stepper_free(&s);
	return rc;
}
