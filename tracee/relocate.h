/* relocate.h - moving the first instructions at a code address elsewhere,
 * so that a 5-byte jump can replace them (the replayer's conditional
 * anchor traps).  Capstone decodes the containing function to prove the
 * patch is safe: no branch lands inside the replaced bytes, no call's
 * return address falls inside them, no computed jump can reach them. */
#ifndef GRR_TRACEE_RELOCATE_H
#define GRR_TRACEE_RELOCATE_H

#include <stddef.h>
#include <stdint.h>

#define GRR_JMP_LEN 5
#define GRR_RELOC_MAX 64   /* bytes of relocated code at most */

struct grr_reloc {
	uint64_t pc;                 /* where the replaced instructions were */
	size_t len;                  /* bytes replaced (>= GRR_JMP_LEN) */
	size_t code_len;             /* of which instructions; the rest is the
					function's int3 padding, never run */
	size_t first_len;            /* the length of the instruction at pc: a
					patch longer than it covers the start
					of another instruction */
	uint8_t orig[16];            /* their original bytes */
	int hot_reg;                 /* the general register (x86 number; not
					rsp, rbp or rcx) most written near pc,
					likely a loop variable; -1 if none */
	int flags_dead;              /* 1: the arithmetic flags at pc are
					overwritten before being read */
};

/* Checks that the instructions at PC in the function [FSTART, FSTART+FLEN)
 * (whose bytes are CODE, followed by PAD bytes of int3 padding before the
 * next function) can be displaced by a jump.  Near the function's end the
 * jump may cover padding, after a last instruction that never falls
 * through (ret, jmp); a direct call may be the last instruction displaced
 * (it then returns to the program's code, just after the jump).  0 with R
 * filled, or -1 with a reason in WHY. */
int grr_reloc_plan(const uint8_t *code, uint64_t fstart, size_t flen, size_t pad, uint64_t pc,
		   struct grr_reloc *r, const char **why);
/* A lead for a pc that cannot be patched: an instruction Q a few
 * instructions before it that can, from which the thread always runs
 * straight on to pc (nothing in between branches, calls or traps, and no
 * branch lands in (Q, pc]), and whose patch ends before pc (a goroutine
 * that Go's asynchronous preemption stopped at pc resumes there).  A trap at Q that compares the registers the
 * instructions in between do not write (with the values recorded at pc)
 * then single-steps to pc for the full comparison. */
struct grr_lead {
	struct grr_reloc at;         /* the patch at Q */
	int steps;                   /* instructions from Q to pc */
	uint16_t kept;               /* general registers (bit = x86 number)
					that no instruction in [Q, pc) writes */
	uint32_t stack_kept;         /* the words at [rsp, rsp + 8 * 32) that no
					instruction in [Q, pc) may write (bit k:
					word k); 0 if rsp is written, or memory
					other than at rsp + constant */
};

/* Finds the lead closest to PC (at most MAX_STEPS instructions before it)
 * in the function [FSTART, FSTART+FLEN) (CODE as for grr_reloc_plan).  0
 * with LEAD filled, or -1 with a reason in WHY. */
int grr_reloc_lead(const uint8_t *code, uint64_t fstart, size_t flen, size_t pad, uint64_t pc,
		   int max_steps, struct grr_lead *lead, const char **why);

/* Emits R's instructions re-encoded to run at address AT (relative
 * branches and rip-relative operands adjusted).  Returns the byte count
 * written to OUT (at most GRR_RELOC_MAX), or -1. */
int grr_reloc_emit(const struct grr_reloc *r, uint64_t at, uint8_t *out);

/* The length of the repeated string instruction (rep/repe/repne movs,
 * stos, lods, cmps, scas, ins, outs) that the N bytes CODE start with, or
 * 0 if they start with anything else.  Such an instruction can be stopped
 * part way, with rip still on it: a state no instruction boundary has. */
#define GRR_REP_PREFIX_MAX 6
int grr_rep_string_len(const uint8_t *code, size_t n);

/* The innermost loop around a pc whose code can run from a copy: the
 * bytes [HEAD, END) end with a backward branch to HEAD, and hold no call,
 * return, trap or computed jump.  The replayer runs such a loop in its
 * stub, with the anchor test inlined, instead of jumping out to the stub
 * and back on every pass. */
#define GRR_LOOP_MAX 192
struct grr_loop {
	uint64_t head, end;
	uint8_t code[GRR_LOOP_MAX];
};

/* Finds the loop around PC in the function [FSTART, FSTART+FLEN) whose
 * bytes are CODE: 0 with LP filled, or -1 if there is none to copy. */
int grr_reloc_loop(const uint8_t *code, uint64_t fstart, size_t flen, uint64_t pc,
		   struct grr_loop *lp);
/* The size of LP's instructions [FROM, TO) re-encoded (relative branches
 * as rel32), or -1. */
int grr_loop_size(const struct grr_loop *lp, uint64_t from, uint64_t to);
/* Emits LP's instructions [FROM, TO) re-encoded to run at AT; a branch to
 * an address T inside the loop goes to MAP(CTX, T), one outside to T.
 * Returns the byte count (at most MAX), or -1. */
typedef uint64_t (*grr_loop_map_fn)(void *ctx, uint64_t target);
int grr_loop_emit(const struct grr_loop *lp, uint64_t from, uint64_t to, uint64_t at,
		  grr_loop_map_fn map, void *ctx, uint8_t *out, size_t max);

#endif
