/* values.c - the API of the value layer (values.h): a session on the
 * executable's DWARF, and print, whatis, conditions, addresses and the
 * locals/args listing, each parsing an expression, evaluating it in one
 * frame (eval.c) and rendering the result (render.c).  Everything one
 * request allocates lives in an arena freed when it returns. */
#include "replayer/inspect/val_private.h"
#include "replayer/symbols/dwarf_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Delve's LoadConfig for print (LoadFullValue) and for locals, args and
 * display (ShortLoadConfig). */
const struct gv_config gv_load_full = { 64, 64, 1, -1, true, 0 };
const struct gv_config gv_load_short = { 64, 0, 0, 3, false, 0 };

struct gv_session *gv_session_open(const char *exe, char *err, size_t errlen)
{
	struct gv_session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->dw = grr_dwarf_open(exe, err, errlen);
	if (!s->dw) {
		free(s);
		return NULL;
	}
	s->dbg = grr_dwarf_debug(s->dw);
	if (gi_build(s, err, errlen) < 0) {
		gv_session_close(s);
		return NULL;
	}
	return s;
}

void gv_session_close(struct gv_session *s)
{
	if (!s)
		return;
	free(s->funcs);
	free(s->globals);
	free(s->types);
	free(s->rtypes);
	free(s->cache);
	ar_free(&s->ar);
	grr_dwarf_close(s->dw);
	free(s);
}

/* ---- one request ---- */

struct request {
	struct arena ar;
	struct gv_env env;
};

static void request_begin(struct request *r, struct gv_ctx *c, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->env = (struct gv_env){ .s = c->s, .rp = c->rp, .ar = &r->ar, .err = err,
				  .errlen = errlen };
	if (errlen)
		err[0] = '\0';
}

static void request_end(struct request *r)
{
	ar_free(&r->ar);
}

/* Whether NAME is a package variable, for the parser: exactly, or in
 * package main (as Delve resolves unqualified names). */
static bool known_global(void *ctx, const char *name)
{
	return gi_global(ctx, name) != NULL;
}

int gv_evaluate(struct gv_ctx *c, struct gv_env *e, const char *expr, struct gval *v)
{
	struct gexpr *x = ge_parse(e->ar, expr, known_global, c->s, e->err, e->errlen);
	if (!x)
		return -1;
	if (ge_eval(c, e, x, v) < 0) {
		if (!e->err[0])
			snprintf(e->err, e->errlen, "cannot evaluate %s", expr);
		return -1;
	}
	return 0;
}

static int evaluate(struct gv_ctx *c, struct request *r, const char *expr, struct gval *v)
{
	return gv_evaluate(c, &r->env, expr, v);
}

