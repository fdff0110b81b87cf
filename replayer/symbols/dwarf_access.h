/* dwarf_access.h - a libdwarf handle on an executable, for the layers that
 * read DWARF beyond what symbols.h extracts (types, variables, frame
 * tables: replayer/inspect/).  Debug sections (SHF_COMPRESSED or
 * .zdebug_*) are decompressed with libelf before libdwarf sees them, as the
 * symbol layer does (sym_elf.c), whatever compression this libdwarf was
 * built with. */
#ifndef GRR_REPLAYER_DWARF_ACCESS_H
#define GRR_REPLAYER_DWARF_ACCESS_H

#include <stddef.h>
#include <libdwarf.h>

struct grr_dwarf;

/* Opens EXE's DWARF; NULL with one line in ERR if the file is unreadable
 * or has no DWARF. */
struct grr_dwarf *grr_dwarf_open(const char *exe, char *err, size_t errlen);
Dwarf_Debug grr_dwarf_debug(const struct grr_dwarf *d);
void grr_dwarf_close(struct grr_dwarf *d);

#endif
