/* rp_anchor.c - finding an anchor again: the dynamic instant at which the
 * recorder stopped a thread at an arbitrary instruction.  A breakpoint at
 * the recorded pc; at each hit the registers are compared, and when they
 * are equal the memory digest too; the first hit where all are equal is
 * the anchor (equal state means equal future, docs/replay-model.md). */
#include "replayer/rp_private.h"
#include "tracee/clockpage.h"
#include "tracee/digest.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Registers compared: all general registers, rip, rsp, fs_base, and the
 * arithmetic flags (not TF/RF, which debugging changes). */
#define EFLAGS_ARITH 0xcd5ull
static const int compared_regs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				     16, 19, 21 };

static bool regs_equal(const struct user_regs_struct *now, const uint64_t *rec)
{
	uint64_t cur[GRR_NREGS];
	memcpy(cur, now, sizeof(cur));
	for (size_t i = 0; i < sizeof(compared_regs) / sizeof(compared_regs[0]); i++)
		if (cur[compared_regs[i]] != rec[compared_regs[i]])
			return false;
	return (cur[18] & EFLAGS_ARITH) == (rec[18] & EFLAGS_ARITH);
}

/* XMM registers and MXCSR from the FXSAVE area. */
static bool fpregs_equal(pid_t tid, const uint8_t *rec)
{
	struct user_fpregs_struct fp;
	if (grr_task_getfpregs(tid, &fp) < 0)
		return false;
	const uint8_t *cur = (const uint8_t *)&fp;
	return memcmp(cur + 24, rec + 24, 4) == 0 && memcmp(cur + 160, rec + 160, 256) == 0;
}


/* Whether the clock page's and syscall buffer's counters are those the
 * recorder noted at the anchor (true without a note).  Both words are in
 * the digest: a difference there spares computing it. */
static bool counters_match(struct grr_replay *rp)
{
	uint64_t clock, syscalls, v;
	if (!rp_anchor_counters(rp, rp->ev.seq, &clock, &syscalls))
		return true;
	if (rp->hdr->flags & GRR_HDR_CLOCKPAGE) {
		const struct grr_cp_layout *lay = grr_cp_layout(rp->hdr->flags & GRR_HDR_CLOCKRING);
		if (grr_mem_read(&rp->mem, grr_cp_index(lay), &v, 8) == 0 && v != clock)
			return false;
	}
	if ((rp->hdr->flags & GRR_HDR_SYSBUF) && grr_mem_read(&rp->mem, GRR_SB_COUNT, &v, 8) == 0 &&
	    v != syscalls)
		return false;
	return true;
}

/* A checkpoint's copy of the process starts without write tracking (a
 * fork does not inherit it): set it up through the thread at its first
 * anchor candidate, as at the start (rp_anchor_setup), unless a signal is
 * on its way to that thread (the injected syscall's resume would drop it). */
static void try_tracking(struct grr_replay *rp, struct rp_thread *t)
{
	if (rp->dg_tried || t->pending_sig || t->sigfix.pending)
		return;
	rp->dg_tried = true;
	const char *why;
	if (grr_digests_forced_full() || rp_leave_sysemu(rp, t) < 0)
		return;
	if (grr_digester_init(&rp->dg, &rp->mem, t->tid, &why) < 0 && rp->debug)
		fprintf(rp->opts.err, "grr-debug: checkpoint copy: full digests (%s)\n", why);
	rp_digester_config(rp);
}

