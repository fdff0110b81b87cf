/* call_abi.c - a Go call expression (`main.add(1, x)`, `acct.String()`,
 * `shape.Area()`, `fn(2, 3)`) turned into a debugger-call request laid out
 * for Go's register ABI (ABIInternal, the Go source's
 * src/cmd/compile/abi-internal.md), and the results read back as values.
 *
 * Register assignment, per argument in order (the receiver first): the
 * value's scalar leaves go to the next integer registers (RAX RBX RCX RDI
 * RSI R8 R9 R10 R11) and float registers (X0-X14): an integer, bool or
 * pointer-shaped value one integer register, a string two, a slice three,
 * an interface two, a float one float register, a complex two, a struct
 * its fields in turn, an array of length 1 its element (0: nothing).  When
 * a value does not fit in what is left, or is an array of 2 or more, it
 * goes to the stack instead, aligned to its type, and the registers it had
 * taken are given back.  Results are assigned the same way from fresh
 * registers; stack results follow the stack arguments, pointer-aligned.
 *
 * Before the call, every pointer the arguments hold is checked against the
 * goroutine's stack (Delve's escape check): a callee could keep it, and the
 * stack may move.  The check is skipped with `call -unsafe`. */
#include "replayer/inspect/val_private.h"

#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NINT 9
#define NFLOAT 15
#define MAX_PARAMS 32
#define MAX_LEAVES 64

/* ---- the callee's signature, from its DWARF ---- */

struct cparam {
	const char *name;
	struct gtype *t;
	bool result;
};

struct gv_call {
	struct arena ar;
	char name[512];           /* the function called */
	struct cparam p[MAX_PARAMS];
	int np;
	bool has_receiver;        /* p[0] is the receiver we supply */
	uint64_t stack_args;      /* bytes of stack arguments */
};

/* The parameters and results of the function whose DWARF entry is FN. */
static int read_signature(struct gv_session *s, const struct gi_func *fn, struct gv_call *call,
			  char *err, size_t errlen)
{
	Dwarf_Die die, child = NULL, next;
	Dwarf_Error e = NULL;
	if (dwarf_offdie_b(s->dbg, fn->off, 1, &die, &e) != DW_DLV_OK) {
		snprintf(err, errlen, "cannot read the DWARF of %s", fn->name);
		return -1;
	}
	int rc = 0;
	if (dwarf_child(die, &child, &e) != DW_DLV_OK)
		child = NULL;
	while (child && rc == 0) {
		if (dw_tag(child) == DW_TAG_formal_parameter) {
			/* the out-of-line copy of an inlinable function names its
			 * parameters through DW_AT_abstract_origin */
			Dwarf_Die decl = child, origin = NULL;
			Dwarf_Off ooff, toff = 0;
			Dwarf_Unsigned res = 0;
			if (dw_ref(s->dbg, child, DW_AT_abstract_origin, &ooff) &&
			    dwarf_offdie_b(s->dbg, ooff, 1, &origin, &e) == DW_DLV_OK)
				decl = origin;
			const char *nm = dw_name(decl);
			dw_ref(s->dbg, decl, DW_AT_type, &toff);
			dw_udata(s->dbg, decl, DW_AT_variable_parameter, &res);
			struct gtype *t = gt_get(s, toff);
			if (!t) {
				snprintf(err, errlen, "%s: the type of parameter %s is unknown", fn->name,
					 nm ? nm : "?");
				rc = -1;
			} else if (call->np >= MAX_PARAMS) {
				snprintf(err, errlen, "%s has too many parameters", fn->name);
				rc = -1;
			} else {
				call->p[call->np++] = (struct cparam){
					ar_strdup(&call->ar, nm ? nm : "~r"), t, res != 0 };
			}
			if (origin)
				dwarf_dealloc(s->dbg, origin, DW_DLA_DIE);
		}
		int r = dwarf_siblingof_b(s->dbg, child, 1, &next, &e);
		dwarf_dealloc(s->dbg, child, DW_DLA_DIE);
		child = r == DW_DLV_OK ? next : NULL;
	}
	dwarf_dealloc(s->dbg, die, DW_DLA_DIE);
	return rc;
}

/* ---- register assignment ---- */

struct leaf {
	uint64_t off;
	unsigned size;
	bool fp;
};

