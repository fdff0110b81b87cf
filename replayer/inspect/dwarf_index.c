/* dwarf_index.c - one pass over the executable's DWARF when a session
 * opens: functions by address, package variables by name, type DIEs by
 * name and by runtime type (DW_AT_go_runtime_type), and the libdwarf
 * helpers the value layer shares (val_private.h).  Types themselves are
 * read when first used (dwarf_types.c). */
#include "replayer/inspect/val_private.h"
#include "replayer/symbols/dwarf_access.h"

#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- libdwarf helpers -------------------------------------------------- */

/* Frees an error.  libdwarf keeps the errors of a Dwarf_Debug in that
 * handle's allocation tree, so they must be freed with it: freed without
 * it (dwarf_dealloc(NULL, ...)), they stay in the tree and dwarf_finish
 * frees them again.  Without DBG at hand, the error is left to
 * dwarf_finish. */
static void drop_error(Dwarf_Debug dbg, Dwarf_Error *e)
{
	if (*e && dbg)
		dwarf_dealloc(dbg, *e, DW_DLA_ERROR);
	*e = NULL;
}

bool dw_udata(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, at, &a, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return false;
	}
	bool ok = dwarf_formudata(a, v, &e) == DW_DLV_OK;
	drop_error(dbg, &e);
	if (!ok) {
		Dwarf_Signed s;
		if (dwarf_formsdata(a, &s, &e) == DW_DLV_OK) {
			*v = (Dwarf_Unsigned)s;
			ok = true;
		}
		drop_error(dbg, &e);
	}
	if (!ok) {
		Dwarf_Addr ad;
		if (dwarf_formaddr(a, &ad, &e) == DW_DLV_OK) {
			*v = ad;
			ok = true;
		}
		drop_error(dbg, &e);
	}
	if (!ok) {
		Dwarf_Bool b;
		if (dwarf_formflag(a, &b, &e) == DW_DLV_OK) {
			*v = b;
			ok = true;
		}
		drop_error(dbg, &e);
	}
	dwarf_dealloc(dbg, a, DW_DLA_ATTR);
	return ok;
}

bool dw_ref(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, at, &a, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return false;
	}
	bool ok = dwarf_global_formref(a, off, &e) == DW_DLV_OK;
	drop_error(dbg, &e);
	dwarf_dealloc(dbg, a, DW_DLA_ATTR);
	return ok;
}

const char *dw_name(Dwarf_Die die)
{
	char *name = NULL;
	Dwarf_Error e = NULL;
	if (dwarf_diename(die, &name, &e) != DW_DLV_OK) {
		drop_error(NULL, &e);
		return NULL;
	}
	return name;
}

Dwarf_Half dw_tag(Dwarf_Die die)
{
	Dwarf_Half tag = 0;
	Dwarf_Error e = NULL;
	if (dwarf_tag(die, &tag, &e) != DW_DLV_OK)
		drop_error(NULL, &e);
	return tag;
}

