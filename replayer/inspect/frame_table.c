/* frame_table.c - frame sizes from Go's own function table, .gopclntab
 * (the table the runtime unwinds with: runtime/symtab.go, traceback.go).
 *
 * For each function, the pcsp pc-value table gives, at every pc, how many
 * bytes the function has pushed or reserved below the return address.  So
 * at pc with stack pointer sp the canonical frame address (the sp before
 * the call that made the frame: DWARF's CFA, which Go's .debug_frame
 * derives from the same table) is sp + pcsp(pc) + 8, and the return
 * address is at CFA - 8.  The table exists in every Go binary, with or
 * without DWARF, optimized or not, for Go and assembly functions alike.
 *
 * Layout (Go 1.18 and later; magic 0xfffffff0 up to 1.19, 0xfffffff1 since
 * 1.20; the fields used here did not move):
 *   header: magic u32, pad u8 u8, minLC u8, ptrSize u8, nfunc, nfiles,
 *           textStart, funcnameOffset, cuOffset, filetabOffset,
 *           pctabOffset, pclnOffset (pointer-sized)
 *   functab (at pclnOffset): nfunc x {entryOff u32, funcOff u32}, end u32
 *   _func (at pclnOffset + funcOff): entryOff u32, nameOff i32, args i32,
 *           deferreturn u32, pcsp u32, ...
 *   pc-value tables: (zigzag varint value delta, varint pc delta) pairs
 *           from value -1 at the entry, ending with a 0 byte. */
#include "replayer/inspect/stack_private.h"
#include "replayer/symbols/pcvalue.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCLN_MAGIC_118 0xfffffff0u
#define PCLN_MAGIC_120 0xfffffff1u

struct frame_table {
	uint8_t *data;
	size_t size;
	uint64_t text, nfunc, funcname, pctab, functab;
};

static bool rd32(const struct frame_table *t, uint64_t off, uint32_t *v)
{
	if (off > t->size || t->size - off < 4)
		return false;
	memcpy(v, t->data + off, 4);
	return true;
}

