/* rp_stub.c - conditional anchor traps: finding an anchor in a hot loop
 * without a ptrace stop per iteration.
 *
 * The instructions at the anchor pc are replaced by a jump to a stub in
 * grr's reserved page (GRR_RESERVED_ADDR, mapped only at replay, never
 * digested).  The stub compares all general registers and the arithmetic
 * flags with the recorded ones, in the tracee itself, writing only into the
 * reserved page; on a mismatch it restores the flags and runs the displaced
 * instructions, then jumps back; on a match it executes int3, and the
 * replayer checks the FP registers and the memory digest.  So only likely
 * matches cost a stop (docs/replay-model.md).
 *
 * Where the anchor pc is inside a small loop (tracee/relocate.h), the
 * stub holds a copy of the whole loop with the quick test at the pc's
 * place: the loop then runs in the stub until the test matches, at the
 * cost of one compare per pass instead of two jumps out and back. */
#include "replayer/rp_private.h"
#include "tracee/codefn.h"
#include "tracee/digest.h"
#include "tracee/envflag.h"
#include "tracee/relocate.h"
#include "tracee/remote.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define STUB_CODE  GRR_RESERVED_ADDR
#define STUB_DATA  (GRR_RESERVED_ADDR + 0x2000)  /* a page of its own: stores next to running code are slow */
#define D_SAVE_RAX   0
#define D_SAVE_FLAGS 8
#define D_EXPECT     16    /* 16 registers, x86 encoding order */
#define D_EXP_STACK  (16 + 16 * 8)  /* GRR_ANCHOR_STACK_WORDS words */
#define D_SAVE_RCX   (D_EXP_STACK + 8 * GRR_ANCHOR_STACK_WORDS)
#define EFLAGS_ARITH 0x8d5ull

/* x86 register number -> index in user_regs_struct / grr regs. */
static const int reg_index[16] = { 10, 11, 12, 5, 19, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0 };

struct emitter {
	uint8_t buf[2048];   /* (a loop copy, 16 registers and 32 stack words) */
	size_t n;
	uint64_t base;
};

static void emit(struct emitter *e, const void *bytes, size_t n)
{
	if (e->n + n <= sizeof(e->buf))
		memcpy(e->buf + e->n, bytes, n);
	e->n += n;
}

static uint64_t here(const struct emitter *e) { return e->base + e->n; }

/* PREFIX... then a rip-relative disp32 to ADDR, then IMM_LEN bytes of
 * immediate still to come. */
static void emit_riprel(struct emitter *e, const uint8_t *op, size_t oplen, uint64_t addr,
			size_t imm_len)
{
	emit(e, op, oplen);
	int32_t disp = (int32_t)(int64_t)(addr - (here(e) + 4 + imm_len));
	emit(e, &disp, 4);
}

/* jne to a label patched later; returns the offset of its rel32. */
static size_t emit_jne(struct emitter *e)
{
	static const uint8_t op[2] = { 0x0f, 0x85 };
	emit(e, op, 2);
	size_t at = e->n;
	emit(e, &(int32_t){ 0 }, 4);
	return at;
}

static void patch_rel32(struct emitter *e, size_t at, uint64_t target)
{
	int32_t rel = (int32_t)(int64_t)(target - (e->base + at + 4));
	if (at + 4 <= sizeof(e->buf))   /* (else build_stub fails: too long) */
		memcpy(e->buf + at, &rel, 4);
}

/* The displaced instructions, re-encoded here, and the jump back. */
static int emit_displaced(struct emitter *e, const struct grr_reloc *r)
{
	uint8_t moved[GRR_RELOC_MAX];
	int m = grr_reloc_emit(r, here(e), moved);
	if (m < 0)
		return -1;
	emit(e, moved, (size_t)m);
	emit(e, (const uint8_t[]){ 0xe9 }, 1);
	int32_t back = (int32_t)(int64_t)(r->pc + r->len - (here(e) + 4));
	emit(e, &back, 4);
	return 0;
}

/* cmp between hot register Q and EXPECT, 7 bytes either way: an immediate
 * where EXPECT fits in 32 bits sign-extended (a loop counter, mostly:
 * the compare then fuses with the jump), else the value in the page. */
