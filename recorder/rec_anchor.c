/* rec_anchor.c - logging an anchor: a thread stopped at an arbitrary
 * instruction (timeslice end, asynchronous signal).  The anchor holds the
 * full register file and a digest of memory, so that replay can recognize
 * the same dynamic instant: the first time the thread is at that pc with
 * equal registers and equal memory (docs/replay-model.md). */
#include "recorder/rec_private.h"
#include "tracee/access.h"
#include "format/counter_note.h"
#include "tracee/gstacks.h"
#include "format/rewrite_note.h"
#include "tracee/codefn.h"
#include "tracee/digest.h"
#include "tracee/relocate.h"
#include "tracee/task.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <string.h>

/* Ranges that threads blocked in the kernel may write at any moment: left
 * out of the digest, since the kernel's write time is not reproducible.
 * So is the stack around a thread that is in a vfork-like clone: the
 * child runs there, untraced, alongside the other threads, until it execs
 * (replay writes what it left at the clone's exit). */
static uint32_t collect_exclusions(struct recorder *r, struct grr_range *ex, uint32_t max)
{
	uint32_t n = 0;
	for (int i = 0; i < r->nthreads; i++) {
		struct rec_thread *t = &r->threads[i];
		if (t->state != RT_IN_KERNEL)
			continue;
		if (t->vfork_stack && n < max) {
			ex[n].addr = t->vfork_sp - REC_VFORK_BELOW;
			ex[n].len = t->vfork_len;
			n++;
		}
		for (int k = 0; k < t->nmaywrite && n < max; k++) {
			ex[n].addr = t->maywrite[k].addr;
			ex[n].len = t->maywrite[k].len;
			n++;
		}
	}
	return n;
}

void rec_anchor_setup(struct recorder *r)
{
	const char *why;
	if (grr_digester_init(&r->dg, &r->mem, r->pid, &why) < 0 && r->opts->verbose)
		fprintf(stderr, "grr: anchors digest all memory each time (%s)\n", why);
	/* grr's pages' data, left out of every anchor (rec_log_anchor) */
	if (r->cp.active)
		grr_digester_exclude_always(&r->dg, grr_cp_excluded_addr(r->cp.lay),
					    grr_cp_excluded_len(r->cp.lay));
	if (r->sb.active)
		grr_digester_exclude_always(&r->dg, GRR_SB_EXCLUDED_ADDR, GRR_SB_EXCLUDED_LEN);
}

/* The note of the clock page's and the syscall buffer's counters at the
 * anchor just logged, for the replayer (format/counter_note.h). */
static int log_counters(struct recorder *r, struct rec_thread *t)
{
	uint64_t clock = 0, syscalls = 0;
	if (!r->cp.active && !r->sb.active)
		return 0;
	if ((r->cp.active && grr_mem_read(&r->mem, grr_cp_index(r->cp.lay), &clock, 8) < 0) ||
	    (r->sb.active && grr_mem_read(&r->mem, GRR_SB_COUNT, &syscalls, 8) < 0))
		return 0;   /* (the replayer then computes the digest) */
	char text[128];
	grr_counter_note_format(text, sizeof(text), clock, syscalls);
	rec_log_note(r, t->tid, "%s", text);
	return 0;
}