static bool state_matches(struct grr_replay *rp, struct rp_thread *t,
			  const struct user_regs_struct *regs)
{
	const struct grr_event *ev = &rp->ev;
	if (!regs_equal(regs, ev->u.anchor.regs)) {
		if (rp->debug) {
			const uint64_t *cur = (const uint64_t *)regs;
			for (size_t i = 0; i < GRR_NREGS; i++)
				if (cur[i] != ev->u.anchor.regs[i])
					fprintf(rp->opts.err, "grr-debug: register %zu: 0x%llx, "
						"recorded 0x%llx\n", i, (unsigned long long)cur[i],
						(unsigned long long)ev->u.anchor.regs[i]);
		}
		return false;
	}
	uint64_t stack[GRR_ANCHOR_STACK_WORDS];
	size_t n = ev->u.anchor.nstack * 8u;
	if (grr_mem_read(&rp->mem, regs->rsp, stack, n) < 0 ||
	    memcmp(stack, ev->u.anchor.stack, n) != 0) {
		if (rp->debug)
			for (size_t i = 0; i < n / 8; i++)
				if (stack[i] != ev->u.anchor.stack[i])
					fprintf(rp->opts.err, "grr-debug: stack word %zu: 0x%llx, recorded 0x%llx\n",
						i, (unsigned long long)stack[i],
						(unsigned long long)ev->u.anchor.stack[i]);
		return false;
	}
	if (!fpregs_equal(t->tid, ev->u.anchor.fpregs)) {
		if (rp->debug)
			fprintf(rp->opts.err, "grr-debug: anchor candidate: FP registers differ\n");
		return false;
	}
	if (!counters_match(rp)) {
		if (rp->debug)
			fprintf(rp->opts.err, "grr-debug: anchor candidate: counters differ\n");
		return false;
	}
	uint64_t digest;
	try_tracking(rp, t);
	/* Most memory rewritten before the next anchor: no write tracking
	 * until then, for the first candidate.  A second candidate of the
	 * same anchor (a loop passing the pc in the same registers) means
	 * more may come: tracking again, so that theirs read only what the
	 * loop wrote, not all memory each time. */
	rp->dg.hold = rp->dg_anchor_seq != ev->seq && rp_next_anchor_rewrites(rp, ev->seq);
	rp->dg_anchor_seq = ev->seq;
	if (grr_digester_digest(&rp->dg, &rp->mem, ev->u.anchor.excluded,
				ev->u.anchor.nexcluded, &digest) < 0)
		return false;
	if (rp->debug && digest != ev->u.anchor.digest)
		fprintf(rp->opts.err, "grr-debug: anchor candidate: memory digest differs\n");
	return digest == ev->u.anchor.digest;
}

void rp_anchor_setup(struct grr_replay *rp)
{
	rp->dg_tried = true;
	const char *why;
	if (grr_digester_init(&rp->dg, &rp->mem, rp->pid, &why) < 0 && rp->debug)
		fprintf(rp->opts.err, "grr-debug: anchors digest all memory each time (%s)\n", why);
	rp_digester_config(rp);
}

void rp_digester_config(struct grr_replay *rp)
{
	rp->dg.helpers = grr_affinity_helpers(&rp->aff);
	/* the data of grr's pages, which the recording left out of every
	 * anchor's digest (as rec_anchor.c does) */
	if (rp->hdr->flags & GRR_HDR_CLOCKPAGE) {
		const struct grr_cp_layout *lay = grr_cp_layout(rp->hdr->flags & GRR_HDR_CLOCKRING);
		grr_digester_exclude_always(&rp->dg, grr_cp_excluded_addr(lay),
					    grr_cp_excluded_len(lay));
	}
	if (rp->hdr->flags & GRR_HDR_SYSBUF)
		grr_digester_exclude_always(&rp->dg, GRR_SB_EXCLUDED_ADDR, GRR_SB_EXCLUDED_LEN);
}

bool rp_anchor_here(struct grr_replay *rp, struct rp_thread *t)
{
	struct user_regs_struct regs;
	return grr_task_getregs(t->tid, &regs) == 0 && regs.rip == rp->ev.u.anchor.regs[16] &&
	       state_matches(rp, t, &regs);
}

/* Whether the instruction at PC enters the kernel (syscall, sysenter,
 * int 0x80): a single step would make the call for real. */
static bool is_syscall_insn(struct grr_replay *rp, uint64_t pc)
{
	uint8_t b[2];
	return grr_mem_read(&rp->mem, pc, b, 2) < 0 ||
	       (b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) || (b[0] == 0xcd && b[1] == 0x80);
}

