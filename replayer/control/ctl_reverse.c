/* ctl_reverse.c - reverse execution by re-execution.
 *
 * Without performance counters the past cannot be counted in instructions,
 * but replay is deterministic, so it can be run again.  Every reverse
 * command is a search for "the last stop of some kind before now":
 *   pass 1: from the start, with the breakpoints that kind needs plus one
 *           on the current pc, run until the current moment is recognized
 *           (same thread, registers, top of stack and memory digest),
 *           numbering every engine stop and remembering the number of the
 *           last one that qualified;
 *   pass 2: from the start again, with the same breakpoints, run to that
 *           numbered stop.  The same breakpoints give the same stops.
 * reverse-stepi then single-steps from the last possible predecessor. */
#include "replayer/control/ctl_private.h"

#include <stdlib.h>
#include <string.h>

struct rev_search {
	struct ctl_stepper bps;        /* breakpoints this search needs */
	int (*pred)(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
		    uint64_t raw);
	struct ctl_moment m;           /* the moment we search back from */
	uint64_t last_raw;             /* the stop that qualified last */
	uint64_t base;                 /* event of the window's checkpoint */
	bool reset_seen;               /* the searched frame began in the window */
	/* line searches */
	int64_t goid;
	uint64_t entry;
	uint64_t hi;                   /* top of the searched goroutine's stack at
					  the moment searched from: frames are
					  compared by offsets from it */
	bool have_cfa;
	int64_t m_sp, cfa_sp;          /* the moment's rsp, its frame's cfa */
	struct grr_line_info cur;
	bool in_run;
	struct grr_line_info run;
	struct ctl_stepper callees;    /* statements of called functions (rs) */
	struct grr_ctl_stop found;     /* reverse-continue: the last hit */
};

static void search_free(struct rev_search *r)
{
	ctl_stepper_free(&r->bps);
	ctl_stepper_free(&r->callees);
}

/* The current moment, with its memory digest, as the search's end; the
 * top of its goroutine's stack, and its rsp as an offset from it. */
static int current_moment(struct grr_ctl *c, struct rev_search *r, char *err, size_t errlen)
{
	if (c->broken) {
		snprintf(err, errlen, "the replay failed; 'restart' to begin again");
		return -1;
	}
	struct ctl_moment *m = &r->m;
	*m = c->now;
	if ((!m->mid && !m->held) || !ctl_thread_stack_hi(c, m->tid, &r->hi))
		r->hi = 0;
	r->m_sp = (int64_t)(m->regs.rsp - r->hi);
	if (m->mid && !m->have_digest) {
		if (grr_replay_digest(c->rp, &m->digest) < 0) {
			snprintf(err, errlen, "cannot read the program's memory");
			return -1;
		}
		m->have_digest = true;
	}
	return 0;
}

static int load_breaks(struct grr_ctl *c, struct rev_search *r)
{
	struct ctl_stepper all = { 0 };
	for (int i = 0; i < r->bps.npcs; i++)
		if (ctl_stepper_add(&all, r->bps.pcs[i]) < 0)
			goto fail;
	if (r->m.mid && ctl_stepper_add(&all, r->m.regs.rip) < 0)
		goto fail;
	int rc = ctl_sync_engine(c, all.pcs, all.npcs, true);
	ctl_stepper_free(&all);
	return rc;
fail:
	ctl_stepper_free(&all);
	return -1;
}

/* The replay at the latest checkpoint before SEQ (at or before it when
 * AT_OK), with this search's breakpoints. */