static void emit_quick_cmp(struct emitter *e, int q, uint64_t expect)
{
	int64_t v = (int64_t)expect;
	if (v >= INT32_MIN && v <= INT32_MAX) {
		int32_t imm = (int32_t)v;
		uint8_t op[3] = { (uint8_t)(0x48 | (q >= 8 ? 0x01 : 0)), 0x81,
				  (uint8_t)(0xf8 | (q & 7)) };        /* cmp $imm32, q */
		emit(e, op, 3);
		emit(e, &imm, 4);
		return;
	}
	uint8_t cmp[3] = { (uint8_t)(0x48 | (q >= 8 ? 0x04 : 0)), 0x3b,
			   (uint8_t)(0x05 | ((q & 7) << 3)) };   /* cmp [exp], q */
	emit_riprel(e, cmp, 3, STUB_DATA + D_EXPECT + 8 * q, 0);
}

/* The quick test, first in the stub: whether the relocation plan's hot
 * register equals EXPECT.  If not (the common case in a loop), the
 * displaced instructions and the jump back follow at once; if so, on to
 * the full comparison, emitted next by the caller.  Where the
 * flags are dead at the pc, a plain cmp/je; else, without touching the
 * flags, rcx = hot + ~EXPECT + 1 and jrcxz (rcx saved in the page, and
 * restored on both ways). */
static int emit_quick_test(struct emitter *e, const struct grr_reloc *r, uint64_t expect)
{
	int q = r->hot_reg;
	size_t at;
	if (r->flags_dead) {
		emit_quick_cmp(e, q, expect);
		emit(e, (const uint8_t[]){ 0x0f, 0x84 }, 2);      /* je full */
		at = e->n;
		emit(e, &(int32_t){ 0 }, 4);
		if (emit_displaced(e, r) < 0)
			return -1;
		patch_rel32(e, at, here(e));
		return 0;
	}
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x89, 0x0d }, 3, STUB_DATA + D_SAVE_RCX, 0);
	uint64_t inv = ~expect;
	emit(e, (const uint8_t[]){ 0x48, 0xb9 }, 2);              /* movabs $~expect, %rcx */
	emit(e, &inv, 8);
	uint8_t lea[5] = { (uint8_t)(0x48 | (q >= 8 ? 1 : 0)), 0x8d, 0x4c,
			   (uint8_t)(0x08 | (q & 7)), 0x01 };      /* lea 1(%q,%rcx), %rcx */
	emit(e, lea, 5);
	emit(e, (const uint8_t[]){ 0xe3, 0x00 }, 2);              /* jrcxz full */
	at = e->n;
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x8b, 0x0d }, 3, STUB_DATA + D_SAVE_RCX, 0);
	if (emit_displaced(e, r) < 0 || e->n - at > 127)
		return -1;
	e->buf[at - 1] = (uint8_t)(e->n - at);
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x8b, 0x0d }, 3, STUB_DATA + D_SAVE_RCX, 0);
	return 0;
}

/* Where the copy of a loop goes in the stub: its part before the pc at A,
 * the quick test at Q, its part from the pc on at B. */
struct loop_layout {
	const struct grr_loop *lp;
	uint64_t pc, a, q, b;
};

static uint64_t loop_map(void *ctx, uint64_t t)
{
	const struct loop_layout *L = ctx;
	if (t == L->pc)
		return L->q;
	if (t < L->pc)
		return L->a + (uint64_t)grr_loop_size(L->lp, L->lp->head, t);
	return L->b + (uint64_t)grr_loop_size(L->lp, L->pc, t);
}

/* The copy of the loop around the anchor pc with the quick test (cmp/je:
 * the flags are dead there) inlined; leaves the offset of the test (the
 * stub's entry) in *ENTRY.  The je goes to the full comparison, emitted
 * next by the caller; the loop's exit paths go back to the program. */