/* Runs the thread's instruction at PC (where it did not match the anchor)
 * by a single step.  Never a syscall instruction: the thread would make a
 * call the log does not have before its anchor (a trace that says so is
 * wrong: replay diverges instead of letting the kernel run it). */
static int step_over(struct grr_replay *rp, struct rp_thread *t, uint64_t pc)
{
	struct grr_stop st;
	if (is_syscall_insn(rp, pc))
		return rp_diverge(rp, t, "a syscall instruction at 0x%llx before reaching the anchor",
				  (unsigned long long)pc);
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	if (grr_task_singlestep(t->tid, 0) < 0 || rp_wait(rp, t, &st) < 0)
		return rp_fail(rp, "cannot single-step thread %d", (int)t->tid);
	if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP) {
		char actual[256];
		rp_describe_stop(rp, t, &st, actual, sizeof(actual));
		return rp_diverge(rp, t, "%s", actual);
	}
	return 0;
}

int rp_do_anchor(struct grr_replay *rp, struct rp_thread *t)
{
	const uint64_t pc = rp->ev.u.anchor.regs[16];
	if (t->park == RP_AT_ENTRY || t->park == RP_IN_NO_RETURN)
		return rp_diverge(rp, t, "thread is inside syscall %s", grr_syscall_name(t->call.nr));
	if (rp_settle_new(rp, t) < 0)
		return -1;
	uint8_t orig;
	if (grr_mem_read(&rp->mem, pc, &orig, 1) < 0)
		return rp_diverge(rp, t, "anchor pc 0x%llx is not mapped", (unsigned long long)pc);
	struct user_regs_struct regs;
	/* Already there (the thread had not moved since its last event)? */
	if (grr_task_getregs(t->tid, &regs) == 0 && regs.rip == pc && state_matches(rp, t, &regs))
		goto found;
	int s = rp_stub_find_anchor(rp, t, state_matches);
	if (s < 0)
		return s;
	if (s == 0)
		goto found;
	if (rp->debug)
		fprintf(rp->opts.err, "grr-debug: anchor at 0x%llx not patchable: plain breakpoints\n",
			(unsigned long long)pc);
	static const uint8_t int3 = 0xcc;
	bool retried_stub = false;
	for (uint64_t hits = 1;; hits++) {
		if (rp->debug && (hits & (hits - 1)) == 0)
			fprintf(rp->opts.err, "grr-debug: anchor at 0x%llx: %llu hits\n",
				(unsigned long long)pc, (unsigned long long)hits);
		if (grr_mem_write(&rp->mem, pc, &int3, 1) < 0)
			return rp_fail(rp, "cannot set a breakpoint at 0x%llx", (unsigned long long)pc);
		struct grr_stop st;
		int rc = rp_resume_and_wait(rp, t, &st);
		grr_mem_write(&rp->mem, pc, &orig, 1);
		if (rc < 0)
			return rc;
		if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP ||
		    grr_task_getregs(t->tid, &regs) < 0 || regs.rip != pc + 1) {
			char actual[256];
			rp_describe_stop(rp, t, &st, actual, sizeof(actual));
			return rp_diverge(rp, t, "%s before reaching the anchor", actual);
		}
		regs.rip = pc;
		if (grr_task_setregs(t->tid, &regs) < 0)
			return rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
		if (state_matches(rp, t, &regs))
			break;
		/* The stub may have been refused only for now (a signal handler
		 * about to return into the patch): the thread is at the pc now,
		 * so try it again, once. */
		if (!retried_stub) {
			retried_stub = true;
			s = rp_stub_find_anchor(rp, t, state_matches);
			if (s < 0)
				return s;
			if (s == 0)
				goto found;
		}
		if (step_over(rp, t, pc) < 0)
			return -1;
	}
found:
	t->pending_sig = 0;
	t->park = RP_STOPPED;
	rp->last_pc = pc;
	return 0;
}
