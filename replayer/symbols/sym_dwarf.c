/* sym_dwarf.c - one pass over the executable's DWARF with libdwarf.
 *
 * For each compile unit: its line program (every row, with is_stmt,
 * prologue_end and end_sequence), and its top-level DIEs:
 *   DW_TAG_subprogram with code  -> a function (if .symtab lacks it), and
 *      the DW_TAG_inlined_subroutine DIEs nested in it (through lexical
 *      blocks and other inlined subroutines): ranges, abstract origin
 *      name, DW_AT_call_file / DW_AT_call_line, nesting depth;
 *   DW_TAG_variable with DW_AT_location DW_OP_addr -> a global;
 *   DW_TAG_structure_type -> its DW_TAG_member names and offsets.
 * Everything is copied into struct grr_symbols; libdwarf is finished
 * before grr_symbols_open returns.
 *
 * Go 1.19 emits DWARF 4 (file numbers from 1, .debug_ranges), Go >= 1.25
 * DWARF 5 (file numbers from 0, .debug_rnglists, .debug_addr); both are
 * handled through libdwarf's version-neutral calls, with the file base
 * taken from dwarf_srclines_files_indexes. */
#include "replayer/symbols/sym_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <libdwarf.h>

struct range {
	uint64_t lo, hi;
};

struct origin {
	Dwarf_Off off;
	const char *name;
};

struct walk {
	struct grr_symbols *s;
	struct sym_elf *e;
	Dwarf_Debug dbg;
	Dwarf_Error derr;
	char *err;
	size_t errlen;
	bool failed;

	/* the current compile unit */
	Dwarf_Half version;
	const char **files;     /* file names by file number - file_base */
	Dwarf_Signed nfiles, file_base;
	uint64_t cu_base;       /* base address for DWARF 4 range lists */

	uint32_t next_inl_id;
	struct range *ranges;   /* scratch for one DIE's ranges */
	size_t nranges, capranges;

	struct origin *origins; /* abstract origin offset -> name (hash) */
	size_t norigins_slots, norigins;
};

/* Records a libdwarf error (once) and returns -1. */
static int fail(struct walk *w, const char *what)
{
	if (!w->failed) {
		/* a section that did not decompress says more than libdwarf */
		const char *m = sym_elf_error(w->e);
		if (!m)
			m = w->derr ? dwarf_errmsg(w->derr) : "unexpected data";
		snprintf(w->err, w->errlen, "DWARF: %s: %s", what, m);
		w->failed = true;
	}
	if (w->derr) {
		dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
		w->derr = NULL;
	}
	return -1;
}

static int oom(struct walk *w)
{
	if (!w->failed) {
		snprintf(w->err, w->errlen, "out of memory");
		w->failed = true;
	}
	return -1;
}

/* "././x" -> "x" */
static const char *clean_path(const char *p)
{
	while (p[0] == '.' && p[1] == '/' && p[2])
		p += 2;
	return p;
}

/* ---- attributes ---------------------------------------------------------- */

/* Unsigned constant attribute AT of DIE: 1 found, 0 absent, -1 error. */
static int attr_udata(struct walk *w, Dwarf_Die die, Dwarf_Half at, Dwarf_Unsigned *v)
{
	Dwarf_Attribute a;
	int rc = dwarf_attr(die, at, &a, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "attribute");
	rc = dwarf_formudata(a, v, &w->derr);
	if (rc != DW_DLV_OK) {
		/* a negative or odd-form constant: not usable, not fatal */
		if (w->derr) {
			dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
			w->derr = NULL;
		}
		dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
		return 0;
	}
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	return 1;
}