static int emit_loop(struct emitter *e, const struct grr_reloc *r, const struct grr_loop *lp,
		     uint64_t expect, size_t *entry)
{
	int sa = grr_loop_size(lp, lp->head, r->pc), sb = grr_loop_size(lp, r->pc, lp->end);
	if (sa < 0 || sb < 0)
		return -1;
	struct loop_layout L = { .lp = lp, .pc = r->pc, .a = here(e) };
	L.q = L.a + (uint64_t)sa;
	L.b = L.q + 13;                                  /* cmp (7), je rel32 (6) */
	uint8_t code[4 * GRR_LOOP_MAX];
	int n = grr_loop_emit(lp, lp->head, r->pc, L.a, loop_map, &L, code, sizeof(code));
	if (n != sa)
		return -1;
	emit(e, code, (size_t)n);
	*entry = e->n;
	emit_quick_cmp(e, r->hot_reg, expect);
	emit(e, (const uint8_t[]){ 0x0f, 0x84 }, 2);      /* je full */
	size_t at = e->n;
	emit(e, &(int32_t){ 0 }, 4);
	n = grr_loop_emit(lp, r->pc, lp->end, L.b, loop_map, &L, code, sizeof(code));
	if (n != sb || here(e) != L.b)
		return -1;
	emit(e, code, (size_t)n);
	emit(e, (const uint8_t[]){ 0xe9 }, 1);            /* the loop's fall-through exit */
	int32_t back = (int32_t)(int64_t)(lp->end - (here(e) + 4));
	emit(e, &back, 4);
	patch_rel32(e, at, here(e));
	return 0;
}

/* What a stub compares with the recorded values before its int3. */
struct stub_check {
	uint16_t regs;          /* general registers (bit = x86 number) */
	bool flags;             /* the arithmetic flags (where they are live) */
	int nstack;             /* stack words from rsp */
	uint32_t stack;         /* of which these (bit k: word k) */
};

/* Builds the stub for one anchor (FLAGS: the expected lahf/seto word; CK:
 * what it compares;
 * QUICK_EXPECT: the value of R's hot register, tested first); returns the
 * offset of its int3, or -1.  Layout: the quick test and its miss path;
 * the full comparison (flags saved) ending in int3; the full comparison's
 * miss path (flags restored), the displaced instructions and the jump
 * back.  With a loop LP (R then has a hot register and dead flags), its
 * copy comes first (emit_loop) and *ENTRY is the offset of its quick test;
 * otherwise *ENTRY is 0. */
static int build_stub(struct emitter *e, const struct grr_reloc *r, const struct grr_loop *lp,
		      uint16_t flags, const struct stub_check *ck, uint64_t quick_expect,
		      size_t *entry, size_t *miss_off)
{
	int nstack = ck->nstack;
	size_t jumps[32 + GRR_ANCHOR_STACK_WORDS];
	int nj = 0;
	e->n = 0;
	e->base = STUB_CODE;
	*entry = 0;
	if (lp) {
		if (emit_loop(e, r, lp, quick_expect, entry) < 0)
			return -1;
	} else if (r->hot_reg >= 0 && emit_quick_test(e, r, quick_expect) < 0) {
		return -1;
	}
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x89, 0x05 }, 3, STUB_DATA + D_SAVE_RAX, 0);
	emit(e, (const uint8_t[]){ 0x9f }, 1);                    /* lahf */
	emit(e, (const uint8_t[]){ 0x0f, 0x90, 0xc0 }, 3);        /* seto al */
	emit_riprel(e, (const uint8_t[]){ 0x66, 0x89, 0x05 }, 3, STUB_DATA + D_SAVE_FLAGS, 0);
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x8b, 0x05 }, 3, STUB_DATA + D_SAVE_RAX, 0);
	for (int reg = 0; reg < 16; reg++) {                      /* cmp reg, [exp]; jne miss */
		if (!(ck->regs & (1u << reg)))
			continue;
		uint8_t op[3] = { (uint8_t)(0x48 | (reg >= 8 ? 0x04 : 0)), 0x3b,
				  (uint8_t)(0x05 | ((reg & 7) << 3)) };
		emit_riprel(e, op, 3, STUB_DATA + D_EXPECT + 8 * reg, 0);
		jumps[nj++] = emit_jne(e);
	}
	/* cmp word [saved flags], imm16 ; jne miss (dead flags, which the
	 * quick cmp changed, are set to the recorded ones at a match) */
	if (ck->flags && !r->flags_dead) {
		emit_riprel(e, (const uint8_t[]){ 0x66, 0x81, 0x3d }, 3, STUB_DATA + D_SAVE_FLAGS, 2);
		emit(e, &flags, 2);
		jumps[nj++] = emit_jne(e);
	}
	/* mov rax, [rsp + 8k]; cmp rax, [expected k]; jne miss */
	for (int k = 0; k < nstack; k++) {
		if (!(ck->stack & (1u << k)))
			continue;
		uint8_t ld[5] = { 0x48, 0x8b, 0x44, 0x24, (uint8_t)(8 * k) };
		uint8_t ld32[8] = { 0x48, 0x8b, 0x84, 0x24, (uint8_t)(8 * k), 0, 0, 0 };
		if (8 * k < 128)
			emit(e, ld, 5);
		else
			emit(e, ld32, 8);
		emit_riprel(e, (const uint8_t[]){ 0x48, 0x3b, 0x05 }, 3,
			    STUB_DATA + D_EXP_STACK + 8 * k, 0);
		jumps[nj++] = emit_jne(e);
	}
	/* rax back to the thread's own value before stopping */
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x8b, 0x05 }, 3, STUB_DATA + D_SAVE_RAX, 0);
	int trap = (int)e->n;
	emit(e, (const uint8_t[]){ 0xcc }, 1);
	*miss_off = e->n;
	for (int k = 0; k < nj; k++)
		patch_rel32(e, jumps[k], here(e));
	emit_riprel(e, (const uint8_t[]){ 0x66, 0x8b, 0x05 }, 3, STUB_DATA + D_SAVE_FLAGS, 0);
	emit(e, (const uint8_t[]){ 0x04, 0x7f, 0x9e }, 3);        /* add al,0x7f; sahf */
	emit_riprel(e, (const uint8_t[]){ 0x48, 0x8b, 0x05 }, 3, STUB_DATA + D_SAVE_RAX, 0);
	if (emit_displaced(e, r) < 0)
		return -1;
	if (e->n > sizeof(e->buf))
		return -1;
	return trap;
}