static int restart(struct grr_ctl *c, struct rev_search *r, uint64_t seq, bool at_ok,
		   char *err, size_t errlen)
{
	uint64_t want = at_ok || seq == 0 ? seq : seq - 1;
	if (ctl_restart_before(c, want, &r->base, err, errlen) < 0)
		return -1;
	if (load_breaks(c, r) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	return 0;
}

static int lost(struct grr_ctl *c, char *err, size_t errlen)
{
	c->broken = true;
	snprintf(err, errlen, "could not find the current moment again (replay not repeatable?)");
	return -1;
}

/* Pass 1 over one window: from the checkpoint before LIMIT to LIMIT. */
static int pass_window(struct grr_ctl *c, struct rev_search *r, struct ctl_moment *limit,
		       char *err, size_t errlen)
{
	if (restart(c, r, limit->seq, limit->mid, err, errlen) < 0)
		return -1;
	r->last_raw = 0;
	r->in_run = false;
	r->reset_seen = false;
	uint64_t raw = 0;
	for (;;) {
		struct grr_replay_pos pos;
		grr_replay_position(c->rp, &pos);
		if (!limit->mid && pos.seq == limit->seq)
			return 0;
		if (pos.seq > limit->seq)
			return lost(c, err, errlen);
		int s = grr_replay_step(c->rp);
		if (s < 0)
			return ctl_engine_error(c, err, errlen);
		if (s == 0)
			return limit->mid ? lost(c, err, errlen) : 0;
		if (s != GRR_REPLAY_STOPPED)
			continue;
		raw++;
		struct grr_replay_stop at;
		grr_replay_stop_info(c->rp, &at);
		if (limit->mid && at.pc == limit->regs.rip && ctl_moment_here(c, limit, at.tid) == 1)
			return 0;
		if (r->pred(c, r, &at, raw) < 0) {
			snprintf(err, errlen, "cannot read the stopped thread");
			return -1;
		}
	}
}

/* Pass 1: window after window back from the current moment, until one
 * holds a qualifying stop (or the search's start, or the trace's). */
static int pass_find(struct grr_ctl *c, struct rev_search *r, char *err, size_t errlen)
{
	struct ctl_moment limit = r->m;
	for (;;) {
		if (pass_window(c, r, &limit, err, errlen) < 0)
			return -1;
		if (r->last_raw || r->reset_seen || r->base == 0)
			return 0;
		limit = (struct ctl_moment){ .seq = r->base };
	}
}

/* Pass 2: from the window's checkpoint to stop number RAW; the thread
 * stopped there in *TID. */
static int pass_goto(struct grr_ctl *c, struct rev_search *r, uint64_t raw, uint32_t *tid,
		     char *err, size_t errlen)
{
	uint64_t base = r->base;
	if (restart(c, r, base, true, err, errlen) < 0)
		return -1;
	if (r->base != base)
		return lost(c, err, errlen);
	struct grr_replay_stop at = { 0 };
	for (uint64_t n = 0; n < raw;) {
		int s = grr_replay_step(c->rp);
		if (s < 0)
			return ctl_engine_error(c, err, errlen);
		if (s == 0)
			return lost(c, err, errlen);
		if (s != GRR_REPLAY_STOPPED)
			continue;
		n++;
		/* hit counts (and watched values) as of the stop reached */
		struct grr_ctl_stop ignored;
		grr_replay_stop_info(c->rp, &at);
		ctl_user_stop(c, &at, &ignored, true);
	}
	*tid = at.tid;
	return 0;
}

/* Ends a search at its last qualifying stop (or the start). */
static int finish(struct grr_ctl *c, struct rev_search *r, enum grr_ctl_reason why,
		  struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	uint32_t tid;
	if (pass_goto(c, r, r->last_raw, &tid, err, errlen) < 0)
		return -1;
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	ctl_watch_reset_values(c);  /* watched values as of this moment */
	return ctl_stop_here(c, tid, true, why, stop);
}

static int at_start(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	if (ctl_restart_engine(c, err, errlen) < 0)
		return -1;
	ctl_hits_load(c, NULL);
	ctl_watch_reset_values(c);
	if (ctl_sync_engine(c, NULL, 0, true) < 0) {
		snprintf(err, errlen, "cannot set breakpoints");
		return -1;
	}
	return ctl_stop_here(c, grr_replay_next_tid(c->rp), false, GRR_CTL_AT_START, stop);
}

/* ---- reverse-continue ---- */

static int pred_user(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
		     uint64_t raw)
{
	struct grr_ctl_stop hit;
	if (!ctl_user_stop(c, at, &hit, true))
		return 0;
	r->last_raw = raw;
	r->found = hit;
	return 0;
}

int grr_ctl_reverse_continue(struct grr_ctl *c, struct grr_ctl_stop *stop,
			     char *err, size_t errlen)
{
	struct rev_search r = { .pred = pred_user };
	int rc = current_moment(c, &r, err, errlen);
	if (rc == 0)
		rc = pass_find(c, &r, err, errlen);
	if (rc == 0 && r.last_raw == 0) {
		rc = at_start(c, stop, err, errlen);
	} else if (rc == 0) {
		rc = finish(c, &r, r.found.reason, stop, err, errlen);
		if (rc == 0) {
			stop->bp_id = r.found.bp_id;
			stop->hits = r.found.hits;
			stop->old_value = r.found.old_value;
			stop->new_value = r.found.new_value;
			memcpy(stop->cond_error, r.found.cond_error, sizeof(stop->cond_error));
		}
	}
	search_free(&r);
	return rc;
}

/* ---- reverse line steps ---- */

static int stopped_regs(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
			struct user_regs_struct *regs, int64_t *sp)
{
	return ctl_stopped_on(c, at->tid, r->goid, regs, sp);
}

/* Statement starts of the searched frame: the first arrival of the last
 * run of arrivals at a line other than the current one. */
static int pred_line(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
		     uint64_t raw)
{
	struct user_regs_struct regs;
	int64_t sp;
	if (!ctl_stepper_has(&r->bps, at->pc))
		return 0;  /* a user breakpoint, not one of the search's */
	int g = stopped_regs(c, r, at, &regs, &sp);
	if (g <= 0)
		return g;
	if (at->pc == r->entry && r->have_cfa && sp == r->cfa_sp - 8) {
		r->last_raw = 0;      /* a new call of the function: start over */
		r->in_run = false;
		r->reset_seen = true;
		return 0;
	}
	if (ctl_stepper_has(&r->callees, at->pc) && sp < r->m_sp) {
		r->last_raw = raw;    /* a line of a function called from here */
		r->in_run = false;
		return 0;
	}
	if (sp != r->m_sp)
		return 0;
	struct grr_line_info li;
	if (!grr_symbols_line_at(c->syms, at->pc, &li))
		return 0;
	if (li.line == r->cur.line && li.file == r->cur.file) {
		r->in_run = false;
		return 0;
	}
	if (r->in_run && li.line == r->run.line && li.file == r->run.file)
		return 0;
	r->last_raw = raw;
	r->run = li;
	r->in_run = true;
	return 0;
}

static int pred_callsite(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
			 uint64_t raw)
{
	struct user_regs_struct regs;
	int64_t sp;
	if (!ctl_stepper_has(&r->bps, at->pc))
		return 0;
	int g = stopped_regs(c, r, at, &regs, &sp);
	if (g <= 0)
		return g;
	if (sp == r->cfa_sp)
		r->last_raw = raw;
	return 0;
}

static int reverse_stepout_from(struct grr_ctl *c, struct rev_search *r,
				struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	uint64_t ret, cfa;
	if (ctl_frame_return(c, &r->m.regs, &ret, &cfa) < 0) {
		snprintf(err, errlen, "cannot find the caller of the function at 0x%llx",
			 (unsigned long long)r->m.regs.rip);
		return -1;
	}
	uint64_t call = ctl_call_before(c, ret);
	if (!call) {
		snprintf(err, errlen, "the caller's call instruction is not found before 0x%llx",
			 (unsigned long long)ret);
		return -1;
	}
	ctl_stepper_free(&r->bps);
	ctl_stepper_free(&r->callees);
	r->cfa_sp = (int64_t)(cfa - r->hi);
	r->have_cfa = true;
	r->pred = pred_callsite;
	if (ctl_stepper_add(&r->bps, call) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pass_find(c, r, err, errlen) < 0)
		return -1;
	if (r->last_raw == 0) {
		snprintf(err, errlen, "the call of this function is not in the recording");
		return -1;
	}
	return finish(c, r, GRR_CTL_STEPPED, stop, err, errlen);
}

/* Fills R for a line search from the stopped goroutine's current line. */
static int plan_line_search(struct grr_ctl *c, struct rev_search *r, bool into,
			    char *err, size_t errlen)
{
	if (current_moment(c, r, err, errlen) < 0)
		return -1;
	if (!r->m.mid && !r->m.held) {
		snprintf(err, errlen, "reverse stepping starts from a stop in a thread "
			 "(after a breakpoint or a step)");
		return -1;
	}
	struct grr_func_info f;
	const struct grr_line_row *rows;
	size_t nrows;
	uint64_t pc = r->m.regs.rip;
	if (!grr_symbols_func_at(c->syms, pc, &f) || !grr_symbols_line_at(c->syms, pc, &r->cur) ||
	    grr_symbols_func_rows(c->syms, pc, &rows, &nrows) < 0) {
		snprintf(err, errlen, "no source line at pc 0x%llx (use reverse-stepi)",
			 (unsigned long long)pc);
		return -1;
	}
	r->goid = ctl_goid(c, r->m.tid);
	r->entry = f.entry;
	uint64_t ret, cfa;
	r->have_cfa = ctl_frame_return(c, &r->m.regs, &ret, &cfa) == 0;
	r->cfa_sp = (int64_t)(cfa - r->hi);
	r->pred = pred_line;
	if (ctl_stepper_add(&r->bps, f.entry) < 0)
		return -1;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].is_stmt && rows[i].pc >= f.body && rows[i].pc < f.end &&
		    ctl_same_inline_level(c, pc, rows[i].pc) &&
		    ctl_stepper_add(&r->bps, rows[i].pc) < 0)
			return -1;
	if (!into)
		return 0;
	/* statements of the functions this one calls directly */
	struct ctl_code code;
	if (ctl_disasm(c, f.entry, f.end, &code) < 0)
		return 0;
	for (size_t k = 0; k < code.n; k++) {
		struct grr_func_info g;
		uint64_t target;
		const struct grr_line_row *grows;
		size_t ngrows;
		if (!ctl_direct_call(&code.insn[k], &target) ||
		    !grr_symbols_func_at(c->syms, target, &g) || ctl_is_runtime(g.name) ||
		    g.entry == f.entry || grr_symbols_func_rows(c->syms, g.entry, &grows, &ngrows) < 0)
			continue;
		for (size_t i = 0; i < ngrows; i++)
			if (grows[i].is_stmt && grows[i].pc >= g.body && grows[i].pc < g.end) {
				ctl_stepper_add(&r->callees, grows[i].pc);
				ctl_stepper_add(&r->bps, grows[i].pc);
			}
	}
	ctl_disasm_free(&code);
	return 0;
}