int rec_log_anchor(struct recorder *r, struct rec_thread *t,
		   const struct user_regs_struct *regs)
{
	/* values read while grr stepped the thread here come first */
	if (rec_pages_drain(r, t) < 0)
		return -1;
	struct grr_event ev;
	memset(&ev, 0, sizeof(ev));
	memcpy(ev.u.anchor.regs, regs, sizeof(ev.u.anchor.regs));
	struct user_fpregs_struct fp;
	if (grr_task_getfpregs(t->tid, &fp) == 0)
		memcpy(ev.u.anchor.fpregs, &fp, sizeof(ev.u.anchor.fpregs));
	struct grr_range ex[64];
	/* (--portable: the CPU's identity in the runtime's variables, which
	 * another CPU model changes, are no part of the state) */
	memcpy(ex, r->cpuid_vars, r->ncpuid_vars * sizeof(ex[0]));
	uint32_t nex = r->ncpuid_vars;
	if (r->cp.active) {
		/* the clock page's slots and private stack differ at replay */
		ex[nex].addr = grr_cp_excluded_addr(r->cp.lay);
		ex[nex].len = grr_cp_excluded_len(r->cp.lay);
		nex++;
	}
	if (r->sb.active) {
		/* so are the syscall buffer's ring and positions: only the
		 * count of records made (consumed, at replay) is alike */
		ex[nex].addr = GRR_SB_EXCLUDED_ADDR;
		ex[nex].len = GRR_SB_EXCLUDED_LEN;
		nex++;
	}
	nex += collect_exclusions(r, ex + nex, 64 - nex);
	uint64_t t0 = rec_now_ns();
	if (grr_digester_digest(&r->dg, &r->mem, ex, nex, &ev.u.anchor.digest) < 0)
		return -1;
	uint64_t cost = rec_now_ns() - t0;
	r->digest_ns += cost;
	rec_sched_anchor_cost(&r->sched, cost);
	r->anchors++;
	ev.u.anchor.nexcluded = nex;
	ev.u.anchor.excluded = ex;
	size_t got = grr_mem_read_partial(&r->mem, regs->rsp, ev.u.anchor.stack,
					  sizeof(ev.u.anchor.stack));
	ev.u.anchor.nstack = (uint8_t)(got / 8);
	t->stop_rip = regs->rip;
	t->stop_rsp = regs->rsp;
	if (rec_log(r, &ev, t->tid, GRR_EV_ANCHOR) < 0)
		return -1;
	if (r->dg.last_incremental) {
		/* for the replayer, which reads it ahead (format/rewrite_note.h) */
		char text[128];
		grr_rewrite_note_format(text, sizeof(text), r->dg.last_written, r->dg.last_pages);
		rec_log_note(r, t->tid, "%s", text);
	}
	return log_counters(r, t);
}

#define MAX_ANCHOR_STEPS 24
/* the code around the pc whose resume pcs are collected once per move */
#define GSTACK_WINDOW 0x10000ull

/* Whether the thread's stack near SP holds an address inside (LO, HI): Go's
 * asynchronous preemption pushes the interrupted pc there before calling
 * asyncPreempt, and a goroutine resumed that way returns to it; a value
 * just below SP shows it happened here recently (and may happen again,
 * from a parked goroutine, while the replayer's jump is in place). */
#define STACK_BELOW 4096
#define STACK_ABOVE 32768
static bool stack_points_into(struct recorder *r, uint64_t sp, uint64_t lo, uint64_t hi)
{
	static uint64_t words[(STACK_BELOW + STACK_ABOVE) / 8];
	size_t n = grr_mem_read_partial(&r->mem, sp - STACK_BELOW, words, sizeof(words)) / 8;
	for (size_t i = 0; i < n; i++)
		if (words[i] > lo && words[i] < hi)
			return true;
	return false;
}

/* The patch plan at PC (struct rec_plan: read and decoded the first
 * time). */
static const struct rec_plan *plan_at(struct recorder *r, uint64_t pc)
{
	struct rec_plan *p = &r->plans[(pc ^ (pc >> 11)) % REC_PLANS];
	if (p->pc == pc)
		return p;
	struct grr_codefn f;
	struct grr_reloc rel;
	const char *why;
	p->pc = pc;
	p->ok = r->have_syms && grr_codefn_read(&r->mem, &r->syms, pc, &f) == 0;
	if (p->ok) {
		p->ok = grr_reloc_plan(f.code, f.start, f.len, f.pad, pc, &rel, &why) == 0;
		grr_codefn_free(&f);
	}
	p->len = p->ok ? rel.len : 0;
	return p;
}

/* Whether the replayer can trap cheaply at PC: the instructions there can
 * be displaced by a jump (tracee/relocate.h), and nothing suggests a thread
 * will jump into the displaced bytes. */
static bool patchable(struct recorder *r, uint64_t pc, uint64_t sp,
		      const struct grr_gstack_words *gw)
{
	const struct rec_plan *p = plan_at(r, pc);
	if (!p->ok)
		return false;
	uint64_t lo = p->pc, hi = p->pc + p->len;   /* the displaced bytes */
	if (stack_points_into(r, sp, lo, hi))
		return false;
	/* (nor where another goroutine parked would resume: the replayer
	 * refuses such a patch, tracee/gstacks.h, and falls back to plain
	 * breakpoints, a stop at every pass) */
	return !(gw && lo > gw->lo && hi < gw->hi && grr_gstack_words_in(gw, lo, hi));
}

/* Whether a step over the instruction at PC is invisible to the other
 * threads (chaos: tracee/access.h). */
static bool step_private(struct recorder *r, uint64_t pc)
{
	uint8_t code[16];
	size_t n = grr_mem_read_partial(&r->mem, pc, code, sizeof(code));
	return n && grr_access_step_private(code, n, pc);
}