static uint16_t flags_word(uint64_t eflags)
{
	uint8_t ah = (uint8_t)((eflags & 0xd5) | 0x02);
	uint8_t al = (uint8_t)((eflags >> 11) & 1);
	return (uint16_t)(al | (ah << 8));
}

int rp_stub_map(struct grr_replay *rp, struct rp_thread *t)
{
	if (rp->stub_mapped)
		return 0;
	uint64_t args[6] = { GRR_RESERVED_ADDR, GRR_RESERVED_LEN,
			     PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0 };
	int64_t ret;
	/* the injected syscall's resume would drop a signal being delivered */
	if (t->pending_sig || t->sigfix.pending)
		return -1;
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	if (grr_remote_syscall(&rp->mem, t->tid, SYS_mmap, args, &ret) < 0 ||
	    (uint64_t)ret != GRR_RESERVED_ADDR)
		return -1;
	rp->stub_mapped = true;
	return 0;
}

/* Plans the patch at PC, or returns -1 (the caller falls back to plain
 * breakpoints); *HAVE_LOOP says whether LP holds the loop around it. */
static int plan_patch(struct grr_replay *rp, uint64_t pc, struct grr_reloc *r,
		      struct grr_loop *lp, bool *have_loop, const char **why)
{
	struct grr_codefn f;
	*have_loop = false;
	*why = "not in a known function";
	if (!rp->have_syms || grr_codefn_read(&rp->mem, &rp->syms, pc, &f) < 0)
		return -1;
	int rc = grr_reloc_plan(f.code, f.start, f.len, f.pad, pc, r, why);
	/* (the copy inlines the cmp/je quick test: a hot register, dead flags;
	 * its fall-through exit goes back to the loop's end, which must not
	 * be among the displaced bytes: a loop whose last instruction is
	 * displaced with the one after it (`cmp; jne back` then a `cmp`, in
	 * Go's small-map lookup) would resume inside the jump: a SIGTRAP) */
	*have_loop = rc == 0 && r->hot_reg >= 0 && r->flags_dead &&
		!grr_env_flag("GRR_NO_LOOP_STUBS") &&
		grr_reloc_loop(f.code, f.start, f.len, pc, lp) == 0 &&
		lp->end >= r->pc + r->len;
	grr_codefn_free(&f);
	return rc;
}

/* Replaces the instructions at R with a jump to the stub (the rest of the
 * displaced bytes become int3). */
static int arm_jump(struct grr_replay *rp, const struct grr_reloc *r, size_t entry)
{
	uint8_t jmp[sizeof(r->orig)];
	memset(jmp, 0xcc, sizeof(jmp));
	jmp[0] = 0xe9;
	int32_t rel = (int32_t)(int64_t)(STUB_CODE + entry - (r->pc + GRR_JMP_LEN));
	memcpy(jmp + 1, &rel, 4);
	return grr_mem_write(&rp->mem, r->pc, jmp, r->len);
}

