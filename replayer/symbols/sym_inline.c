/* sym_inline.c - inlined calls (DW_TAG_inlined_subroutine ranges), kept
 * per physical function: the frames inlined at a pc, innermost first. */
#include "replayer/symbols/sym_private.h"

#include <stdlib.h>
#include <string.h>

static int by_lo(const void *a, const void *b)
{
	const struct sym_inl *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->depth != y->depth)
		return x->depth - y->depth;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sym_inline_finish(struct grr_symbols *s)
{
	/* functions are sorted and disjoint, so sorting by lo groups the
	 * ranges by function */
	if (s->ninl > 1)
		qsort(s->inl, s->ninl, sizeof(*s->inl), by_lo);
	size_t n = 0, fi = 0;
	for (size_t i = 0; i < s->ninl; i++) {
		const struct sym_inl *in = &s->inl[i];
		while (fi < s->nfuncs && s->funcs[fi].end <= in->lo)
			fi++;
		if (fi == s->nfuncs || in->lo < s->funcs[fi].entry || in->hi > s->funcs[fi].end)
			continue;    /* outside any function: ignored */
		struct sym_func *f = &s->funcs[fi];
		if (f->ninl == 0)
			f->inl_first = n;
		f->ninl++;
		s->inl[n++] = *in;
	}
	s->ninl = n;

	s->inl_names = malloc((n ? n : 1) * sizeof(*s->inl_names));
	if (!s->inl_names)
		return -1;
	for (size_t i = 0; i < n; i++)
		s->inl_names[i] = s->inl[i].func;
	if (n > 1)
		qsort(s->inl_names, n, sizeof(*s->inl_names), str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || s->inl_names[i] != s->inl_names[u - 1])
			s->inl_names[u++] = s->inl_names[i];
	s->ninl_names = u;
	return 0;
}

const struct sym_inl *sym_inl_innermost(const struct grr_symbols *s, const struct sym_func *f,
					uint64_t pc)
{
	const struct sym_inl *best = NULL;
	for (size_t i = 0; i < f->ninl; i++) {
		const struct sym_inl *in = &s->inl[f->inl_first + i];
		if (in->lo > pc)
			break;
		if (pc < in->hi && (!best || in->depth > best->depth))
			best = in;
	}
	return best;
}

#define MAX_DEPTH 64

int grr_symbols_inline_frames(const struct grr_symbols *s, uint64_t pc,
			      struct grr_inline_frame *out, int max)
{
	const struct sym_func *f = s ? sym_func_at(s, pc) : NULL;
	if (!f || max <= 0)
		return 0;
	const struct sym_inl *at[MAX_DEPTH];
	int n = 0;
	for (size_t i = 0; i < f->ninl && n < MAX_DEPTH; i++) {
		const struct sym_inl *in = &s->inl[f->inl_first + i];
		if (in->lo > pc)
			break;
		if (pc < in->hi)
			at[n++] = in;
	}
	/* innermost (deepest) first */
	for (int i = 1; i < n; i++) {
		const struct sym_inl *t = at[i];
		int j = i;
		for (; j > 0 && at[j - 1]->depth < t->depth; j--)
			at[j] = at[j - 1];
		at[j] = t;
	}
	int k = 0;
	for (; k < n && k < max; k++) {
		out[k].func = at[k]->func;
		out[k].call_file = at[k]->call_file;
		out[k].call_line = at[k]->call_line;
	}
	return k;
}