static bool pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* The header of section NAME of the ELF file FD. */
static bool elf_section(int fd, const char *name, Elf64_Shdr *out)
{
	Elf64_Ehdr eh;
	if (!pread_all(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shnum == 0 || eh.e_shnum > 4096 || eh.e_shstrndx >= eh.e_shnum)
		return false;
	Elf64_Shdr *sh = calloc(eh.e_shnum, sizeof(*sh));
	char *names = NULL;
	bool found = false;
	if (!sh || !pread_all(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff))
		goto done;
	const Elf64_Shdr *strs = &sh[eh.e_shstrndx];
	if (strs->sh_size == 0 || strs->sh_size > (1u << 24) || !(names = malloc(strs->sh_size + 1)) ||
	    !pread_all(fd, names, strs->sh_size, strs->sh_offset))
		goto done;
	names[strs->sh_size] = 0;
	for (int i = 0; i < eh.e_shnum && !found; i++) {
		if (sh[i].sh_name < strs->sh_size && strcmp(names + sh[i].sh_name, name) == 0 &&
		    sh[i].sh_type != SHT_NOBITS && sh[i].sh_size) {
			*out = sh[i];
			found = true;
		}
	}
done:
	free(names);
	free(sh);
	return found;
}

static struct frame_table *load(const char *exe, const struct grr_symbols *syms)
{
	int fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct frame_table *t = calloc(1, sizeof(*t));
	Elf64_Shdr pcln, text;
	if (t && elf_section(fd, ".gopclntab", &pcln) && pcln.sh_size >= 72 &&
	    pcln.sh_size < (1u << 30) && (t->data = malloc(pcln.sh_size))) {
		t->size = pcln.sh_size;
		if (!pread_all(fd, t->data, t->size, pcln.sh_offset)) {
			free(t->data);
			t->data = NULL;
		}
	}
	/* Go >= 1.22 leaves textStart 0 in the file: it is runtime.text,
	 * the start of .text unless an external linker put C code first */
	uint64_t text_addr = grr_symbols_go_text(syms);
	if (!text_addr && t && elf_section(fd, ".text", &text))
		text_addr = text.sh_addr;
	close(fd);
	if (!t || !t->data)
		goto bad;
	uint32_t magic;
	memcpy(&magic, t->data, 4);
	if ((magic != PCLN_MAGIC_118 && magic != PCLN_MAGIC_120) || t->data[6] != 1 ||
	    t->data[7] != 8)
		goto bad;
	memcpy(&t->nfunc, t->data + 8, 8);
	memcpy(&t->text, t->data + 24, 8);
	memcpy(&t->funcname, t->data + 32, 8);
	memcpy(&t->pctab, t->data + 56, 8);
	memcpy(&t->functab, t->data + 64, 8);
	if (!t->text)
		t->text = text_addr;
	if (!t->text || t->functab > t->size || t->nfunc == 0 ||
	    t->nfunc >= (t->size - t->functab) / 8)
		goto bad;
	return t;
bad:
	if (t)
		free(t->data);
	free(t);
	return NULL;
}

static struct {
	const struct grr_symbols *syms;
	char exe[4096];
	struct frame_table *t;
} cache;

const struct frame_table *ft_get(struct grr_ctl *c)
{
	const struct grr_symbols *s = grr_ctl_symbols(c);
	const char *exe = grr_replay_program(grr_ctl_replay(c));
	if (!exe)
		return NULL;
	if (cache.syms != s || strcmp(cache.exe, exe) != 0) {
		if (cache.t)
			free(cache.t->data);
		free(cache.t);
		cache.syms = s;
		snprintf(cache.exe, sizeof(cache.exe), "%s", exe);
		cache.t = load(exe, s);
	}
	return cache.t;
}

/* Index of the function containing PC in functab, or -1. */
static int64_t func_index(const struct frame_table *t, uint64_t pc)
{
	if (pc < t->text)
		return -1;
	uint64_t off = pc - t->text, lo = 0, hi = t->nfunc;
	uint32_t e;
	if (off > UINT32_MAX || !rd32(t, t->functab + 8 * t->nfunc, &e) || off >= e)
		return -1;
	while (hi - lo > 1) {   /* the last entry with entryOff <= off */
		uint64_t mid = lo + (hi - lo) / 2;
		if (!rd32(t, t->functab + 8 * mid, &e))
			return -1;
		if (e <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (!rd32(t, t->functab + 8 * lo, &e) || e > off)
		return -1;
	return (int64_t)lo;
}

bool ft_func_at(const struct frame_table *t, uint64_t pc, struct ft_func *f)
{
	int64_t i = t ? func_index(t, pc) : -1;
	uint32_t entry, next, funcoff, nameoff;
	if (i < 0 || !rd32(t, t->functab + 8 * (uint64_t)i, &entry) ||
	    !rd32(t, t->functab + 8 * (uint64_t)i + 4, &funcoff) ||
	    !rd32(t, t->functab + 8 * (uint64_t)i + 8, &next) ||
	    !rd32(t, t->functab + funcoff + 4, &nameoff))
		return false;
	uint64_t no = t->funcname + nameoff;
	f->entry = t->text + entry;
	f->end = t->text + next;
	f->name = no < t->size && memchr(t->data + no, 0, t->size - no) ? (const char *)t->data + no
									 : NULL;
	return true;
}

int64_t ft_sp_delta(const struct frame_table *t, uint64_t pc)
{
	int64_t i = t ? func_index(t, pc) : -1;
	uint32_t entry, funcoff, pcsp;
	if (i < 0 || !rd32(t, t->functab + 8 * (uint64_t)i, &entry) ||
	    !rd32(t, t->functab + 8 * (uint64_t)i + 4, &funcoff) ||
	    !rd32(t, t->functab + funcoff + 16, &pcsp) || pcsp == 0)
		return -1;
	uint64_t off = t->pctab + pcsp, at = t->text + entry;
	int32_t val = -1;
	for (bool first = true;; first = false) {
		uint32_t uv, pcd;
		if (off >= t->size || (t->data[off] == 0 && !first))
			return -1;
		if (!grr_pcvalue_varint(t->data, t->size, &off, &uv) ||
		    !grr_pcvalue_varint(t->data, t->size, &off, &pcd))
			return -1;
		val += (int32_t)(-(uv & 1) ^ (uv >> 1));
		at += pcd;     /* PCQuantum is 1 on amd64 */
		if (pc < at)
			return val < 0 ? -1 : val;
	}
}
