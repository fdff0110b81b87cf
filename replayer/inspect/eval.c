/* eval.c - the evaluator: a parsed expression (eval_parse.c) evaluated in
 * one frame to a struct gval, with Go's rules and Delve's messages
 * (val_private.h).
 *
 * Names are the frame's arguments and locals (the innermost scope wins),
 * then package variables: exactly, in package main, or the one package
 * variable whose name ends with ".NAME".  Selectors look through
 * pointers, interfaces and embedded structs as Delve does; indexes work
 * on arrays, pointers to arrays, slices, strings and maps; len and cap on
 * strings, arrays, slices, maps and channels.  Arithmetic and comparisons
 * work on integers, floats, bools and strings; pointers, slices, maps,
 * channels, funcs and interfaces compare with nil (pointers and channels
 * also with each other).  An untyped constant takes the type of the other
 * operand; results of arithmetic on typed operands keep that type (as
 * bytes, not in memory), those of comparisons are untyped bools. */
#include "replayer/inspect/val_private.h"

#include <stdio.h>
#include <string.h>

/* Longest string operand read for a comparison or concatenation. */
#define MAX_STRING_OPERAND (1u << 20)
/* Embedded structs searched by one selector (against cycles). */
#define MAX_EMBEDDED 64

struct ev {
	struct gv_ctx *c;
	struct gv_env *e;
	struct gv_session *s;
	bool vars_loaded;
	struct gvar_info *vars;    /* the frame's args and locals, Delve's order */
	int nvars;
};

static int eval(struct ev *ev, const struct gexpr *x, struct gval *out);

/* ---- small helpers ---- */

/* X as text, for messages. */
static const char *text_of(struct ev *ev, const struct gexpr *x)
{
	struct sbuf b = { 0 };
	ge_format(x, &b);
	const char *t = ar_strndup(ev->e->ar, b.s ? b.s : "", b.len);
	sb_free(&b);
	return t;
}

/* The type V's operations depend on (NULL for untyped constants). */
static struct gtype *real_type(const struct gval *v)
{
	return v->t ? gv_resolve(v->t) : NULL;
}

static enum gt_kind kind_of(const struct gval *v)
{
	struct gtype *t = real_type(v);
	return t ? t->kind : GT_INVALID;
}

static const char *type_text(const struct gval *v)
{
	if (v->t)
		return gr_type_name(v->t);
	switch (v->how) {
	case GV_UNTYPED_INT: return "untyped int";
	case GV_UNTYPED_STR: return "untyped string";
	case GV_UNTYPED_BOOL: return "untyped bool";
	case GV_UNTYPED_NIL: return "untyped nil";
	default: return "unknown type";
	}
}

static struct gval untyped_int(int64_t i)
{
	return (struct gval){ .how = GV_UNTYPED_INT, .i = i };
}

static struct gval untyped_bool(bool b)
{
	return (struct gval){ .how = GV_UNTYPED_BOOL, .i = b };
}

/* A value of integer (or pointer) type T holding the low bytes of BITS. */
static int typed_word(struct ev *ev, struct gtype *t, uint64_t bits, struct gval *out)
{
	if (!t->size || t->size > 8)
		return gv_err(ev->e, "cannot make a value of type %s", gr_type_name(t));
	*out = gv_of_bytes(ev->e, t, &bits);   /* little-endian: the low bytes */
	return 0;
}

static int typed_float(struct ev *ev, struct gtype *t, double f, struct gval *out)
{
	if (t->size == 4) {
		float g = (float)f;
		*out = gv_of_bytes(ev->e, t, &g);
	} else if (t->size == 8) {
		*out = gv_of_bytes(ev->e, t, &f);
	} else {
		return gv_err(ev->e, "cannot make a value of type %s", gr_type_name(t));
	}
	return 0;
}

/* An error unless V can be read (how it is unreadable, otherwise). */
static int readable(struct ev *ev, const struct gval *v)
{
	if (v->how == GV_UNREADABLE)
		return gv_err(ev->e, "%s", v->why ? v->why : "unreadable value");
	return 0;
}

/* *P for pointer P: nil is an error; an unreadable pointer gives an
 * unreadable target (so that p.x says why). */
static int deref(struct ev *ev, const struct gval *p, struct gval *out)
{
	struct gtype *el = gt_elem(ev->s, real_type(p));
	if (!el)
		return gv_err(ev->e, "cannot dereference %s: unknown target type", type_text(p));
	if (p->how == GV_UNREADABLE) {
		*out = (struct gval){ .t = el, .how = GV_UNREADABLE, .why = p->why };
		return 0;
	}
	uint64_t addr;
	if (gv_uint(ev->e, p, &addr) < 0)
		return -1;
	if (!addr)
		return gv_err(ev->e, "nil pointer dereference");
	*out = gv_at(el, addr);
	return 0;
}

/* ---- identifiers ---- */

/* The value of variable V (as values.c shows it in locals and args). */
struct gval gv_var_value(struct gv_env *e, const struct gvar_info *v)
{
	struct gval r;
	if (!v->have_loc)
		r = (struct gval){ .t = v->t, .how = GV_UNREADABLE,
				   .why = ar_strdup(e->ar, v->loc.why[0] ? v->loc.why
									 : "optimized away") };
	else if (v->loc.in_memory)
		r = gv_at(v->t, v->loc.addr);
	else if (!v->t || v->loc.nbytes < v->t->size)
		r = (struct gval){ .t = v->t, .how = GV_UNREADABLE,
				   .why = "only part of it is in registers here" };
	else
		r = gv_of_bytes(e, v->t, v->loc.bytes);
	r.name = v->name;
	return r;
}

