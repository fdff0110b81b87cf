/* symtab.h - function symbols of an executable (ELF .symtab), for naming
 * addresses in divergence reports and backtraces, and a few of the Go
 * runtime's data objects. */
#ifndef GRR_TRACEE_SYMTAB_H
#define GRR_TRACEE_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct grr_symbol {
	uint64_t addr;
	uint64_t size;
	char *name;
};

struct grr_symtab {
	struct grr_symbol *syms;  /* sorted by address */
	size_t n;
	struct grr_symbol *objs;  /* the runtime's data objects grr reads
				     (runtime.allgs, runtime.allglen) */
	size_t nobjs;
};

/* Loads function symbols; 0, or -1 if the file has none or is unreadable. */
int grr_symtab_load(const char *path, struct grr_symtab *st);
void grr_symtab_free(struct grr_symtab *st);
/* The function containing ADDR, or NULL. */
const struct grr_symbol *grr_symtab_lookup(const struct grr_symtab *st, uint64_t addr);
/* The symbol named NAME, or NULL. */
const struct grr_symbol *grr_symtab_find(const struct grr_symtab *st, const char *name);
/* The data object named NAME (one of those kept: runtime.allgs,
 * runtime.allglen), or NULL. */
const struct grr_symbol *grr_symtab_object(const struct grr_symtab *st, const char *name);
/* "main.apply+0x1c" or "0x4a1b2c" into BUF. */
const char *grr_symtab_describe(const struct grr_symtab *st, uint64_t addr, char *buf,
				size_t len);

#endif