/* The base address of DIE's compilation unit (for .debug_ranges). */
static uint64_t cu_base(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Off cuoff;
	Dwarf_Error e = NULL;
	Dwarf_Die cu;
	Dwarf_Addr lo = 0;
	if (dwarf_CU_dieoffset_given_die(die, &cuoff, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return 0;
	}
	if (dwarf_offdie_b(dbg, cuoff, 1, &cu, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return 0;
	}
	if (dwarf_lowpc(cu, &lo, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		lo = 0;
	}
	dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	return lo;
}

static bool rnglists_have(Dwarf_Attribute a, Dwarf_Half form, uint64_t pc)
{
	Dwarf_Unsigned val = 0, count = 0, goff = 0;
	Dwarf_Off off = 0;
	Dwarf_Error e = NULL;
	int rc;
	if (form == DW_FORM_rnglistx) {
		rc = dwarf_formudata(a, &val, &e);
	} else {
		rc = dwarf_global_formref(a, &off, &e);
		val = off;
	}
	if (rc != DW_DLV_OK) {
		drop_error(NULL, &e);
		return false;
	}
	Dwarf_Rnglists_Head head;
	if (dwarf_rnglists_get_rle_head(a, form, val, &head, &count, &goff, &e) != DW_DLV_OK) {
		drop_error(NULL, &e);
		return false;
	}
	bool found = false;
	for (Dwarf_Unsigned i = 0; i < count && !found; i++) {
		unsigned len = 0, code = 0;
		Dwarf_Unsigned raw1, raw2, lo, hi;
		Dwarf_Bool unavailable = 0;
		if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1, &raw2,
						      &unavailable, &lo, &hi, &e) != DW_DLV_OK) {
			drop_error(NULL, &e);
			break;
		}
		if (unavailable)
			continue;
		if ((code == DW_RLE_offset_pair || code == DW_RLE_startx_endx ||
		     code == DW_RLE_startx_length || code == DW_RLE_start_end ||
		     code == DW_RLE_start_length) && pc >= lo && pc < hi)
			found = true;
	}
	dwarf_dealloc_rnglists_head(head);
	return found;
}

static bool ranges_have(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Attribute a, uint64_t pc)
{
	Dwarf_Off off;
	Dwarf_Error e = NULL;
	if (dwarf_global_formref(a, &off, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		Dwarf_Unsigned u;
		if (dwarf_formudata(a, &u, &e) != DW_DLV_OK) {
			drop_error(dbg, &e);
			return false;
		}
		off = u;
	}
	Dwarf_Ranges *rs;
	Dwarf_Signed n;
	Dwarf_Unsigned bytes;
	Dwarf_Off real;
	if (dwarf_get_ranges_b(dbg, off, die, &real, &rs, &n, &bytes, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return false;
	}
	uint64_t base = cu_base(dbg, die);
	bool found = false;
	for (Dwarf_Signed i = 0; i < n && !found; i++) {
		if (rs[i].dwr_type == DW_RANGES_END)
			break;
		if (rs[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = rs[i].dwr_addr2;
		else if (pc >= base + rs[i].dwr_addr1 && pc < base + rs[i].dwr_addr2)
			found = true;
	}
	dwarf_ranges_dealloc(dbg, rs, n);
	return found;
}

bool dw_die_has_pc(struct gv_session *s, Dwarf_Die die, uint64_t pc)
{
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;
	Dwarf_Error e = NULL;
	if (dwarf_lowpc(die, &lo, &e) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &hi, &form, &cls, &e) != DW_DLV_OK) {
			drop_error(s->dbg, &e);
			return false;
		}
		if (cls == DW_FORM_CLASS_CONSTANT)
			hi += lo;
		return pc >= lo && pc < hi;
	}
	drop_error(s->dbg, &e);
	Dwarf_Attribute a;
	if (dwarf_attr(die, DW_AT_ranges, &a, &e) != DW_DLV_OK) {
		drop_error(s->dbg, &e);
		return false;
	}
	bool found = false;
	Dwarf_Half version = 0, offsize = 0;
	if (dwarf_whatform(a, &form, &e) == DW_DLV_OK &&
	    dwarf_get_version_of_die(die, &version, &offsize) == DW_DLV_OK)
		found = version >= 5 ? rnglists_have(a, form, pc) : ranges_have(s->dbg, die, a, pc);
	drop_error(s->dbg, &e);
	dwarf_dealloc(s->dbg, a, DW_DLA_ATTR);
	return found;
}

/* ---- the index --------------------------------------------------------- */

struct growing {
	void *p;
	size_t n, cap;
};

static void *grow(struct growing *g, size_t elsize)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		void *p = realloc(g->p, cap * elsize);
		if (!p)
			return NULL;
		g->p = p;
		g->cap = cap;
	}
	return (char *)g->p + elsize * g->n++;
}

struct build {
	struct gv_session *s;
	struct growing funcs, globals, types, rtypes;
	bool oom;
};

static bool is_type_tag(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_structure_type:
	case DW_TAG_array_type:
	case DW_TAG_typedef:
	case DW_TAG_subroutine_type:
	case DW_TAG_unspecified_type:
	case DW_TAG_union_type:
		return true;
	default:
		return false;
	}
}