/* The scalar leaves of T at offset OFF; false if T must go on the stack. */
static bool leaves(struct gv_session *s, struct gtype *t, uint64_t off, struct leaf *out, int *n)
{
	t = gv_resolve(t);
	if (!t)
		return false;
	if (*n + 3 > MAX_LEAVES)
		return false;
	switch (t->kind) {
	case GT_BOOL:
	case GT_INT:
	case GT_UINT:
		if (t->size > 8)
			return false;
		out[(*n)++] = (struct leaf){ off, (unsigned)t->size, false };
		return true;
	case GT_FLOAT:
		out[(*n)++] = (struct leaf){ off, (unsigned)t->size, true };
		return true;
	case GT_COMPLEX:
		out[(*n)++] = (struct leaf){ off, (unsigned)t->size / 2, true };
		out[(*n)++] = (struct leaf){ off + t->size / 2, (unsigned)t->size / 2, true };
		return true;
	case GT_PTR:
	case GT_UNSAFEPTR:
	case GT_MAP:
	case GT_CHAN:
	case GT_FUNC:
	case GT_STRING:
	case GT_SLICE:
	case GT_IFACE:
		for (uint64_t w = 0; w < t->size / 8; w++)
			out[(*n)++] = (struct leaf){ off + 8 * w, 8, false };
		return true;
	case GT_ARRAY:
		if (t->count == 0)
			return true;
		return t->count == 1 && gt_elem(s, t) && leaves(s, t->elem, off, out, n);
	case GT_STRUCT:
		for (int i = 0; i < t->nfields; i++) {
			struct gtype *ft = gt_field_type(s, &t->fields[i]);
			if (!ft || !leaves(s, ft, off + t->fields[i].off, out, n))
				return false;
		}
		return true;
	default:
		return false;
	}
}

static uint64_t align_of(struct gv_session *s, struct gtype *t)
{
	t = gv_resolve(t);
	if (!t)
		return 1;
	switch (t->kind) {
	case GT_ARRAY:
		return gt_elem(s, t) ? align_of(s, t->elem) : 1;
	case GT_STRUCT: {
		uint64_t a = 1;
		for (int i = 0; i < t->nfields; i++) {
			struct gtype *ft = gt_field_type(s, &t->fields[i]);
			uint64_t fa = ft ? align_of(s, ft) : 1;
			a = fa > a ? fa : a;
		}
		return a;
	}
	case GT_COMPLEX:
		return t->size / 2;
	default:
		return t->size >= 8 ? 8 : t->size ? t->size : 1;
	}
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

/* Where each value goes: registers used so far and the stack offset. */
struct layout {
	int nint, nfloat;
	uint64_t stack;
};

/* Whether a value of type T goes to registers, given those LAY has used:
 * its leaves in LV[0..*N). */
static bool in_registers(struct gv_session *s, struct gtype *t, const struct layout *lay,
			 struct leaf *lv, int *n)
{
	int ni = 0, nf = 0;
	*n = 0;
	if (!leaves(s, t, 0, lv, n))
		return false;
	for (int i = 0; i < *n; i++) {
		if (lv[i].fp)
			nf++;
		else
			ni++;
	}
	return lay->nint + ni <= NINT && lay->nfloat + nf <= NFLOAT;
}

/* Places the value BYTES of type T in REQ (registers, or the stack). */
static int place_arg(struct gv_session *s, struct gtype *t, const uint8_t *bytes,
		     struct layout *lay, struct grr_call_request *req, char *err, size_t errlen)
{
	struct leaf lv[MAX_LEAVES];
	int n = 0;
	if (in_registers(s, t, lay, lv, &n)) {
		for (int i = 0; i < n; i++) {
			uint64_t w = 0;
			memcpy(&w, bytes + lv[i].off, lv[i].size);
			if (lv[i].fp)
				req->floats[lay->nfloat++] = w;
			else
				req->ints[lay->nint++] = w;
		}
		req->nint = lay->nint;
		req->nfloat = lay->nfloat;
		return 0;
	}
	uint64_t at = round_up(lay->stack, align_of(s, t));
	if (at + t->size > sizeof(req->stack)) {
		snprintf(err, errlen, "the arguments need more than %zu bytes of stack",
			 sizeof(req->stack));
		return -1;
	}
	memcpy(req->stack + at, bytes, t->size);
	lay->stack = at + t->size;
	req->stack_len = lay->stack;
	return 0;
}

/* Reads result T back into BYTES from RES (registers) or the copy's
 * stack; 0 or -1. */
static int fetch_result(struct gv_env *e, struct gtype *t, const struct grr_call_result *res,
			struct layout *lay, uint64_t stack_base, uint8_t *bytes)
{
	struct leaf lv[MAX_LEAVES];
	int n = 0;
	memset(bytes, 0, t->size);
	if (in_registers(e->s, t, lay, lv, &n)) {
		for (int i = 0; i < n; i++) {
			uint64_t w = lv[i].fp ? res->floats[lay->nfloat++] : res->ints[lay->nint++];
			memcpy(bytes + lv[i].off, &w, lv[i].size);
		}
		return 0;
	}
	uint64_t at = round_up(lay->stack, align_of(e->s, t));
	lay->stack = at + t->size;
	return gv_read_mem(e, res->stack_at + stack_base + at, bytes, t->size);
}

/* ---- the call expression ---- */

/* Splits TEXT "callee(args)" at its last top-level parenthesis pair. */
static int split_call(struct arena *ar, const char *text, char **callee, char **args)
{
	size_t n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (!n || text[n - 1] != ')')
		return -1;
	int depth = 0;
	bool quoted = false;
	size_t open = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = text[i];
		if (quoted) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				quoted = false;
		} else if (ch == '"') {
			quoted = true;
		} else if (ch == '(' || ch == '[') {
			if (depth++ == 0 && ch == '(')
				open = i;
		} else if (ch == ')' || ch == ']') {
			depth--;
		}
	}
	if (depth != 0 || !open)
		return -1;
	*callee = ar_strndup(ar, text, open);
	*args = ar_strndup(ar, text + open + 1, n - open - 2);
	return 0;
}