/* The frame's variable NAME: the last one of that name in Delve's order
 * (deeper scopes and later declarations come later) shadows the others. */
static bool find_local(struct ev *ev, const char *name, struct gval *out)
{
	if (!ev->vars_loaded) {
		char err[256];
		ev->vars_loaded = true;
		if (ev->c->have_frame) {
			int n = gv_frame_vars(ev->c, ev->e->ar, &ev->vars, err, sizeof(err));
			ev->nvars = n < 0 ? 0 : n;   /* no debug info here: globals only */
		}
	}
	for (int i = ev->nvars - 1; i >= 0; i--)
		if (strcmp(ev->vars[i].name, name) == 0) {
			*out = gv_var_value(ev->e, &ev->vars[i]);
			return true;
		}
	return false;
}

/* The package variable NAME: exactly, in package main, or (unqualified)
 * the only one whose name ends with ".NAME". */
static const struct gi_global *find_global(struct ev *ev, const char *name)
{
	const struct gi_global *g = gi_global(ev->s, name);
	if (!g)
		g = gi_global(ev->s, ar_printf(ev->e->ar, "main.%s", name));
	if (!g && !strpbrk(name, "./")) {
		const char *only[2];
		if (gi_globals_suffix(ev->s, name, only, 2) == 1)
			g = gi_global(ev->s, only[0]);
	}
	return g;
}

static int global_value(struct ev *ev, const struct gi_global *g, struct gval *out)
{
	struct gtype *t = gt_get(ev->s, g->toff);
	if (!t)
		return gv_err(ev->e, "could not read the type of %s", g->name);
	*out = gv_at(t, g->addr);
	out->name = g->name;
	return 0;
}

static int eval_ident(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	if (find_local(ev, x->name, out))
		return 0;
	const struct gi_global *g = find_global(ev, x->name);
	if (!g)
		return gv_err(ev->e, "could not find symbol value for %s", x->name);
	return global_value(ev, g, out);
}

/* ---- selectors ---- */

/* The member NAME of V or of the structs embedded in it, breadth first
 * (Delve's structMember): 1 found, 0 not, -1 error.  Pointers are
 * followed one level at each step. */
static int find_member(struct ev *ev, const struct gval *v, const char *vname, const char *name,
		       struct gval *out)
{
	struct gval queue[MAX_EMBEDDED];
	int head = 0, tail = 0;
	queue[tail++] = *v;
	for (bool first = true; head < tail; first = false) {
		struct gval cur = queue[head++];
		if (kind_of(&cur) == GT_PTR) {
			/* a nil embedded pointer hides nothing; a nil operand is an error */
			uint64_t p = 1;
			if (!first && cur.how != GV_UNREADABLE && (gv_uint(ev->e, &cur, &p) < 0 || !p))
				continue;
			if (deref(ev, &cur, &cur) < 0)
				return -1;
		}
		struct gtype *t = real_type(&cur);
		if (!t || t->kind != GT_STRUCT) {
			if (first)
				return gv_err(ev->e, "%s (type %s) is not a struct", vname,
					      type_text(&cur));
			continue;
		}
		for (int i = 0; i < t->nfields; i++)
			if (strcmp(t->fields[i].name, name) == 0) {
				*out = gv_member(ev->e, &cur, &t->fields[i]);
				return 1;
			}
		for (int i = 0; i < t->nfields && tail < MAX_EMBEDDED; i++)
			if (t->fields[i].embedded)
				queue[tail++] = gv_member(ev->e, &cur, &t->fields[i]);
	}
	return 0;
}

/* Delve's runtime.curg: a *runtime.g, the goroutine the frame is in. */
static int curg_value(struct ev *ev, struct gval *out)
{
	struct gtype *g = gt_named(ev->s, "runtime.g");
	if (!g)
		return gv_err(ev->e, "the program's DWARF has no runtime.g");
	if (!ev->c->curg)
		return gv_err(ev->e, "no goroutine here (runtime.curg is nil)");
	struct gtype *pg = gt_pointer_to(ev->s, g);
	if (!pg)
		return gv_err(ev->e, "the program's DWARF has no *runtime.g");
	*out = gv_of_bytes(ev->e, pg, &ev->c->curg);
	out->name = "runtime.curg";
	return 0;
}

static int eval_field(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	struct gval v;
	/* "pkg.Var" the parser did not know as one name */
	if (x->a->op == GE_IDENT && !find_local(ev, x->a->name, &v)) {
		const struct gi_global *g =
			gi_global(ev->s, ar_printf(ev->e->ar, "%s.%s", x->a->name, x->name));
		if (g)
			return global_value(ev, g, out);
		if (strcmp(x->a->name, "runtime") == 0 && strcmp(x->name, "curg") == 0)
			return curg_value(ev, out);
	}
	if (eval(ev, x->a, &v) < 0)
		return -1;
	if (kind_of(&v) == GT_IFACE && v.how != GV_UNREADABLE) {
		/* the dynamic value (a nil interface stays: "not a struct") */
		struct gtype *ct;
		struct gval data;
		if (gv_iface(ev->e, &v, &ct, &data) < 0)
			return -1;
		if (ct)
			v = data;
	}
	const char *vname = text_of(ev, x->a);
	int r = find_member(ev, &v, vname, x->name, out);
	if (r == 0)
		return gv_err(ev->e, "%s has no member %s", vname, x->name);
	return r < 0 ? -1 : 0;
}

