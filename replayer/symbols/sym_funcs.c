/* sym_funcs.c - the function table: functions by address and by name.
 *
 * Functions come from the ELF symbol table (STT_FUNC with a size), then
 * DWARF subprograms and pclntab entries that .symtab lacks; the first one
 * added at an entry wins.  They are sorted by entry and disjoint.
 *
 * Names match exactly, or by a suffix that starts after '.', '/', '*' or
 * '(' ("post", "Ledger).post", "(*Ledger).post", "http.(*Server).Serve"
 * all match "net/http.(*Server).Serve"-like names), or, if nothing else
 * matches, ignoring the "(*" and ")" of a pointer receiver
 * ("Ledger.post", "main.Ledger.post"). */
#include "replayer/symbols/sym_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sym_add_func(struct grr_symbols *s, const char *name, uint64_t entry, uint64_t end)
{
	if (end <= entry)
		return 0;
	struct sym_func *f = SYM_PUSH(s->funcs, s->nfuncs, s->capfuncs);
	if (!f || !(f->name = sym_intern(&s->strs, name)))
		return -1;
	f->entry = entry;
	f->end = end;
	f->body = entry;
	f->stub = end;
	f->order = s->nfuncs;
	s->nfuncs++;
	return 0;
}

int sym_add_decl(struct grr_symbols *s, uint64_t entry, const char *file, int line)
{
	struct sym_decl *d = SYM_PUSH(s->decls, s->ndecls, s->capdecls);
	if (!d)
		return -1;
	d->entry = entry;
	d->file = file;
	d->line = line;
	s->ndecls++;
	return 0;
}