/* The next top-level comma-separated argument of *P, or NULL. */
static char *next_arg(struct arena *ar, const char **p)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	int depth = 0;
	bool quoted = false;
	const char *q = s;
	for (; *q; q++) {
		if (quoted) {
			if (*q == '\\' && q[1])
				q++;
			else if (*q == '"')
				quoted = false;
		} else if (*q == '"') {
			quoted = true;
		} else if (*q == '(' || *q == '[' || *q == '{') {
			depth++;
		} else if (*q == ')' || *q == ']' || *q == '}') {
			depth--;
		} else if (*q == ',' && depth == 0) {
			break;
		}
	}
	*p = *q ? q + 1 : q;
	size_t len = (size_t)(q - s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return ar_strndup(ar, s, len);
}

/* "main.Account" -> "main.(*Account).M" (PTR) or "main.Account.M". */
static void method_name(const char *type, const char *m, bool ptr, char *out, size_t len)
{
	const char *slash = strrchr(type, '/');
	const char *dot = strchr(slash ? slash : type, '.');
	if (!dot) {
		snprintf(out, len, "%s.%s", type, m);
		return;
	}
	int pkg = (int)(dot - type);
	if (ptr)
		snprintf(out, len, "%.*s.(*%s).%s", pkg, type, dot + 1, m);
	else
		snprintf(out, len, "%.*s.%s.%s", pkg, type, dot + 1, m);
}

static bool find_func(struct gv_ctx *c, const char *name, struct grr_func_info *f)
{
	char err[256];
	return grr_symbols_func_named(c->syms, name, f, err, sizeof(err)) == 0 &&
	       strcmp(f->name, name) == 0;
}

/* The receiver a method gets: the value itself, the value a pointer
 * points to, or the address of a value in memory. */
struct recv {
	struct gval v;
	bool have;
};

/* Resolves method M of receiver value RV: the function in *F and the
 * receiver to pass in *OUT. */
