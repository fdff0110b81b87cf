/* sym_elf.c - the executable as an ELF file: sections (with compressed
 * DWARF sections decompressed), code bytes for the prologue matcher, the
 * ELF symbol table, and the object-access interface that feeds libdwarf.
 *
 * Go compresses its DWARF sections with zlib: Go >= 1.12 (so both 1.19
 * and 1.26) marks them SHF_COMPRESSED, Go 1.11 named them .zdebug_*.
 * libelf's elf_compress / elf_compress_gnu decompress either kind in
 * memory, and libdwarf reads the result through dwarf_object_init_b, so
 * grr does not depend on how this libdwarf was built (zlib or not). */
#include "replayer/symbols/sym_private.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdwarf.h>

enum { COMP_NONE, COMP_ELF, COMP_GNU };

struct sym_sec {
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *name;     /* as in the file */
	char *dwarf_name;     /* ".debug_x" for ".zdebug_x", else NULL */
	int comp;             /* COMP_* until decompressed */
	uint64_t size;        /* uncompressed size */
	const uint8_t *data;  /* once loaded */
	bool loaded, failed;
};

struct sym_elf {
	int fd;
	Elf *elf;
	size_t nsecs;
	struct sym_sec *secs;
	Dwarf_Obj_Access_Interface intf;
	Dwarf_Obj_Access_Methods methods;
	char error[160];      /* the first section that could not be loaded */
};

static const char *elf_err(void)
{
	const char *m = elf_errmsg(-1);
	return m ? m : "unknown libelf error";
}

static bool is_dwarf_name(const char *name)
{
	return strncmp(name, ".debug_", 7) == 0 || strncmp(name, ".zdebug_", 8) == 0;
}

/* The uncompressed size of section SEC, from its compression header. */
static int setup_section(struct sym_sec *sec)
{
	sec->size = sec->sh.sh_type == SHT_NOBITS ? 0 : sec->sh.sh_size;
	if (!is_dwarf_name(sec->name))
		return 0;
	if (sec->sh.sh_flags & SHF_COMPRESSED) {
		GElf_Chdr ch;
		if (!gelf_getchdr(sec->scn, &ch))
			return -1;
		sec->comp = COMP_ELF;
		sec->size = ch.ch_size;
	} else if (strncmp(sec->name, ".zdebug_", 8) == 0) {
		/* "ZLIB" and the uncompressed size, 8 bytes big-endian */
		Elf_Data *d = elf_rawdata(sec->scn, NULL);
		const uint8_t *p = d ? d->d_buf : NULL;
		if (!p || d->d_size < 12 || memcmp(p, "ZLIB", 4) != 0)
			return -1;
		uint64_t size = 0;
		for (int i = 4; i < 12; i++)
			size = size << 8 | p[i];
		sec->comp = COMP_GNU;
		sec->size = size;
	}
	if (strncmp(sec->name, ".zdebug_", 8) == 0) {
		size_t n = strlen(sec->name);
		sec->dwarf_name = malloc(n);
		if (!sec->dwarf_name)
			return -1;
		snprintf(sec->dwarf_name, n, ".%s", sec->name + 2);
	}
	return 0;
}

struct sym_elf *sym_elf_open(const char *path, char *err, size_t errlen)
{
	struct sym_elf *e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(e);
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf: %s", elf_err());
		goto fail;
	}
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto fail;
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(e->elf, &eh) || gelf_getclass(e->elf) != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "%s: not an x86-64 ELF executable", path);
		goto fail;
	}
	size_t shstrndx;
	if (elf_getshdrnum(e->elf, &e->nsecs) < 0 || elf_getshdrstrndx(e->elf, &shstrndx) < 0) {
		snprintf(err, errlen, "%s: bad section headers: %s", path, elf_err());
		goto fail;
	}
	e->secs = calloc(e->nsecs ? e->nsecs : 1, sizeof(*e->secs));
	if (!e->secs) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < e->nsecs; i++) {
		struct sym_sec *sec = &e->secs[i];
		sec->scn = elf_getscn(e->elf, i);
		if (!sec->scn || !gelf_getshdr(sec->scn, &sec->sh)) {
			snprintf(err, errlen, "%s: bad section %zu: %s", path, i, elf_err());
			goto fail;
		}
		sec->name = i ? elf_strptr(e->elf, shstrndx, sec->sh.sh_name) : "";
		if (!sec->name)
			sec->name = "";
		if (setup_section(sec) < 0) {
			snprintf(err, errlen, "%s: bad compressed section %s", path, sec->name);
			goto fail;
		}
	}
	return e;