/* ---- indexes ---- */

/* The index operand as an integer. */
static int index_value(struct ev *ev, const struct gexpr *ix, int64_t *i)
{
	struct gval v;
	if (eval(ev, ix, &v) < 0)
		return -1;
	enum gt_kind k = kind_of(&v);
	if (v.how != GV_UNTYPED_INT && k != GT_INT && k != GT_UINT)
		return gv_err(ev->e, "index %s (type %s) must be an integer", text_of(ev, ix),
			      type_text(&v));
	if (readable(ev, &v) < 0)
		return -1;
	return gv_int(ev->e, &v, i);
}

static int check_bounds(struct ev *ev, int64_t i, int64_t len)
{
	if (i < 0 || i >= len)
		return gv_err(ev->e, "index %lld out of bounds [0, %lld)", (long long)i,
			      (long long)len);
	return 0;
}

/* Element I of array V (in memory or bytes). */
static int array_elem(struct ev *ev, const struct gval *v, int64_t i, struct gval *out)
{
	struct gtype *t = real_type(v), *el = gt_elem(ev->s, t);
	if (!el)
		return gv_err(ev->e, "unknown element type of %s", type_text(v));
	if (check_bounds(ev, i, t->count) < 0)
		return -1;
	uint64_t off = (uint64_t)i * el->size;
	if (v->how == GV_MEM)
		*out = gv_at(el, v->addr + off);
	else if (v->how == GV_BYTES)
		*out = (struct gval){ .t = el, .how = GV_BYTES, .bytes = v->bytes + off };
	else
		*out = (struct gval){ .t = el, .how = GV_UNREADABLE, .why = v->why };
	return 0;
}

static int slice_elem(struct ev *ev, const struct gval *v, int64_t i, struct gval *out)
{
	struct gtype *el = gt_elem(ev->s, real_type(v));
	uint64_t data;
	int64_t len, cap;
	if (!el)
		return gv_err(ev->e, "unknown element type of %s", type_text(v));
	if (readable(ev, v) < 0 || gv_slice(ev->e, v, &data, &len, &cap) < 0 ||
	    check_bounds(ev, i, len) < 0)
		return -1;
	*out = gv_at(el, data + (uint64_t)i * el->size);
	return 0;
}

/* A byte of a string: a uint8 value (an untyped int if the program has
 * no uint8 type). */
static int byte_value(struct ev *ev, uint8_t b, struct gval *out)
{
	struct gtype *u8 = gt_named(ev->s, "uint8");
	if (u8 && u8->size == 1)
		*out = gv_of_bytes(ev->e, u8, &b);
	else
		*out = untyped_int(b);
	return 0;
}

static int string_elem(struct ev *ev, const struct gval *v, int64_t i, struct gval *out)
{
	if (v->how == GV_UNTYPED_STR) {
		if (check_bounds(ev, i, (int64_t)v->slen) < 0)
			return -1;
		return byte_value(ev, (uint8_t)v->s[i], out);
	}
	uint64_t data, len;
	uint8_t b;
	if (readable(ev, v) < 0 || gv_string(ev->e, v, &data, &len) < 0 ||
	    check_bounds(ev, i, (int64_t)len) < 0 || gv_read_mem(ev->e, data + (uint64_t)i, &b, 1) < 0)
		return -1;
	return byte_value(ev, b, out);
}

static int values_equal(struct ev *ev, const struct gval *a, const struct gval *b, bool *eq);

/* M[KEY]: the entries are compared with KEY one by one. */
static int map_elem(struct ev *ev, const struct gval *m, const struct gval *key, struct gval *out)
{
	int64_t len;
	if (readable(ev, m) < 0 || readable(ev, key) < 0)
		return -1;
	struct gmap_iter *it = gm_begin(ev->e, m, &len);
	if (!it)
		return -1;
	struct gval k, v;
	int r;
	while ((r = gm_next(it, &k, &v)) == 1) {
		bool eq;
		if (values_equal(ev, &k, key, &eq) < 0)
			return -1;
		if (eq) {
			*out = v;
			return 0;
		}
	}
	return r < 0 ? -1 : gv_err(ev->e, "key not found");
}

static int eval_index(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	struct gval v;
	if (eval(ev, x->a, &v) < 0)
		return -1;
	if (kind_of(&v) == GT_MAP) {
		struct gval key;
		return eval(ev, x->b, &key) < 0 ? -1 : map_elem(ev, &v, &key, out);
	}
	int64_t i;
	if (index_value(ev, x->b, &i) < 0)
		return -1;
	if (kind_of(&v) == GT_PTR) {
		/* a pointer to an array indexes the array */
		struct gtype *el = gt_elem(ev->s, real_type(&v));
		if (el && gv_resolve(el)->kind == GT_ARRAY) {
			if (deref(ev, &v, &v) < 0)
				return -1;
		}
	}
	if (v.how == GV_UNTYPED_STR)
		return string_elem(ev, &v, i, out);
	switch (kind_of(&v)) {
	case GT_ARRAY:
		return array_elem(ev, &v, i, out);
	case GT_SLICE:
		return slice_elem(ev, &v, i, out);
	case GT_STRING:
		return string_elem(ev, &v, i, out);
	default:
		return gv_err(ev->e, "expression \"%s\" (%s) does not support indexing",
			      text_of(ev, x->a), type_text(&v));
	}
}

/* ---- slicing and type assertions ---- */

