/* symtab.c - ELF function symbols (see symtab.h). */
#include "tracee/symtab.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_addr(const void *a, const void *b)
{
	const struct grr_symbol *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The data objects kept (symtab.h). */
static const char *const objects[] = { "runtime.allgs", "runtime.allglen" };

static void add_object(struct grr_symtab *st, const char *name, const GElf_Sym *sym)
{
	for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
		if (strcmp(name, objects[k]) != 0 || st->nobjs == sizeof(objects) / sizeof(objects[0]))
			continue;
		struct grr_symbol *o = &st->objs[st->nobjs];
		o->addr = sym->st_value;
		o->size = sym->st_size;
		o->name = strdup(name);
		if (o->name)
			st->nobjs++;
	}
}

static int add_symbols(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct grr_symtab *st)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !sh->sh_entsize)
		return -1;
	size_t count = sh->sh_size / sh->sh_entsize;
	st->syms = calloc(count ? count : 1, sizeof(*st->syms));
	st->objs = calloc(sizeof(objects) / sizeof(objects[0]), sizeof(*st->objs));
	if (!st->syms || !st->objs)
		return -1;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		if (GELF_ST_TYPE(sym.st_info) == STT_OBJECT)
			add_object(st, name, &sym);
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		struct grr_symbol *s = &st->syms[st->n];
		s->addr = sym.st_value;
		s->size = sym.st_size;
		s->name = strdup(name);
		if (s->name)
			st->n++;
	}
	qsort(st->syms, st->n, sizeof(*st->syms), by_addr);
	return 0;
}

int grr_symtab_load(const char *path, struct grr_symtab *st)
{
	memset(st, 0, sizeof(*st));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int rc = -1;
	Elf_Scn *scn = NULL;
	while (e && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			rc = add_symbols(e, scn, &sh, st);
			break;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

void grr_symtab_free(struct grr_symtab *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->syms[i].name);
	for (size_t i = 0; i < st->nobjs; i++)
		free(st->objs[i].name);
	free(st->syms);
	free(st->objs);
	memset(st, 0, sizeof(*st));
}

const struct grr_symbol *grr_symtab_object(const struct grr_symtab *st, const char *name)
{
	for (size_t i = 0; i < st->nobjs; i++)
		if (strcmp(st->objs[i].name, name) == 0)
			return &st->objs[i];
	return NULL;
}

const struct grr_symbol *grr_symtab_lookup(const struct grr_symtab *st, uint64_t addr)
{
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (st->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct grr_symbol *s = &st->syms[lo - 1];
	if (s->size && addr >= s->addr + s->size)
		return NULL;
	return s;
}

const struct grr_symbol *grr_symtab_find(const struct grr_symtab *st, const char *name)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->syms[i].name, name) == 0)
			return &st->syms[i];
	return NULL;
}

const char *grr_symtab_describe(const struct grr_symtab *st, uint64_t addr, char *buf,
				size_t len)
{
	const struct grr_symbol *s = st ? grr_symtab_lookup(st, addr) : NULL;
	if (s)
		snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return buf;
}