bool rec_must_not_step(struct recorder *r, uint64_t pc)
{
	uint8_t b[3];
	if (grr_mem_read(&r->mem, pc, b, 3) < 0)
		return true;
	return (b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x31 || b[1] == 0x34 ||
				 (b[1] == 0x01 && b[2] == 0xf9))) || b[0] == 0xcc || b[0] == 0xcd;
}

int rec_step(struct rec_thread *t, struct user_regs_struct *regs, int *status)
{
	if (grr_task_singlestep(t->tid, 0) < 0 || waitpid(t->tid, status, __WALL) < 0)
		return -1;
	if (!WIFSTOPPED(*status) || WSTOPSIG(*status) != SIGTRAP || (*status >> 16) != 0)
		return 1;
	return grr_task_getregs(t->tid, regs) < 0 ? -1 : 0;
}

/* The length of the repeated string instruction at PC, or 0. */
static int string_op_len(struct recorder *r, uint64_t pc)
{
	uint8_t b[GRR_REP_PREFIX_MAX + 1];
	size_t n = grr_mem_read_partial(&r->mem, pc, b, sizeof(b));
	return grr_rep_string_len(b, n);
}

int rec_finish_string_op(struct recorder *r, struct rec_thread *t,
			 struct user_regs_struct *regs, int *status)
{
	int len = string_op_len(r, regs->rip);
	if (!len)
		return 0;
	uint64_t next = regs->rip + (uint64_t)len;
	uint8_t orig;
	static const uint8_t int3 = 0xcc;
	if (grr_mem_read(&r->mem, next, &orig, 1) < 0 || grr_mem_write(&r->mem, next, &int3, 1) < 0)
		return -1;
	int rc = -1;
	if (rec_continue(r, t, 0) == 0 && waitpid(t->tid, status, __WALL) >= 0) {
		struct user_regs_struct now;
		rc = 1;   /* another stop came first: the caller handles it */
		if (WIFSTOPPED(*status) && WSTOPSIG(*status) == SIGTRAP && (*status >> 16) == 0 &&
		    grr_task_getregs(t->tid, &now) == 0 && now.rip == next + 1) {
			now.rip = next;
			*regs = now;
			rc = grr_task_setregs(t->tid, regs) < 0 ? -1 : 0;
		}
	}
	if (grr_mem_write(&r->mem, next, &orig, 1) < 0)
		return -1;
	return rc;
}

int rec_anchor_move(struct recorder *r, struct rec_thread *t,
		    struct user_regs_struct *regs, int *status)
{
	/* (the code is read and the thread run a little: no breakpoint of
	 * the synchronization sites may be in the way) */
	rec_syncpt_disarm(r);
	int m = rec_step_out(r, t, regs, status);
	if (m == 0)
		m = rec_finish_string_op(r, t, regs, status);
	/* chaos: where the thread is, or right before its next access of
	 * shared memory (between a load and a store, say); the replayer
	 * finds any instruction */
	if (m == 0 && r->sched.chaos)
		m = rec_approach_access(r, t, regs, status);
	if (m != 0)
		return m;
	struct grr_gstack_words words, *gw = NULL;
	bool gw_read = false;
	m = 0;
	for (int i = 0; i < MAX_ANCHOR_STEPS && m == 0; i++) {
		/* chaos: on only over instructions no other thread can tell
		 * apart from a switch before them (a return, arithmetic), never
		 * past a shared access: where the replayer can patch, not only
		 * break at every pass (a `ret` in a hot function, say).  (Asked
		 * first: a thread stopped at its next shared access, the usual
		 * case, costs no read of the goroutine stacks.) */
		if (r->sched.chaos && !step_private(r, regs->rip))
			break;
		if (!gw_read) {
			gw_read = true;
			if (r->have_syms && regs->rip > GSTACK_WINDOW &&
			    grr_gstacks_words(&r->mem, &r->syms, regs->rsp,
					      regs->rip - GSTACK_WINDOW,
					      regs->rip + GSTACK_WINDOW, &words) == 0)
				gw = &words;
		}
		if (patchable(r, regs->rip, regs->rsp, gw) || rec_must_not_step(r, regs->rip))
			break;
		m = rec_step(t, regs, status);
		r->anchor_steps++;
		/* (a step into record-only code goes on through it, one
		 * onto a string instruction past it) */
		if (m == 0)
			m = rec_step_out(r, t, regs, status);
		if (m == 0 && !r->sched.chaos)   /* (chaos: a string op is shared) */
			m = rec_finish_string_op(r, t, regs, status);
	}
	if (gw)
		grr_gstack_words_free(gw);
	return m;
}
