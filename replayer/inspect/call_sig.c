/* call_sig.c - a function's signature from DWARF (call_sig.h). */
#include "replayer/inspect/call_sig.h"
#include "replayer/symbols/dwarf_access.h"

#include <dwarf.h>

#include <stdio.h>
#include <string.h>

#define DW_AT_GO_KIND 0x2900
/* reflect.Kind values Go stores in DW_AT_go_kind */
enum { K_BOOL = 1, K_INT = 2, K_INT64 = 6, K_UINT = 7, K_UINTPTR = 12, K_FLOAT32 = 13,
       K_FLOAT64 = 14, K_PTR = 22, K_STRING = 24, K_UNSAFEPTR = 26 };

static bool attr_udata(Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, at, &a, &e) != DW_DLV_OK)
		return false;
	Dwarf_Signed s;
	bool ok = dwarf_formudata(a, v, &e) == DW_DLV_OK;
	if (!ok && dwarf_formsdata(a, &s, &e) == DW_DLV_OK) {
		*v = (Dwarf_Unsigned)s;
		ok = true;
	}
	if (!ok) {
		Dwarf_Bool b;
		if (dwarf_formflag(a, &b, &e) == DW_DLV_OK) {
			*v = b;
			ok = true;
		}
	}
	return ok;
}

static Dwarf_Die type_of(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Attribute a;
	Dwarf_Off off;
	Dwarf_Error e = NULL;
	Dwarf_Die t = NULL;
	if (dwarf_attr(die, DW_AT_type, &a, &e) == DW_DLV_OK &&
	    dwarf_global_formref(a, &off, &e) == DW_DLV_OK)
		dwarf_offdie_b(dbg, off, 1, &t, &e);
	return t;
}

static enum grr_vkind kind_of(Dwarf_Debug dbg, Dwarf_Die t, int *size)
{
	Dwarf_Unsigned k = 0, sz = 0;
	Dwarf_Half tag = 0;
	Dwarf_Error e = NULL;
	if (attr_udata(t, DW_AT_byte_size, &sz))
		*size = (int)sz;
	dwarf_tag(t, &tag, &e);
	if (tag == DW_TAG_typedef) {
		Dwarf_Die u = type_of(dbg, t);
		enum grr_vkind r = u ? kind_of(dbg, u, size) : GRR_VK_OTHER;
		if (u)
			dwarf_dealloc(dbg, u, DW_DLA_DIE);
		return r;
	}
	if (attr_udata(t, DW_AT_GO_KIND, &k)) {
		if (k == K_BOOL)
			return GRR_VK_BOOL;
		if (k >= K_INT && k <= K_INT64)
			return GRR_VK_INT;
		if (k >= K_UINT && k <= K_UINTPTR)
			return GRR_VK_UINT;
		if (k == K_FLOAT32 || k == K_FLOAT64)
			return GRR_VK_FLOAT;
		if (k == K_STRING)
			return GRR_VK_STRING;
		if (k == K_PTR || k == K_UNSAFEPTR)
			return GRR_VK_POINTER;
		return GRR_VK_OTHER;
	}
	if (tag == DW_TAG_pointer_type)
		return GRR_VK_POINTER;
	return GRR_VK_OTHER;
}

static void copy_name(Dwarf_Die die, char *buf, size_t len)
{
	char *name = NULL;
	Dwarf_Error e = NULL;
	buf[0] = 0;
	if (dwarf_diename(die, &name, &e) == DW_DLV_OK)
		snprintf(buf, len, "%s", name);
}

/* What a CU child must be: a subprogram starting at ENTRY, or a variable
 * named NAME. */
struct want {
	uint64_t entry;
	const char *name;
};

static bool wanted(Dwarf_Die die, const struct want *w)
{
	Dwarf_Half tag = 0;
	Dwarf_Error e = NULL;
	Dwarf_Addr lo;
	char *name = NULL;
	if (dwarf_tag(die, &tag, &e) != DW_DLV_OK)
		return false;
	if (!w->name)
		return tag == DW_TAG_subprogram && dwarf_lowpc(die, &lo, &e) == DW_DLV_OK &&
		       lo == w->entry;
	return tag == DW_TAG_variable && dwarf_diename(die, &name, &e) == DW_DLV_OK &&
	       strcmp(name, w->name) == 0;
}