static int decl_cmp(const void *a, const void *b)
{
	const struct sym_decl *x = a, *y = b;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* Gives each function the first declaration recorded at its entry. */
static void attach_decls(struct grr_symbols *s)
{
	if (s->ndecls > 1)
		qsort(s->decls, s->ndecls, sizeof(*s->decls), decl_cmp);
	size_t d = 0;
	for (size_t i = 0; i < s->nfuncs; i++) {
		struct sym_func *f = &s->funcs[i];
		while (d < s->ndecls && s->decls[d].entry < f->entry)
			d++;
		if (d < s->ndecls && s->decls[d].entry == f->entry) {
			f->decl_file = s->decls[d].file;
			f->decl_line = s->decls[d].line;
		}
	}
	free(s->decls);
	s->decls = NULL;
	s->ndecls = s->capdecls = 0;
}

static int by_entry(const void *a, const void *b)
{
	const struct sym_func *x = a, *y = b;
	if (x->entry != y->entry)
		return x->entry < y->entry ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* qsort has no context argument: name order is computed on an array of
 * (name, index) pairs. */
struct name_idx {
	const char *name;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	const struct name_idx *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int sym_funcs_finish(struct grr_symbols *s)
{
	if (s->nfuncs > 1)
		qsort(s->funcs, s->nfuncs, sizeof(*s->funcs), by_entry);
	size_t n = 0;
	for (size_t i = 0; i < s->nfuncs; i++) {
		/* the first at an entry wins; an overlapping one is dropped */
		if (n && s->funcs[i].entry < s->funcs[n - 1].end)
			continue;
		s->funcs[n++] = s->funcs[i];
	}
	s->nfuncs = n;
	attach_decls(s);
	struct name_idx *ni = malloc((n ? n : 1) * sizeof(*ni));
	s->func_by_name = malloc((n ? n : 1) * sizeof(*s->func_by_name));
	s->func_names = malloc((n ? n : 1) * sizeof(*s->func_names));
	if (!ni || !s->func_by_name || !s->func_names) {
		free(ni);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		ni[i].name = s->funcs[i].name;
		ni[i].idx = i;
	}
	if (n > 1)
		qsort(ni, n, sizeof(*ni), by_name);
	for (size_t i = 0; i < n; i++) {
		s->func_by_name[i] = ni[i].idx;
		s->func_names[i] = ni[i].name;
	}
	free(ni);
	return 0;
}

const struct sym_func *sym_func_at(const struct grr_symbols *s, uint64_t pc)
{
	size_t lo = 0, hi = s->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->funcs[mid].entry <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || pc >= s->funcs[lo - 1].end)
		return NULL;
	return &s->funcs[lo - 1];
}

static void fill(const struct sym_func *sf, struct grr_func_info *f)
{
	f->name = sf->name;
	f->entry = sf->entry;
	f->end = sf->end;
	f->body = sf->body;
}

bool grr_symbols_func_at(const struct grr_symbols *s, uint64_t pc, struct grr_func_info *f)
{
	const struct sym_func *sf = s ? sym_func_at(s, pc) : NULL;
	if (!sf)
		return false;
	fill(sf, f);
	return true;
}

static bool boundary(char c)
{
	return c == '.' || c == '/' || c == '*' || c == '(';
}

static bool suffix_at_boundary(const char *name, size_t nlen, const char *q, size_t qlen)
{
	if (qlen > nlen || memcmp(name + nlen - qlen, q, qlen) != 0)
		return false;
	return qlen == nlen || boundary(name[nlen - qlen - 1]);
}

/* NAME without the "(*" and ")" around pointer receivers, into BUF;
 * false if it does not fit or has none. */
static bool strip_receiver(const char *name, char *buf, size_t len)
{
	size_t k = 0;
	bool changed = false, in_receiver = false;
	for (const char *p = name; *p; p++) {
		if (p[0] == '(' && p[1] == '*' && !in_receiver) {
			p++;
			changed = in_receiver = true;
			continue;
		}
		if (*p == ')' && in_receiver) {
			in_receiver = false;
			continue;
		}
		if (k + 1 >= len)
			return false;
		buf[k++] = *p;
	}
	buf[k] = '\0';
	return changed;
}

size_t sym_match_names(const char *const *names, size_t n, const char *query, int tier,
		       size_t *out, size_t max)
{
	size_t qlen = strlen(query), found = 0;
	if (qlen == 0)
		return 0;
	if (tier == SYM_MATCH_EXACT) {
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(names[mid], query) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < n && strcmp(names[i], query) == 0; i++) {
			if (found < max)
				out[found] = i;
			found++;
		}
		return found;
	}
	char buf[1024];
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		if (tier == SYM_MATCH_RECEIVER) {
			if (!strip_receiver(name, buf, sizeof(buf)))
				continue;
			name = buf;
		}
		if (suffix_at_boundary(name, strlen(name), query, qlen)) {
			if (found < max)
				out[found] = i;
			found++;
		}
	}
	return found;
}

#define MAX_LISTED 6

int grr_symbols_func_named(const struct grr_symbols *s, const char *name,
			   struct grr_func_info *f, char *err, size_t errlen)
{
	if (!name || !*name) {
		snprintf(err, errlen, "empty function name");
		return -1;
	}
	size_t idx[MAX_LISTED], n = 0;
	for (int tier = 0; s && tier < SYM_MATCH_TIERS && n == 0; tier++)
		n = sym_match_names(s->func_names, s->nfuncs, name, tier, idx, MAX_LISTED);
	if (n == 0) {
		snprintf(err, errlen, "no function named %s", name);
		return -1;
	}
	if (n > 1) {
		int k = snprintf(err, errlen, "ambiguous function name %s:", name);
		for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
			if (k < 0 || (size_t)k >= errlen)
				break;
			k += snprintf(err + k, errlen - (size_t)k, "%s %s", i ? "," : "",
				      s->func_names[idx[i]]);
		}
		if (n > MAX_LISTED && k >= 0 && (size_t)k < errlen)
			snprintf(err + k, errlen - (size_t)k, " (and %zu more)", n - MAX_LISTED);
		return -1;
	}
	fill(&s->funcs[s->func_by_name[idx[0]]], f);
	return 0;
}