/* The bounds of A[LO:HI] on a sequence of length LEN and capacity CAP. */
static int slice_bounds(struct ev *ev, const struct gexpr *x, int64_t len, int64_t cap,
			int64_t *lo, int64_t *hi)
{
	*lo = 0;
	*hi = len;
	if ((x->b && index_value(ev, x->b, lo) < 0) || (x->c && index_value(ev, x->c, hi) < 0))
		return -1;
	if (*lo < 0 || *hi < *lo || *hi > cap)
		return gv_err(ev->e, "slice bounds out of range [%lld:%lld] with capacity %lld",
			      (long long)*lo, (long long)*hi, (long long)cap);
	return 0;
}

/* A slice value of type T: DATA, LEN, CAP. */
static int make_slice(struct ev *ev, struct gtype *t, uint64_t data, int64_t len, int64_t cap,
		      struct gval *out)
{
	struct gt_field *fa = gt_field(t, "array"), *fl = gt_field(t, "len"), *fc = gt_field(t, "cap");
	if (!fa || !fl || !fc || t->size > 64)
		return gv_err(ev->e, "cannot make a value of type %s", gr_type_name(t));
	uint8_t b[64] = { 0 };
	uint64_t w[3] = { data, (uint64_t)len, (uint64_t)cap };
	memcpy(b + fa->off, &w[0], 8);
	memcpy(b + fl->off, &w[1], 8);
	memcpy(b + fc->off, &w[2], 8);
	*out = gv_of_bytes(ev->e, t, b);
	return 0;
}

static int eval_slice(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	struct gval v;
	int64_t lo, hi;
	if (eval(ev, x->a, &v) < 0)
		return -1;
	if (v.how == GV_UNTYPED_STR) {
		if (slice_bounds(ev, x, (int64_t)v.slen, (int64_t)v.slen, &lo, &hi) < 0)
			return -1;
		*out = (struct gval){ .how = GV_UNTYPED_STR, .s = v.s + lo, .slen = (size_t)(hi - lo) };
		return 0;
	}
	if (kind_of(&v) == GT_PTR && deref(ev, &v, &v) < 0)   /* a pointer to an array */
		return -1;
	if (readable(ev, &v) < 0)
		return -1;
	struct gtype *t = real_type(&v);
	switch (kind_of(&v)) {
	case GT_STRING: {
		uint64_t data, len;
		if (gv_string(ev->e, &v, &data, &len) < 0 ||
		    slice_bounds(ev, x, (int64_t)len, (int64_t)len, &lo, &hi) < 0)
			return -1;
		uint64_t hdr[2] = { data + (uint64_t)lo, (uint64_t)(hi - lo) };
		if (t->size != 16)
			return gv_err(ev->e, "cannot slice a %s", type_text(&v));
		*out = gv_of_bytes(ev->e, v.t, hdr);
		return 0;
	}
	case GT_SLICE: {
		struct gtype *el = gt_elem(ev->s, t);
		uint64_t data;
		int64_t len, cap;
		if (!el || gv_slice(ev->e, &v, &data, &len, &cap) < 0 ||
		    slice_bounds(ev, x, len, cap, &lo, &hi) < 0)
			return -1;
		return make_slice(ev, v.t, data + (uint64_t)lo * el->size, hi - lo, cap - lo, out);
	}
	case GT_ARRAY: {
		struct gtype *el = gt_elem(ev->s, t);
		if (!el || v.how != GV_MEM)
			return gv_err(ev->e, "cannot slice %s: it is not in memory", text_of(ev, x->a));
		struct gtype *st = gt_named(ev->s, ar_printf(ev->e->ar, "[]%s", gr_type_name(el)));
		if (!st || st->kind != GT_SLICE)
			return gv_err(ev->e, "the program has no type []%s to slice %s into",
				      gr_type_name(el), text_of(ev, x->a));
		if (slice_bounds(ev, x, t->count, t->count, &lo, &hi) < 0)
			return -1;
		return make_slice(ev, st, v.addr + (uint64_t)lo * el->size, hi - lo, t->count - lo,
				  out);
	}
	default:
		return gv_err(ev->e, "cannot slice %s (%s)", text_of(ev, x->a), type_text(&v));
	}
}

static int eval_assert(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	struct gval v, data;
	struct gtype *ct;
	if (eval(ev, x->a, &v) < 0 || readable(ev, &v) < 0)
		return -1;
	if (kind_of(&v) != GT_IFACE)
		return gv_err(ev->e, "invalid type assertion: %s (%s) is not an interface",
			      text_of(ev, x->a), type_text(&v));
	if (gv_iface(ev->e, &v, &ct, &data) < 0)
		return -1;
	if (!ct)
		return gv_err(ev->e, "interface conversion: interface is nil, not %s", x->name);
	const char *cn = gr_type_name(ct);
	const char *want = x->name;
	bool same = strcmp(cn, want) == 0;
	if (!same && !strchr(want, '.')) {   /* "Square" for main.Square, as in package main */
		bool ptr = want[0] == '*';
		same = strcmp(cn, ar_printf(ev->e->ar, "%smain.%s", ptr ? "*" : "", want + ptr)) == 0;
	}
	if (!same)
		return gv_err(ev->e, "interface conversion: %s is %s, not %s", type_text(&v), cn,
			      want);
	*out = data;
	return 0;
}

/* ---- len and cap ---- */

static int convert(struct ev *ev, const struct gexpr *x, struct gtype *t, struct gval *out);
static struct gtype *type_named(struct ev *ev, const char *name);