static int resolve_method(struct gv_ctx *c, struct gv_env *e, struct gval rv, const char *m,
			  struct grr_func_info *f, struct recv *out)
{
	struct gtype *t = rv.t ? gv_resolve(rv.t) : NULL;
	char name[512];
	if (!t || rv.how == GV_UNREADABLE)
		return gv_err(e, "the receiver of %s is unreadable", m);
	if (t->kind == GT_IFACE) {
		struct gtype *ct;
		struct gval data;
		if (gv_iface(e, &rv, &ct, &data) < 0)
			return -1;
		if (!ct)
			return gv_err(e, "nil interface: no method %s to call", m);
		rv = data;
		t = gv_resolve(ct);
	}
	if (t->kind == GT_PTR && gt_elem(e->s, t) && t->elem->name) {
		/* a value method gets a copy of what the pointer points to (not
		 * the pointer, which may point into the stack); else a pointer
		 * method the pointer itself */
		struct gtype *el = t->elem;
		uint64_t p;
		method_name(el->name, m, false, name, sizeof(name));
		if (find_func(c, name, f)) {
			if (gv_uint(e, &rv, &p) < 0)
				return -1;
			if (!p)
				return gv_err(e, "nil pointer dereference calling %s", name);
			out->v = gv_at(el, p);
			return 0;
		}
		method_name(el->name, m, true, name, sizeof(name));
		if (find_func(c, name, f)) {
			out->v = rv;
			return 0;
		}
	} else if (t->name) {
		method_name(t->name, m, false, name, sizeof(name));
		if (find_func(c, name, f)) {
			out->v = rv;
			return 0;
		}
		method_name(t->name, m, true, name, sizeof(name));
		if (find_func(c, name, f)) {
			if (rv.how != GV_MEM)
				return gv_err(e, "%s has a pointer receiver and the value is not in "
					      "memory", name);
			out->v = gv_of_bytes(e, gt_pointer_to(e->s, rv.t), &rv.addr);
			return 0;
		}
	}
	return gv_err(e, "%s has no method %s (or it has no code of its own: inlined or "
		      "unused)", t->name ? t->name : "the value", m);
}

/* ---- converting arguments ---- */

/* The itab at entry I of the N at DATA (an array of *itab) pairing ITYPE
 * with RTYPE: every itab starts with the interface type, then the
 * concrete type. 1 found (in *OUT), 0 not, -1 unreadable. */
static int itab_in(struct gv_env *e, uint64_t data, uint64_t n, uint64_t itype, uint64_t rtype,
		   uint64_t *out)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t itab, pair[2];
		if (gv_read_mem(e, data + 8 * i, &itab, 8) < 0)
			return -1;
		if (!itab)
			continue;
		if (gv_read_mem(e, itab, pair, 16) < 0)
			return -1;
		if (pair[0] == itype && pair[1] == rtype) {
			*out = itab;
			return 1;
		}
	}
	return 0;
}

/* The itab pairing interface type IFACE with the runtime type at RTYPE, or
 * 0. The runtime's own table of them (runtime.itabTable: size, count,
 * then size entries, Go 1.9 to 1.27) holds every itab the linker made,
 * added at start-up, and every one made since; before start-up gets
 * there, the linker's list (runtime.firstmoduledata.itablinks, up to
 * Go 1.26). */
static uint64_t find_itab(struct gv_env *e, struct gtype *iface, uint64_t rtype)
{
	uint64_t itype = gt_runtime_type_addr(e->s, e->rp, iface);
	if (!itype)
		return 0;
	uint64_t itab = 0, table, head[2];
	const struct gi_global *tg = gi_global(e->s, "runtime.itabTable");
	if (tg && gv_read_mem(e, tg->addr, &table, 8) == 0 && table &&
	    gv_read_mem(e, table, head, 16) == 0 && head[0] <= (1u << 24) &&
	    itab_in(e, table + 16, head[0], itype, rtype, &itab) == 1)
		return itab;
	const struct gi_global *md = gi_global(e->s, "runtime.firstmoduledata");
	struct gtype *mt = md ? gt_get(e->s, md->toff) : NULL;
	struct gt_field *f = mt ? gt_field(mt, "itablinks") : NULL;
	uint64_t data;
	int64_t len, cap;
	if (!f || !gt_field_type(e->s, f))
		return 0;
	struct gval links = gv_at(f->t, md->addr + f->off);
	if (gv_slice(e, &links, &data, &len, &cap) < 0 || len < 0 || len > 1000000)
		return 0;
	return itab_in(e, data, (uint64_t)len, itype, rtype, &itab) == 1 ? itab : 0;
}

/* The bytes of V as a value of parameter type PT into BUF; strings and
 * interface data that need memory go to REQ->data. */
