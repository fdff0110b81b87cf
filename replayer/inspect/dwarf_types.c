/* dwarf_types.c - Go types from their DWARF DIEs, read when first needed
 * and kept for the session (val_private.h).
 *
 * What Go's compiler and linker write (checked with Go 1.19 and 1.26):
 * named types carry their name on the DIE of their underlying encoding
 * (main.Celsius is a DW_TAG_base_type "main.Celsius"); each is also
 * repeated by a DW_TAG_typedef of the same name, which is transparent
 * here.  Strings and slices are structures with DW_AT_go_kind 24 and 23
 * (slices: DW_AT_go_elem).  Maps, channels and interfaces are typedefs
 * with DW_AT_go_kind 21, 18 and 20 of the runtime structure behind them
 * (*hash<K,V> or *map<K,V>, *hchan<T>, runtime.iface or runtime.eface),
 * maps with DW_AT_go_key and DW_AT_go_elem.  DW_AT_go_runtime_type is the
 * offset of the type's runtime descriptor from moduledata.types. */
#include "replayer/inspect/val_private.h"

#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct gtype **cache_slot(struct gv_session *s, Dwarf_Off off)
{
	if (s->ncache * 2 >= s->capcache) {
		size_t cap = s->capcache ? s->capcache * 2 : 1024;
		struct gt_cache_slot *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < s->capcache; i++) {
			if (!s->cache[i].off)
				continue;
			size_t h = (s->cache[i].off * 0x9e3779b97f4a7c15ull) >> 20;
			for (h &= cap - 1; n[h].off; h = (h + 1) & (cap - 1))
				;
			n[h] = s->cache[i];
		}
		free(s->cache);
		s->cache = n;
		s->capcache = cap;
	}
	size_t h = ((off * 0x9e3779b97f4a7c15ull) >> 20) & (s->capcache - 1);
	while (s->cache[h].off && s->cache[h].off != off)
		h = (h + 1) & (s->capcache - 1);
	if (!s->cache[h].off) {
		s->cache[h].off = off;
		s->ncache++;
	}
	return &s->cache[h].t;
}

static void read_members(struct gv_session *s, Dwarf_Die die, struct gtype *t)
{
	Dwarf_Debug dbg = s->dbg;
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	int n = 0, cap = 0;
	struct gt_field *fs = NULL;
	if (dwarf_child(die, &child, &e) != DW_DLV_OK)
		return;
	for (;;) {
		if (dw_tag(child) == DW_TAG_member) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				struct gt_field *nf = ar_alloc(&s->ar, (size_t)cap * sizeof(*nf));
				if (n)
					memcpy(nf, fs, (size_t)n * sizeof(*nf));
				fs = nf;
			}
			struct gt_field *f = &fs[n++];
			const char *name = dw_name(child);
			f->name = ar_strdup(&s->ar, name ? name : "?");
			Dwarf_Unsigned off = 0, emb = 0;
			dw_udata(dbg, child, DW_AT_data_member_location, &off);
			f->off = off;
			dw_ref(dbg, child, DW_AT_type, &f->toff);
			f->embedded = dw_udata(dbg, child, DW_AT_GO_EMBEDDED, &emb) && emb;
		}
		int r = dwarf_siblingof_b(dbg, child, 1, &next, &e);
		dwarf_dealloc(dbg, child, DW_DLA_DIE);
		if (r != DW_DLV_OK)
			break;
		child = next;
	}
	t->fields = fs;
	t->nfields = n;
}

static int64_t array_count(struct gv_session *s, Dwarf_Die die)
{
	Dwarf_Debug dbg = s->dbg;
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	int64_t count = -1;
	if (dwarf_child(die, &child, &e) != DW_DLV_OK)
		return -1;
	for (;;) {
		Dwarf_Unsigned v;
		if (dw_tag(child) == DW_TAG_subrange_type && count < 0) {
			if (dw_udata(dbg, child, DW_AT_count, &v))
				count = (int64_t)v;
			else if (dw_udata(dbg, child, DW_AT_upper_bound, &v))
				count = (int64_t)v + 1;
		}
		int r = dwarf_siblingof_b(dbg, child, 1, &next, &e);
		dwarf_dealloc(dbg, child, DW_DLA_DIE);
		if (r != DW_DLV_OK)
			break;
		child = next;
	}
	return count;
}

