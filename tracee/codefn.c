/* codefn.c - a function's code and the padding after it (codefn.h). */
#include "tracee/codefn.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FUNCTION (1u << 20)

/* The address of the first function symbol after ADDR, or 0. */
static uint64_t next_function(const struct grr_symtab *st, uint64_t addr)
{
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (st->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->n ? st->syms[lo].addr : 0;
}

int grr_codefn_read(const struct grr_mem *m, const struct grr_symtab *st, uint64_t pc,
		    struct grr_codefn *f)
{
	memset(f, 0, sizeof(*f));
	const struct grr_symbol *fn = st ? grr_symtab_lookup(st, pc) : NULL;
	if (!fn || !fn->size || fn->size > MAX_FUNCTION)
		return -1;
	f->start = fn->addr;
	f->len = fn->size;
	uint64_t end = fn->addr + fn->size, next = next_function(st, fn->addr);
	size_t room = next > end ? (size_t)(next - end) : 0;
	if (room > GRR_CODEFN_MAX_PAD)
		room = GRR_CODEFN_MAX_PAD;
	f->code = malloc(f->len + GRR_CODEFN_MAX_PAD);
	if (!f->code || grr_mem_read(m, f->start, f->code, f->len) < 0) {
		grr_codefn_free(f);
		return -1;
	}
	size_t got = room ? grr_mem_read_partial(m, end, f->code + f->len, room) : 0;
	while (f->pad < got && f->code[f->len + f->pad] == 0xcc)
		f->pad++;
	return 0;
}

void grr_codefn_free(struct grr_codefn *f)
{
	free(f->code);
	memset(f, 0, sizeof(*f));
}