static int reverse_line(struct grr_ctl *c, bool into, struct grr_ctl_stop *stop,
			char *err, size_t errlen)
{
	struct rev_search r = { 0 };
	int rc = plan_line_search(c, &r, into, err, errlen);
	if (rc == 0)
		rc = pass_find(c, &r, err, errlen);
	if (rc == 0 && r.last_raw)
		rc = finish(c, &r, GRR_CTL_STEPPED, stop, err, errlen);
	else if (rc == 0)  /* the first line of the function: back into the caller */
		rc = reverse_stepout_from(c, &r, stop, err, errlen);
	search_free(&r);
	return rc;
}

int grr_ctl_reverse_next(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	return reverse_line(c, false, stop, err, errlen);
}

int grr_ctl_reverse_step(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	return reverse_line(c, true, stop, err, errlen);
}

int grr_ctl_reverse_stepout(struct grr_ctl *c, struct grr_ctl_stop *stop,
			    char *err, size_t errlen)
{
	struct rev_search r = { 0 };
	int rc = current_moment(c, &r, err, errlen);
	if (rc == 0 && !r.m.mid && !r.m.held) {
		snprintf(err, errlen, "reverse stepping starts from a stop in a thread "
			 "(after a breakpoint or a step)");
		rc = -1;
	}
	if (rc == 0) {
		r.goid = ctl_goid(c, r.m.tid);
		rc = reverse_stepout_from(c, &r, stop, err, errlen);
	}
	search_free(&r);
	return rc;
}