/* Reads the DIE at OFF into T (already in the cache, so that cycles end);
 * returns the type to use (another one for transparent typedefs). */
static struct gtype *read_type(struct gv_session *s, Dwarf_Die die, struct gtype *t)
{
	Dwarf_Debug dbg = s->dbg;
	Dwarf_Half tag = dw_tag(die);
	const char *name = dw_name(die);
	Dwarf_Unsigned u = 0;
	t->name = name ? ar_strdup(&s->ar, name) : NULL;
	if (dw_udata(dbg, die, DW_AT_byte_size, &u))
		t->size = u;
	if (dw_udata(dbg, die, DW_AT_GO_KIND, &u))
		t->go_kind = (int)u;
	if (dw_udata(dbg, die, DW_AT_GO_RUNTIME_TYPE, &u))
		t->rtype = u;
	Dwarf_Off target = 0;
	bool has_target = dw_ref(dbg, die, DW_AT_type, &target);
	switch (tag) {
	case DW_TAG_base_type: {
		Dwarf_Unsigned enc = 0;
		dw_udata(dbg, die, DW_AT_encoding, &enc);
		switch (enc) {
		case DW_ATE_boolean:
			t->kind = GT_BOOL;
			break;
		case DW_ATE_float:
			t->kind = GT_FLOAT;
			break;
		case DW_ATE_complex_float:
			t->kind = GT_COMPLEX;
			break;
		case DW_ATE_signed:
		case DW_ATE_signed_char:
			t->kind = GT_INT;
			break;
		default:
			t->kind = GT_UINT;
			break;
		}
		if (t->go_kind == GK_BOOL)
			t->kind = GT_BOOL;
		return t;
	}
	case DW_TAG_pointer_type:
		t->size = 8;
		if (!has_target || t->go_kind == GK_UNSAFEPTR ||
		    (t->name && strcmp(t->name, "unsafe.Pointer") == 0)) {
			t->kind = GT_UNSAFEPTR;
			if (!t->name)
				t->name = "unsafe.Pointer";
			return t;
		}
		t->kind = GT_PTR;
		t->elem_off = target;
		return t;
	case DW_TAG_structure_type:
		read_members(s, die, t);
		if (t->go_kind == GK_STRING) {
			t->kind = GT_STRING;
		} else if (t->go_kind == GK_SLICE) {
			t->kind = GT_SLICE;
			Dwarf_Off el;
			if (dw_ref(dbg, die, DW_AT_GO_ELEM, &el))
				t->elem_off = el;
		} else {
			t->kind = GT_STRUCT;
		}
		return t;
	case DW_TAG_array_type:
		t->kind = GT_ARRAY;
		t->elem_off = target;
		t->count = array_count(s, die);
		if (t->count < 0)
			t->count = 0;
		return t;
	case DW_TAG_subroutine_type:
		t->kind = GT_FUNC;
		t->size = 8;
		return t;
	case DW_TAG_typedef:
		if (t->go_kind == GK_MAP || t->go_kind == GK_CHAN) {
			t->kind = t->go_kind == GK_MAP ? GT_MAP : GT_CHAN;
			t->size = 8;
			Dwarf_Off o;
			if (dw_ref(dbg, die, DW_AT_GO_ELEM, &o))
				t->elem_off = o;
			if (dw_ref(dbg, die, DW_AT_GO_KEY, &o))
				t->key_off = o;
			t->impl_off = target;
			return t;
		}
		if (t->go_kind == GK_INTERFACE) {
			t->kind = GT_IFACE;
			t->size = 16;
			t->impl_off = target;
			return t;
		}
		if (has_target) {
			struct gtype *r = gt_get(s, target);
			if (!r)
				return NULL;
			if (!t->name || !r->name || strcmp(t->name, r->name) == 0)
				return r;
			/* a typedef with a name of its own: the target, renamed */
			const char *keep = t->name;
			Dwarf_Off off = t->off;
			*t = *r;
			t->name = keep;
			t->off = off;
			return t;
		}
		t->kind = GT_VOID;
		return t;
	case DW_TAG_unspecified_type:
		t->kind = GT_VOID;
		return t;
	default:
		t->kind = GT_INVALID;
		return t;
	}
}