static int eval_call(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	bool is_len = strcmp(x->name, "len") == 0;
	struct gtype *conv = NULL;
	if (!is_len && strcmp(x->name, "cap") != 0 && (conv = type_named(ev, x->name)))
		return convert(ev, x, conv, out);
	if (!is_len && strcmp(x->name, "cap") != 0)
		return gv_err(ev->e, "%s; use call", GV_ERR_CALL);
	if (!x->a || x->b)
		return gv_err(ev->e, "%s takes exactly one argument", x->name);
	struct gval v;
	if (eval(ev, x->a, &v) < 0)
		return -1;
	if (v.how == GV_UNTYPED_STR && is_len) {
		*out = untyped_int((int64_t)v.slen);
		return 0;
	}
	struct gtype *t = real_type(&v);
	if (t && t->kind == GT_PTR) {
		/* len and cap of a pointer to an array: the array's */
		struct gtype *el = gt_elem(ev->s, t);
		if (el && gv_resolve(el)->kind == GT_ARRAY) {
			*out = untyped_int(gv_resolve(el)->count);
			return 0;
		}
	}
	int64_t len = 0, cap = 0;
	uint64_t data;
	switch (t ? t->kind : GT_INVALID) {
	case GT_ARRAY:
		len = cap = t->count;
		break;
	case GT_STRING:
		if (!is_len)
			goto invalid;
		if (readable(ev, &v) < 0 || gv_string(ev->e, &v, &data, &data) < 0)
			return -1;
		len = (int64_t)data;
		break;
	case GT_SLICE:
		if (readable(ev, &v) < 0 || gv_slice(ev->e, &v, &data, &len, &cap) < 0)
			return -1;
		break;
	case GT_MAP:
		if (!is_len)
			goto invalid;
		if (readable(ev, &v) < 0 || !gm_begin(ev->e, &v, &len))
			return -1;
		break;
	case GT_CHAN:
		if (readable(ev, &v) < 0 || gv_chan_lencap(ev->e, &v, &len, &cap, &data) < 0)
			return -1;
		break;
	default:
		goto invalid;
	}
	*out = untyped_int(is_len ? len : cap);
	return 0;
invalid:
	return gv_err(ev->e, "invalid argument %s (type %s) for built-in %s", text_of(ev, x->a),
		      type_text(&v), x->name);
}

/* ---- operands of operators ---- */

/* What an operator sees of a value. */
enum sk { S_INT, S_UINT, S_FLOAT, S_BOOL, S_STR, S_REF, S_NIL };

struct scalar {
	enum sk k;
	struct gtype *t;           /* NULL: an untyped constant */
	int64_t i;                 /* S_INT, S_BOOL */
	uint64_t u;                /* S_UINT, S_REF (the pointer word) */
	double f;                  /* S_FLOAT */
	const char *s;             /* S_STR */
	size_t n;
	bool nil_only;             /* S_REF that compares only with nil (slices, maps,
				      funcs, interfaces) */
	bool nil;                  /* the constant nil (converted or not) */
};

static const char *constant_kind(enum sk k)
{
	switch (k) {
	case S_INT: return "untyped int";
	case S_BOOL: return "untyped bool";
	case S_STR: return "untyped string";
	case S_NIL: return "untyped nil";
	case S_FLOAT: return "untyped float";
	default: return "untyped constant";
	}
}

static int load_string(struct ev *ev, const struct gval *v, struct scalar *o)
{
	uint64_t data, len;
	if (gv_string(ev->e, v, &data, &len) < 0)
		return -1;
	if (len > MAX_STRING_OPERAND)
		return gv_err(ev->e, "string of %llu bytes too long for an operator",
			      (unsigned long long)len);
	char *s = ar_alloc(ev->e->ar, len + 1);
	if (gv_read_mem(ev->e, data, s, len) < 0)
		return -1;
	o->s = s;
	o->n = len;
	return 0;
}

/* V as an operand of an operator (X names it in messages). */
static int load_scalar(struct ev *ev, const struct gexpr *x, const struct gval *v, struct scalar *o)
{
	memset(o, 0, sizeof(*o));
	o->t = v->t;
	switch (v->how) {
	case GV_UNTYPED_INT: o->k = S_INT; o->i = v->i; return 0;
	case GV_UNTYPED_BOOL: o->k = S_BOOL; o->i = v->i; return 0;
	case GV_UNTYPED_STR: o->k = S_STR; o->s = v->s; o->n = v->slen; return 0;
	case GV_UNTYPED_NIL: o->k = S_NIL; o->nil = true; return 0;
	case GV_UNTYPED_FLOAT: o->k = S_FLOAT; o->f = v->f; return 0;
	case GV_UNREADABLE: return readable(ev, v);
	default: break;
	}
	uint64_t w;
	switch (kind_of(v)) {
	case GT_INT:
		o->k = S_INT;
		return gv_int(ev->e, v, &o->i);
	case GT_UINT:
		o->k = S_UINT;
		return gv_uint(ev->e, v, &o->u);
	case GT_FLOAT:
		o->k = S_FLOAT;
		return gv_float(ev->e, v, &o->f);
	case GT_BOOL:
		o->k = S_BOOL;
		if (gv_uint(ev->e, v, &w) < 0)
			return -1;
		o->i = (w & 0xff) != 0;
		return 0;
	case GT_STRING:
		o->k = S_STR;
		return load_string(ev, v, o);
	case GT_PTR:
	case GT_UNSAFEPTR:
	case GT_CHAN:
	case GT_MAP:
	case GT_FUNC:
	case GT_SLICE:
	case GT_IFACE:
		/* the first word: the pointer, the array of a slice, the type
		 * word of an interface */
		o->k = S_REF;
		o->nil_only = kind_of(v) != GT_PTR && kind_of(v) != GT_UNSAFEPTR &&
			      kind_of(v) != GT_CHAN;
		return gv_read(ev->e, v, 0, &o->u, 8);
	default:
		return gv_err(ev->e, "operators are not supported on %s (type %s)", text_of(ev, x),
			      type_text(v));
	}
}

