/* render.c - values written as Delve's print writes them (val_private.h).
 *
 * Delve loads a value with limits (LoadConfig: string bytes, elements,
 * nesting of structs, maps and interfaces, struct fields, whether pointers
 * are followed) and then writes what it loaded (service/api/
 * prettyprint.go).  Both happen here in one walk: LEVEL counts the nesting
 * as Delve's recurseLevel does (structs, arrays, slices and maps add one
 * for their contents, pointers add none unless they point to pointers or
 * interfaces, interfaces none), and F_TYPE says whether the type is
 * written before the value (at the top, in struct fields; not in elements
 * of arrays, slices and maps, and flipped for an interface's data).
 *
 * F_NL is Delve's PrettyNewlines (print's layout): a struct goes on
 * several lines when one of its fields is a slice, array, struct, map or
 * interface (through pointers), a string behind a pointer, or a string
 * longer than 7 bytes; an array or slice when its elements are such
 * values; a map whenever it has entries.  Their contents then get F_NL
 * too, one tab deeper.  Without F_NL (locals, args, display, elements of
 * one-line values) everything is on one line.  Channels are the exception
 * on purpose: print shows `chan T len/cap` where Delve dumps the
 * runtime's hchan (docs/expressions.md). */
#include "replayer/inspect/val_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_TOP = 1, F_TYPE = 2, F_NL = 4 };
enum { MAX_DEPTH = 64 };

struct rend {
	struct gv_env *e;
	const struct grr_symbols *syms;
	const struct gv_config *cfg;
	int indent;               /* tabs before a line of the current contents */
};

const char *gr_type_name(const struct gtype *t)
{
	if (!t)
		return "nil";
	return t->name ? t->name : "?";
}

/* ---- strings and numbers ---- */

/* One UTF-8 sequence at S (N bytes left) as Go decodes it: its length, or
 * 0 when invalid. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	int len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*r = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*r = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		unsigned d = s[i];
		if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xbf))
			return 0;
		*r = (*r << 6) | (d & 0x3f);
	}
	return len;
}

/* strconv.IsPrint, for runes above ASCII: all but controls, spaces other
 * than U+0020, format characters, private use and noncharacters. */