static int convert(struct gv_env *e, struct gtype *pt, const struct gval *v, uint8_t *buf,
		   struct grr_call_request *req, const char *what)
{
	struct gtype *p = gv_resolve(pt);
	memset(buf, 0, p->size);
	switch (v->how) {
	case GV_UNREADABLE:
		return gv_err(e, "%s is unreadable: %s", what, v->why ? v->why : "no location");
	case GV_UNTYPED_NIL:
		if (p->kind == GT_PTR || p->kind == GT_UNSAFEPTR || p->kind == GT_MAP ||
		    p->kind == GT_CHAN || p->kind == GT_FUNC || p->kind == GT_SLICE ||
		    p->kind == GT_IFACE)
			return 0;
		return gv_err(e, "%s: cannot use nil as %s", what, gr_type_name(pt));
	case GV_UNTYPED_INT:
	case GV_UNTYPED_BOOL:
		if (v->how == GV_UNTYPED_BOOL ? p->kind == GT_BOOL
					      : (p->kind == GT_INT || p->kind == GT_UINT)) {
			memcpy(buf, &v->i, p->size < 8 ? p->size : 8);
			return 0;
		}
		if (v->how == GV_UNTYPED_INT && p->kind == GT_FLOAT) {
			if (p->size == 4) {
				float f = (float)v->i;
				memcpy(buf, &f, 4);
			} else {
				double d = (double)v->i;
				memcpy(buf, &d, 8);
			}
			return 0;
		}
		return gv_err(e, "%s: a constant cannot be a %s", what, gr_type_name(pt));
	case GV_UNTYPED_FLOAT:
		if (p->kind != GT_FLOAT)
			return gv_err(e, "%s: a float constant cannot be a %s", what,
				      gr_type_name(pt));
		if (p->size == 4) {
			float f = (float)v->f;
			memcpy(buf, &f, 4);
		} else {
			memcpy(buf, &v->f, 8);
		}
		return 0;
	case GV_UNTYPED_STR: {
		if (p->kind != GT_STRING)
			return gv_err(e, "%s: a string cannot be a %s", what, gr_type_name(pt));
		if (req->data_len + v->slen > sizeof(req->data))
			return gv_err(e, "%s: the string is too long to pass", what);
		uint64_t hdr[2] = { GRR_CALL_DATA_ADDR + req->data_len, v->slen };
		memcpy(req->data + req->data_len, v->s, v->slen);
		req->data_len += v->slen;
		memcpy(buf, hdr, 16);
		return 0;
	}
	default:
		break;
	}
	struct gtype *vt = gv_resolve(v->t);
	if (!vt)
		return gv_err(e, "%s has no type", what);
	if (p->kind == GT_IFACE && vt->kind != GT_IFACE) {
		/* a concrete value for an interface parameter: (type or itab,
		 * data) */
		struct gtype *impl = gt_impl(e->s, p);
		bool eface = impl && gt_field(impl, "_type");
		uint64_t words[2] = { gt_runtime_type_addr(e->s, e->rp, vt), 0 };
		if (!words[0])
			return gv_err(e, "%s: no runtime type for %s", what, gr_type_name(v->t));
		if (!eface && !(words[0] = find_itab(e, p, words[0])))
			return gv_err(e, "%s: %s does not implement %s in this program (no itab)",
				      what, gr_type_name(v->t), gr_type_name(pt));
		if (gt_is_pointer_shaped(e->s, vt)) {
			if (gv_read(e, v, 0, &words[1], 8) < 0)
				return -1;
		} else if (v->how == GV_MEM) {
			words[1] = v->addr;
		} else {
			if (req->data_len + vt->size > sizeof(req->data))
				return gv_err(e, "%s is too big to pass", what);
			words[1] = GRR_CALL_DATA_ADDR + req->data_len;
			if (gv_read(e, v, 0, req->data + req->data_len, vt->size) < 0)
				return -1;
			req->data_len += vt->size;
		}
		memcpy(buf, words, 16);
		return 0;
	}
	if (vt->kind != p->kind || vt->size != p->size ||
	    (vt->name && p->name && strcmp(gr_type_name(v->t), gr_type_name(pt)) != 0 &&
	     vt->kind != GT_INT && vt->kind != GT_UINT && vt->kind != GT_FLOAT &&
	     vt->kind != GT_BOOL && vt->kind != GT_STRING))
		return gv_err(e, "%s: cannot use a %s as a %s", what, gr_type_name(v->t),
			      gr_type_name(pt));
	return gv_read(e, v, 0, buf, p->size);
}

/* Delve's escape check: whether the value at BUF of type T holds a
 * pointer into [LO, HI). */
