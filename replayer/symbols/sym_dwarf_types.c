/* sym_dwarf_types.c - DWARF facts about the Go runtime found by name:
 * struct member offsets (DW_TAG_structure_type / DW_TAG_member) and the
 * addresses of package-level variables (DW_TAG_variable with DW_OP_addr).
 * sym_dwarf.c collects them; here they are sorted by name and looked up.
 * When a name occurs twice, the first one read (with members) wins. */
#include "replayer/symbols/sym_private.h"

#include <stdlib.h>
#include <string.h>

static int global_cmp(const void *a, const void *b)
{
	const struct sym_global *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int struct_cmp(const void *a, const void *b)
{
	const struct sym_struct *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool grr_symbols_is_trampoline(const struct grr_symbols *s, uint64_t entry)
{
	return s->ntramps && bsearch(&entry, s->tramps, s->ntramps, sizeof(*s->tramps), u64_cmp);
}

int sym_types_finish(struct grr_symbols *s)
{
	if (s->ntype_names > 1)
		qsort(s->type_names, s->ntype_names, sizeof(*s->type_names), name_cmp);
	if (s->ntramps > 1)
		qsort(s->tramps, s->ntramps, sizeof(*s->tramps), u64_cmp);
	if (s->nglobals > 1)
		qsort(s->globals, s->nglobals, sizeof(*s->globals), global_cmp);
	if (s->nstructs > 1)
		qsort(s->structs, s->nstructs, sizeof(*s->structs), struct_cmp);
	return 0;
}

/* Index of the first element named NAME in a sorted array, or N. */
#define FIND_FIRST(arr, n, key, out)                                   \
	do {                                                            \
		size_t lo_ = 0, hi_ = (n);                              \
		while (lo_ < hi_) {                                     \
			size_t mid_ = lo_ + (hi_ - lo_) / 2;            \
			if (strcmp((arr)[mid_].name, (key)) < 0)        \
				lo_ = mid_ + 1;                         \
			else                                            \
				hi_ = mid_;                             \
		}                                                       \
		(out) = lo_ < (n) && strcmp((arr)[lo_].name, (key)) == 0 ? lo_ : (n); \
	} while (0)

bool grr_symbols_member_offset(const struct grr_symbols *s, const char *type,
			       const char *member, uint64_t *off)
{
	if (!s || !type || !member)
		return false;
	size_t i;
	FIND_FIRST(s->structs, s->nstructs, type, i);
	if (i == s->nstructs)
		return false;
	/* a declaration without members may precede the definition */
	for (; i < s->nstructs && strcmp(s->structs[i].name, type) == 0; i++) {
		const struct sym_struct *st = &s->structs[i];
		for (size_t k = 0; k < st->n; k++) {
			if (strcmp(s->members[st->first + k].name, member) == 0) {
				*off = s->members[st->first + k].off;
				return true;
			}
		}
		if (st->n)
			return false;
	}
	return false;
}

bool grr_symbols_global_addr(const struct grr_symbols *s, const char *name, uint64_t *addr)
{
	if (!s || !name)
		return false;
	size_t i;
	FIND_FIRST(s->globals, s->nglobals, name, i);
	if (i == s->nglobals)
		return false;
	*addr = s->globals[i].addr;
	return true;
}