struct gtype *gt_get(struct gv_session *s, Dwarf_Off off)
{
	if (!off)
		return NULL;
	struct gtype **slot = cache_slot(s, off);
	if (!slot)
		return NULL;
	if (*slot)
		return *slot;
	Dwarf_Die die;
	Dwarf_Error e = NULL;
	if (dwarf_offdie_b(s->dbg, off, 1, &die, &e) != DW_DLV_OK) {
		if (e)
			dwarf_dealloc(s->dbg, e, DW_DLA_ERROR);
		return NULL;
	}
	struct gtype *t = ar_alloc(&s->ar, sizeof(*t));
	t->off = off;
	*slot = t;
	struct gtype *r = read_type(s, die, t);
	dwarf_dealloc(s->dbg, die, DW_DLA_DIE);
	/* the cache may have grown while reading: find the slot again */
	slot = cache_slot(s, off);
	if (slot)
		*slot = r;
	if (r && !r->name) {
		struct gtype *el = r->kind == GT_PTR ? gt_elem(s, r) : NULL;
		r->name = el && el->name ? ar_printf(&s->ar, "*%s", el->name) : "?";
	}
	return r;
}

struct gtype *gt_elem(struct gv_session *s, struct gtype *t)
{
	if (!t->elem && t->elem_off)
		t->elem = gt_get(s, t->elem_off);
	if (!t->elem && t->kind == GT_SLICE) {
		/* no DW_AT_go_elem: the element type from the array member */
		struct gt_field *f = gt_field(t, "array");
		struct gtype *p = f ? gt_field_type(s, f) : NULL;
		if (p && p->kind == GT_PTR)
			t->elem = gt_elem(s, p);
	}
	return t->elem;
}

struct gtype *gt_key(struct gv_session *s, struct gtype *t)
{
	if (!t->key && t->key_off)
		t->key = gt_get(s, t->key_off);
	return t->key;
}

struct gtype *gt_impl(struct gv_session *s, struct gtype *t)
{
	if (!t->impl && t->impl_off)
		t->impl = gt_get(s, t->impl_off);
	return t->impl;
}

struct gtype *gt_field_type(struct gv_session *s, struct gt_field *f)
{
	if (!f->t && f->toff)
		f->t = gt_get(s, f->toff);
	return f->t;
}