static bool points_into(struct gv_session *s, struct gtype *t, const uint8_t *buf, uint64_t lo,
			uint64_t hi)
{
	struct leaf lv[MAX_LEAVES];
	int n = 0;
	t = gv_resolve(t);
	if (!t || !lo || !hi)
		return false;
	if (!leaves(s, t, 0, lv, &n)) {
		/* on the stack: check every aligned word */
		for (uint64_t o = 0; o + 8 <= t->size; o += 8) {
			uint64_t w;
			memcpy(&w, buf + o, 8);
			if (w >= lo && w < hi)
				return true;
		}
		return false;
	}
	for (int i = 0; i < n; i++) {
		uint64_t w = 0;
		if (lv[i].fp || lv[i].size != 8)
			continue;
		memcpy(&w, buf + lv[i].off, 8);
		if (w >= lo && w < hi)
			return true;
	}
	return false;
}

/* ---- the API ---- */

struct gv_call *gv_call_prepare(struct gv_ctx *c, const char *expr, bool unsafe_ok,
				struct grr_call_request *req, char *err, size_t errlen)
{
	struct gv_call *call = calloc(1, sizeof(*call));
	if (!call) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct gv_env e = { .s = c->s, .rp = c->rp, .ar = &call->ar, .err = err, .errlen = errlen };
	err[0] = '\0';
	char *callee, *args;
	struct grr_func_info f;
	struct recv rcv = { 0 };
	uint64_t closure = 0;
	if (split_call(&call->ar, expr, &callee, &args) < 0) {
		snprintf(err, errlen, "not a function call: %s (FUNC(ARGS) or VALUE.METHOD(ARGS))",
			 expr);
		goto fail;
	}
	char *dot = strrchr(callee, '.');
	struct gval rv, fv;
	char quiet[256];
	struct gv_env probe = e;
	probe.err = quiet;
	probe.errlen = sizeof(quiet);
	if (find_func(c, callee, &f)) {
		/* a function by its full name */
	} else if (!strchr(callee, '.') && !strchr(callee, '(') &&
		   snprintf(call->name, sizeof(call->name), "main.%s", callee) > 0 &&
		   find_func(c, call->name, &f)) {
		/* a function of package main */
	} else if (gv_evaluate(c, &probe, callee, &fv) == 0 && fv.t &&
		   gv_resolve(fv.t)->kind == GT_FUNC) {
		/* a func value: its closure is the context */
		if (gv_uint(&e, &fv, &closure) < 0)
			goto fail;
		uint64_t pc;
		if (!closure) {
			gv_err(&e, "%s is a nil func", callee);
			goto fail;
		}
		if (gv_read_mem(&e, closure, &pc, 8) < 0)
			goto fail;
		if (!grr_symbols_func_at(c->syms, pc, &f) || f.entry != pc) {
			gv_err(&e, "%s does not point to a function's entry", callee);
			goto fail;
		}
	} else if (dot && dot != callee && (*dot = '\0', gv_evaluate(c, &probe, callee, &rv) == 0)) {
		if (resolve_method(c, &e, rv, dot + 1, &f, &rcv) < 0)
			goto fail;
		rcv.have = true;
	} else {
		/* last, a unique suffix of a function's name ("Ledger).post") */
		if (dot)
			*dot = '.';
		if (grr_symbols_func_named(c->syms, callee, &f, err, errlen) < 0) {
			if (!err[0])
				gv_err(&e, "no function named %s", callee);
			goto fail;
		}
	}
	/* every Go function's name is qualified by its package; a bare name
	 * is C's (a cgo program's), which the Go runtime's protocol cannot call */
	if (!strchr(f.name, '.')) {
		gv_err(&e, "%s is a C function: only Go functions can be called", f.name);
		goto fail;
	}
	snprintf(call->name, sizeof(call->name), "%s", f.name);
	const struct gi_func *gf = gi_func_at(c->s, f.entry);
	if (!gf || gf->lo != f.entry) {
		gv_err(&e, "%s has no debugging information: its parameters are unknown", f.name);
		goto fail;
	}
	if (read_signature(c->s, gf, call, err, errlen) < 0)
		goto fail;
	req->fn = f.entry;
	req->closure = closure;
	struct layout lay = { 0 };
	int argi = 0;
	const char *ap = args;
	for (int i = 0; i < call->np; i++) {
		struct cparam *p = &call->p[i];
		if (p->result)
			continue;
		struct gval v;
		char what[96];
		if (argi == 0 && rcv.have) {
			v = rcv.v;
			snprintf(what, sizeof(what), "the receiver");
		} else {
			char *text = next_arg(&call->ar, &ap);
			if (!text) {
				gv_err(&e, "not enough arguments in call to %s", f.name);
				goto fail;
			}
			snprintf(what, sizeof(what), "argument %s", text);
			if (gv_evaluate(c, &e, text, &v) < 0)
				goto fail;
		}
		argi++;
		uint8_t *buf = ar_alloc(&call->ar, gv_resolve(p->t)->size + 8);
		if (convert(&e, p->t, &v, buf, req, what) < 0)
			goto fail;
		if (!unsafe_ok && points_into(c->s, p->t, buf, c->stack_lo, c->stack_hi)) {
			gv_err(&e, "%s points to the goroutine's stack, which the call could keep "
				   "after it moves (call -unsafe to pass it anyway)", what);
			goto fail;
		}
		if (place_arg(c->s, p->t, buf, &lay, req, err, errlen) < 0)
			goto fail;
	}
	if (next_arg(&call->ar, &ap)) {
		gv_err(&e, "too many arguments in call to %s", f.name);
		goto fail;
	}
	call->stack_args = round_up(lay.stack, 8);
	/* the argument frame: stack arguments, stack results, and the spill
	 * area of the register arguments (at most 9*8 + 15*8 bytes) */
	uint64_t results = 0;
	for (int i = 0; i < call->np; i++)
		if (call->p[i].result)
			results += round_up(gv_resolve(call->p[i].t)->size, 8);
	uint64_t frame = call->stack_args + results + 8 * (NINT + NFLOAT);
	req->frame_size = frame > 512 ? round_up(frame, 64) : 512;
	return call;
fail:
	gv_call_free(call);
	return NULL;
}