/* ---- reverse-stepi ---- */

static int pred_thread(struct grr_ctl *c, struct rev_search *r, const struct grr_replay_stop *at,
		       uint64_t raw)
{
	(void)c;
	if (at->tid == r->m.tid && ctl_stepper_has(&r->bps, at->pc))
		r->last_raw = raw;
	return 0;
}

/* The ret instructions of the function a direct call at CALL goes to:
 * the instruction before its return address (single steps from the call
 * through the whole callee are slow and cross other threads' events). */
static int callee_returns(struct grr_ctl *c, struct rev_search *r, uint64_t call)
{
	struct ctl_code code;
	uint64_t target;
	struct grr_func_info f;
	if (ctl_disasm(c, call, call + 16, &code) < 0)
		return 0;
	bool direct = code.n > 0 && ctl_direct_call(&code.insn[0], &target);
	ctl_disasm_free(&code);
	if (!direct || !grr_symbols_func_at(c->syms, target, &f) ||
	    ctl_disasm(c, f.entry, f.end, &code) < 0)
		return 0;
	int rc = 0;
	for (size_t k = 0; k < code.n && rc == 0; k++)
		if (code.insn[k].id == X86_INS_RET)
			rc = ctl_stepper_add(&r->bps, code.insn[k].address);
	ctl_disasm_free(&code);
	return rc;
}

/* Instructions that may run right before PC: the one before it in its
 * function, jumps to it, and the call that leads to it (or, for a direct
 * call, its callee's returns). */
