/* sym_locspec.c - location specs (grr_symbols_resolve).
 *
 *   *ADDR      the address (0x hex or decimal), whatever it holds.
 *   FILE:LINE  (the text after the last ':' is all digits) FILE matches
 *              a source file equal to it or ending with "/FILE"; more
 *              than one such file is an error.  The line's rows are
 *              grouped by code context: the physical function and the
 *              innermost inlined call containing the row.  Each context
 *              gives one location: its lowest is_stmt pc of the line (its
 *              lowest pc if none is a statement).  So an inlined function
 *              gets one location per inlined copy, a `for` line one (where
 *              the loop starts, as gdb and Delve do), not one per
 *              iteration.  Rows in a prologue (entry..body) or in the
 *              morestack stub are skipped; a function whose only rows of
 *              the line are there (its `func` line) gives its body pc.  A
 *              line with no rows but inlined calls made from it gives the
 *              start of each inlined call (Delve's rule).
 *   FUNC       a function (as grr_symbols_func_named, tried against both
 *              real and inlined-only functions): its body pc, plus the
 *              start of each inlined copy of it (as Delve does).
 *
 * Locations are sorted by pc; at most MAX are written. */
#include "replayer/symbols/sym_private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 6

struct cand {
	uint64_t pc;
	const struct sym_func *f;
	uint32_t ctx;          /* innermost inlined call id, or NO_CTX */
	uint64_t stmt_pc;      /* lowest is_stmt pc, or 0 */
	uint64_t any_pc;       /* lowest pc, or 0 */
};

#define NO_CTX UINT32_MAX

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int pc_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static int add_cand(struct cands *c, uint64_t pc)
{
	struct cand *k = SYM_PUSH(c->v, c->n, c->cap);
	if (!k)
		return -1;
	k->pc = pc;
	c->n++;
	return 0;
}

static void fill(const struct grr_symbols *s, uint64_t pc, struct grr_location *loc)
{
	memset(loc, 0, sizeof(*loc));
	loc->pc = pc;
	const struct sym_func *f = sym_func_at(s, pc);
	if (f) {
		const struct sym_inl *in = sym_inl_innermost(s, f, pc);
		loc->func = in ? in->func : f->name;
	}
	struct grr_line_info li;
	if (grr_symbols_line_at(s, pc, &li)) {
		loc->file = li.file;
		loc->line = li.line;
	}
}

/* Sorts, removes duplicates, writes up to MAX locations. */
static int emit(const struct grr_symbols *s, struct cands *c, struct grr_location *out, int max)
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), pc_cmp);
	int k = 0;
	for (size_t i = 0; i < c->n && k < max; i++) {
		if (i && c->v[i].pc == c->v[i - 1].pc)
			continue;
		fill(s, c->v[i].pc, &out[k++]);
	}
	return k;
}

static void list_names(char *err, size_t errlen, const char *head, const char *const *names,
		       size_t n, size_t total)
{
	int k = snprintf(err, errlen, "%s", head);
	for (size_t i = 0; i < n; i++) {
		if (k < 0 || (size_t)k >= errlen)
			return;
		k += snprintf(err + k, errlen - (size_t)k, "%s %s", i ? "," : "", names[i]);
	}
	if (total > n && k >= 0 && (size_t)k < errlen)
		snprintf(err + k, errlen - (size_t)k, " (and %zu more)", total - n);
}

/* ---- *ADDR ----------------------------------------------------------------- */

static int resolve_addr(const struct grr_symbols *s, const char *text, struct grr_location *out,
			char *err, size_t errlen)
{
	int base = 10;
	const char *p = text;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	char *end;
	errno = 0;
	unsigned long long v = *p && isxdigit((unsigned char)*p) ? strtoull(p, &end, base) : 0;
	if (!*p || !isxdigit((unsigned char)*p) || *end || errno) {
		snprintf(err, errlen, "bad address *%s (hex with 0x, or decimal)", text);
		return -1;
	}
	fill(s, v, out);
	return 1;
}

/* ---- FUNC ------------------------------------------------------------------ */