/* A package variable's address: its location is DW_OP_addr ADDR. */
static bool global_addr(Dwarf_Debug dbg, Dwarf_Die die, uint64_t *addr)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, DW_AT_location, &a, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		return false;
	}
	/* DW_FORM_exprloc, or DW_FORM_block1 as Go writes it */
	Dwarf_Unsigned len = 0;
	Dwarf_Ptr p = NULL;
	Dwarf_Block *blk = NULL;
	if (dwarf_formexprloc(a, &len, &p, &e) != DW_DLV_OK) {
		drop_error(dbg, &e);
		if (dwarf_formblock(a, &blk, &e) == DW_DLV_OK) {
			len = blk->bl_len;
			p = blk->bl_data;
		}
		drop_error(dbg, &e);
	}
	bool ok = p && len == 9 && ((uint8_t *)p)[0] == DW_OP_addr;
	if (ok)
		memcpy(addr, (uint8_t *)p + 1, 8);
	if (blk)
		dwarf_dealloc(dbg, blk, DW_DLA_BLOCK);
	dwarf_dealloc(dbg, a, DW_DLA_ATTR);
	return ok;
}

static void index_die(struct build *b, Dwarf_Die die)
{
	struct gv_session *s = b->s;
	Dwarf_Half tag = dw_tag(die);
	Dwarf_Off off = 0;
	Dwarf_Error e = NULL;
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK) {
		drop_error(s->dbg, &e);
		return;
	}
	if (tag == DW_TAG_subprogram) {
		Dwarf_Addr lo, hi;
		Dwarf_Half form;
		enum Dwarf_Form_Class cls;
		if (dwarf_lowpc(die, &lo, &e) != DW_DLV_OK) {
			drop_error(s->dbg, &e);
			return;
		}
		if (dwarf_highpc_b(die, &hi, &form, &cls, &e) != DW_DLV_OK) {
			drop_error(s->dbg, &e);
			return;
		}
		if (cls == DW_FORM_CLASS_CONSTANT)
			hi += lo;
		struct gi_func *f = grow(&b->funcs, sizeof(*f));
		if (!f) {
			b->oom = true;
			return;
		}
		const char *name = dw_name(die);
		*f = (struct gi_func){ lo, hi, off, name ? ar_strdup(&s->ar, name) : "?" };
		return;
	}
	if (tag == DW_TAG_variable) {
		const char *name = dw_name(die);
		uint64_t addr;
		Dwarf_Off toff = 0;
		if (!name || !global_addr(s->dbg, die, &addr) || !dw_ref(s->dbg, die, DW_AT_type, &toff))
			return;
		struct gi_global *g = grow(&b->globals, sizeof(*g));
		if (!g) {
			b->oom = true;
			return;
		}
		*g = (struct gi_global){ ar_strdup(&s->ar, name), addr, toff };
		return;
	}
	if (!is_type_tag(tag))
		return;
	const char *name = dw_name(die);
	if (name) {
		struct gi_name *n = grow(&b->types, sizeof(*n));
		if (!n) {
			b->oom = true;
			return;
		}
		*n = (struct gi_name){ ar_strdup(&s->ar, name), off };
	}
	Dwarf_Unsigned rt = 0;
	if (dw_udata(s->dbg, die, DW_AT_GO_RUNTIME_TYPE, &rt) && rt) {
		struct gi_rtype *r = grow(&b->rtypes, sizeof(*r));
		if (!r) {
			b->oom = true;
			return;
		}
		*r = (struct gi_rtype){ rt, off };
	}
}