static int install(struct grr_replay *rp, const struct grr_reloc *r, const struct grr_loop *lp,
		   const uint64_t *rec_regs, const struct stub_check *ck, int *trap, size_t *entry,
		   size_t *miss)
{
	struct emitter e;
	int nstack = ck->nstack;
	*trap = build_stub(&e, r, lp, flags_word(rec_regs[18]), ck,
			   r->hot_reg >= 0 ? rec_regs[reg_index[r->hot_reg]] : 0, entry, miss);
	if (*trap < 0)
		return -1;
	uint64_t expect[16];
	for (int reg = 0; reg < 16; reg++)
		expect[reg] = rec_regs[reg_index[reg]];
	if (grr_mem_write(&rp->mem, STUB_DATA + D_EXPECT, expect, sizeof(expect)) < 0 ||
	    grr_mem_write(&rp->mem, STUB_DATA + D_EXP_STACK, rp->ev.u.anchor.stack,
			  8u * (unsigned)nstack) < 0 ||
	    grr_mem_write(&rp->mem, STUB_CODE, e.buf, e.n) < 0 ||
	    arm_jump(rp, r, *entry) < 0)
		return -1;
	return 0;
}

/* The thread is at the stub's int3 with equal general registers: restores
 * the true state at the anchor pc (rip, flags saved by the stub). */
static int restore_at_pc(struct grr_replay *rp, struct rp_thread *t, const struct grr_reloc *r,
			 struct user_regs_struct *regs)
{
	uint16_t fw;
	if (grr_mem_read(&rp->mem, STUB_DATA + D_SAVE_FLAGS, &fw, 2) < 0)
		return -1;
	uint64_t flags = ((uint64_t)(fw >> 8) & 0xd5) | ((fw & 1) ? 0x800 : 0);
	if (r->flags_dead)   /* no program instruction reads them: as recorded */
		flags = rp->ev.u.anchor.regs[18] & EFLAGS_ARITH;
	regs->eflags = (regs->eflags & ~EFLAGS_ARITH) | flags;
	regs->rip = r->pc;
	return grr_task_setregs(t->tid, regs);
}

/* A thread parked inside the bytes about to be replaced (not at their
 * start) would resume in the middle of the jump: step it past them first.
 * The plan guarantees they are plain movable instructions. */
static int step_out_of(struct grr_replay *rp, struct rp_thread *t, const struct grr_reloc *r)
{
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	for (int i = 0; i < 16; i++) {
		struct user_regs_struct regs;
		if (grr_task_getregs(t->tid, &regs) < 0)
			return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
		if (regs.rip <= r->pc || regs.rip >= r->pc + r->len)
			return 0;
		struct grr_stop st;
		if (grr_task_singlestep(t->tid, 0) < 0 || rp_wait(rp, t, &st) < 0)
			return rp_fail(rp, "cannot single-step thread %d", (int)t->tid);
		if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP)
			return rp_diverge(rp, t, "unexpected stop stepping toward the anchor");
	}
	return rp_fail(rp, "thread %d does not leave 0x%llx", (int)t->tid,
		       (unsigned long long)r->pc);
}

/* Where the stub goes for the anchor: at its pc (STEPS 0), or, where the
 * pc cannot be patched, at a lead a few instructions before it
 * (tracee/relocate.h), from which the thread is single-stepped to the pc
 * at each candidate. */
struct trap_plan {
	struct grr_reloc r;
	struct grr_loop lp;
	bool have_loop;
	struct stub_check ck;
	int steps;
};

#define LEAD_MAX_STEPS 16

/* Plans the trap for the anchor at PC; 0, or -1 (plain breakpoints). */
/* Whether the patch R leaves every parked goroutine's resume pc alone:
 * it covers one instruction, or no goroutine's stack points inside it. */
static bool patch_safe(struct grr_replay *rp, const struct grr_reloc *r, uint64_t now_sp)
{
	return r->len <= r->first_len ||
	       !rp_goroutine_may_resume_in(rp, rp->ev.u.anchor.regs[19], now_sp, r->pc,
					   r->pc + r->len);
}

