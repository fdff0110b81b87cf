/* symtab.h - function symbols of an executable (ELF .symtab), for naming
 * addresses in divergence reports and backtraces. */
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
};

/* Loads function symbols; 0, or -1 if the file has none or is unreadable. */
int grr_symtab_load(const char *path, struct grr_symtab *st);
void grr_symtab_free(struct grr_symtab *st);
/* The function containing ADDR, or NULL. */
const struct grr_symbol *grr_symtab_lookup(const struct grr_symtab *st, uint64_t addr);
/* The symbol named NAME, or NULL. */
const struct grr_symbol *grr_symtab_find(const struct grr_symtab *st, const char *name);
/* "main.apply+0x1c" or "0x4a1b2c" into BUF. */
const char *grr_symtab_describe(const struct grr_symtab *st, uint64_t addr, char *buf,
				size_t len);

#endif
