/* dwarf_access.c - a libdwarf handle on an executable (dwarf_access.h). */
#include "replayer/symbols/dwarf_access.h"
#include "replayer/symbols/sym_private.h"

#include <stdio.h>
#include <stdlib.h>

struct grr_dwarf {
	struct sym_elf *elf;
	Dwarf_Debug dbg;
};

struct grr_dwarf *grr_dwarf_open(const char *exe, char *err, size_t errlen)
{
	struct grr_dwarf *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->elf = sym_elf_open(exe, err, errlen);
	if (!d->elf) {
		free(d);
		return NULL;
	}
	Dwarf_Error derr = NULL;
	int rc = dwarf_object_init_b(sym_elf_dwarf_access(d->elf), NULL, NULL, DW_GROUPNUMBER_ANY,
				     &d->dbg, &derr);
	if (rc != DW_DLV_OK) {
		const char *m = sym_elf_error(d->elf);
		snprintf(err, errlen, "%s: %s", exe,
			 rc == DW_DLV_NO_ENTRY ? "no DWARF debugging information"
			 : m ? m : derr ? dwarf_errmsg(derr) : "cannot read its DWARF");
		if (derr)
			dwarf_dealloc(NULL, derr, DW_DLA_ERROR);
		sym_elf_close(d->elf);
		free(d);
		return NULL;
	}
	return d;
}

Dwarf_Debug grr_dwarf_debug(const struct grr_dwarf *d) { return d->dbg; }

void grr_dwarf_close(struct grr_dwarf *d)
{
	if (!d)
		return;
	Dwarf_Error ferr = NULL;
	if (dwarf_object_finish(d->dbg, &ferr) != DW_DLV_OK && ferr)
		dwarf_dealloc(NULL, ferr, DW_DLA_ERROR);
	sym_elf_close(d->elf);
	free(d);
}