/* Whether DIE has flag attribute AT set: 1 yes, 0 no, -1 error. */
static int attr_flag(struct walk *w, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Bool has = 0, v = 0;
	if (dwarf_hasattr(die, at, &has, &w->derr) != DW_DLV_OK)
		return fail(w, "attribute");
	if (!has)
		return 0;
	Dwarf_Attribute a;
	if (dwarf_attr(die, at, &a, &w->derr) != DW_DLV_OK)
		return fail(w, "attribute");
	int rc = dwarf_formflag(a, &v, &w->derr);
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK) {
		if (w->derr) {
			dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
			w->derr = NULL;
		}
		return 0;
	}
	return v != 0;
}

/* The expression block of attribute A (exprloc or block form): 1 with
 * the bytes in DATA and LEN (valid until A is freed) and BLK to free if
 * not NULL; 0 if A has another form; -1 on error. */
static int attr_block(struct walk *w, Dwarf_Attribute a, const uint8_t **data,
		      Dwarf_Unsigned *len, Dwarf_Block **blk)
{
	Dwarf_Half form;
	*blk = NULL;
	if (dwarf_whatform(a, &form, &w->derr) != DW_DLV_OK)
		return fail(w, "attribute form");
	if (form == DW_FORM_exprloc) {
		Dwarf_Ptr p;
		if (dwarf_formexprloc(a, len, &p, &w->derr) != DW_DLV_OK)
			return fail(w, "expression");
		*data = p;
		return 1;
	}
	if (form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
	    form == DW_FORM_block) {
		if (dwarf_formblock(a, blk, &w->derr) != DW_DLV_OK)
			return fail(w, "block");
		*data = (*blk)->bl_data;
		*len = (*blk)->bl_len;
		return 1;
	}
	return 0;
}

static uint64_t uleb(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
	uint64_t v = 0;
	int shift = 0;
	while (p < end) {
		uint8_t b = *p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	*next = p;
	return v;
}

/* ---- ranges -------------------------------------------------------------- */

static int add_range(struct walk *w, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return 0;
	struct range *r = SYM_PUSH(w->ranges, w->nranges, w->capranges);
	if (!r)
		return oom(w);
	r->lo = lo;
	r->hi = hi;
	w->nranges++;
	return 0;
}

static int rnglists(struct walk *w, Dwarf_Attribute a, Dwarf_Half form)
{
	Dwarf_Unsigned val = 0, count = 0, goff = 0;
	Dwarf_Off off = 0;
	int rc;
	if (form == DW_FORM_rnglistx) {
		rc = dwarf_formudata(a, &val, &w->derr);
	} else {
		rc = dwarf_global_formref(a, &off, &w->derr);
		val = off;
	}
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_ranges");
	Dwarf_Rnglists_Head head;
	rc = dwarf_rnglists_get_rle_head(a, form, val, &head, &count, &goff, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "range list");
	int ret = 0;
	for (Dwarf_Unsigned i = 0; i < count && ret == 0; i++) {
		unsigned len = 0, code = 0;
		Dwarf_Unsigned raw1, raw2, lo, hi;
		Dwarf_Bool unavailable = 0;
		rc = dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1, &raw2,
						       &unavailable, &lo, &hi, &w->derr);
		if (rc != DW_DLV_OK) {
			ret = fail(w, "range list entry");
			break;
		}
		if (unavailable)
			continue;
		switch (code) {
		case DW_RLE_offset_pair:
		case DW_RLE_startx_endx:
		case DW_RLE_startx_length:
		case DW_RLE_start_end:
		case DW_RLE_start_length:
			ret = add_range(w, lo, hi);
			break;
		default:
			break;
		}
	}
	dwarf_dealloc_rnglists_head(head);
	return ret;
}