/* The CU child W describes. */
static int find_in_cu(Dwarf_Debug dbg, Dwarf_Die cu, const struct want *w, Dwarf_Die *found)
{
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	if (dwarf_child(cu, &child, &e) != DW_DLV_OK)
		return 0;
	for (;;) {
		if (wanted(child, w)) {
			*found = child;
			return 1;
		}
		int r = dwarf_siblingof_b(dbg, child, 1, &next, &e);
		dwarf_dealloc(dbg, child, DW_DLA_DIE);
		if (r != DW_DLV_OK)
			return 0;
		child = next;
	}
}

static int read_params(Dwarf_Debug dbg, Dwarf_Die fn, struct grr_param *out, int max)
{
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	int n = 0;
	if (dwarf_child(fn, &child, &e) != DW_DLV_OK)
		return 0;
	for (;;) {
		Dwarf_Half tag = 0;
		if (dwarf_tag(child, &tag, &e) == DW_DLV_OK && tag == DW_TAG_formal_parameter && n < max) {
			struct grr_param *p = &out[n++];
			memset(p, 0, sizeof(*p));
			copy_name(child, p->name, sizeof(p->name));
			Dwarf_Unsigned flag = 0;
			p->result = attr_udata(child, DW_AT_variable_parameter, &flag) && flag;
			Dwarf_Die t = type_of(dbg, child);
			p->kind = GRR_VK_OTHER;
			if (t) {
				copy_name(t, p->type, sizeof(p->type));
				p->kind = kind_of(dbg, t, &p->size);
				dwarf_dealloc(dbg, t, DW_DLA_DIE);
			}
		}
		int r = dwarf_siblingof_b(dbg, child, 1, &next, &e);
		dwarf_dealloc(dbg, child, DW_DLA_DIE);
		if (r != DW_DLV_OK)
			return n;
		child = next;
	}
}

/* The DIE W describes, anywhere in EXE's DWARF: calls USE(die) and
 * returns its result, or -1 with ERR when there is none. */
static int with_die(const char *exe, const struct want *w,
		    int (*use)(Dwarf_Debug dbg, Dwarf_Die die, void *ctx), void *ctx,
		    char *err, size_t errlen)
{
	struct grr_dwarf *d = grr_dwarf_open(exe, err, errlen);
	if (!d)
		return -1;
	Dwarf_Debug dbg = grr_dwarf_debug(d);
	Dwarf_Error e = NULL;
	Dwarf_Unsigned next_cu, hdr_len, tyoff;
	Dwarf_Half ver, len_sz, ext_sz, hdr_type, addr_sz;
	Dwarf_Off abbrev;
	Dwarf_Sig8 sig;
	int n = -2;
	while (dwarf_next_cu_header_d(dbg, 1, &hdr_len, &ver, &abbrev, &addr_sz, &len_sz, &ext_sz,
				      &sig, &tyoff, &next_cu, &hdr_type, &e) == DW_DLV_OK) {
		Dwarf_Die cu = NULL, found = NULL;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK)
			continue;
		if (n == -2 && find_in_cu(dbg, cu, w, &found)) {
			n = use(dbg, found, ctx);
			dwarf_dealloc(dbg, found, DW_DLA_DIE);
		}
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	grr_dwarf_close(d);
	if (n == -2) {
		if (w->name)
			snprintf(err, errlen, "no package variable named %s", w->name);
		else
			snprintf(err, errlen, "no DWARF description of the function at 0x%llx",
				 (unsigned long long)w->entry);
		return -1;
	}
	return n;
}

struct params_ctx {
	struct grr_param *out;
	int max;
};

static int use_params(Dwarf_Debug dbg, Dwarf_Die fn, void *ctx)
{
	struct params_ctx *p = ctx;
	return read_params(dbg, fn, p->out, p->max);
}

int grr_call_signature(const char *exe, uint64_t entry, struct grr_param *out, int max,
		       char *err, size_t errlen)
{
	struct want w = { .entry = entry };
	struct params_ctx p = { out, max };
	return with_die(exe, &w, use_params, &p, err, errlen);
}

static int use_variable(Dwarf_Debug dbg, Dwarf_Die var, void *ctx)
{
	struct grr_param *p = ctx;
	Dwarf_Die t = type_of(dbg, var);
	if (!t)
		return 0;
	copy_name(t, p->type, sizeof(p->type));
	p->kind = kind_of(dbg, t, &p->size);
	dwarf_dealloc(dbg, t, DW_DLA_DIE);
	return 1;
}

int grr_global_type(const char *exe, const char *name, struct grr_param *out, char *err,
		    size_t errlen)
{
	struct want w = { .name = name };
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->kind = GRR_VK_OTHER;
	return with_die(exe, &w, use_variable, out, err, errlen) < 0 ? -1 : 0;
}