fail:
	sym_elf_close(e);
	return NULL;
}

void sym_elf_close(struct sym_elf *e)
{
	if (!e)
		return;
	if (e->secs)
		for (size_t i = 0; i < e->nsecs; i++)
			free(e->secs[i].dwarf_name);
	free(e->secs);
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

/* Loads (and decompresses) section I; -1 on failure. */
static int load(struct sym_elf *e, size_t i)
{
	struct sym_sec *sec = &e->secs[i];
	if (sec->loaded)
		return 0;
	if (sec->failed)
		return -1;
	if (sec->sh.sh_type == SHT_NOBITS || sec->sh.sh_type == SHT_NULL) {
		sec->loaded = true;
		return 0;
	}
	if ((sec->comp == COMP_ELF && elf_compress(sec->scn, 0, 0) < 0) ||
	    (sec->comp == COMP_GNU && elf_compress_gnu(sec->scn, 0, 0) < 0)) {
		sec->failed = true;
		if (!e->error[0])
			snprintf(e->error, sizeof(e->error), "cannot decompress %s: %s", sec->name,
				 elf_err());
		return -1;
	}
	Elf_Data *d = elf_getdata(sec->scn, NULL);
	if (!d || (d->d_size && !d->d_buf) || (sec->comp != COMP_NONE && d->d_size != sec->size)) {
		sec->failed = true;
		if (!e->error[0])
			snprintf(e->error, sizeof(e->error), "cannot read section %s", sec->name);
		return -1;
	}
	sec->data = d->d_buf;
	sec->size = d->d_size;
	sec->comp = COMP_NONE;
	sec->loaded = true;
	return 0;
}

const uint8_t *sym_elf_section(struct sym_elf *e, const char *name, uint64_t *addr, size_t *size)
{
	for (size_t i = 1; i < e->nsecs; i++) {
		struct sym_sec *sec = &e->secs[i];
		const char *n = sec->dwarf_name ? sec->dwarf_name : sec->name;
		if (strcmp(n, name) != 0 || load(e, i) < 0 || !sec->data)
			continue;
		if (addr)
			*addr = sec->sh.sh_addr;
		*size = sec->size;
		return sec->data;
	}
	return NULL;
}

const uint8_t *sym_elf_code(struct sym_elf *e, uint64_t addr, size_t *len)
{
	for (size_t i = 1; i < e->nsecs; i++) {
		struct sym_sec *sec = &e->secs[i];
		if (sec->sh.sh_type != SHT_PROGBITS || !(sec->sh.sh_flags & SHF_ALLOC) ||
		    addr < sec->sh.sh_addr || addr - sec->sh.sh_addr >= sec->sh.sh_size)
			continue;
		if (load(e, i) < 0 || !sec->data)
			return NULL;
		uint64_t off = addr - sec->sh.sh_addr;
		if (*len > sec->size - off)
			*len = sec->size - off;
		return sec->data + off;
	}
	return NULL;
}

const char *sym_elf_error(const struct sym_elf *e)
{
	return e->error[0] ? e->error : NULL;
}

bool sym_elf_has_dwarf(struct sym_elf *e)
{
	for (size_t i = 1; i < e->nsecs; i++)
		if (is_dwarf_name(e->secs[i].name) && e->secs[i].size)
			return true;
	return false;
}

/* The executable's TLS block ends at the thread pointer (fs_base), its
 * size rounded up to its alignment (x86-64's variant II layout); 0 with
 * no PT_TLS. */
static uint64_t tls_block_size(struct sym_elf *e)
{
	size_t n;
	if (elf_getphdrnum(e->elf, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e->elf, (int)i, &ph) && ph.p_type == PT_TLS) {
			uint64_t a = ph.p_align > 1 ? ph.p_align : 1;
			return (ph.p_memsz + a - 1) / a * a;
		}
	}
	return 0;
}

