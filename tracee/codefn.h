/* codefn.h - the machine code of the function around a pc, read from a
 * tracee, with the int3 padding that follows it (Go's linker aligns
 * functions with 0xcc bytes): what tracee/relocate.h plans patches in. */
#ifndef GRR_TRACEE_CODEFN_H
#define GRR_TRACEE_CODEFN_H

#include <stddef.h>
#include <stdint.h>

#include "tracee/mem.h"
#include "tracee/symtab.h"

#define GRR_CODEFN_MAX_PAD 16    /* padding bytes read at most */

struct grr_codefn {
	uint8_t *code;          /* len + pad bytes (malloc'd) */
	uint64_t start;         /* the function's address */
	size_t len;             /* its size */
	size_t pad;             /* 0xcc bytes after it, before the next function */
};

/* Reads the function of ST containing PC from M.  0, or -1 (no such
 * function, or unreadable). */
int grr_codefn_read(const struct grr_mem *m, const struct grr_symtab *st, uint64_t pc,
		    struct grr_codefn *f);
void grr_codefn_free(struct grr_codefn *f);

#endif