/* Whether integer constant I fits integer type T. */
static bool fits(const struct gtype *t, enum sk k, int64_t i)
{
	unsigned bits = t->size >= 8 ? 64 : (unsigned)t->size * 8;
	if (k == S_UINT)
		return i >= 0 && (bits == 64 || (uint64_t)i < (1ull << bits));
	return bits == 64 || (i >= -(1ll << (bits - 1)) && i < (1ll << (bits - 1)));
}

/* The untyped constant C converted to the type of the typed operand T. */
static int convert_constant(struct ev *ev, struct scalar *c, const struct scalar *t)
{
	bool ok = c->k == t->k || (c->k == S_INT && (t->k == S_UINT || t->k == S_FLOAT)) ||
		  (c->k == S_NIL && t->k == S_REF);
	if (!ok)
		return gv_err(ev->e, "invalid operation: mismatched types %s and %s",
			      gr_type_name(t->t), constant_kind(c->k));
	if (c->k == S_INT && t->k != S_FLOAT && !fits(gv_resolve(t->t), t->k, c->i))
		return gv_err(ev->e, "constant %lld overflows %s", (long long)c->i,
			      gr_type_name(t->t));
	if (c->k == S_INT && t->k == S_UINT)
		c->u = (uint64_t)c->i;
	else if (c->k == S_INT && t->k == S_FLOAT)
		c->f = (double)c->i;
	else if (c->k == S_NIL)
		c->u = 0;
	c->k = t->k;
	c->t = t->t;
	return 0;
}

static bool same_type(const struct gtype *a, const struct gtype *b)
{
	return a == b || (a->name && b->name && strcmp(a->name, b->name) == 0);
}

/* Brings A and B to one type, as Go does for binary operators. */
static int unify(struct ev *ev, struct scalar *a, struct scalar *b)
{
	if (a->t && b->t) {
		if (!same_type(a->t, b->t))
			return gv_err(ev->e, "invalid operation: mismatched types %s and %s",
				      gr_type_name(a->t), gr_type_name(b->t));
		return 0;
	}
	if (a->t)
		return convert_constant(ev, b, a);
	if (b->t)
		return convert_constant(ev, a, b);
	/* untyped int and untyped float: both floats, as Go's constants */
	if (a->k == S_INT && b->k == S_FLOAT) {
		a->k = S_FLOAT;
		a->f = (double)a->i;
	} else if (a->k == S_FLOAT && b->k == S_INT) {
		b->k = S_FLOAT;
		b->f = (double)b->i;
	}
	if (a->k != b->k)
		return gv_err(ev->e, "invalid operation: mismatched types %s and %s",
			      constant_kind(a->k), constant_kind(b->k));
	if (a->k == S_NIL)
		return gv_err(ev->e, "invalid operation: operator not defined on nil");
	return 0;
}

/* ---- comparisons ---- */

/* -1, 0 or 1 for A against B (already unified, not S_REF). */
static int order(const struct scalar *a, const struct scalar *b)
{
	switch (a->k) {
	case S_INT:
	case S_BOOL:
		return (a->i > b->i) - (a->i < b->i);
	case S_UINT:
		return (a->u > b->u) - (a->u < b->u);
	case S_FLOAT:
		return (a->f > b->f) - (a->f < b->f);
	case S_STR: {
		int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
		return c ? (c > 0) - (c < 0) : (a->n > b->n) - (a->n < b->n);
	}
	default:
		return (a->u > b->u) - (a->u < b->u);
	}
}

static int compare(struct ev *ev, int op, struct scalar *a, struct scalar *b, bool *res)
{
	bool ordered = op != GO_EQ && op != GO_NE;
	if (ordered && (a->k == S_BOOL || a->k == S_REF || a->k == S_NIL))
		return gv_err(ev->e, "invalid operation: ordered comparison of %s values",
			      a->t ? gr_type_name(a->t) : "untyped");
	if (a->k == S_REF && (a->nil_only || b->nil_only) && !a->nil && !b->nil)
		return gv_err(ev->e, "invalid operation: %s can only be compared to nil",
			      gr_type_name(a->t));
	/* NaN compares unequal to everything, itself included */
	bool nan = a->k == S_FLOAT && (a->f != a->f || b->f != b->f);
	int c = order(a, b);
	switch (op) {
	case GO_EQ: *res = !nan && c == 0; break;
	case GO_NE: *res = nan || c != 0; break;
	case GO_LT: *res = !nan && c < 0; break;
	case GO_LE: *res = !nan && c <= 0; break;
	case GO_GT: *res = !nan && c > 0; break;
	default: *res = !nan && c >= 0; break;
	}
	return 0;
}

static int values_equal(struct ev *ev, const struct gval *a, const struct gval *b, bool *eq)
{
	struct scalar sa, sb;
	if (load_scalar(ev, NULL, a, &sa) < 0 || load_scalar(ev, NULL, b, &sb) < 0 ||
	    unify(ev, &sa, &sb) < 0)
		return -1;
	return compare(ev, GO_EQ, &sa, &sb, eq);
}