/* Symbols that are no functions but say where Go keeps things: the
 * start of the code pclntab's offsets count from, and the g's TLS slot
 * (runtime.tlsg, at the TLS block's start: fs_base - 8 in an internally
 * linked binary, lower where C code has thread-locals of its own). */
static void note_runtime_symbol(struct sym_elf *e, struct grr_symbols *s, const char *name,
				const GElf_Sym *sym)
{
	if (GELF_ST_TYPE(sym->st_info) == STT_FUNC && strcmp(name, "runtime.text") == 0)
		s->go_text = sym->st_value;
	uint64_t block = GELF_ST_TYPE(sym->st_info) == STT_TLS &&
			 strcmp(name, "runtime.tlsg") == 0 ? tls_block_size(e) : 0;
	if (block > sym->st_value)
		s->g_tls_off = (int64_t)sym->st_value - (int64_t)block;
}

int sym_elf_symtab(struct sym_elf *e, struct grr_symbols *s, char *err, size_t errlen)
{
	for (size_t i = 1; i < e->nsecs; i++) {
		struct sym_sec *sec = &e->secs[i];
		if (sec->sh.sh_type != SHT_SYMTAB || !sec->sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(sec->scn, NULL);
		if (!d)
			return -1;
		size_t count = sec->sh.sh_size / sec->sh.sh_entsize;
		for (size_t k = 0; k < count; k++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)k, &sym))
				continue;
			const char *name = elf_strptr(e->elf, sec->sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			note_runtime_symbol(e, s, name, &sym);
			if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value || !sym.st_size)
				continue;
			if (sym_add_func(s, name, sym.st_value, sym.st_value + sym.st_size) < 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		return 0;
	}
	return -1;
}

/* ---- libdwarf object access --------------------------------------------- */

static int acc_section_info(void *obj, Dwarf_Half idx, Dwarf_Obj_Access_Section *out, int *error)
{
	struct sym_elf *e = obj;
	(void)error;
	if (idx >= e->nsecs)
		return DW_DLV_NO_ENTRY;
	struct sym_sec *sec = &e->secs[idx];
	memset(out, 0, sizeof(*out));
	out->addr = sec->sh.sh_addr;
	out->type = sec->sh.sh_type;
	out->size = sec->size;
	out->name = sec->dwarf_name ? sec->dwarf_name : sec->name;
	out->link = sec->sh.sh_link;
	out->info = sec->sh.sh_info;
	out->entrysize = sec->sh.sh_entsize;
	return DW_DLV_OK;
}

static Dwarf_Endianness acc_byte_order(void *obj)
{
	(void)obj;
	return DW_OBJECT_LSB;
}

static Dwarf_Small acc_length_size(void *obj)
{
	(void)obj;
	return 4;
}

static Dwarf_Small acc_pointer_size(void *obj)
{
	(void)obj;
	return 8;
}

static Dwarf_Unsigned acc_section_count(void *obj)
{
	return ((struct sym_elf *)obj)->nsecs;
}

static int acc_load_section(void *obj, Dwarf_Half idx, Dwarf_Small **data, int *error)
{
	struct sym_elf *e = obj;
	if (idx >= e->nsecs)
		return DW_DLV_NO_ENTRY;
	if (load(e, idx) < 0) {
		*error = DW_DLE_SECTION_SIZE_OR_OFFSET_LARGE;
		return DW_DLV_ERROR;
	}
	if (!e->secs[idx].data)
		return DW_DLV_NO_ENTRY;
	/* libdwarf only reads through this pointer */
	*data = (Dwarf_Small *)(uintptr_t)e->secs[idx].data;
	return DW_DLV_OK;
}

void *sym_elf_dwarf_access(struct sym_elf *e)
{
	e->methods.get_section_info = acc_section_info;
	e->methods.get_byte_order = acc_byte_order;
	e->methods.get_length_size = acc_length_size;
	e->methods.get_pointer_size = acc_pointer_size;
	e->methods.get_section_count = acc_section_count;
	e->methods.load_section = acc_load_section;
	e->methods.relocate_a_section = NULL;   /* executables need no relocation */
	e->intf.object = e;
	e->intf.methods = &e->methods;
	return &e->intf;
}
