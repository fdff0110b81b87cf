/* sym_pclntab.c - functions and lines from Go's own table, .gopclntab,
 * for executables without DWARF (-ldflags=-w) or without .symtab
 * (-ldflags=-s).  Layout of Go 1.18 and later (magic 0xfffffff0 for 1.18
 * and 1.19, 0xfffffff1 since 1.20), as in Go's runtime/symtab.go:
 *
 *   header: magic u32, pad u8 u8, minLC u8, ptrSize u8, nfunc, nfiles,
 *           textStart, funcnameOffset, cuOffset, filetabOffset,
 *           pctabOffset, pclnOffset (pointer-sized)
 *   functab (at pclnOffset): nfunc x {entryOff u32, funcOff u32}, end u32
 *   _func (at pclnOffset + funcOff): entryOff u32, nameOff i32, args,
 *           deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset (u32 each),
 *           startLine i32 (Go >= 1.20: the line of the func keyword)
 *   pc-value tables: (zigzag varint value delta, varint pc delta) pairs,
 *           starting at value -1 and pc = entry, ending with a 0 byte
 *   pcfile values index cutab[cuOffset + v], a u32 offset into filetab.
 *
 * pclntab has no is_stmt or prologue_end, so every row counts as a
 * statement; it has no inlining tree here (inlined frames need DWARF). */
#include "replayer/symbols/sym_private.h"
#include "replayer/symbols/pcvalue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCLN_MAGIC_118 0xfffffff0u
#define PCLN_MAGIC_120 0xfffffff1u

struct pcln {
	const uint8_t *data;
	size_t size;
	uint64_t text;
	uint64_t nfunc;
	uint64_t funcname, cutab, filetab, pctab, functab;
};

