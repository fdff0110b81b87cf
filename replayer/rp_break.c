/* rp_break.c - the debugger's breakpoints and watchpoints inside the engine.
 *
 * Breakpoints are int3 bytes that exist in the tracee only while a thread
 * runs user code (around each resume in rp_resume_and_wait): whenever the
 * engine or a debugger looks at memory, the code is the program's own.
 * Watchpoints are the x86 debug registers DR0-DR3 of the one thread that
 * runs, set the same way.  A thread that traps on either is stopped where
 * the user sees it; the event it was running toward stays pending and is
 * dispatched again when the debugger continues (docs/replay-model.md). */
#include "replayer/rp_private.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#define TRAP_HWBKPT_CODE 4
#define SI_KERNEL_CODE 0x80
#define DR_OFFSET(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

static struct rp_break *find_break(struct grr_replay *rp, uint64_t addr)
{
	for (int i = 0; i < rp->nbreaks; i++)
		if (rp->breaks[i].addr == addr)
			return &rp->breaks[i];
	return NULL;
}

int grr_replay_break_add(struct grr_replay *rp, uint64_t addr)
{
	if (find_break(rp, addr))
		return 0;
	uint8_t byte;
	if (grr_mem_read(&rp->mem, addr, &byte, 1) < 0)
		return -1;
	if (rp->nbreaks == rp->cap_breaks) {
		int cap = rp->cap_breaks ? 2 * rp->cap_breaks : 16;
		struct rp_break *b = realloc(rp->breaks, (size_t)cap * sizeof(*b));
		if (!b)
			return -1;
		rp->breaks = b;
		rp->cap_breaks = cap;
	}
	rp->breaks[rp->nbreaks++] = (struct rp_break){ .addr = addr };
	return 0;
}

void grr_replay_break_del(struct grr_replay *rp, uint64_t addr)
{
	struct rp_break *b = find_break(rp, addr);
	if (b)
		*b = rp->breaks[--rp->nbreaks];
}

void grr_replay_break_clear(struct grr_replay *rp) { rp->nbreaks = 0; }

bool rp_breaks_overlap(const struct grr_replay *rp, uint64_t addr, size_t len)
{
	for (int i = 0; i < rp->nbreaks; i++)
		if (rp->breaks[i].addr >= addr && rp->breaks[i].addr < addr + len)
			return true;
	return false;
}

bool rp_watch_any(const struct grr_replay *rp)
{
	for (int slot = 0; slot < GRR_REPLAY_MAX_WATCH; slot++)
		if (rp->watch[slot].used)
			return true;
	return false;
}

int grr_replay_watch_add(struct grr_replay *rp, uint64_t addr, int len, enum grr_watch_kind kind)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -1;
	if (addr % (uint64_t)len)
		return -1;
	for (int slot = 0; slot < GRR_REPLAY_MAX_WATCH; slot++) {
		struct rp_watch *w = &rp->watch[slot];
		if (!w->used) {
			*w = (struct rp_watch){ .used = true, .addr = addr, .len = len, .kind = kind };
			return slot;
		}
	}
	return -1;
}

void grr_replay_watch_del(struct grr_replay *rp, int slot)
{
	if (slot >= 0 && slot < GRR_REPLAY_MAX_WATCH)
		rp->watch[slot].used = false;
}

/* DR7 for the active watchpoints: local enable, R/W and LEN per slot. */
static uint64_t dr7_value(const struct grr_replay *rp)
{
	uint64_t dr7 = 0;
	for (int i = 0; i < GRR_REPLAY_MAX_WATCH; i++) {
		const struct rp_watch *w = &rp->watch[i];
		if (!w->used)
			continue;
		uint64_t rw = w->kind == GRR_WATCH_WRITE ? 1 : 3;
		uint64_t len = w->len == 1 ? 0 : w->len == 2 ? 1 : w->len == 8 ? 2 : 3;
		dr7 |= 1ull << (2 * i);
		dr7 |= (rw | (len << 2)) << (16 + 4 * i);
	}
	return dr7;
}

static int arm_watch(struct grr_replay *rp, pid_t tid)
{
	uint64_t dr7 = dr7_value(rp);
	if (!dr7 && !rp->watch_armed)
		return 0;
	for (int i = 0; i < GRR_REPLAY_MAX_WATCH; i++)
		if (rp->watch[i].used &&
		    ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFFSET(i), (void *)rp->watch[i].addr) < 0)
			return -1;
	if (ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFFSET(6), 0) < 0 ||
	    ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFFSET(7), (void *)dr7) < 0)
		return -1;
	rp->watch_armed = dr7 != 0;
	return 0;
}

static void disarm_watch(struct grr_replay *rp, pid_t tid)
{
	if (rp->watch_armed)
		ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFFSET(7), 0);
	rp->watch_armed = false;
}

/* Writes the int3 bytes (all but SKIP). */
static void insert_breaks(struct grr_replay *rp, uint64_t skip)
{
	static const uint8_t int3 = 0xcc;
	for (int i = 0; i < rp->nbreaks; i++) {
		struct rp_break *b = &rp->breaks[i];
		b->inserted = false;
		if (b->addr == skip || grr_mem_read(&rp->mem, b->addr, &b->orig, 1) < 0)
			continue;
		b->inserted = grr_mem_write(&rp->mem, b->addr, &int3, 1) == 0;
	}
}

/* Puts the program's bytes back, last inserted first (a breakpoint may sit
 * on an engine int3: the byte saved then is that int3). */
static void remove_breaks(struct grr_replay *rp)
{
	for (int i = rp->nbreaks - 1; i >= 0; i--) {
		struct rp_break *b = &rp->breaks[i];
		if (b->inserted)
			grr_mem_write(&rp->mem, b->addr, &b->orig, 1);
		b->inserted = false;
	}
}