/* NOW_SP: the stack pointer of the thread that is to reach the anchor. */
static int plan_trap(struct grr_replay *rp, uint64_t pc, uint64_t now_sp, struct trap_plan *tp)
{
	const char *why;
	memset(tp, 0, sizeof(*tp));
	tp->ck = (struct stub_check){ 0xffff, true, rp->ev.u.anchor.nstack, 0xffffffffu };
	if (plan_patch(rp, pc, &tp->r, &tp->lp, &tp->have_loop, &why) == 0) {
		if (rp_breaks_overlap(rp, tp->r.pc, tp->r.len))
			return -1;
		if (patch_safe(rp, &tp->r, now_sp))
			return 0;
		why = "a parked goroutine may resume inside the patch";
	}
	struct grr_codefn f;
	struct grr_lead lead;
	const char *no_lead = "not in a known function";
	int rc = -1;
	if (rp->have_syms && grr_codefn_read(&rp->mem, &rp->syms, pc, &f) == 0) {
		rc = grr_reloc_lead(f.code, f.start, f.len, f.pad, pc, LEAD_MAX_STEPS, &lead,
				    &no_lead);
		grr_codefn_free(&f);
	}
	/* (single steps would run past a debugger's breakpoint or watchpoint) */
	if (rc == 0 && (rp_breaks_overlap(rp, lead.at.pc, pc + 1 - lead.at.pc) || rp_watch_any(rp))) {
		rc = -1;
		no_lead = "a debugger breakpoint or watchpoint on the way";
	}
	/* (nor where the anchor's goroutine returns, before the anchor, to a
	 * pc after the lead, the pc included: it would never pass the lead.
	 * Go's asynchronous preemption returns to the interrupted pc) */
	if (rc == 0 && (!patch_safe(rp, &lead.at, now_sp) ||
			rp_anchor_goroutine_returns_into(rp, rp->ev.u.anchor.regs[19], now_sp,
							 lead.at.pc, pc + 1))) {
		rc = -1;
		no_lead = "a parked goroutine may resume inside its patch";
	}
	if (rp->debug)
		fprintf(rp->opts.err, "grr-debug: anchor at 0x%llx: no stub at it (%s); %s\n",
			(unsigned long long)pc, why, rc == 0 ? "a lead before it" : no_lead);
	if (rc < 0)
		return -1;
	tp->r = lead.at;
	tp->steps = lead.steps;
	/* (a loop found for a patch at the pc, refused above, is not the
	 * lead's: it would run a copy that never passes the lead's trap) */
	tp->have_loop = false;
	tp->ck = (struct stub_check){ lead.kept, false, rp->ev.u.anchor.nstack,
				      lead.stack_kept };
	return 0;
}

/* Single-steps T, between a lead and the anchor pc, until it is at PC
 * (at most N steps). */
static int step_until(struct grr_replay *rp, struct rp_thread *t, uint64_t pc, int n)
{
	if (rp_leave_sysemu(rp, t) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct user_regs_struct regs;
		if (grr_task_getregs(t->tid, &regs) < 0)
			return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
		if (regs.rip == pc)
			return 0;
		struct grr_stop st;
		if (grr_task_singlestep(t->tid, 0) < 0 || rp_wait(rp, t, &st) < 0)
			return rp_fail(rp, "cannot single-step thread %d", (int)t->tid);
		if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP)
			return rp_diverge(rp, t, "unexpected stop stepping toward the anchor");
	}
	return 0;
}

/* Single-steps T N instructions, from a lead's trap to the anchor pc. */
static int step_to_pc(struct grr_replay *rp, struct rp_thread *t, int n)
{
	for (int i = 0; i < n; i++) {
		struct grr_stop st;
		if (grr_task_singlestep(t->tid, 0) < 0 || rp_wait(rp, t, &st) < 0)
			return rp_fail(rp, "cannot single-step thread %d", (int)t->tid);
		if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP)
			return rp_diverge(rp, t, "unexpected stop stepping toward the anchor");
	}
	return 0;
}

