/* value_read.c - values of the replayed program: typed bytes in its
 * memory or in registers, and the reads every kind needs (integers,
 * strings, slices, interfaces, funcs) (val_private.h). */
#include "replayer/inspect/val_private.h"

#include <stdio.h>
#include <string.h>

int gv_err(struct gv_env *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct gtype *gv_resolve(struct gtype *t)
{
	return t;
}

int gv_read_mem(struct gv_env *e, uint64_t addr, void *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (grr_replay_read(e->rp, addr, buf, n) < 0)
		return gv_err(e, "could not read %zu bytes at %#llx", n, (unsigned long long)addr);
	return 0;
}

int gv_read(struct gv_env *e, const struct gval *v, uint64_t off, void *buf, size_t n)
{
	switch (v->how) {
	case GV_MEM:
		return gv_read_mem(e, v->addr + off, buf, n);
	case GV_BYTES:
		if (!v->t || off + n > v->t->size)
			return gv_err(e, "read past the end of a value");
		memcpy(buf, v->bytes + off, n);
		return 0;
	case GV_UNREADABLE:
		return gv_err(e, "%s", v->why);
	default:
		return gv_err(e, "not a value in memory");
	}
}

struct gval gv_at(struct gtype *t, uint64_t addr)
{
	return (struct gval){ .t = t, .how = GV_MEM, .addr = addr };
}

struct gval gv_of_bytes(struct gv_env *e, struct gtype *t, const void *bytes)
{
	uint8_t *b = ar_alloc(e->ar, t->size ? t->size : 1);
	memcpy(b, bytes, t->size);
	return (struct gval){ .t = t, .how = GV_BYTES, .bytes = b };
}

int gv_uint(struct gv_env *e, const struct gval *v, uint64_t *out)
{
	if (v->how == GV_UNTYPED_INT || v->how == GV_UNTYPED_BOOL) {
		*out = (uint64_t)v->i;
		return 0;
	}
	if (v->how == GV_UNTYPED_NIL) {
		*out = 0;
		return 0;
	}
	size_t n = v->t && v->t->size <= 8 ? v->t->size : 8;
	uint64_t x = 0;
	if (gv_read(e, v, 0, &x, n) < 0)
		return -1;
	*out = x;
	return 0;
}

int gv_int(struct gv_env *e, const struct gval *v, int64_t *out)
{
	uint64_t x;
	if (gv_uint(e, v, &x) < 0)
		return -1;
	size_t n = v->t && v->t->size <= 8 ? v->t->size : 8;
	if (v->t && v->t->kind == GT_INT && n < 8 && n > 0 && (x >> (8 * n - 1)) & 1)
		x |= ~0ull << (8 * n);
	*out = (int64_t)x;
	return 0;
}

int gv_float(struct gv_env *e, const struct gval *v, double *out)
{
	if (v->t && v->t->size == 4) {
		float f;
		if (gv_read(e, v, 0, &f, 4) < 0)
			return -1;
		*out = f;
		return 0;
	}
	return gv_read(e, v, 0, out, 8);
}

struct gval gv_member(struct gv_env *e, const struct gval *v, struct gt_field *f)
{
	struct gtype *ft = gt_field_type(e->s, f);
	struct gval r = { .t = ft, .how = v->how };
	if (!ft) {
		r.how = GV_UNREADABLE;
		r.why = "unknown field type";
		return r;
	}
	if (v->how == GV_MEM) {
		r.addr = v->addr + f->off;
	} else if (v->how == GV_BYTES) {
		if (f->off + ft->size > v->t->size) {
			r.how = GV_UNREADABLE;
			r.why = "field past the end of its value";
		} else {
			r.bytes = v->bytes + f->off;
		}
	} else {
		r.how = GV_UNREADABLE;
		r.why = v->why ? v->why : "not a struct in memory";
	}
	return r;
}

int gv_field_word(struct gv_env *e, const struct gval *v, const char *field, uint64_t *out)
{
	struct gt_field *f = v->t ? gt_field(v->t, field) : NULL;
	if (!f)
		return gv_err(e, "%s has no field %s", v->t && v->t->name ? v->t->name : "value",
			      field);
	struct gval m = gv_member(e, v, f);
	return gv_uint(e, &m, out);
}

int gv_string(struct gv_env *e, const struct gval *v, uint64_t *data, uint64_t *len)
{
	if (v->how == GV_UNTYPED_STR) {
		*data = 0;
		*len = v->slen;
		return 0;
	}
	uint64_t hdr[2];
	if (gv_read(e, v, 0, hdr, 16) < 0)
		return -1;
	*data = hdr[0];
	*len = hdr[1];
	return 0;
}

int gv_slice(struct gv_env *e, const struct gval *v, uint64_t *data, int64_t *len, int64_t *cap)
{
	uint64_t d, l, c;
	if (gv_field_word(e, v, "array", &d) < 0 || gv_field_word(e, v, "len", &l) < 0 ||
	    gv_field_word(e, v, "cap", &c) < 0)
		return -1;
	*data = d;
	*len = (int64_t)l;
	*cap = (int64_t)c;
	return 0;
}

int gv_iface(struct gv_env *e, const struct gval *v, struct gtype **ct, struct gval *data)
{
	uint64_t words[2];
	if (gv_read(e, v, 0, words, 16) < 0)
		return -1;
	*ct = NULL;
	memset(data, 0, sizeof(*data));
	if (!words[0])
		return 0;
	struct gtype *impl = gt_impl(e->s, v->t);
	bool eface = impl && gt_field(impl, "_type") != NULL;
	uint64_t rt = words[0];
	if (!eface) {
		/* iface: tab *itab; the itab's second word is its _type */
		if (gv_read_mem(e, words[0] + 8, &rt, 8) < 0)
			return -1;
	}
	struct gtype *t = gt_from_runtime(e->s, e->rp, rt);
	if (!t)
		return gv_err(e, "could not resolve interface type");
	/* Go keeps pointer-shaped values in the data word itself
	 * (abi.TFlagDirectIface: size == ptrdata == 8) */
	uint64_t szptr[2];
	bool direct;
	if (gv_read_mem(e, rt, szptr, 16) == 0)
		direct = szptr[0] == 8 && szptr[1] == 8;
	else
		direct = gt_is_pointer_shaped(e->s, t);
	*ct = t;
	if (direct)
		*data = gv_of_bytes(e, t, &words[1]);
	else
		*data = gv_at(t, words[1]);
	return 0;
}

int gv_func_name(struct gv_env *e, const struct gval *v, const struct grr_symbols *syms,
		 const char **name, uint64_t *pc)
{
	uint64_t closure = 0;
	*name = NULL;
	*pc = 0;
	if (gv_uint(e, v, &closure) < 0)
		return -1;
	if (!closure)
		return 0;
	if (gv_read_mem(e, closure, pc, 8) < 0)
		return -1;
	struct grr_func_info f;
	if (!grr_symbols_func_at(syms, *pc, &f))
		return gv_err(e, "could not find function for %#llx", (unsigned long long)*pc);
	*name = f.name;
	return 0;
}

int gv_chan_lencap(struct gv_env *e, const struct gval *v, int64_t *len, int64_t *cap,
		   uint64_t *hchan)
{
	uint64_t p;
	*len = *cap = 0;
	if (gv_uint(e, v, &p) < 0)
		return -1;
	*hchan = p;
	if (!p)
		return 0;
	struct gtype *pt = gt_impl(e->s, v->t);
	struct gtype *h = pt && pt->kind == GT_PTR ? gt_elem(e->s, pt) : NULL;
	struct gt_field *q = h ? gt_field(h, "qcount") : NULL;
	struct gt_field *d = h ? gt_field(h, "dataqsiz") : NULL;
	uint64_t a = 0, b = 0;
	if (!q || !d)
		return gv_err(e, "bad channel type");
	if (gv_read_mem(e, p + q->off, &a, 8) < 0 || gv_read_mem(e, p + d->off, &b, 8) < 0)
		return -1;
	*len = (int64_t)a;
	*cap = (int64_t)b;
	return 0;
}