static bool rd32(const struct pcln *t, uint64_t off, uint32_t *v)
{
	if (off > t->size || t->size - off < 4)
		return false;
	memcpy(v, t->data + off, 4);
	return true;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* A NUL-terminated string at OFF, or NULL. */
static const char *str_at(const struct pcln *t, uint64_t off)
{
	if (off >= t->size || !memchr(t->data + off, '\0', t->size - off))
		return NULL;
	return (const char *)t->data + off;
}

/* One decoded pc-value table: value vals[i] holds from pcs[i] to pcs[i+1]
 * (the last pc is the end). */
struct pcvals {
	uint64_t *pcs;
	int32_t *vals;
	size_t n, cap;
};

static int decode(const struct pcln *t, uint32_t tab, uint64_t entry, struct pcvals *pv)
{
	pv->n = 0;
	if (tab == 0)
		return 0;
	uint64_t off = t->pctab + tab, pc = entry;
	int32_t val = -1;
	for (bool first = true;; first = false) {
		uint32_t uv, pcd;
		if (off >= t->size)
			return -1;
		if (t->data[off] == 0 && !first)
			break;
		if (!grr_pcvalue_varint(t->data, t->size, &off, &uv) ||
		    !grr_pcvalue_varint(t->data, t->size, &off, &pcd))
			return -1;
		val += (int32_t)(-(uv & 1) ^ (uv >> 1));
		if (pv->n + 1 >= pv->cap) {
			size_t cap = pv->cap ? pv->cap * 2 : 64;
			uint64_t *p = realloc(pv->pcs, cap * sizeof(*p));
			if (p)
				pv->pcs = p;
			int32_t *v = realloc(pv->vals, cap * sizeof(*v));
			if (v)
				pv->vals = v;
			if (!p || !v)
				return -2;
			pv->cap = cap;
		}
		pv->pcs[pv->n] = pc;
		pv->vals[pv->n] = val;
		pv->n++;
		pc += pcd;    /* PCQuantum is 1 on amd64 */
		pv->pcs[pv->n] = pc;
		if (pv->n > (1u << 24))
			return -1;
	}
	return 0;
}

static const char *file_of(const struct pcln *t, struct grr_symbols *s, uint32_t cu, int32_t v)
{
	uint32_t off;
	if (v < 0 || !rd32(t, t->cutab + 4 * ((uint64_t)cu + (uint32_t)v), &off) ||
	    off == 0xffffffffu)
		return NULL;
	const char *name = str_at(t, t->filetab + off);
	return name ? sym_intern(&s->strs, name) : NULL;
}

/* Rows where the file or the line changes. */
static int add_rows(const struct pcln *t, struct grr_symbols *s, uint32_t cu,
		    const struct pcvals *files, const struct pcvals *lines)
{
	size_t fi = 0;
	const char *last_file = NULL;
	int last_line = -1;
	for (size_t li = 0; li < lines->n; li++) {
		uint64_t pc = lines->pcs[li];
		while (fi + 1 < files->n && files->pcs[fi + 1] <= pc)
			fi++;
		/* file changes inside this line's range start rows too */
		uint64_t end = lines->pcs[li + 1];
		for (size_t k = fi; k < files->n && files->pcs[k] < end; k++) {
			uint64_t at = files->pcs[k] > pc ? files->pcs[k] : pc;
			const char *file = file_of(t, s, cu, files->vals[k]);
			if (!file)
				continue;
			if (file == last_file && lines->vals[li] == last_line)
				continue;
			if (sym_add_row(s, at, file, lines->vals[li], true, false, false) < 0)
				return -1;
			last_file = file;
			last_line = lines->vals[li];
		}
	}
	if (lines->n && sym_add_row(s, lines->pcs[lines->n], NULL, 0, false, false, true) < 0)
		return -1;
	return 0;
}

int sym_pclntab_read(struct sym_elf *e, struct grr_symbols *s, bool want_lines, char *err,
		     size_t errlen)
{
	if (s->nfuncs && !want_lines)
		return 1;      /* nothing to add */
	struct pcln t = { 0 };
	t.data = sym_elf_section(e, ".gopclntab", NULL, &t.size);
	if (!t.data || t.size < 72)
		return 1;
	uint32_t magic;
	memcpy(&magic, t.data, 4);
	if ((magic != PCLN_MAGIC_118 && magic != PCLN_MAGIC_120) || t.data[4] || t.data[5] ||
	    t.data[6] != 1 || t.data[7] != 8)
		return 1;      /* an older or foreign layout: not used */
	t.nfunc = rd64(t.data + 8);
	t.text = rd64(t.data + 24);
	t.funcname = rd64(t.data + 32);
	t.cutab = rd64(t.data + 40);
	t.filetab = rd64(t.data + 48);
	t.pctab = rd64(t.data + 56);
	t.functab = rd64(t.data + 64);
	/* Go >= 1.22 leaves textStart 0 in the file: it is runtime.text,
	 * the start of .text unless an external linker put C code first */
	if (!t.text)
		t.text = s->go_text;
	if (!t.text) {
		size_t n;
		uint64_t addr;
		if (sym_elf_section(e, ".text", &addr, &n))
			t.text = addr;
	}
	if (t.functab > t.size || t.nfunc > (t.size - t.functab) / 8)
		return 1;
	struct pcvals files = { 0 }, lines = { 0 };
	int ret = 0;
	for (uint64_t i = 0; i < t.nfunc && ret == 0; i++) {
		uint32_t entryoff, funcoff, nameoff, pcfile, pcln, cu, next;
		uint64_t fo;
		if (!rd32(&t, t.functab + 8 * i, &entryoff) ||
		    !rd32(&t, t.functab + 8 * i + 4, &funcoff) ||
		    !rd32(&t, t.functab + 8 * i + 8, &next))
			break;
		fo = t.functab + funcoff;
		if (!rd32(&t, fo + 4, &nameoff) || !rd32(&t, fo + 20, &pcfile) ||
		    !rd32(&t, fo + 24, &pcln) || !rd32(&t, fo + 32, &cu))
			continue;
		const char *name = str_at(&t, t.funcname + nameoff);
		uint64_t entry = t.text + entryoff;
		int rc = decode(&t, pcln, entry, &lines);
		if (rc == -2) {
			ret = -1;
			break;
		}
		if (!name || rc < 0)
			continue;
		uint64_t end = lines.n ? lines.pcs[lines.n] : t.text + next;
		if (sym_add_func(s, name, entry, end) < 0) {
			ret = -1;
			break;
		}
		if (!want_lines || lines.n == 0)
			continue;
		rc = decode(&t, pcfile, entry, &files);
		if (rc == -2 || (rc == 0 && add_rows(&t, s, cu, &files, &lines) < 0)) {
			ret = -1;
			break;
		}
		/* Go >= 1.20: _func.startLine, the line of the func keyword */
		uint32_t start;
		if (magic == PCLN_MAGIC_120 && rc == 0 && files.n && rd32(&t, fo + 36, &start) &&
		    (int32_t)start > 0) {
			const char *file = file_of(&t, s, cu, files.vals[0]);
			if (file && sym_add_decl(s, entry, file, (int32_t)start) < 0)
				ret = -1;
		}
	}
	free(files.pcs);
	free(files.vals);
	free(lines.pcs);
	free(lines.vals);
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
	return ret;
}