static bool rune_printable(uint32_t r)
{
	static const uint32_t no[][2] = {
		{ 0x80, 0xa0 }, { 0xad, 0xad }, { 0x600, 0x605 }, { 0x61c, 0x61c },
		{ 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x1680, 0x1680 }, { 0x180e, 0x180e },
		{ 0x2000, 0x200f }, { 0x2028, 0x202f }, { 0x205f, 0x206f }, { 0x3000, 0x3000 },
		{ 0xd800, 0xf8ff }, { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0xfffe, 0xffff },
		{ 0x110bd, 0x110bd }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
		{ 0xe0000, 0xe007f }, { 0xf0000, 0x10ffff },
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (r >= no[i][0] && r <= no[i][1])
			return false;
	return r <= 0x10ffff && (r & 0xfffe) != 0xfffe;
}

void gr_quote(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	sb_putc(b, '"');
	for (size_t i = 0; i < n;) {
		uint32_t r;
		int len = utf8_decode(u + i, n - i, &r);
		if (len == 0) {
			sb_printf(b, "\\x%02x", u[i]);
			i++;
			continue;
		}
		if (r < 0x80) {
			switch (r) {
			case '"': sb_puts(b, "\\\""); break;
			case '\\': sb_puts(b, "\\\\"); break;
			case '\a': sb_puts(b, "\\a"); break;
			case '\b': sb_puts(b, "\\b"); break;
			case '\f': sb_puts(b, "\\f"); break;
			case '\n': sb_puts(b, "\\n"); break;
			case '\r': sb_puts(b, "\\r"); break;
			case '\t': sb_puts(b, "\\t"); break;
			case '\v': sb_puts(b, "\\v"); break;
			default:
				if (r >= 0x20 && r < 0x7f)
					sb_putc(b, (char)r);
				else
					sb_printf(b, "\\x%02x", r);
			}
		} else if (rune_printable(r)) {
			sb_putn(b, s + i, (size_t)len);
		} else if (r < 0x10000) {
			sb_printf(b, "\\u%04x", r);
		} else {
			sb_printf(b, "\\U%08x", r);
		}
		i += (size_t)len;
	}
	sb_putc(b, '"');
}

void gr_float(struct sbuf *b, double f, int bits)
{
	if (isnan(f)) {
		sb_puts(b, "NaN");
		return;
	}
	if (isinf(f)) {
		sb_puts(b, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* the shortest decimal that reads back as F */
	char tmp[64];
	int maxp = bits == 32 ? 9 : 17;
	for (int prec = 1; prec <= maxp; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
		if (bits == 32 ? strtof(tmp, NULL) == (float)f : strtod(tmp, NULL) == f)
			break;
	}
	const char *p = tmp;
	bool neg = *p == '-';
	if (neg)
		p++;
	char dig[40];
	int nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < (int)sizeof(dig) - 1)
			dig[nd++] = *p;
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		sb_putc(b, '-');
	if (nd == 1 && dig[0] == '0') {
		sb_putc(b, '0');
		return;
	}
	if (exp >= 0) {
		for (int i = 0; i <= exp; i++)
			sb_putc(b, i < nd ? dig[i] : '0');
		if (nd > exp + 1) {
			sb_putc(b, '.');
			sb_putn(b, dig + exp + 1, (size_t)(nd - exp - 1));
		}
	} else {
		sb_puts(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			sb_putc(b, '0');
		sb_putn(b, dig, (size_t)nd);
	}
}

/* ---- helpers ---- */

static void unreadable(struct rend *R, struct sbuf *b)
{
	struct gv_env *e = R->e;
	sb_printf(b, "(unreadable %s)", e->errlen && e->err[0] ? e->err : "error");
	if (e->errlen)
		e->err[0] = '\0';
}

/* A type name as Delve writes it in (T)(0x...) forms: quoted when it has
 * a package path. */
static void put_type_q(struct sbuf *b, const char *prefix, const struct gtype *t)
{
	const char *n = gr_type_name(t);
	if (strchr(n, '/')) {
		char *full = NULL;
		size_t len = strlen(prefix) + strlen(n);
		full = malloc(len + 1);
		if (!full)
			return;
		snprintf(full, len + 1, "%s%s", prefix, n);
		gr_quote(b, full, len);
		free(full);
	} else {
		sb_puts(b, prefix);
		sb_puts(b, n);
	}
}

static uint64_t addr_of(const struct gval *v)
{
	return v->how == GV_MEM ? v->addr : 0;
}

/* The part of V at OFF, of type T. */
static struct gval sub(const struct gval *v, struct gtype *t, uint64_t off)
{
	struct gval r = { .t = t, .how = v->how };
	if (v->how == GV_MEM) {
		r.addr = v->addr + off;
	} else if (v->how == GV_BYTES && v->t && off + t->size <= v->t->size) {
		r.bytes = v->bytes + off;
	} else {
		r.how = GV_UNREADABLE;
		r.why = v->why ? v->why : "value not in memory";
	}
	return r;
}

static void render(struct rend *R, const struct gval *v, int level, unsigned flags, int depth,
		   struct sbuf *b);

/* A new line of the contents of a value being written on several lines. */
static void new_line(struct rend *R, struct sbuf *b, int extra)
{
	sb_putc(b, '\n');
	for (int i = 0; i < R->indent + extra; i++)
		sb_putc(b, '\t');
}

/* The kind of V with pointers followed as far as they go (Delve's
 * recursiveKind); *HASPTR when a pointer was followed. */
static enum gt_kind deep_kind(struct rend *R, struct gval v, bool *hasptr)
{
	*hasptr = false;
	for (int i = 0; i < 16 && v.t && v.t->kind == GT_PTR; i++) {
		uint64_t p;
		struct gtype *el = gt_elem(R->e->s, v.t);
		*hasptr = true;
		if (!el || v.how == GV_UNREADABLE || gv_uint(R->e, &v, &p) < 0 || !p) {
			if (R->e->errlen)
				R->e->err[0] = '\0';
			return GT_PTR;
		}
		v = gv_at(el, p);
	}
	return v.t ? v.t->kind : GT_INVALID;
}

/* Whether value V, a member or element, makes its container go on
 * several lines (Delve's shouldNewlineStruct/Array). */
static bool wants_lines(struct rend *R, const struct gval *v)
{
	bool hasptr;
	switch (deep_kind(R, *v, &hasptr)) {
	case GT_SLICE:
	case GT_ARRAY:
	case GT_STRUCT:
	case GT_MAP:
	case GT_IFACE:
		return true;
	case GT_STRING: {
		uint64_t data, len;
		if (hasptr)
			return true;
		if (v->how == GV_UNREADABLE || gv_string(R->e, v, &data, &len) < 0) {
			if (R->e->errlen)
				R->e->err[0] = '\0';
			return false;
		}
		return len > 7;
	}
	default:
		return false;
	}
}

/* "[e0,e1,...+N more]": the elements of an array or slice, each got by
 * AT. */
static void write_list(struct rend *R, const struct gval *v, struct gtype *el, uint64_t data,
		       int64_t len, int level, unsigned flags, int depth, struct sbuf *b)
{
	int64_t n = len;
	if (n > R->cfg->max_array_values)
		n = R->cfg->max_array_values;
	if (n < 0)
		n = 0;
	bool nl = false;
	for (int64_t i = 0; (flags & F_NL) && !nl && i < n; i++) {
		struct gval x = v ? sub(v, el, (uint64_t)i * el->size)
				  : gv_at(el, data + (uint64_t)i * el->size);
		nl = wants_lines(R, &x);
		if (el->kind != GT_STRING)
			break;   /* Delve looks at the first element's kind only */
	}
	sb_putc(b, '[');
	R->indent++;
	for (int64_t i = 0; i < n; i++) {
		struct gval x = v ? sub(v, el, (uint64_t)i * el->size)
				  : gv_at(el, data + (uint64_t)i * el->size);
		if (nl)
			new_line(R, b, 0);
		render(R, &x, level + 1, nl ? F_NL : 0, depth + 1, b);
		if (i != n - 1 || nl)
			sb_putc(b, ',');
	}
	R->indent--;
	if (n != len) {
		if (n && nl)
			new_line(R, b, 1);
		else if (n)
			sb_putc(b, ',');
		sb_printf(b, n ? "...+%lld more" : "...", (long long)(len - n));
	}
	if (nl)
		new_line(R, b, 0);
	sb_putc(b, ']');
}

static void write_string(struct rend *R, const struct gval *v, struct sbuf *b)
{
	struct gv_env *e = R->e;
	uint64_t data, len;
	if (gv_string(e, v, &data, &len) < 0) {
		unreadable(R, b);
		return;
	}
	if ((int64_t)len < 0) {
		sb_printf(b, "(unreadable invalid length: %lld)", (long long)len);
		return;
	}
	uint64_t n = len;
	if (R->cfg->max_string_len >= 0 && n > (uint64_t)R->cfg->max_string_len)
		n = (uint64_t)R->cfg->max_string_len;
	char *s = ar_alloc(e->ar, n + 32);
	if (n && gv_read_mem(e, data, s, n) < 0) {
		unreadable(R, b);
		return;
	}
	if (R->cfg->int_verb == 'x' || R->cfg->int_verb == 'X') {
		/* Go's fmt %x of a string: its bytes in hex */
		for (uint64_t i = 0; i < n; i++)
			sb_printf(b, R->cfg->int_verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
		if (n != len)
			sb_printf(b, "...+%llu more", (unsigned long long)(len - n));
		return;
	}
	size_t sl = n;
	if (n != len)
		sl += (size_t)snprintf(s + n, 32, "...+%llu more", (unsigned long long)(len - n));
	gr_quote(b, s, sl);
}

static void write_struct(struct rend *R, const struct gval *v, int level, unsigned flags,
			 int depth, struct sbuf *b)
{
	struct gtype *t = v->t;
	if (level > R->cfg->max_variable_recurse && t->nfields > 0) {
		sb_putc(b, '(');
		put_type_q(b, "*", t);
		sb_printf(b, ")(%#llx)", (unsigned long long)addr_of(v));
		return;
	}
	if (flags & F_TYPE)
		sb_printf(b, "%s ", gr_type_name(t));
	int n = t->nfields;
	if (R->cfg->max_struct_fields >= 0 && n > R->cfg->max_struct_fields)
		n = R->cfg->max_struct_fields;
	bool nl = false;
	for (int i = 0; (flags & F_NL) && !nl && i < n; i++) {
		struct gval m = gv_member(R->e, v, &t->fields[i]);
		nl = wants_lines(R, &m);
	}
	sb_putc(b, '{');
	R->indent++;
	for (int i = 0; i < n; i++) {
		struct gval m = gv_member(R->e, v, &t->fields[i]);
		if (nl)
			new_line(R, b, 0);
		sb_printf(b, "%s: ", t->fields[i].name);
		render(R, &m, level + 1, F_TYPE | (nl ? F_NL : 0), depth + 1, b);
		if (i != n - 1 || nl)
			sb_puts(b, nl ? "," : ", ");
	}
	R->indent--;
	if (n != t->nfields) {
		if (nl)
			new_line(R, b, 1);
		else
			sb_putc(b, ',');
		sb_printf(b, "...+%d more", t->nfields - n);
	}
	sb_putc(b, '}');
}

static void write_ptr(struct rend *R, const struct gval *v, int level, unsigned flags, int depth,
		      struct sbuf *b)
{
	struct gv_env *e = R->e;
	uint64_t p;
	if (gv_uint(e, v, &p) < 0) {
		unreadable(R, b);
		return;
	}
	struct gtype *el = gt_elem(e->s, v->t);
	if (!el || el->kind == GT_VOID || el->kind == GT_INVALID) {
		if (!p) {
			sb_puts(b, "nil");
		} else {
			sb_putc(b, '(');
			put_type_q(b, "", v->t);
			sb_printf(b, ")(%#llx)", (unsigned long long)p);
		}
		return;
	}
	bool only_addr = !R->cfg->follow_pointers;
	int next = level;
	if (el->kind == GT_IFACE) {
		next++;
	} else if (el->kind == GT_PTR) {
		next++;
		if (level > R->cfg->max_variable_recurse)
			only_addr = true;
	}
	if (!p) {
		sb_putc(b, '*');
		if (flags & F_TYPE)
			sb_printf(b, "%s nil", gr_type_name(el));
		else
			sb_puts(b, "nil");
	} else if (only_addr) {
		sb_putc(b, '(');
		put_type_q(b, "", v->t);
		sb_printf(b, ")(%#llx)", (unsigned long long)p);
	} else {
		struct gval c = gv_at(el, p);
		if ((flags & F_TOP) && (flags & F_NL)) {
			/* print's layout names the address first (Delve >= 1.21) */
			sb_putc(b, '(');
			put_type_q(b, "", v->t);
			sb_printf(b, ")(%#llx)\n", (unsigned long long)p);
		}
		sb_putc(b, '*');
		render(R, &c, next, flags & ~(unsigned)F_TOP, depth + 1, b);
	}
}

static void write_map(struct rend *R, const struct gval *v, int level, unsigned flags, int depth,
		      struct sbuf *out)
{
	struct gv_env *e = R->e;
	uint64_t p;
	int64_t len;
	if (gv_uint(e, v, &p) < 0) {
		unreadable(R, out);
		return;
	}
	struct gmap_iter *it = gm_begin(e, v, &len);
	if (!it) {
		unreadable(R, out);
		return;
	}
	if (flags & F_TYPE)
		sb_printf(out, "%s ", gr_type_name(v->t));
	if (!p) {
		sb_puts(out, "nil");
		return;
	}
	struct sbuf b = { 0 };
	int64_t n = 0;
	bool load = level <= R->cfg->max_variable_recurse && R->cfg->max_array_values > 0;
	bool nl = (flags & F_NL) && load && len > 0;
	sb_putc(&b, '[');
	R->indent++;
	if (load && len > 0) {
		while (n < R->cfg->max_array_values) {
			struct gval k, x;
			int r = gm_next(it, &k, &x);
			if (r < 0) {
				R->indent--;
				sb_free(&b);
				unreadable(R, out);
				return;
			}
			if (r == 0)
				break;
			if (nl)
				new_line(R, &b, 0);
			render(R, &k, level + 1, 0, depth + 1, &b);
			sb_puts(&b, ": ");
			render(R, &x, level + 1, nl ? F_NL : 0, depth + 1, &b);
			sb_puts(&b, ", ");
			n++;
		}
	}
	R->indent--;
	if (n != len) {
		if (n && nl)
			new_line(R, &b, 1);
		else if (n)
			sb_putc(&b, ',');
		sb_printf(&b, n ? "...+%lld more" : "...", (long long)(len - n));
	}
	if (nl)
		new_line(R, &b, 0);
	sb_putc(&b, ']');
	sb_putn(out, b.s, b.len);
	sb_free(&b);
}

static void write_iface(struct rend *R, const struct gval *v, int level, unsigned flags,
			int depth, struct sbuf *b)
{
	struct gv_env *e = R->e;
	struct gtype *ct = NULL;
	struct gval d;
	if (gv_iface(e, v, &ct, &d) < 0) {
		unreadable(R, b);
		return;
	}
	if (!ct) {
		if (flags & F_TYPE)
			sb_printf(b, "%s nil", gr_type_name(v->t));
		else
			sb_puts(b, "nil");
		return;
	}
	if (flags & F_TYPE)
		sb_printf(b, "%s(%s) ", gr_type_name(v->t), gr_type_name(ct));
	unsigned cf = ((flags & F_TYPE) ? 0 : F_TYPE) | (flags & F_NL);
	bool load = level <= R->cfg->max_variable_recurse;
	if (ct->kind == GT_PTR) {
		uint64_t p;
		if (!load) {
			sb_puts(b, "...");
			return;
		}
		if (gv_uint(e, &d, &p) < 0) {
			unreadable(R, b);
			return;
		}
		struct gtype *el = gt_elem(e->s, ct);
		bool only_addr = !R->cfg->follow_pointers ||
				 (el && el->kind == GT_PTR && level > R->cfg->max_variable_recurse);
		if (!p)
			sb_puts(b, "nil");
		else if (only_addr)
			sb_printf(b, "%#llx",
				  (unsigned long long)(v->how == GV_MEM ? v->addr + 8 : p));
		else
			render(R, &d, level, cf, depth + 1, b);
	} else if (!load) {
		sb_puts(b, "*(");
		put_type_q(b, "*", v->t);
		sb_printf(b, ")(%#llx)", (unsigned long long)addr_of(v));
	} else {
		render(R, &d, level, cf, depth + 1, b);
	}
}

/* An integer as Go's fmt prints it with VERB (x X o b d; 0: d): the
 * magnitude in that base, no prefix, a minus sign for NEG. */
static void render_int(struct sbuf *b, char verb, bool neg, uint64_t mag)
{
	const char *sign = neg ? "-" : "";
	switch (verb) {
	case 'x': sb_printf(b, "%s%llx", sign, (unsigned long long)mag); return;
	case 'X': sb_printf(b, "%s%llX", sign, (unsigned long long)mag); return;
	case 'o': sb_printf(b, "%s%llo", sign, (unsigned long long)mag); return;
	case 'b': {
		char bits[65];
		int n = 0;
		do {
			bits[63 - n++] = (char)('0' + (mag & 1));
			mag >>= 1;
		} while (mag);
		bits[64] = 0;
		sb_printf(b, "%s%s", sign, bits + 64 - n);
		return;
	}
	default: sb_printf(b, "%s%llu", sign, (unsigned long long)mag); return;
	}
}

static void render_signed(struct sbuf *b, char verb, int64_t x)
{
	render_int(b, verb, x < 0, x < 0 ? 0 - (uint64_t)x : (uint64_t)x);
}

static void render(struct rend *R, const struct gval *v, int level, unsigned flags, int depth,
		   struct sbuf *b)
{
	struct gv_env *e = R->e;
	switch (v->how) {
	case GV_UNREADABLE:
		sb_printf(b, "(unreadable %s)", v->why ? v->why : "value");
		return;
	case GV_UNTYPED_INT:
		render_signed(b, R->cfg->int_verb, v->i);
		return;
	case GV_UNTYPED_BOOL:
		sb_puts(b, v->i ? "true" : "false");
		return;
	case GV_UNTYPED_STR:
		gr_quote(b, v->s ? v->s : "", v->s ? v->slen : 0);
		return;
	case GV_UNTYPED_NIL:
		sb_puts(b, "nil");
		return;
	case GV_UNTYPED_FLOAT:
		gr_float(b, v->f, 64);
		return;
	default:
		break;
	}
	struct gtype *t = v->t;
	if (!t) {
		sb_puts(b, "nil");
		return;
	}
	if (depth > MAX_DEPTH) {
		sb_puts(b, "...");
		return;
	}
	switch (t->kind) {
	case GT_BOOL: {
		uint8_t x;
		if (gv_read(e, v, 0, &x, 1) < 0)
			unreadable(R, b);
		else
			sb_puts(b, x ? "true" : "false");
		return;
	}
	case GT_INT: {
		int64_t x;
		if (gv_int(e, v, &x) < 0)
			unreadable(R, b);
		else
			render_signed(b, R->cfg->int_verb, x);
		return;
	}
	case GT_UINT: {
		uint64_t x;
		if (gv_uint(e, v, &x) < 0)
			unreadable(R, b);
		else
			render_int(b, R->cfg->int_verb, false, x);
		return;
	}
	case GT_FLOAT: {
		double x;
		if (gv_float(e, v, &x) < 0)
			unreadable(R, b);
		else
			gr_float(b, x, t->size == 4 ? 32 : 64);
		return;
	}
	case GT_COMPLEX: {
		double re, im;
		if (t->size == 8) {
			float f[2];
			if (gv_read(e, v, 0, f, 8) < 0) {
				unreadable(R, b);
				return;
			}
			re = f[0];
			im = f[1];
		} else {
			double d[2];
			if (gv_read(e, v, 0, d, 16) < 0) {
				unreadable(R, b);
				return;
			}
			re = d[0];
			im = d[1];
		}
		int bits = t->size == 8 ? 32 : 64;
		sb_putc(b, '(');
		gr_float(b, re, bits);
		sb_puts(b, " + ");
		gr_float(b, im, bits);
		sb_puts(b, "i)");
		return;
	}
	case GT_STRING:
		write_string(R, v, b);
		return;
	case GT_PTR:
		write_ptr(R, v, level, flags, depth, b);
		return;
	case GT_UNSAFEPTR: {
		uint64_t p;
		if (gv_uint(e, v, &p) < 0)
			unreadable(R, b);
		else
			sb_printf(b, "unsafe.Pointer(%#llx)", (unsigned long long)p);
		return;
	}
	case GT_STRUCT:
		write_struct(R, v, level, flags, depth, b);
		return;
	case GT_ARRAY: {
		struct gtype *el = gt_elem(e->s, t);
		if (!el) {
			sb_puts(b, "(unreadable unknown element type)");
			return;
		}
		if (flags & F_TYPE)
			sb_printf(b, "%s ", gr_type_name(t));
		write_list(R, v, el, 0, t->count, level, flags, depth, b);
		return;
	}
	case GT_SLICE: {
		uint64_t data;
		int64_t len, cap;
		struct gtype *el = gt_elem(e->s, t);
		if (gv_slice(e, v, &data, &len, &cap) < 0) {
			unreadable(R, b);
			return;
		}
		if (!el) {
			sb_puts(b, "(unreadable unknown element type)");
			return;
		}
		if (len < 0) {
			sb_puts(b, "(unreadable Negative array length)");
			return;
		}
		if (!data && len > 0) {
			sb_puts(b, "(unreadable non-zero length array with nil base)");
			return;
		}
		if (flags & F_TYPE)
			sb_printf(b, "%s len: %lld, cap: %lld, ", gr_type_name(t), (long long)len,
				  (long long)cap);
		if (!data) {
			sb_puts(b, "nil");
			return;
		}
		write_list(R, NULL, el, data, len, level, flags, depth, b);
		return;
	}
	case GT_MAP:
		write_map(R, v, level, flags, depth, b);
		return;
	case GT_CHAN: {
		int64_t len, cap;
		uint64_t h;
		if (gv_chan_lencap(e, v, &len, &cap, &h) < 0)
			unreadable(R, b);
		else if (!h)
			sb_printf(b, "%s nil", gr_type_name(t));
		else
			sb_printf(b, "%s %lld/%lld", gr_type_name(t), (long long)len, (long long)cap);
		return;
	}
	case GT_IFACE:
		write_iface(R, v, level, flags, depth, b);
		return;
	case GT_FUNC: {
		const char *name = NULL;
		uint64_t pc = 0, closure = 0;
		if (!R->syms) {
			if (gv_uint(e, v, &closure) < 0)
				unreadable(R, b);
			else if (!closure)
				sb_puts(b, "nil");
			else
				sb_printf(b, "%#llx", (unsigned long long)closure);
			return;
		}
		if (gv_func_name(e, v, R->syms, &name, &pc) < 0)
			unreadable(R, b);
		else
			sb_puts(b, name ? name : "nil");
		return;
	}
	default:
		sb_printf(b, "(unreadable unsupported type %s)", gr_type_name(t));
		return;
	}
}

void gr_render(struct gv_env *e, const struct grr_symbols *syms, const struct gval *v,
	       const struct gv_config *cfg, bool multiline, struct sbuf *out)
{
	struct rend R = { .e = e, .syms = syms, .cfg = cfg };
	render(&R, v, 0, F_TOP | F_TYPE | (multiline ? F_NL : 0), 0, out);
}