/* ---- arithmetic ---- */

static int int_arith(struct ev *ev, int op, const struct scalar *a, const struct scalar *b,
		     int64_t *r)
{
	int64_t x = a->i, y = b->i;
	bool over = false;
	switch (op) {
	case GO_ADD: over = __builtin_add_overflow(x, y, r); break;
	case GO_SUB: over = __builtin_sub_overflow(x, y, r); break;
	case GO_MUL: over = __builtin_mul_overflow(x, y, r); break;
	case GO_DIV:
	case GO_MOD:
		if (y == 0)
			return gv_err(ev->e, "division by zero");
		if (x == INT64_MIN && y == -1) {
			over = true;    /* wraps, as in Go */
			*r = op == GO_DIV ? INT64_MIN : 0;
		} else {
			*r = op == GO_DIV ? x / y : x % y;
		}
		break;
	}
	/* typed operands wrap around (truncated to their size later);
	 * constants must stay exact */
	if (over && !a->t)
		return gv_err(ev->e, "constant overflow");
	if (over && op != GO_DIV && op != GO_MOD) {
		uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
		uint64_t w = op == GO_ADD ? ux + uy : op == GO_SUB ? ux - uy : ux * uy;
		memcpy(r, &w, sizeof(w));
	}
	return 0;
}

static int uint_arith(struct ev *ev, int op, uint64_t x, uint64_t y, uint64_t *r)
{
	switch (op) {
	case GO_ADD: *r = x + y; break;
	case GO_SUB: *r = x - y; break;
	case GO_MUL: *r = x * y; break;
	default:
		if (y == 0)
			return gv_err(ev->e, "division by zero");
		*r = op == GO_DIV ? x / y : x % y;
	}
	return 0;
}

static int float_arith(struct ev *ev, int op, double x, double y, double *r)
{
	switch (op) {
	case GO_ADD: *r = x + y; break;
	case GO_SUB: *r = x - y; break;
	case GO_MUL: *r = x * y; break;
	case GO_DIV:
		if (y == 0)
			return gv_err(ev->e, "division by zero");
		*r = x / y;
		break;
	default:
		return gv_err(ev->e, "invalid operation: operator %% not defined on floats");
	}
	return 0;
}

static int arith(struct ev *ev, int op, struct scalar *a, struct scalar *b, struct gval *out)
{
	switch (a->k) {
	case S_INT: {
		int64_t r = 0;
		if (int_arith(ev, op, a, b, &r) < 0)
			return -1;
		if (!a->t) {
			*out = untyped_int(r);
			return 0;
		}
		return typed_word(ev, a->t, (uint64_t)r, out);
	}
	case S_UINT: {
		uint64_t r = 0;
		return uint_arith(ev, op, a->u, b->u, &r) < 0 ? -1 : typed_word(ev, a->t, r, out);
	}
	case S_FLOAT: {
		double r = 0;
		if (float_arith(ev, op, a->f, b->f, &r) < 0)
			return -1;
		if (!a->t) {
			*out = (struct gval){ .how = GV_UNTYPED_FLOAT, .f = r };
			return 0;
		}
		return typed_float(ev, a->t, r, out);
	}
	case S_STR:
		if (op == GO_ADD) {
			char *s = ar_alloc(ev->e->ar, a->n + b->n + 1);
			memcpy(s, a->s, a->n);
			memcpy(s + a->n, b->s, b->n);
			*out = (struct gval){ .how = GV_UNTYPED_STR, .s = s, .slen = a->n + b->n };
			return 0;
		}
		break;
	default:
		break;
	}
	return gv_err(ev->e, "invalid operation: operator not defined on %s",
		      a->t ? gr_type_name(a->t) : "untyped constant");
}

/* ---- conversions ---- */

/* T(x) for a numeric type T (int64(x), float64(n), main.Celsius(1.5)):
 * Go's conversion rules between integers and floats. */
static int convert(struct ev *ev, const struct gexpr *x, struct gtype *t, struct gval *out)
{
	struct gtype *rt = gv_resolve(t);
	struct gval v;
	struct scalar sc;
	if (!x->a || x->b)
		return gv_err(ev->e, "conversion to %s takes exactly one argument", x->name);
	if (eval(ev, x->a, &v) < 0 || load_scalar(ev, x->a, &v, &sc) < 0)
		return -1;
	double f = sc.k == S_FLOAT ? sc.f : sc.k == S_UINT ? (double)sc.u : (double)sc.i;
	uint64_t bits = sc.k == S_UINT ? sc.u : (uint64_t)sc.i;
	if (sc.k != S_INT && sc.k != S_UINT && sc.k != S_FLOAT)
		return gv_err(ev->e, "cannot convert %s (%s) to %s", text_of(ev, x->a),
			      type_text(&v), gr_type_name(t));
	switch (rt->kind) {
	case GT_FLOAT:
		return typed_float(ev, t, f, out);
	case GT_INT:
		return typed_word(ev, t, sc.k == S_FLOAT ? (uint64_t)(int64_t)f : bits, out);
	case GT_UINT:
		return typed_word(ev, t, sc.k == S_FLOAT ? (uint64_t)f : bits, out);
	default:
		return gv_err(ev->e, "conversions to %s are not supported (numeric types only)",
			      gr_type_name(t));
	}
}

