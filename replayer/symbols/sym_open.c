/* sym_open.c - grr_symbols_open and grr_symbols_close: read the
 * executable once, in this order, then build the indexes:
 *
 *   1. ELF header checks; .symtab functions              (sym_elf.c)
 *   2. DWARF: lines, functions, inlined calls, types      (sym_dwarf.c)
 *   3. .gopclntab: functions .symtab lacks, and lines if
 *      there was no DWARF line table                      (sym_pclntab.c)
 *   4. indexes: functions, lines, inlined calls, bodies, types */
#include "replayer/symbols/sym_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void grr_symbols_close(struct grr_symbols *s)
{
	if (!s)
		return;
	free(s->funcs);
	free(s->func_by_name);
	free(s->func_names);
	free(s->rows);
	free(s->row_end);
	free(s->row_flags);
	free(s->raw);
	free(s->decls);
	free(s->inl);
	free(s->files);
	free(s->inl_names);
	free(s->globals);
	free(s->structs);
	free(s->type_names);
	free(s->tramps);
	free(s->members);
	sym_strings_free(&s->strs);
	free(s);
}

struct grr_symbols *grr_symbols_open(const char *exe, char *err, size_t errlen)
{
	char msg[512] = "";
	struct grr_symbols *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->g_tls_off = -8;
	struct sym_elf *e = sym_elf_open(exe, err, errlen);
	if (!e) {
		grr_symbols_close(s);
		return NULL;
	}
	if (sym_elf_symtab(e, s, msg, sizeof(msg)) < 0 && msg[0])
		goto fail;
	int rc = sym_dwarf_read(e, s, msg, sizeof(msg));
	if (rc < 0)
		goto fail;
	bool have_lines = s->nraw > 0;
	rc = sym_pclntab_read(e, s, !have_lines, msg, sizeof(msg));
	if (rc < 0)
		goto fail;
	s->lines_from_pclntab = !have_lines && s->nraw > 0;
	if (s->nfuncs == 0) {
		snprintf(msg, sizeof(msg), "no functions (no .symtab, DWARF or .gopclntab)");
		goto fail;
	}
	if (sym_funcs_finish(s) < 0 || sym_lines_finish(s) < 0 || sym_inline_finish(s) < 0 ||
	    sym_types_finish(s) < 0) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto fail;
	}
	if (sym_prologue_finish(s, e) < 0) {
		snprintf(msg, sizeof(msg), "cannot start the disassembler (capstone)");
		goto fail;
	}
	sym_buildinfo_read(e, s);
	sym_elf_close(e);
	return s;
fail:
	snprintf(err, errlen, "%s: %s", exe, msg);
	sym_elf_close(e);
	grr_symbols_close(s);
	return NULL;
}

int64_t grr_symbols_g_tls_offset(const struct grr_symbols *s)
{
	return s ? s->g_tls_off : -8;
}

uint64_t grr_symbols_go_text(const struct grr_symbols *s)
{
	return s ? s->go_text : 0;
}