static int resolve_func(const struct grr_symbols *s, const char *name, struct grr_location *out,
			int max, char *err, size_t errlen)
{
	size_t fidx[MAX_LISTED], iidx[MAX_LISTED], nf = 0, ni = 0;
	for (int tier = 0; tier < SYM_MATCH_TIERS && nf + ni == 0; tier++) {
		nf = sym_match_names(s->func_names, s->nfuncs, name, tier, fidx, MAX_LISTED);
		ni = sym_match_names(s->inl_names, s->ninl_names, name, tier, iidx, MAX_LISTED);
	}
	if (nf + ni == 0) {
		snprintf(err, errlen, "no function named %s", name);
		return -1;
	}
	/* the distinct names matched (a function may also be inlined) */
	const char *names[2 * MAX_LISTED] = { NULL };
	size_t nn = 0;
	for (size_t i = 0; i < nf && i < MAX_LISTED; i++)
		names[nn++] = s->func_names[fidx[i]];
	for (size_t i = 0; i < ni && i < MAX_LISTED; i++) {
		const char *n = s->inl_names[iidx[i]];
		bool dup = false;
		for (size_t k = 0; k < nn; k++)
			dup |= names[k] == n;
		if (!dup)
			names[nn++] = n;
	}
	if (nn > 1 || nf > 1) {
		char head[256];
		snprintf(head, sizeof(head), "ambiguous function name %.200s:", name);
		list_names(err, errlen, head, names, nn, nf + ni > nn ? nf + ni : nn);
		return -1;
	}
	const char *fn = names[0];
	struct cands c = { 0 };
	int ret = 0;
	if (nf == 1 && add_cand(&c, s->funcs[s->func_by_name[fidx[0]]].body) < 0)
		ret = -1;
	/* each inlined copy: the lowest pc of each inlined call of FN */
	for (size_t i = 0; i < s->ninl && ret == 0; i++) {
		const struct sym_inl *in = &s->inl[i];
		if (in->func != fn)
			continue;
		bool seen = false;
		for (size_t k = 0; k < s->ninl && !seen; k++)
			seen = s->inl[k].id == in->id && (s->inl[k].lo < in->lo ||
							  (s->inl[k].lo == in->lo && k < i));
		if (!seen && add_cand(&c, in->lo) < 0)
			ret = -1;
	}
	if (ret == 0)
		ret = emit(s, &c, out, max);
	else
		snprintf(err, errlen, "out of memory");
	free(c.v);
	return ret;
}

/* ---- FILE:LINE ---------------------------------------------------------- */

static bool file_matches(const char *file, const char *q, size_t qlen)
{
	size_t n = strlen(file);
	if (qlen > n || memcmp(file + n - qlen, q, qlen) != 0)
		return false;
	return qlen == n || file[n - qlen - 1] == '/';
}

/* The source file FILE names; NULL with ERR if none or ambiguous. */
static const char *find_file(const struct grr_symbols *s, const char *q, char *err,
			     size_t errlen)
{
	while (q[0] == '.' && q[1] == '/')
		q += 2;
	size_t qlen = strlen(q);
	const char *found[MAX_LISTED];
	size_t n = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i], q) == 0)
			return s->files[i];
		if (file_matches(s->files[i], q, qlen)) {
			if (n < MAX_LISTED)
				found[n] = s->files[i];
			n++;
		}
	}
	if (n == 1)
		return found[0];
	if (n == 0) {
		snprintf(err, errlen, "no source file %s", q);
	} else {
		char head[256];
		snprintf(head, sizeof(head), "ambiguous file %.200s:", q);
		list_names(err, errlen, head, found, n < MAX_LISTED ? n : MAX_LISTED, n);
	}
	return NULL;
}

/* The candidate of context (F, CTX) in C, added if new; NULL if OOM. */
static struct cand *context(struct cands *c, size_t from, const struct sym_func *f, uint32_t ctx)
{
	for (size_t i = from; i < c->n; i++)
		if (c->v[i].f == f && c->v[i].ctx == ctx)
			return &c->v[i];
	struct cand *k = SYM_PUSH(c->v, c->n, c->cap);
	if (!k)
		return NULL;
	k->f = f;
	k->ctx = ctx;
	c->n++;
	return k;
}