/* Moves the string built in B to *OUT (an empty string if nothing). */
static int hand_over(struct sbuf *b, char **out, char *err, size_t errlen)
{
	if (!b->s) {
		b->s = strdup("");
		if (!b->s) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	*out = b->s;
	return 0;
}

int gv_print(struct gv_ctx *c, const char *expr, const struct gv_config *cfg, bool multiline,
	     char **out, char *err, size_t errlen)
{
	struct request r;
	struct gval v;
	request_begin(&r, c, err, errlen);
	if (evaluate(c, &r, expr, &v) < 0) {
		request_end(&r);
		return -1;
	}
	struct sbuf b = { 0 };
	gr_render(&r.env, c->syms, &v, cfg, multiline, &b);
	request_end(&r);
	return hand_over(&b, out, err, errlen);
}

/* The type of an untyped constant, as Go would default it. */
static const char *untyped_name(const struct gval *v)
{
	switch (v->how) {
	case GV_UNTYPED_INT: return "untyped int";
	case GV_UNTYPED_STR: return "untyped string";
	case GV_UNTYPED_BOOL: return "untyped bool";
	case GV_UNTYPED_NIL: return "untyped nil";
	case GV_UNTYPED_FLOAT: return "untyped float";
	default: return "unknown";
	}
}

int gv_whatis(struct gv_ctx *c, const char *expr, char **out, char *err, size_t errlen)
{
	struct request r;
	struct gval v;
	request_begin(&r, c, err, errlen);
	if (evaluate(c, &r, expr, &v) < 0) {
		request_end(&r);
		return -1;
	}
	struct sbuf b = { 0 };
	if (!v.t) {
		sb_puts(&b, untyped_name(&v));
	} else {
		sb_puts(&b, gr_type_name(v.t));
		struct gtype *rt = gv_resolve(v.t);
		if (rt && rt != v.t && strcmp(gr_type_name(rt), gr_type_name(v.t)) != 0)
			sb_printf(&b, "\nReal type: %s", gr_type_name(rt));
		struct gtype *ct = NULL;
		struct gval data;
		if (rt && rt->kind == GT_IFACE && v.how != GV_UNREADABLE &&
		    gv_iface(&r.env, &v, &ct, &data) == 0 && ct)
			sb_printf(&b, "\nConcrete type: %s", gr_type_name(ct));
	}
	request_end(&r);
	return hand_over(&b, out, err, errlen);
}

int gv_condition(struct gv_ctx *c, const char *expr, char *err, size_t errlen)
{
	struct request r;
	struct gval v;
	request_begin(&r, c, err, errlen);
	int rc = -1;
	if (evaluate(c, &r, expr, &v) < 0)
		goto out;
	struct gtype *t = v.t ? gv_resolve(v.t) : NULL;
	if (v.how == GV_UNREADABLE) {
		snprintf(err, errlen, "condition %s is unreadable: %s", expr,
			 v.why ? v.why : "no location");
	} else if (v.how == GV_UNTYPED_BOOL || (t && t->kind == GT_BOOL)) {
		uint64_t b;
		if (gv_uint(&r.env, &v, &b) == 0)
			rc = (b & 0xff) != 0;
	} else {
		snprintf(err, errlen, "condition expression not boolean: %s", expr);
	}
out:
	request_end(&r);
	return rc;
}

int gv_lvalue(struct gv_ctx *c, const char *expr, uint64_t *addr, uint64_t *size, char *err,
	      size_t errlen)
{
	struct request r;
	struct gval v;
	request_begin(&r, c, err, errlen);
	int rc = -1;
	if (evaluate(c, &r, expr, &v) == 0) {
		if (v.how == GV_MEM && v.t) {
			*addr = v.addr;
			*size = v.t->size;
			rc = 0;
		} else if (v.how == GV_UNREADABLE) {
			snprintf(err, errlen, "%s is unreadable here: %s", expr,
				 v.why ? v.why : "no location");
		} else {
			snprintf(err, errlen, "%s is not in memory (a register or a constant)", expr);
		}
	}
	request_end(&r);
	return rc;
}

/* Whether variable I of VARS is shadowed by a later one of the same name
 * (Delve prints those in parentheses). */
static bool shadowed(const struct gvar_info *vars, int n, int i)
{
	for (int j = i + 1; j < n; j++)
		if (strcmp(vars[j].name, vars[i].name) == 0)
			return true;
	return false;
}

static bool wanted(const struct gvar_info *v, bool args, const char *filter)
{
	return v->is_arg == args && (!filter || strstr(v->name, filter));
}

int gv_frame_list(struct gv_ctx *c, bool args, const char *filter, const struct gv_config *cfg,
		  bool multiline, char **out, char *err, size_t errlen)
{
	struct request r;
	request_begin(&r, c, err, errlen);
	struct gvar_info *vars;
	int n = c->have_frame ? gv_frame_vars(c, &r.ar, &vars, err, errlen) : 0;
	if (n < 0) {
		request_end(&r);
		return -1;
	}
	struct sbuf b = { 0 };
	for (int i = 0; i < n; i++) {
		if (!wanted(&vars[i], args, filter))
			continue;
		bool sh = shadowed(vars, n, i);
		if (b.len)
			sb_putc(&b, '\n');
		sb_printf(&b, sh ? "(%s) = " : "%s = ", vars[i].name);
		struct gval v = gv_var_value(&r.env, &vars[i]);
		r.env.err[0] = '\0';
		gr_render(&r.env, c->syms, &v, cfg, multiline, &b);
	}
	if (!b.len)
		sb_puts(&b, args ? "(no args)" : "(no locals)");
	err[0] = '\0';
	request_end(&r);
	return hand_over(&b, out, err, errlen);
}