int rp_stub_find_anchor(struct grr_replay *rp, struct rp_thread *t,
			bool (*matches)(struct grr_replay *, struct rp_thread *,
					const struct user_regs_struct *))
{
	const uint64_t *rec = rp->ev.u.anchor.regs;
	const uint64_t pc = rec[16];
	struct trap_plan tp;
	struct user_regs_struct now;
	if (grr_task_getregs(t->tid, &now) < 0)
		return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
	if (plan_trap(rp, pc, now.rsp, &tp) < 0 || rp_stub_map(rp, t) < 0)
		return 1;  /* not patchable here: use plain breakpoints */
	struct grr_reloc *r = &tp.r;
	/* the debugger's breakpoints in the loop would be skipped by its copy,
	 * and a watchpoint hit there would stop the thread in the stub */
	if (tp.have_loop &&
	    (rp_breaks_overlap(rp, tp.lp.head, tp.lp.end - tp.lp.head) || rp_watch_any(rp)))
		tp.have_loop = false;
	bool inside = now.rip > r->pc && now.rip < r->pc + r->len;
	/* a signal about to be delivered would return into the patch */
	if (inside && t->pending_sig)
		return 1;
	if (inside && step_out_of(rp, t, r) < 0)
		return -1;
	/* a thread already between a lead and the pc reaches the pc without
	 * passing the lead: straight on to it, then see */
	if (tp.steps > 0 && grr_task_getregs(t->tid, &now) == 0 && now.rip > r->pc &&
	    now.rip < pc) {
		if (t->pending_sig)
			return 1;
		int rc = step_until(rp, t, pc, tp.steps);
		if (rc < 0)
			return rc;
		if (grr_task_getregs(t->tid, &now) < 0)
			return rp_fail(rp, "cannot read registers of thread %d", (int)t->tid);
		if (matches(rp, t, &now))
			return 0;
	}
	int trap;
	size_t entry, miss;
	if (rp->debug)
		fprintf(rp->opts.err, "grr-debug: anchor stub at 0x%llx: quick test %s%s\n",
			(unsigned long long)r->pc, r->hot_reg < 0 ? "none" :
			r->flags_dead ? "cmp (dead flags)" : "jrcxz",
			tp.have_loop ? ", in a copy of its loop" : "");
	if (install(rp, r, tp.have_loop ? &tp.lp : NULL, rec, &tp.ck, &trap, &entry, &miss) < 0) {
		grr_mem_write(&rp->mem, r->pc, r->orig, r->len);
		return 1;
	}
	int rc;
	for (uint64_t hits = 1;; hits++) {
		struct grr_stop st;
		struct user_regs_struct regs;
		rc = rp_resume_and_wait(rp, t, &st);
		if (rc < 0) {
			/* a debugger stop elsewhere: the program's code back */
			if (rc == RP_DEBUG_STOP)
				grr_mem_write(&rp->mem, r->pc, r->orig, r->len);
			break;
		}
		if (st.kind != GRR_STOP_SIGNAL || st.sig != SIGTRAP ||
		    grr_task_getregs(t->tid, &regs) < 0 || regs.rip != STUB_CODE + (uint64_t)trap + 1) {
			grr_mem_write(&rp->mem, r->pc, r->orig, r->len);
			char actual[256];
			rp_describe_stop(rp, t, &st, actual, sizeof(actual));
			rc = rp_diverge(rp, t, "%s before reaching the anchor", actual);
			break;
		}
		if (rp->debug)
			fprintf(rp->opts.err, "grr-debug: anchor candidate %llu at 0x%llx\n",
				(unsigned long long)hits, (unsigned long long)pc);
		struct user_regs_struct at_pc = regs;
		if (restore_at_pc(rp, t, r, &at_pc) < 0) {
			rc = rp_fail(rp, "cannot set registers of thread %d", (int)t->tid);
			break;
		}
		grr_mem_write(&rp->mem, r->pc, r->orig, r->len);
		if (tp.steps > 0 && ((rc = step_to_pc(rp, t, tp.steps)) < 0 ||
				     (rc = grr_task_getregs(t->tid, &at_pc)) < 0))
			break;
		if (matches(rp, t, &at_pc)) {
			rc = 0;
			break;
		}
		if (tp.steps > 0) {
			/* not this one: on from the pc, the trap set again */
			if ((rc = step_out_of(rp, t, r)) < 0 || (rc = arm_jump(rp, r, entry)) < 0)
				break;
			continue;
		}
		/* not this one: back into the stub's miss path */
		regs.rip = STUB_CODE + miss;
		if (grr_task_setregs(t->tid, &regs) < 0 || arm_jump(rp, r, entry) < 0) {
			rc = rp_fail(rp, "cannot re-arm the anchor trap");
			break;
		}
	}
	return rc;
}
