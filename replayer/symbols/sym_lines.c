/* sym_lines.c - the line table: every row of every line program (or of
 * pclntab), sorted by pc, one row per pc, each covering [pc, row_end).
 *
 * Rows at the same pc are merged: the last one read gives the position
 * (DWARF's rule: earlier rows at that address are empty), is_stmt and
 * prologue_end are kept if any of them had it for that position.  A pc
 * after an end_sequence row and before the next row has no line. */
#include "replayer/symbols/sym_private.h"

#include <stdlib.h>
#include <string.h>

int sym_add_row(struct grr_symbols *s, uint64_t pc, const char *file, int line, bool is_stmt,
		bool prologue_end, bool end)
{
	struct sym_raw_row *r = SYM_PUSH(s->raw, s->nraw, s->capraw);
	if (!r)
		return -1;
	r->pc = pc;
	r->file = file;
	r->line = line;
	r->is_stmt = is_stmt;
	r->flags = (uint8_t)((prologue_end ? SYM_ROW_PROLOGUE_END : 0) | (end ? SYM_ROW_END : 0));
	r->order = s->nraw;
	s->nraw++;
	return 0;
}

/* By pc; at one pc, end_sequence rows first (they close the previous
 * range), then the order read. */
static int raw_cmp(const void *a, const void *b)
{
	const struct sym_raw_row *x = a, *y = b;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	int xe = !(x->flags & SYM_ROW_END), ye = !(y->flags & SYM_ROW_END);
	if (xe != ye)
		return xe - ye;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted list of distinct files of rows and call sites. */
static int build_files(struct grr_symbols *s)
{
	size_t n = s->nrows + s->ninl, k = 0;
	const char **f = malloc((n ? n : 1) * sizeof(*f));
	if (!f)
		return -1;
	for (size_t i = 0; i < s->nrows; i++)
		if (i == 0 || s->rows[i].file != s->rows[i - 1].file)
			f[k++] = s->rows[i].file;
	for (size_t i = 0; i < s->ninl; i++)
		if (s->inl[i].call_file)
			f[k++] = s->inl[i].call_file;
	if (k > 1)
		qsort(f, k, sizeof(*f), str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || f[i] != f[u - 1])
			f[u++] = f[i];
	s->files = f;
	s->nfiles = u;
	return 0;
}

int sym_lines_finish(struct grr_symbols *s)
{
	if (s->nraw > 1)
		qsort(s->raw, s->nraw, sizeof(*s->raw), raw_cmp);
	size_t cap = s->nraw ? s->nraw : 1;
	s->rows = malloc(cap * sizeof(*s->rows));
	s->row_end = malloc(cap * sizeof(*s->row_end));
	s->row_flags = malloc(cap);
	if (!s->rows || !s->row_end || !s->row_flags)
		return -1;
	size_t n = 0;
	bool open = false;    /* rows[n-1] has no end yet */
	for (size_t i = 0; i < s->nraw; i++) {
		const struct sym_raw_row *r = &s->raw[i];
		if (r->flags & SYM_ROW_END) {
			if (open)
				s->row_end[n - 1] = r->pc;
			open = false;
			continue;
		}
		if (open && s->rows[n - 1].pc == r->pc) {
			struct grr_line_row *p = &s->rows[n - 1];
			bool same = p->file == r->file && p->line == r->line;
			p->is_stmt = r->is_stmt || (same && p->is_stmt);
			p->file = r->file;
			p->line = r->line;
			s->row_flags[n - 1] |= r->flags;
			continue;
		}
		if (open)
			s->row_end[n - 1] = r->pc;
		s->rows[n].pc = r->pc;
		s->rows[n].file = r->file;
		s->rows[n].line = r->line;
		s->rows[n].is_stmt = r->is_stmt;
		s->row_flags[n] = r->flags;
		s->row_end[n] = r->pc;    /* set by the next row */
		n++;
		open = true;
	}
	if (open) {
		/* no end_sequence: the row runs to the end of its function */
		const struct sym_func *f = sym_func_at(s, s->rows[n - 1].pc);
		s->row_end[n - 1] = f ? f->end : s->rows[n - 1].pc + 1;
	}
	s->nrows = n;
	free(s->raw);
	s->raw = NULL;
	s->nraw = s->capraw = 0;

	/* each function's slice of rows */
	size_t r = 0;
	for (size_t i = 0; i < s->nfuncs; i++) {
		struct sym_func *f = &s->funcs[i];
		while (r < n && s->rows[r].pc < f->entry)
			r++;
		f->row_first = r;
		size_t e = r;
		while (e < n && s->rows[e].pc < f->end)
			e++;
		f->nrows = e - r;
		r = e;
	}
	return build_files(s);
}

long sym_row_at(const struct grr_symbols *s, uint64_t pc)
{
	size_t lo = 0, hi = s->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->rows[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || pc >= s->row_end[lo - 1])
		return -1;
	return (long)(lo - 1);
}

bool grr_symbols_line_at(const struct grr_symbols *s, uint64_t pc, struct grr_line_info *li)
{
	long i = s ? sym_row_at(s, pc) : -1;
	if (i < 0 || !s->rows[i].file)
		return false;
	li->file = s->rows[i].file;
	li->line = s->rows[i].line;
	li->is_stmt = s->rows[i].is_stmt && s->rows[i].pc == pc;
	return true;
}

int grr_symbols_func_rows(const struct grr_symbols *s, uint64_t pc,
			  const struct grr_line_row **rows, size_t *nrows)
{
	const struct sym_func *f = s ? sym_func_at(s, pc) : NULL;
	if (!f || f->nrows == 0)
		return -1;
	*rows = s->rows + f->row_first;
	*nrows = f->nrows;
	return 0;
}
