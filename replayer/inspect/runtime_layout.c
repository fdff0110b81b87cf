/* runtime_layout.c - where the Go runtime keeps goroutines, found by name
 * in the executable's DWARF rather than in per-version tables
 * (docs/go-runtime.md, "Goroutines and stacks"):
 *
 *   runtime.g       goid, atomicstatus, waitreason, m, gopc, startpc,
 *                   stack.lo/hi, sched.pc/sp/bp (runtime.gobuf)
 *   runtime.m       procid, g0, gsignal, curg
 *   runtime.allgs   the []*g of every goroutine ever created
 *   runtime.waitReasonStrings   [N]string, indexed by g.waitreason
 *   runtime._G*     the status constants (DW_TAG_constant)
 *
 * Member offsets and global addresses come from the symbol layer; the
 * type of g.atomicstatus (uint32 in Go 1.19, an atomic.Uint32 struct in
 * Go 1.26), the length of waitReasonStrings and the constants come from a
 * walk of the compile units' top-level DIEs here. */
#include "replayer/inspect/stack_private.h"
#include "replayer/symbols/dwarf_access.h"

#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool attr_num(Dwarf_Die die, Dwarf_Half at, int64_t *v)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	if (dwarf_attr(die, at, &a, &e) != DW_DLV_OK)
		return false;
	Dwarf_Unsigned u;
	Dwarf_Signed s;
	if (dwarf_formsdata(a, &s, &e) == DW_DLV_OK) {
		*v = s;
		return true;
	}
	if (dwarf_formudata(a, &u, &e) == DW_DLV_OK) {
		*v = (int64_t)u;
		return true;
	}
	return false;
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

static Dwarf_Half tag_of(Dwarf_Die die)
{
	Dwarf_Half tag = 0;
	Dwarf_Error e = NULL;
	dwarf_tag(die, &tag, &e);
	return tag;
}

static const char *name_of(Dwarf_Die die)
{
	char *name = NULL;
	Dwarf_Error e = NULL;
	return dwarf_diename(die, &name, &e) == DW_DLV_OK ? name : NULL;
}

/* Calls FN on each child of DIE until it returns true. */
static bool each_child(Dwarf_Debug dbg, Dwarf_Die die, bool (*fn)(Dwarf_Debug, Dwarf_Die, void *),
		       void *ctx)
{
	Dwarf_Die child = NULL, next;
	Dwarf_Error e = NULL;
	if (dwarf_child(die, &child, &e) != DW_DLV_OK)
		return false;
	for (;;) {
		bool done = fn(dbg, child, ctx);
		int r = done ? DW_DLV_NO_ENTRY : dwarf_siblingof_b(dbg, child, 1, &next, &e);
		dwarf_dealloc(dbg, child, DW_DLA_DIE);
		if (done)
			return true;
		if (r != DW_DLV_OK)
			return false;
		child = next;
	}
}

/* ---- the status word: a 4-byte integer, or a struct holding one ---- */

struct word {
	int64_t off, size;
	bool found;
};

static bool word_member(Dwarf_Debug dbg, Dwarf_Die m, void *ctx)
{
	struct word *w = ctx;
	int64_t off = 0, size = 0;
	if (tag_of(m) != DW_TAG_member || !attr_num(m, DW_AT_data_member_location, &off))
		return false;
	Dwarf_Die t = type_of(dbg, m);
	bool ok = t && tag_of(t) == DW_TAG_base_type && attr_num(t, DW_AT_byte_size, &size) &&
		  size > 0;
	if (t)
		dwarf_dealloc(dbg, t, DW_DLA_DIE);
	if (ok) {
		w->off = off;
		w->size = size;
		w->found = true;
	}
	return ok;
}

/* Where the integer of type T is: T itself (a base type or a typedef of
 * one), or its one integer member (atomic.Uint32{noCopy; value uint32}). */
static bool integer_in(Dwarf_Debug dbg, Dwarf_Die t, struct word *w)
{
	Dwarf_Half tag = tag_of(t);
	if (tag == DW_TAG_base_type) {
		w->off = 0;
		w->found = attr_num(t, DW_AT_byte_size, &w->size);
		return w->found;
	}
	if (tag == DW_TAG_typedef) {
		Dwarf_Die u = type_of(dbg, t);
		bool ok = u && integer_in(dbg, u, w);
		if (u)
			dwarf_dealloc(dbg, u, DW_DLA_DIE);
		return ok;
	}
	if (tag == DW_TAG_structure_type)
		return each_child(dbg, t, word_member, w);
	return false;
}

