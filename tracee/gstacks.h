/* gstacks.h - the Go program's goroutine stacks, searched for pcs a parked
 * goroutine may resume at (gstacks.c says how).  The replayer must not put
 * a jump over such a pc; the recorder places normal-mode anchors where it
 * will not have to. */
#ifndef GRR_TRACEE_GSTACKS_H
#define GRR_TRACEE_GSTACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "tracee/mem.h"
#include "tracee/symtab.h"

/* Whether a goroutine's stack holds a word in (LO, HI) (true when unsure).
 * ANCHOR_SP: the stack pointer at the anchor; NOW_SP: the thread's now.
 * OWN: only the goroutine whose stack holds ANCHOR_SP, below it (a pc it
 * returns to before the anchor). */
bool grr_gstacks_hold(const struct grr_mem *m, const struct grr_symtab *st, uint64_t anchor_sp,
		      uint64_t now_sp, uint64_t lo, uint64_t hi, bool own);

/* The words in (LO, HI) of every goroutine's stack as at an anchor at SP
 * (its own searched from SP), sorted: collected once, then asked of many
 * ranges (the recorder moving an anchor). */
struct grr_gstack_words {
	uint64_t lo, hi;
	uint64_t *v;
	size_t n;
};
/* 0, or -1 when unsure (W is then empty). */
int grr_gstacks_words(const struct grr_mem *m, const struct grr_symtab *st, uint64_t sp,
		      uint64_t lo, uint64_t hi, struct grr_gstack_words *w);
/* Whether W holds a word in (LO, HI), a range within W's. */
bool grr_gstack_words_in(const struct grr_gstack_words *w, uint64_t lo, uint64_t hi);
void grr_gstack_words_free(struct grr_gstack_words *w);

#endif