const char *gv_call_name(const struct gv_call *call)
{
	return call->name;
}

int gv_call_results(struct gv_ctx *c, struct gv_call *call, struct grr_replay *copy,
		    const struct grr_call_result *res, char **out, char *err, size_t errlen)
{
	struct gv_env e = { .s = c->s, .rp = copy, .ar = &call->ar, .err = err, .errlen = errlen };
	struct sbuf b = { 0 };
	struct layout lay = { 0 };
	int nres = 0;
	for (int i = 0; i < call->np; i++) {
		struct cparam *p = &call->p[i];
		if (!p->result)
			continue;
		struct gtype *t = gv_resolve(p->t);
		uint8_t *bytes = ar_alloc(&call->ar, t->size + 8);
		sb_printf(&b, "%s\t%s: ", nres++ ? "\n" : "", p->name);
		if (fetch_result(&e, p->t, res, &lay, call->stack_args, bytes) < 0) {
			sb_printf(&b, "(unreadable %s)", err);
			err[0] = '\0';
			continue;
		}
		struct gval v = gv_of_bytes(&e, p->t, bytes);
		gr_render(&e, c->syms, &v, &gv_load_full, false, &b);
	}
	if (!b.s && !(b.s = strdup(""))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = b.s;
	return nres;
}

int gv_call_panic(struct gv_ctx *c, struct grr_replay *copy, const uint64_t panic[2], char **out,
		  char *err, size_t errlen)
{
	struct arena ar = { 0 };
	struct gv_env e = { .s = c->s, .rp = copy, .ar = &ar, .err = err, .errlen = errlen };
	struct gtype *any = gt_named(c->s, "interface {}");
	struct sbuf b = { 0 };
	struct gtype *ct = NULL;
	struct gval data;
	struct gval v = any ? gv_of_bytes(&e, any, panic) : (struct gval){ 0 };
	if (any && gv_iface(&e, &v, &ct, &data) == 0 && ct)
		gr_render(&e, c->syms, &data, &gv_load_full, false, &b);  /* the value itself */
	else
		sb_printf(&b, "interface {}(type 0x%llx, data 0x%llx)", (unsigned long long)panic[0],
			  (unsigned long long)panic[1]);
	ar_free(&ar);
	*out = b.s ? b.s : strdup("");
	return *out ? 0 : -1;
}

void gv_call_free(struct gv_call *call)
{
	if (!call)
		return;
	ar_free(&call->ar);
	free(call);
}