/* ---- the walk ---- */

struct walk {
	struct rt_layout *L;
	struct word status;
	bool have_g, have_wrs;
	int nconst;
};

static bool status_member(Dwarf_Debug dbg, Dwarf_Die m, void *ctx)
{
	struct walk *w = ctx;
	const char *name = name_of(m);
	if (tag_of(m) != DW_TAG_member || !name || strcmp(name, "atomicstatus") != 0)
		return false;
	Dwarf_Die t = type_of(dbg, m);
	if (t) {
		integer_in(dbg, t, &w->status);
		dwarf_dealloc(dbg, t, DW_DLA_DIE);
	}
	return true;
}

static bool array_bound(Dwarf_Debug dbg, Dwarf_Die sub, void *ctx)
{
	(void)dbg;
	uint64_t *n = ctx;
	int64_t v;
	if (tag_of(sub) != DW_TAG_subrange_type)
		return false;
	if (attr_num(sub, DW_AT_count, &v) && v >= 0)
		*n = (uint64_t)v;
	else if (attr_num(sub, DW_AT_upper_bound, &v) && v >= 0)
		*n = (uint64_t)v + 1;
	return true;
}

static void status_constant(struct walk *w, const char *suffix, int64_t v)
{
	if (strcmp(suffix, "scan") == 0) {
		w->L->scan_bit = (uint64_t)v;
		return;
	}
	if (strstr(suffix, "unused") || strncmp(suffix, "scan", 4) == 0 || v < 0 ||
	    v >= RT_NSTATUS)
		return;
	static const char *const names[] = { "idle", "runnable", "running", "syscall", "waiting",
					     "dead", "copystack", "preempted", "leaked",
					     "deadextra" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(suffix, names[i]) != 0)
			continue;
		if (w->nconst++ == 0)   /* the first constant found: DWARF has them */
			memset(w->L->status_name, 0, sizeof(w->L->status_name));
		w->L->status_name[v] = names[i];
		if (strcmp(suffix, "dead") == 0)
			w->L->dead = (uint32_t)v;
		if (strcmp(suffix, "deadextra") == 0)
			w->L->deadextra = (uint32_t)v;
	}
}

static bool top_level(Dwarf_Debug dbg, Dwarf_Die die, void *ctx)
{
	struct walk *w = ctx;
	const char *name = name_of(die);
	if (!name || strncmp(name, "runtime.", 8) != 0)
		return false;
	Dwarf_Half tag = tag_of(die);
	if (tag == DW_TAG_constant && strncmp(name, "runtime._G", 10) == 0) {
		int64_t v;
		if (attr_num(die, DW_AT_const_value, &v))
			status_constant(w, name + 10, v);
	} else if (tag == DW_TAG_structure_type && !w->have_g && strcmp(name, "runtime.g") == 0) {
		w->have_g = each_child(dbg, die, status_member, w);
	} else if (tag == DW_TAG_variable && !w->have_wrs &&
		   strcmp(name, "runtime.waitReasonStrings") == 0) {
		Dwarf_Die t = type_of(dbg, die);
		if (t && tag_of(t) == DW_TAG_array_type)
			w->have_wrs = each_child(dbg, t, array_bound, &w->L->wrs_len);
		if (t)
			dwarf_dealloc(dbg, t, DW_DLA_DIE);
	}
	return false;
}

static void walk_dwarf(const char *exe, struct walk *w)
{
	char err[256];
	struct grr_dwarf *d = grr_dwarf_open(exe, err, sizeof(err));
	if (!d)
		return;
	Dwarf_Debug dbg = grr_dwarf_debug(d);
	Dwarf_Error e = NULL;
	Dwarf_Unsigned next_cu, hdr_len, tyoff;
	Dwarf_Half ver, len_sz, ext_sz, hdr_type, addr_sz;
	Dwarf_Off abbrev;
	Dwarf_Sig8 sig;
	while (dwarf_next_cu_header_d(dbg, 1, &hdr_len, &ver, &abbrev, &addr_sz, &len_sz, &ext_sz,
				      &sig, &tyoff, &next_cu, &hdr_type, &e) == DW_DLV_OK) {
		Dwarf_Die cu = NULL;
		if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK)
			continue;
		each_child(dbg, cu, top_level, w);
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
	}
	grr_dwarf_close(d);
}