static int line_cands(const struct grr_symbols *s, const char *file, int line, struct cands *c)
{
	for (size_t fi = 0; fi < s->nfuncs; fi++) {
		const struct sym_func *f = &s->funcs[fi];
		const struct grr_line_row *rows = s->rows + f->row_first;
		size_t first = c->n;
		bool prologue_only = false;
		for (size_t i = 0; i < f->nrows; i++) {
			const struct grr_line_row *r = &rows[i];
			if (r->line != line || r->file != file)
				continue;
			if (r->pc < f->body || r->pc >= f->stub) {
				prologue_only = true;
				continue;
			}
			const struct sym_inl *in = sym_inl_innermost(s, f, r->pc);
			struct cand *k = context(c, first, f, in ? in->id : NO_CTX);
			if (!k)
				return -1;
			if (!k->any_pc || r->pc < k->any_pc)
				k->any_pc = r->pc;
			if (r->is_stmt && (!k->stmt_pc || r->pc < k->stmt_pc))
				k->stmt_pc = r->pc;
		}
		/* the `func` line: only prologue rows; stop where `break FUNC`
		 * does */
		if (prologue_only && c->n == first) {
			struct cand *k = context(c, first, f, NO_CTX);
			if (!k)
				return -1;
			k->stmt_pc = f->body;
		}
		for (size_t i = first; i < c->n; i++)
			c->v[i].pc = c->v[i].stmt_pc ? c->v[i].stmt_pc : c->v[i].any_pc;
	}
	if (c->n)
		return 0;
	/* no rows: inlined calls made from that line */
	for (size_t i = 0; i < s->ninl; i++) {
		const struct sym_inl *in = &s->inl[i];
		if (in->call_file != file || in->call_line != line)
			continue;
		struct cand *k = context(c, 0, NULL, in->id);
		if (!k)
			return -1;
		if (!k->pc || in->lo < k->pc)
			k->pc = in->lo;
	}
	return 0;
}

static int resolve_line(const struct grr_symbols *s, const char *spec, const char *file_q,
			int line, struct grr_location *out, int max, char *err, size_t errlen)
{
	const char *file = find_file(s, file_q, err, errlen);
	if (!file)
		return -1;
	struct cands c = { 0 };
	int ret = line_cands(s, file, line, &c);
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	else if (c.n == 0) {
		snprintf(err, errlen, "no code at %s", spec);
		ret = -1;
	} else
		ret = emit(s, &c, out, max);
	free(c.v);
	return ret;
}

/* ---- the spec ------------------------------------------------------------ */

int grr_symbols_resolve(const struct grr_symbols *s, const char *spec,
			struct grr_location *out, int max, char *err, size_t errlen)
{
	if (!s || !spec || max <= 0) {
		snprintf(err, errlen, "no location");
		return -1;
	}
	while (isspace((unsigned char)*spec))
		spec++;
	size_t len = strlen(spec);
	while (len && isspace((unsigned char)spec[len - 1]))
		len--;
	char buf[1024];
	if (len == 0) {
		snprintf(err, errlen, "empty location (FUNC, FILE:LINE or *ADDR)");
		return -1;
	}
	if (len >= sizeof(buf)) {
		snprintf(err, errlen, "location too long");
		return -1;
	}
	memcpy(buf, spec, len);
	buf[len] = '\0';
	if (buf[0] == '*')
		return resolve_addr(s, buf + 1, out, err, errlen);

	char *colon = strrchr(buf, ':');
	if (colon) {
		const char *num = colon + 1;
		bool digits = *num != '\0';
		for (const char *p = num; *p; p++)
			digits &= isdigit((unsigned char)*p) != 0;
		if (digits && colon > buf) {
			errno = 0;
			long line = strtol(num, NULL, 10);
			if (errno || line <= 0 || line > 10000000) {
				snprintf(err, errlen, "bad line number in %s", buf);
				return -1;
			}
			char spec_copy[1024];
			memcpy(spec_copy, buf, len + 1);
			*colon = '\0';
			return resolve_line(s, spec_copy, buf, (int)line, out, max, err, errlen);
		}
		/* "x.go:abc", "x.go:", ":12": meant as FILE:LINE */
		if (colon == buf || (colon - buf >= 3 && memcmp(colon - 3, ".go", 3) == 0)) {
			snprintf(err, errlen, "bad location %s (FUNC, FILE:LINE or *ADDR)", buf);
			return -1;
		}
	}
	return resolve_func(s, buf, out, max, err, errlen);
}