static int cmp_func(const void *a, const void *b)
{
	const struct gi_func *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_global(const void *a, const void *b)
{
	return strcmp(((const struct gi_global *)a)->name, ((const struct gi_global *)b)->name);
}

static int cmp_name(const void *a, const void *b)
{
	const struct gi_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_rtype(const void *a, const void *b)
{
	const struct gi_rtype *x = a, *y = b;
	return x->rtype < y->rtype ? -1 : x->rtype > y->rtype;
}

int gi_build(struct gv_session *s, char *err, size_t errlen)
{
	struct build b = { .s = s };
	Dwarf_Debug dbg = s->dbg;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned next_cu, hdr_len, tyoff;
	Dwarf_Half ver, len_sz, ext_sz, hdr_type, addr_sz;
	Dwarf_Off abbrev;
	Dwarf_Sig8 sig;
	int rc;
	while ((rc = dwarf_next_cu_header_d(dbg, 1, &hdr_len, &ver, &abbrev, &addr_sz, &len_sz,
					    &ext_sz, &sig, &tyoff, &next_cu, &hdr_type, &e)) ==
	       DW_DLV_OK) {
		Dwarf_Die cu = NULL, child = NULL, next;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK) {
			drop_error(dbg, &e);
			continue;
		}
		if (dwarf_child(cu, &child, &e) == DW_DLV_OK) {
			for (;;) {
				index_die(&b, child);
				int r = dwarf_siblingof_b(dbg, child, 1, &next, &e);
				dwarf_dealloc(dbg, child, DW_DLA_DIE);
				if (r != DW_DLV_OK) {
					drop_error(dbg, &e);
					break;
				}
				child = next;
			}
		} else {
			drop_error(dbg, &e);
		}
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	drop_error(dbg, &e);
	s->funcs = b.funcs.p;
	s->nfuncs = b.funcs.n;
	s->globals = b.globals.p;
	s->nglobals = b.globals.n;
	s->types = b.types.p;
	s->ntypes = b.types.n;
	s->rtypes = b.rtypes.p;
	s->nrtypes = b.rtypes.n;
	if (b.oom || rc == DW_DLV_ERROR) {
		snprintf(err, errlen, b.oom ? "out of memory" : "cannot read the DWARF of the program");
		return -1;
	}
	qsort(s->funcs, s->nfuncs, sizeof(*s->funcs), cmp_func);
	qsort(s->globals, s->nglobals, sizeof(*s->globals), cmp_global);
	qsort(s->types, s->ntypes, sizeof(*s->types), cmp_name);
	qsort(s->rtypes, s->nrtypes, sizeof(*s->rtypes), cmp_rtype);
	return 0;
}

const struct gi_func *gi_func_at(const struct gv_session *s, uint64_t pc)
{
	size_t lo = 0, hi = s->nfuncs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->funcs[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct gi_func *f = &s->funcs[lo - 1];
	return pc < f->hi ? f : NULL;
}

const struct gi_global *gi_global(const struct gv_session *s, const char *name)
{
	size_t lo = 0, hi = s->nglobals;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->globals[mid].name, name);
		if (c == 0)
			return &s->globals[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t gi_globals_suffix(const struct gv_session *s, const char *name, const char **out,
			 size_t max)
{
	size_t n = 0, len = strlen(name);
	for (size_t i = 0; i < s->nglobals; i++) {
		const char *g = s->globals[i].name;
		size_t gl = strlen(g);
		if (gl > len && g[gl - len - 1] == '.' && strcmp(g + gl - len, name) == 0) {
			if (n < max)
				out[n] = g;
			n++;
		}
	}
	return n;
}

Dwarf_Off gi_type_named(const struct gv_session *s, const char *name)
{
	size_t lo = 0, hi = s->ntypes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->types[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ntypes && strcmp(s->types[lo].name, name) == 0 ? s->types[lo].off : 0;
}

Dwarf_Off gi_rtype(const struct gv_session *s, uint64_t rtype)
{
	size_t lo = 0, hi = s->nrtypes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->rtypes[mid].rtype < rtype)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nrtypes && s->rtypes[lo].rtype == rtype ? s->rtypes[lo].off : 0;
}