static int predecessors(struct grr_ctl *c, struct rev_search *r)
{
	uint64_t pc = r->m.regs.rip;
	struct grr_func_info f;
	uint64_t call = ctl_call_before(c, pc);
	if (call && (ctl_stepper_add(&r->bps, call) < 0 || callee_returns(c, r, call) < 0))
		return -1;
	if (!grr_symbols_func_at(c->syms, pc, &f))
		return 0;
	if (pc == f.entry) {
		uint64_t site = ctl_call_before(c, r->m.stack[0]);
		if (site && ctl_stepper_add(&r->bps, site) < 0)
			return -1;
	}
	struct ctl_code code;
	if (ctl_disasm(c, f.entry, f.end, &code) < 0)
		return 0;
	for (size_t k = 0; k < code.n; k++) {
		const cs_insn *in = &code.insn[k];
		const cs_x86 *x = &in->detail->x86;
		bool falls_in = in->address + in->size == pc;
		bool jumps_in = x->op_count == 1 && x->operands[0].type == X86_OP_IMM &&
				(uint64_t)x->operands[0].imm == pc && in->id != X86_INS_CALL;
		if ((falls_in || jumps_in) && ctl_stepper_add(&r->bps, in->address) < 0) {
			ctl_disasm_free(&code);
			return -1;
		}
	}
	ctl_disasm_free(&code);
	return 0;
}

#define RSI_MAX_STEPS 100000

/* Whether the replay stands at M when M is an event boundary (the end of
 * the recording): single steps reach it by completing its last event. */
static bool at_boundary_moment(struct grr_ctl *c, const struct ctl_moment *m)
{
	struct grr_replay_pos pos;
	if (m->mid)
		return false;
	grr_replay_position(c->rp, &pos);
	return pos.seq >= m->seq;
}

int grr_ctl_reverse_stepi(struct grr_ctl *c, struct grr_ctl_stop *stop, char *err, size_t errlen)
{
	struct rev_search r = { .pred = pred_thread };
	int rc = current_moment(c, &r, err, errlen);
	if (rc == 0 && !r.m.mid && !r.m.held) {
		snprintf(err, errlen, "reverse-stepi starts from a stop in a thread "
			 "(after a breakpoint or a step)");
		rc = -1;
	}
	if (rc == 0 && predecessors(c, &r) < 0) {
		snprintf(err, errlen, "cannot decode the code before 0x%llx",
			 (unsigned long long)r.m.regs.rip);
		rc = -1;
	}
	if (rc == 0)
		rc = pass_find(c, &r, err, errlen);
	if (rc == 0 && r.last_raw == 0) {
		snprintf(err, errlen, "the previous instruction is not in the recording");
		rc = -1;
	}
	/* from the last predecessor, single steps until the current moment */
	uint32_t tid = 0;
	uint64_t steps = 0;
	if (rc == 0)
		rc = pass_goto(c, &r, r.last_raw, &tid, err, errlen);
	if (rc == 0)
		ctl_sync_engine(c, NULL, 0, false);
	while (rc == 0) {
		if (at_boundary_moment(c, &r.m))
			break;  /* the end: the step that made its event */
		if (steps >= RSI_MAX_STEPS) {
			snprintf(err, errlen, "the previous instruction is more than %d steps "
				 "from its predecessor", RSI_MAX_STEPS);
			rc = -1;
			break;
		}
		int s = grr_replay_stepi(c->rp);
		steps++;
		if (s < 0) {
			rc = ctl_engine_error(c, err, errlen);
			break;
		}
		if (s == 0) {
			rc = lost(c, err, errlen);
			break;
		}
		struct grr_replay_stop at;
		grr_replay_stop_info(c->rp, &at);
		if (s == GRR_REPLAY_STOPPED && at.pc == r.m.regs.rip &&
		    ctl_moment_here(c, &r.m, at.tid) == 1)
			break;
	}
	if (rc == 0) {
		rc = pass_goto(c, &r, r.last_raw, &tid, err, errlen);
		if (rc == 0)
			ctl_sync_engine(c, NULL, 0, false);
		int s = GRR_REPLAY_STOPPED;
		for (uint64_t k = 1; rc == 0 && k < steps; k++)
			if ((s = grr_replay_stepi(c->rp)) < 0)
				rc = ctl_engine_error(c, err, errlen);
		if (rc == 0 && ctl_sync_engine(c, NULL, 0, true) < 0) {
			snprintf(err, errlen, "cannot set breakpoints");
			rc = -1;
		}
		/* a step that completed an event (a syscall) ends at a boundary */
		bool mid = s == GRR_REPLAY_STOPPED;
		if (rc == 0)
			rc = ctl_stop_here(c, r.m.tid, mid, GRR_CTL_STEPPED, stop);
		if (rc == 0 && !mid)
			ctl_capture_held(c, r.m.tid, &c->now);
	}
	search_free(&r);
	return rc;
}