/* ---- the layout ---- */

static bool member(const struct grr_symbols *s, const char *type, const char *m, uint64_t *off)
{
	return grr_symbols_member_offset(s, type, m, off);
}

static int compute(struct grr_ctl *c, struct rt_layout *L, char *err, size_t errlen)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	uint64_t stack, lo, hi, sched, pc, sp, bp;
	const char *missing = NULL;
	if (!grr_symbols_global_addr(s, "runtime.allgs", &L->allgs))
		missing = "runtime.allgs";
	else if (!member(s, "runtime.g", "goid", &L->g_goid))
		missing = "runtime.g.goid";
	else if (!member(s, "runtime.g", "atomicstatus", &L->g_status))
		missing = "runtime.g.atomicstatus";
	else if (!member(s, "runtime.g", "stack", &stack) || !member(s, "runtime.stack", "lo", &lo) ||
		 !member(s, "runtime.stack", "hi", &hi))
		missing = "runtime.g.stack";
	else if (!member(s, "runtime.g", "sched", &sched) || !member(s, "runtime.gobuf", "pc", &pc) ||
		 !member(s, "runtime.gobuf", "sp", &sp) || !member(s, "runtime.gobuf", "bp", &bp))
		missing = "runtime.g.sched";
	else if (!member(s, "runtime.g", "m", &L->g_m))
		missing = "runtime.g.m";
	if (missing) {
		snprintf(err, errlen, "the program's DWARF does not describe %s (built with -ldflags=-w?)",
			 missing);
		return -1;
	}
	L->g_stack_lo = stack + lo;
	L->g_stack_hi = stack + hi;
	L->g_sched_pc = sched + pc;
	L->g_sched_sp = sched + sp;
	L->g_sched_bp = sched + bp;
	L->have_waitreason = member(s, "runtime.g", "waitreason", &L->g_waitreason);
	L->have_gopc = member(s, "runtime.g", "gopc", &L->g_gopc);
	L->have_startpc = member(s, "runtime.g", "startpc", &L->g_startpc);
	L->have_procid = member(s, "runtime.m", "procid", &L->m_procid);
	L->have_m_gs = member(s, "runtime.m", "g0", &L->m_g0) &&
		       member(s, "runtime.m", "gsignal", &L->m_gsignal) &&
		       member(s, "runtime.m", "curg", &L->m_curg);
	if (!grr_symbols_global_addr(s, "runtime.waitReasonStrings", &L->wrs_addr))
		L->wrs_addr = 0;

	/* the runtime's numbering (runtime2.go), unless DWARF says otherwise */
	static const char *const std[] = { "idle", "runnable", "running", "syscall", "waiting",
					   NULL, "dead", NULL, "copystack", "preempted" };
	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		L->status_name[i] = std[i];
	L->scan_bit = 0x1000;
	L->dead = 6;
	L->deadextra = UINT32_MAX;

	struct walk w = { .L = L };
	walk_dwarf(grr_replay_program(grr_ctl_replay(c)), &w);
	L->status_size = 4;
	if (w.status.found) {
		L->g_status += (uint64_t)w.status.off;
		L->status_size = (int)w.status.size;
	}
	if (L->status_size != 4 && L->status_size != 8) {
		snprintf(err, errlen, "runtime.g.atomicstatus: unexpected size %d", L->status_size);
		return -1;
	}
	if (!w.have_wrs)
		L->wrs_len = 0;
	return 0;
}

/* One cached layout: the session's executable. */
static struct {
	const struct grr_symbols *syms;
	char exe[4096];
	int rc;
	char err[256];
	struct rt_layout L;
} cache;

const struct rt_layout *rt_layout_get(struct grr_ctl *c, char *err, size_t errlen)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	const char *exe = grr_replay_program(grr_ctl_replay(c));
	if (!s || !exe) {
		snprintf(err, errlen, "no program is loaded");
		return NULL;
	}
	if (cache.syms != s || strcmp(cache.exe, exe) != 0) {
		memset(&cache, 0, sizeof(cache));
		cache.syms = s;
		snprintf(cache.exe, sizeof(cache.exe), "%s", exe);
		cache.rc = compute(c, &cache.L, cache.err, sizeof(cache.err));
	}
	if (cache.rc < 0) {
		snprintf(err, errlen, "%s", cache.err);
		return NULL;
	}
	return &cache.L;
}