int rp_run_prepare(struct grr_replay *rp, struct rp_thread *t, uint64_t skip)
{
	if (arm_watch(rp, t->tid) < 0)
		return rp_fail(rp, "cannot set debug registers of thread %d: %s", (int)t->tid,
			       strerror(errno));
	insert_breaks(rp, skip);
	return 0;
}

void rp_run_finish(struct grr_replay *rp, struct rp_thread *t)
{
	remove_breaks(rp);
	if (t->park != RP_GONE)
		disarm_watch(rp, t->tid);
	else
		rp->watch_armed = false;
}

/* T is stopped where the debugger stopped it, at PC: before the thread
 * goes on, the instruction there must run without its breakpoint.  A
 * syscall instruction or an engine int3 there just runs with that one
 * breakpoint left out (*SKIP); anything else is single-stepped.  Returns 1
 * and the stop in ST when the step ended in a stop for the engine (a fault,
 * an RDTSC trap, a signal), 0 to go on, -1 on error. */
int rp_step_over_stop(struct grr_replay *rp, struct rp_thread *t, struct grr_stop *st,
		      uint64_t *skip)
{
	struct user_regs_struct regs;
	*skip = 0;
	if (!t->at_user_stop)
		return 0;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	if (regs.rip != t->user_stop_pc) {
		t->at_user_stop = false;
		return 0;
	}
	uint8_t insn[2];
	if (grr_mem_read(&rp->mem, regs.rip, insn, 2) < 0)
		return rp_fail(rp, "cannot read code at 0x%llx", (unsigned long long)regs.rip);
	if (insn[0] == 0xcc || (insn[0] == 0x0f && insn[1] == 0x05) || !find_break(rp, regs.rip)) {
		*skip = regs.rip;
		t->at_user_stop = false;
		return 0;
	}
	if (arm_watch(rp, t->tid) < 0 || grr_task_singlestep(t->tid, 0) < 0)
		return rp_fail(rp, "cannot single-step thread %d", (int)t->tid);
	if (rp_wait(rp, t, st) < 0)
		return -1;
	if (t->park == RP_GONE)
		return 1;
	if (st->kind == GRR_STOP_SIGNAL && st->sig == SIGTRAP) {
		int why = rp_check_debug_stop(rp, t, st);
		disarm_watch(rp, t->tid);
		if (why < 0)
			return why;
		t->at_user_stop = false;
		return 0;
	}
	disarm_watch(rp, t->tid);
	return 1;  /* the thread did not get past it: the stop is the engine's */
}

static void stopped_here(struct grr_replay *rp, struct rp_thread *t, uint64_t pc,
			 enum grr_stop_why why, int slot)
{
	t->at_user_stop = true;
	t->user_stop_pc = pc;
	rp->stop = (struct grr_replay_stop){ .tid = t->rec_tid, .pc = pc, .why = why,
					     .watch_slot = slot };
	if (why == GRR_STOP_WATCH)
		rp->stop.watch_addr = rp->watch[slot].addr;
}

int rp_check_debug_stop(struct grr_replay *rp, struct rp_thread *t, const struct grr_stop *st)
{
	if (st->kind != GRR_STOP_SIGNAL || st->sig != SIGTRAP || t->park == RP_GONE)
		return 0;
	if (rp->nbreaks == 0 && !rp->watch_armed)
		return 0;  /* nothing of the debugger's in this run (autopilot) */
	siginfo_t si;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0 || grr_task_getregs(t->tid, &regs) < 0)
		return 0;
	if (si.si_code == TRAP_HWBKPT_CODE || (si.si_code != SI_KERNEL_CODE && rp->watch_armed)) {
		errno = 0;
		long dr6 = ptrace(PTRACE_PEEKUSER, t->tid, (void *)DR_OFFSET(6), 0);
		for (int i = 0; errno == 0 && i < GRR_REPLAY_MAX_WATCH; i++)
			if ((dr6 >> i) & 1 && rp->watch[i].used) {
				ptrace(PTRACE_POKEUSER, t->tid, (void *)DR_OFFSET(6), 0);
				stopped_here(rp, t, regs.rip, GRR_STOP_WATCH, i);
				return RP_DEBUG_STOP;
			}
		return 0;
	}
	if (si.si_code != SI_KERNEL_CODE)
		return 0;
	struct rp_break *b = find_break(rp, regs.rip - 1);
	if (!b || !b->inserted)
		return 0;
	regs.rip -= 1;
	if (grr_task_setregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
	stopped_here(rp, t, regs.rip, GRR_STOP_BREAK, -1);
	return RP_DEBUG_STOP;
}


int rp_singlestep(struct grr_replay *rp, struct rp_thread *t)
{
	struct grr_stop st;
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	if (arm_watch(rp, t->tid) < 0 || grr_task_singlestep(t->tid, 0) < 0)
		return rp_fail(rp, "cannot single-step thread %d: %s", (int)t->tid, strerror(errno));
	if (rp_wait(rp, t, &st) < 0)
		return -1;
	if (t->park == RP_GONE)
		return rp_fail(rp, "thread %d ended in a single step", (int)t->tid);
	if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP) {
		/* it faulted or trapped (RDTSC) without moving: the event's */
		disarm_watch(rp, t->tid);
		return 1;
	}
	int why = rp_check_debug_stop(rp, t, &st);
	disarm_watch(rp, t->tid);
	if (why == RP_DEBUG_STOP)
		return GRR_REPLAY_STOPPED;
	if (why < 0)
		return -1;
	struct user_regs_struct regs;
	if (grr_task_getregs(t->tid, &regs) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	stopped_here(rp, t, regs.rip, GRR_STOP_STEP, -1);
	return GRR_REPLAY_STOPPED;
}