static int debug_ranges(struct walk *w, Dwarf_Die die, Dwarf_Attribute a)
{
	Dwarf_Off off;
	if (dwarf_global_formref(a, &off, &w->derr) != DW_DLV_OK) {
		if (w->derr) {
			dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
			w->derr = NULL;
		}
		Dwarf_Unsigned u;
		if (dwarf_formudata(a, &u, &w->derr) != DW_DLV_OK)
			return fail(w, "DW_AT_ranges");
		off = u;
	}
	Dwarf_Ranges *rs;
	Dwarf_Signed n;
	Dwarf_Unsigned bytes;
	Dwarf_Off real;
	int rc = dwarf_get_ranges_b(w->dbg, off, die, &real, &rs, &n, &bytes, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "range list");
	uint64_t base = w->cu_base;
	int ret = 0;
	for (Dwarf_Signed i = 0; i < n && ret == 0; i++) {
		if (rs[i].dwr_type == DW_RANGES_END)
			break;
		if (rs[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = rs[i].dwr_addr2;
		else
			ret = add_range(w, base + rs[i].dwr_addr1, base + rs[i].dwr_addr2);
	}
	dwarf_ranges_dealloc(w->dbg, rs, n);
	return ret;
}

/* Collects the address ranges of DIE into w->ranges (low/high pc or
 * DW_AT_ranges); 0 (possibly none), -1 on error. */
static int die_ranges(struct walk *w, Dwarf_Die die)
{
	w->nranges = 0;
	Dwarf_Addr lo, hi;
	Dwarf_Half form;
	enum Dwarf_Form_Class cls;
	int rc = dwarf_lowpc(die, &lo, &w->derr);
	if (rc == DW_DLV_OK) {
		rc = dwarf_highpc_b(die, &hi, &form, &cls, &w->derr);
		if (rc == DW_DLV_NO_ENTRY)
			return 0;
		if (rc != DW_DLV_OK)
			return fail(w, "DW_AT_high_pc");
		if (cls == DW_FORM_CLASS_CONSTANT)
			hi += lo;
		return add_range(w, lo, hi);
	}
	if (rc != DW_DLV_NO_ENTRY)
		return fail(w, "DW_AT_low_pc");
	Dwarf_Attribute a;
	rc = dwarf_attr(die, DW_AT_ranges, &a, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_ranges");
	if (dwarf_whatform(a, &form, &w->derr) != DW_DLV_OK) {
		dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
		return fail(w, "DW_AT_ranges form");
	}
	int ret = w->version >= 5 ? rnglists(w, a, form) : debug_ranges(w, die, a);
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	return ret;
}

/* ---- line program -------------------------------------------------------- */

static int cu_files(struct walk *w, Dwarf_Die cu)
{
	char **names;
	Dwarf_Signed n;
	int rc = dwarf_srcfiles(cu, &names, &n, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "file names");
	int ret = 0;
	w->files = calloc(n ? (size_t)n : 1, sizeof(*w->files));
	if (!w->files)
		ret = oom(w);
	for (Dwarf_Signed i = 0; i < n; i++) {
		if (ret == 0 && !(w->files[i] = sym_intern(&w->s->strs, clean_path(names[i]))))
			ret = oom(w);
		dwarf_dealloc(w->dbg, names[i], DW_DLA_STRING);
	}
	dwarf_dealloc(w->dbg, names, DW_DLA_LIST);
	w->nfiles = ret == 0 ? n : 0;
	return ret;
}

static const char *file_name(struct walk *w, Dwarf_Unsigned fileno)
{
	Dwarf_Signed i = (Dwarf_Signed)fileno - w->file_base;
	/* Go names entry 0 of a DWARF 5 file table "?" and never selects it.
	 * A row that names it kept the line program's initial file register
	 * (file 1: the only file of an assembly unit), which this libdwarf
	 * reports one entry too low. */
	if (i == 0 && w->nfiles > 1 && strcmp(w->files[0], "?") == 0)
		i = 1;
	return i >= 0 && i < w->nfiles ? w->files[i] : NULL;
}

static int line_program(struct walk *w, Dwarf_Die cu)
{
	Dwarf_Unsigned version;
	Dwarf_Small tables;
	Dwarf_Line_Context ctx;
	int rc = dwarf_srclines_b(cu, &version, &tables, &ctx, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "line table");
	Dwarf_Signed base, count, end;
	Dwarf_Line *lines;
	Dwarf_Signed n;
	int ret = 0;
	if (dwarf_srclines_files_indexes(ctx, &base, &count, &end, &w->derr) != DW_DLV_OK ||
	    dwarf_srclines_from_linecontext(ctx, &lines, &n, &w->derr) != DW_DLV_OK) {
		ret = fail(w, "line table");
		goto out;
	}
	w->file_base = base;
	for (Dwarf_Signed i = 0; i < n; i++) {
		Dwarf_Addr pc;
		Dwarf_Unsigned lineno, fileno, isa, disc;
		Dwarf_Bool stmt, endseq, pend, eblock;
		if (dwarf_lineaddr(lines[i], &pc, &w->derr) != DW_DLV_OK ||
		    dwarf_lineno(lines[i], &lineno, &w->derr) != DW_DLV_OK ||
		    dwarf_line_srcfileno(lines[i], &fileno, &w->derr) != DW_DLV_OK ||
		    dwarf_linebeginstatement(lines[i], &stmt, &w->derr) != DW_DLV_OK ||
		    dwarf_lineendsequence(lines[i], &endseq, &w->derr) != DW_DLV_OK ||
		    dwarf_prologue_end_etc(lines[i], &pend, &eblock, &isa, &disc, &w->derr) !=
			    DW_DLV_OK) {
			ret = fail(w, "line table row");
			goto out;
		}
		const char *file = file_name(w, fileno);
		if (!file && !endseq)
			continue;
		if (sym_add_row(w->s, pc, file, (int)lineno, stmt, pend, endseq) < 0) {
			ret = oom(w);
			goto out;
		}
	}
out:
	dwarf_srclines_dealloc_b(ctx);
	return ret;
}

/* ---- inlined subroutines ------------------------------------------------- */

static int origins_grow(struct walk *w)
{
	size_t n = w->norigins_slots ? w->norigins_slots * 2 : 1024;
	struct origin *o = calloc(n, sizeof(*o));
	if (!o)
		return -1;
	for (size_t i = 0; i < w->norigins_slots; i++) {
		if (!w->origins[i].name)
			continue;
		size_t j = (w->origins[i].off * 0x9e3779b97f4a7c15ull >> 20) & (n - 1);
		while (o[j].name)
			j = (j + 1) & (n - 1);
		o[j] = w->origins[i];
	}
	free(w->origins);
	w->origins = o;
	w->norigins_slots = n;
	return 0;
}

/* The name of the DIE at OFF (an abstract origin), cached; NULL with
 * w->failed set on error, or "?" if it has none. */
static const char *origin_name(struct walk *w, Dwarf_Off off)
{
	if ((w->norigins + 1) * 2 > w->norigins_slots && origins_grow(w) < 0) {
		oom(w);
		return NULL;
	}
	size_t mask = w->norigins_slots - 1;
	size_t j = (off * 0x9e3779b97f4a7c15ull >> 20) & mask;
	for (; w->origins[j].name; j = (j + 1) & mask)
		if (w->origins[j].off == off)
			return w->origins[j].name;
	Dwarf_Die o;
	if (dwarf_offdie_b(w->dbg, off, 1, &o, &w->derr) != DW_DLV_OK) {
		fail(w, "abstract origin");
		return NULL;
	}
	char *name = NULL;
	int rc = dwarf_diename(o, &name, &w->derr);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc_die(o);
		fail(w, "abstract origin name");
		return NULL;
	}
	const char *in = sym_intern(&w->s->strs, rc == DW_DLV_OK ? name : "?");
	dwarf_dealloc_die(o);
	if (!in) {
		oom(w);
		return NULL;
	}
	w->origins[j].off = off;
	w->origins[j].name = in;
	w->norigins++;
	return in;
}

static int inlined(struct walk *w, Dwarf_Die die, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Off off;
	int rc = dwarf_attr(die, DW_AT_abstract_origin, &a, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_abstract_origin");
	rc = dwarf_global_formref(a, &off, &w->derr);
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_abstract_origin");
	const char *name = origin_name(w, off);
	Dwarf_Unsigned file = 0, line = 0;
	if (!name || attr_udata(w, die, DW_AT_call_file, &file) < 0 ||
	    attr_udata(w, die, DW_AT_call_line, &line) < 0 || die_ranges(w, die) < 0)
		return -1;
	uint32_t id = w->next_inl_id++;
	struct grr_symbols *s = w->s;
	for (size_t i = 0; i < w->nranges; i++) {
		struct sym_inl *in = SYM_PUSH(s->inl, s->ninl, s->capinl);
		if (!in)
			return oom(w);
		in->lo = w->ranges[i].lo;
		in->hi = w->ranges[i].hi;
		in->func = name;
		in->call_file = file_name(w, file);
		in->call_line = (int)line;
		in->depth = depth;
		in->id = id;
		s->ninl++;
	}
	return 0;
}

/* Walks the children of DIE (a subprogram, lexical block or inlined
 * subroutine) for inlined subroutines; DEPTH is theirs.  If PARAM_LINE,
 * sets it to the lowest DW_AT_decl_line of DIE's formal parameters. */
static int walk_code(struct walk *w, Dwarf_Die die, int depth, int *param_line)
{
	Dwarf_Die c;
	int rc = dwarf_child(die, &c, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "DIE child");
	int ret = 0;
	while (ret == 0) {
		Dwarf_Half tag;
		if (dwarf_tag(c, &tag, &w->derr) != DW_DLV_OK) {
			ret = fail(w, "DIE tag");
		} else if (tag == DW_TAG_inlined_subroutine) {
			ret = inlined(w, c, depth);
			if (ret == 0)
				ret = walk_code(w, c, depth + 1, NULL);
		} else if (tag == DW_TAG_lexical_block) {
			ret = walk_code(w, c, depth, NULL);
		} else if (tag == DW_TAG_formal_parameter && param_line) {
			Dwarf_Unsigned line;
			int k = attr_udata(w, c, DW_AT_decl_line, &line);
			if (k < 0)
				ret = -1;
			else if (k > 0 && line > 0 && (*param_line == 0 || (int)line < *param_line))
				*param_line = (int)line;
		}
		Dwarf_Die next;
		rc = ret == 0 ? dwarf_siblingof_b(w->dbg, c, 1, &next, &w->derr) : DW_DLV_NO_ENTRY;
		dwarf_dealloc_die(c);
		if (rc == DW_DLV_NO_ENTRY)
			break;
		if (rc != DW_DLV_OK)
			return fail(w, "DIE sibling");
		c = next;
	}
	return ret;
}

/* ---- top-level DIEs ------------------------------------------------------ */

static int subprogram(struct walk *w, Dwarf_Die die)
{
	if (die_ranges(w, die) < 0)
		return -1;
	if (w->nranges == 0)
		return 0;      /* abstract (inlined-only) or declaration */
	char *name = NULL;
	int rc = dwarf_diename(die, &name, &w->derr);
	if (rc == DW_DLV_ERROR)
		return fail(w, "subprogram name");
	if (rc == DW_DLV_OK && w->nranges == 1 &&
	    sym_add_func(w->s, name, w->ranges[0].lo, w->ranges[0].hi) < 0)
		return oom(w);
	/* the `func` line: DW_AT_decl_line (Go >= 1.20), else that of the
	 * parameters (Go 1.19 gives it only to them) */
	Dwarf_Unsigned file = 0, line = 0;
	int kf = attr_udata(w, die, DW_AT_decl_file, &file);
	int kl = kf < 0 ? -1 : attr_udata(w, die, DW_AT_decl_line, &line);
	if (kl < 0)
		return -1;
	uint64_t entry = w->ranges[0].lo;
	for (size_t i = 1; i < w->nranges; i++)
		if (w->ranges[i].lo < entry)
			entry = w->ranges[i].lo;
	int param_line = 0;
	if (walk_code(w, die, 1, &param_line) < 0)
		return -1;
	if (kl == 0 || line == 0)
		line = (Dwarf_Unsigned)param_line;
	if (kf > 0 && line > 0 && file_name(w, file) &&
	    sym_add_decl(w->s, entry, file_name(w, file), (int)line) < 0)
		return oom(w);
	/* the compiler's wrappers (a deferred call's, a method value's) */
	int tramp = attr_flag(w, die, DW_AT_trampoline);
	if (tramp < 0)
		return -1;
	if (tramp) {
		struct grr_symbols *s = w->s;
		uint64_t *slot = SYM_PUSH(s->tramps, s->ntramps, s->captramps);
		if (!slot)
			return oom(w);
		*slot = entry;
		s->ntramps++;
	}
	return 0;
}

static int variable(struct walk *w, Dwarf_Die die)
{
	Dwarf_Attribute a;
	int rc = dwarf_attr(die, DW_AT_location, &a, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_location");
	const uint8_t *p;
	Dwarf_Unsigned len;
	Dwarf_Block *blk;
	int ret = 0;
	rc = attr_block(w, a, &p, &len, &blk);
	uint64_t addr = 0;
	bool found = false;
	if (rc == 1 && len == 9 && p[0] == DW_OP_addr) {
		for (int i = 8; i >= 1; i--)
			addr = addr << 8 | p[i];
		found = true;
	} else if (rc == 1 && len >= 2 && p[0] == DW_OP_addrx) {
		const uint8_t *next;
		uint64_t idx = uleb(p + 1, p + len, &next);
		Dwarf_Addr x;
		if (next == p + len && dwarf_debug_addr_index_to_addr(die, idx, &x, &w->derr) ==
					       DW_DLV_OK) {
			addr = x;
			found = true;
		} else if (w->derr) {
			dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
			w->derr = NULL;
		}
	} else if (rc < 0) {
		ret = -1;
	}
	if (blk)
		dwarf_dealloc(w->dbg, blk, DW_DLA_BLOCK);
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	if (ret < 0 || !found)
		return ret;
	char *name = NULL;
	rc = dwarf_diename(die, &name, &w->derr);
	if (rc == DW_DLV_ERROR)
		return fail(w, "variable name");
	if (rc != DW_DLV_OK)
		return 0;
	struct grr_symbols *s = w->s;
	struct sym_global *g = SYM_PUSH(s->globals, s->nglobals, s->capglobals);
	if (!g || !(g->name = sym_intern(&s->strs, name)))
		return oom(w);
	g->addr = addr;
	s->nglobals++;
	return 0;
}

/* DW_AT_data_member_location: a constant, or DW_OP_plus_uconst N. */
static int member_offset(struct walk *w, Dwarf_Die die, uint64_t *off)
{
	Dwarf_Attribute a;
	int rc = dwarf_attr(die, DW_AT_data_member_location, &a, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "DW_AT_data_member_location");
	Dwarf_Unsigned u;
	int ret = 0;
	if (dwarf_formudata(a, &u, &w->derr) == DW_DLV_OK) {
		*off = u;
		ret = 1;
	} else {
		if (w->derr) {
			dwarf_dealloc(w->dbg, w->derr, DW_DLA_ERROR);
			w->derr = NULL;
		}
		const uint8_t *p, *next;
		Dwarf_Unsigned len;
		Dwarf_Block *blk;
		rc = attr_block(w, a, &p, &len, &blk);
		if (rc < 0) {
			ret = -1;
		} else if (rc == 1 && len >= 2 && p[0] == DW_OP_plus_uconst) {
			*off = uleb(p + 1, p + len, &next);
			ret = next == p + len;
		}
		if (blk)
			dwarf_dealloc(w->dbg, blk, DW_DLA_BLOCK);
	}
	dwarf_dealloc(w->dbg, a, DW_DLA_ATTR);
	return ret;
}

static int structure(struct walk *w, Dwarf_Die die)
{
	char *name = NULL;
	int rc = dwarf_diename(die, &name, &w->derr);
	if (rc == DW_DLV_ERROR)
		return fail(w, "struct name");
	if (rc != DW_DLV_OK)
		return 0;
	struct grr_symbols *s = w->s;
	struct sym_struct *st = SYM_PUSH(s->structs, s->nstructs, s->capstructs);
	if (!st || !(st->name = sym_intern(&s->strs, name)))
		return oom(w);
	st->first = s->nmembers;
	s->nstructs++;
	Dwarf_Die c;
	rc = dwarf_child(die, &c, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "struct members");
	int ret = 0;
	while (ret == 0) {
		Dwarf_Half tag;
		char *mname = NULL;
		uint64_t off = 0;
		if (dwarf_tag(c, &tag, &w->derr) != DW_DLV_OK) {
			ret = fail(w, "DIE tag");
		} else if (tag == DW_TAG_member) {
			rc = dwarf_diename(c, &mname, &w->derr);
			if (rc == DW_DLV_ERROR) {
				ret = fail(w, "member name");
			} else if (rc == DW_DLV_OK) {
				int k = member_offset(w, c, &off);
				if (k < 0) {
					ret = -1;
				} else if (k > 0) {
					struct sym_member *m =
						SYM_PUSH(s->members, s->nmembers, s->capmembers);
					if (!m || !(m->name = sym_intern(&s->strs, mname))) {
						ret = oom(w);
					} else {
						m->off = off;
						s->nmembers++;
						s->structs[s->nstructs - 1].n++;
					}
				}
			}
		}
		Dwarf_Die next;
		rc = ret == 0 ? dwarf_siblingof_b(w->dbg, c, 1, &next, &w->derr) : DW_DLV_NO_ENTRY;
		dwarf_dealloc_die(c);
		if (rc == DW_DLV_NO_ENTRY)
			break;
		if (rc != DW_DLV_OK)
			return fail(w, "DIE sibling");
		c = next;
	}
	return ret;
}

/* The DIE tags of types (Delve's `types` lists every one with a name). */
static bool is_type_tag(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_array_type: case DW_TAG_base_type: case DW_TAG_class_type:
	case DW_TAG_structure_type: case DW_TAG_union_type: case DW_TAG_enumeration_type:
	case DW_TAG_pointer_type: case DW_TAG_ptr_to_member_type: case DW_TAG_subroutine_type:
	case DW_TAG_typedef: case DW_TAG_unspecified_type:
		return true;
	}
	return false;
}

static int type_name(struct walk *w, Dwarf_Die die)
{
	char *name = NULL;
	int rc = dwarf_diename(die, &name, &w->derr);
	if (rc == DW_DLV_ERROR)
		return fail(w, "type name");
	if (rc != DW_DLV_OK)
		return 0;
	struct grr_symbols *s = w->s;
	const char **slot = SYM_PUSH(s->type_names, s->ntype_names, s->captype_names);
	if (!slot || !(*slot = sym_intern(&s->strs, name)))
		return oom(w);
	s->ntype_names++;
	return 0;
}

static int top_level(struct walk *w, Dwarf_Die cu)
{
	Dwarf_Die c;
	int rc = dwarf_child(cu, &c, &w->derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 0;
	if (rc != DW_DLV_OK)
		return fail(w, "compile unit");
	int ret = 0;
	while (ret == 0) {
		Dwarf_Half tag;
		if (dwarf_tag(c, &tag, &w->derr) != DW_DLV_OK)
			ret = fail(w, "DIE tag");
		else if (tag == DW_TAG_subprogram)
			ret = subprogram(w, c);
		else if (tag == DW_TAG_variable)
			ret = variable(w, c);
		if (ret == 0 && tag == DW_TAG_structure_type)
			ret = structure(w, c);
		if (ret == 0 && is_type_tag(tag))
			ret = type_name(w, c);
		Dwarf_Die next;
		rc = ret == 0 ? dwarf_siblingof_b(w->dbg, c, 1, &next, &w->derr) : DW_DLV_NO_ENTRY;
		dwarf_dealloc_die(c);
		if (rc == DW_DLV_NO_ENTRY)
			break;
		if (rc != DW_DLV_OK)
			return fail(w, "DIE sibling");
		c = next;
	}
	return ret;
}

static int compile_unit(struct walk *w, Dwarf_Die cu)
{
	Dwarf_Addr base = 0;
	int rc = dwarf_lowpc(cu, &base, &w->derr);
	if (rc == DW_DLV_ERROR)
		return fail(w, "compile unit low pc");
	w->cu_base = rc == DW_DLV_OK ? base : 0;
	w->file_base = w->version >= 5 ? 0 : 1;
	int ret = cu_files(w, cu);
	if (ret == 0)
		ret = line_program(w, cu);
	if (ret == 0)
		ret = top_level(w, cu);
	free(w->files);
	w->files = NULL;
	w->nfiles = 0;
	return ret;
}

int sym_dwarf_read(struct sym_elf *e, struct grr_symbols *s, char *err, size_t errlen)
{
	if (!sym_elf_has_dwarf(e))
		return 1;
	struct walk w = { .s = s, .e = e, .err = err, .errlen = errlen };
	int rc = dwarf_object_init_b(sym_elf_dwarf_access(e), NULL, NULL, DW_GROUPNUMBER_ANY,
				     &w.dbg, &w.derr);
	if (rc == DW_DLV_NO_ENTRY)
		return 1;
	if (rc != DW_DLV_OK) {
		const char *m = sym_elf_error(e);
		snprintf(err, errlen, "DWARF: %s",
			 m ? m : w.derr ? dwarf_errmsg(w.derr) : "cannot initialize libdwarf");
		if (w.derr)
			dwarf_dealloc(NULL, w.derr, DW_DLA_ERROR);
		return -1;
	}
	int ret = 0;
	for (;;) {
		Dwarf_Unsigned hlen, typeoff, next;
		Dwarf_Half version, asize, lsize, xsize, utype;
		Dwarf_Off abbrev;
		Dwarf_Sig8 sig;
		rc = dwarf_next_cu_header_d(w.dbg, 1, &hlen, &version, &abbrev, &asize, &lsize,
					    &xsize, &sig, &typeoff, &next, &utype, &w.derr);
		if (rc == DW_DLV_NO_ENTRY)
			break;
		if (rc != DW_DLV_OK) {
			ret = fail(&w, "compile unit header");
			break;
		}
		Dwarf_Die cu;
		if (dwarf_siblingof_b(w.dbg, NULL, 1, &cu, &w.derr) != DW_DLV_OK) {
			ret = fail(&w, "compile unit");
			break;
		}
		w.version = version;
		ret = compile_unit(&w, cu);
		dwarf_dealloc_die(cu);
		if (ret < 0)
			break;
	}
	free(w.ranges);
	free(w.origins);
	free(w.files);
	if (w.derr)
		dwarf_dealloc(w.dbg, w.derr, DW_DLA_ERROR);
	Dwarf_Error ferr = NULL;
	if (dwarf_object_finish(w.dbg, &ferr) != DW_DLV_OK && ferr)
		dwarf_dealloc(NULL, ferr, DW_DLA_ERROR);
	return ret;
}