struct gt_field *gt_field(struct gtype *t, const char *name)
{
	for (int i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

struct gtype *gt_named(struct gv_session *s, const char *name)
{
	Dwarf_Off off = gi_type_named(s, name);
	return off ? gt_get(s, off) : NULL;
}

struct gtype *gt_pointer_to(struct gv_session *s, struct gtype *t)
{
	char name[512];
	snprintf(name, sizeof(name), "*%s", t->name ? t->name : "?");
	struct gtype *p = gt_named(s, name);
	if (p && p->kind == GT_PTR && gt_elem(s, p) == t)
		return p;
	for (p = s->made; p; p = p->impl)
		if (p->kind == GT_PTR && p->elem == t)
			return p;
	p = ar_alloc(&s->ar, sizeof(*p));
	p->kind = GT_PTR;
	p->name = ar_strdup(&s->ar, name);
	p->size = 8;
	p->elem = t;
	p->impl = s->made;
	s->made = p;
	return p;
}

struct gtype *gt_array_of(struct gv_session *s, struct gtype *t, int64_t n)
{
	struct gtype *a = ar_alloc(&s->ar, sizeof(*a));
	a->kind = GT_ARRAY;
	a->name = ar_printf(&s->ar, "[%lld]%s", (long long)n, t->name ? t->name : "?");
	a->count = n;
	a->elem = t;
	a->size = (uint64_t)n * t->size;
	return a;
}

/* runtime.firstmoduledata.types: where DW_AT_go_runtime_type counts from. */
static uint64_t types_base(struct gv_session *s, struct grr_replay *rp)
{
	if (s->types_base)
		return s->types_base;
	const struct gi_global *g = gi_global(s, "runtime.firstmoduledata");
	struct gtype *md = g ? gt_get(s, g->toff) : NULL;
	struct gt_field *f = md ? gt_field(md, "types") : NULL;
	uint64_t v = 0;
	if (f && grr_replay_read(rp, g->addr + f->off, &v, 8) == 0)
		s->types_base = v;
	return s->types_base;
}

/* The offset of member NAME (or ALT) of the runtime type descriptor,
 * internal/abi.Type (Go >= 1.21) or runtime._type (before). */
static bool rtype_member(struct gv_session *s, const char *name, const char *alt, uint64_t *off)
{
	struct gtype *t = gt_named(s, "internal/abi.Type");
	if (!t)
		t = gt_named(s, "runtime._type");
	struct gt_field *f = t ? gt_field(t, name) : NULL;
	if (!f && t)
		f = gt_field(t, alt);
	if (f)
		*off = f->off;
	return f != NULL;
}

/* The name of the runtime type at ADDR ("main.Square", "[]int"): its Str
 * is a nameOff from the module's types; a name is a flags byte, a varint
 * length and the bytes, with a '*' too many when tflagExtraStar (2). */
static bool runtime_type_name(struct gv_session *s, struct grr_replay *rp, uint64_t addr,
			      char *buf, size_t len)
{
	uint64_t str_off, tflag_off, base = types_base(s, rp);
	int32_t str;
	uint8_t tflag, hdr[11];
	if (!base || !rtype_member(s, "Str", "str", &str_off) ||
	    !rtype_member(s, "TFlag", "tflag", &tflag_off) ||
	    grr_replay_read(rp, addr + str_off, &str, 4) < 0 ||
	    grr_replay_read(rp, addr + tflag_off, &tflag, 1) < 0 ||
	    grr_replay_read(rp, base + (uint64_t)(int64_t)str, hdr, sizeof(hdr)) < 0)
		return false;
	uint64_t n = 0;
	int i = 1, shift = 0;
	for (; i < (int)sizeof(hdr); i++, shift += 7) {
		n |= (uint64_t)(hdr[i] & 0x7f) << shift;
		if (!(hdr[i] & 0x80))
			break;
	}
	uint64_t skip = (tflag & 2) ? 1 : 0;
	if (i >= (int)sizeof(hdr) || n <= skip || n - skip >= len)
		return false;
	uint64_t at = base + (uint64_t)(int64_t)str + (uint64_t)i + 1 + skip;
	if (grr_replay_read(rp, at, buf, n - skip) < 0)
		return false;
	buf[n - skip] = 0;
	return true;
}

struct gtype *gt_from_runtime(struct gv_session *s, struct grr_replay *rp, uint64_t addr)
{
	uint64_t base = types_base(s, rp);
	if (!base || addr < base)
		return NULL;
	Dwarf_Off off = gi_rtype(s, addr - base);
	if (off)
		return gt_get(s, off);
	/* no DIE says it is this runtime type: look the type up by its name */
	char name[512];
	return runtime_type_name(s, rp, addr, name, sizeof(name)) ? gt_named(s, name) : NULL;
}

uint64_t gt_runtime_type_addr(struct gv_session *s, struct grr_replay *rp, struct gtype *t)
{
	uint64_t base = types_base(s, rp);
	return base && t->rtype ? base + t->rtype : 0;
}

bool gt_is_pointer_shaped(struct gv_session *s, struct gtype *t)
{
	switch (t->kind) {
	case GT_PTR:
	case GT_UNSAFEPTR:
	case GT_MAP:
	case GT_CHAN:
	case GT_FUNC:
		return true;
	case GT_STRUCT:
		return t->nfields == 1 && gt_field_type(s, &t->fields[0]) &&
		       gt_is_pointer_shaped(s, t->fields[0].t);
	case GT_ARRAY:
		return t->count == 1 && gt_elem(s, t) && gt_is_pointer_shaped(s, t->elem);
	default:
		return false;
	}
}