/* The type named NAME, as the program's DWARF has it (or in package main). */
static struct gtype *type_named(struct ev *ev, const char *name)
{
	struct gtype *t = gt_named(ev->s, name);
	if (!t && !strchr(name, '.'))
		t = gt_named(ev->s, ar_printf(ev->e->ar, "main.%s", name));
	return t;
}

/* ---- operators ---- */

/* The operand X as a bool. */
static int eval_bool(struct ev *ev, const struct gexpr *x, bool *b)
{
	struct gval v;
	struct scalar s;
	if (eval(ev, x, &v) < 0 || load_scalar(ev, x, &v, &s) < 0)
		return -1;
	if (s.k != S_BOOL)
		return gv_err(ev->e, "invalid operation: %s (type %s) is not a bool", text_of(ev, x),
			      type_text(&v));
	*b = s.i != 0;
	return 0;
}

static int eval_logical(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	bool a, b = false;
	if (eval_bool(ev, x->a, &a) < 0)
		return -1;
	/* short-circuit, as in Go */
	if (x->sub == GO_ANDAND ? a : !a) {
		if (eval_bool(ev, x->b, &b) < 0)
			return -1;
	}
	*out = untyped_bool(x->sub == GO_ANDAND ? a && b : a || b);
	return 0;
}

static int eval_binary(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	if (x->sub == GO_ANDAND || x->sub == GO_OROR)
		return eval_logical(ev, x, out);
	struct gval va, vb;
	struct scalar a, b;
	if (eval(ev, x->a, &va) < 0 || eval(ev, x->b, &vb) < 0 ||
	    load_scalar(ev, x->a, &va, &a) < 0 || load_scalar(ev, x->b, &vb, &b) < 0 ||
	    unify(ev, &a, &b) < 0)
		return -1;
	if (x->sub >= GO_EQ && x->sub <= GO_GE) {
		bool r;
		if (compare(ev, x->sub, &a, &b, &r) < 0)
			return -1;
		*out = untyped_bool(r);
		return 0;
	}
	return arith(ev, x->sub, &a, &b, out);
}

static int negate(struct ev *ev, const struct gexpr *x, const struct gval *v, struct gval *out)
{
	struct scalar s;
	if (load_scalar(ev, x, v, &s) < 0)
		return -1;
	switch (s.k) {
	case S_INT:
		if (!s.t) {
			if (s.i == INT64_MIN)
				return gv_err(ev->e, "constant overflow");
			*out = untyped_int(-s.i);
			return 0;
		}
		return typed_word(ev, s.t, 0 - (uint64_t)s.i, out);
	case S_UINT:
		return typed_word(ev, s.t, 0 - s.u, out);
	case S_FLOAT:
		if (!s.t) {
			*out = (struct gval){ .how = GV_UNTYPED_FLOAT, .f = -s.f };
			return 0;
		}
		return typed_float(ev, s.t, -s.f, out);
	default:
		return gv_err(ev->e, "invalid operation: operator - not defined on %s (type %s)",
			      text_of(ev, x), type_text(v));
	}
}

static int eval_unary(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	if (x->sub == GO_NOT) {
		bool b;
		if (eval_bool(ev, x->a, &b) < 0)
			return -1;
		*out = untyped_bool(!b);
		return 0;
	}
	struct gval v;
	if (eval(ev, x->a, &v) < 0)
		return -1;
	switch (x->sub) {
	case GO_NEG:
		return negate(ev, x->a, &v, out);
	case GO_DEREF:
		if (v.how == GV_UNTYPED_NIL)
			return gv_err(ev->e, "nil pointer dereference");
		if (kind_of(&v) != GT_PTR)
			return gv_err(ev->e, "invalid operation: cannot indirect %s (type %s)",
				      text_of(ev, x->a), type_text(&v));
		return deref(ev, &v, out);
	case GO_ADDR:
		if (v.how != GV_MEM || !v.t)
			return gv_err(ev->e, "cannot take the address of %s", text_of(ev, x->a));
		return typed_word(ev, gt_pointer_to(ev->s, v.t), v.addr, out);
	default:
		return gv_err(ev->e, "unknown operator");
	}
}

static int eval(struct ev *ev, const struct gexpr *x, struct gval *out)
{
	switch (x->op) {
	case GE_IDENT:
		return eval_ident(ev, x, out);
	case GE_INT:
		*out = untyped_int(x->i);
		return 0;
	case GE_FLOAT:
		*out = (struct gval){ .how = GV_UNTYPED_FLOAT, .f = x->f };
		return 0;
	case GE_STR:
		*out = (struct gval){ .how = GV_UNTYPED_STR, .s = x->s, .slen = x->slen };
		return 0;
	case GE_BOOL:
		*out = untyped_bool(x->i != 0);
		return 0;
	case GE_NIL:
		*out = (struct gval){ .how = GV_UNTYPED_NIL };
		return 0;
	case GE_FIELD:
		return eval_field(ev, x, out);
	case GE_INDEX:
		return eval_index(ev, x, out);
	case GE_SLICE:
		return eval_slice(ev, x, out);
	case GE_ASSERT:
		return eval_assert(ev, x, out);
	case GE_CALL:
		return eval_call(ev, x, out);
	case GE_UNARY:
		return eval_unary(ev, x, out);
	case GE_BINARY:
		return eval_binary(ev, x, out);
	}
	return gv_err(ev->e, "unknown expression");
}

int ge_eval(struct gv_ctx *c, struct gv_env *e, const struct gexpr *x, struct gval *out)
{
	struct ev ev = { .c = c, .e = e, .s = c->s };
	memset(out, 0, sizeof(*out));
	return eval(&ev, x, out);
}
