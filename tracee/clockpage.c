/* clockpage.c - grr's clock page (see clockpage.h). */
#include "tracee/clockpage.h"
#include "tracee/maps.h"
#include "tracee/remote.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* clockpage_code.S: the code of each layout */
#define CP_CODE_SYMBOLS(p)                                                          \
	extern const uint8_t p##code[], p##code_end[], p##clock_gettime[],          \
		p##clock_rec_begin[], p##clock_rec_end[], p##cputicks[],             \
		p##tsc_rec_begin[], p##tsc_rec_end[]
CP_CODE_SYMBOLS(grr_cp_);
CP_CODE_SYMBOLS(grr_cp2_);
#define CP_LAYOUT(p, at, size, n)                                                   \
	{ .addr = (at), .len = (size), .nslots = (n), .code = p##code,              \
	  .code_end = p##code_end, .clock_gettime = p##clock_gettime,               \
	  .clock_rec_begin = p##clock_rec_begin, .clock_rec_end = p##clock_rec_end, \
	  .cputicks = p##cputicks, .tsc_rec_begin = p##tsc_rec_begin,               \
	  .tsc_rec_end = p##tsc_rec_end }

static const struct grr_cp_layout layouts[2] = {
	CP_LAYOUT(grr_cp_, 0x3fc000, 0x4000, 128),
	CP_LAYOUT(grr_cp2_, 0x3ed000, 0x13000, GRR_CP_MAX_SLOTS),
};

const struct grr_cp_layout *grr_cp_layout(bool ring2)
{
	return &layouts[ring2 ? 1 : 0];
}

/* Where LABEL of LAY's code runs in the tracee. */
static uint64_t code_addr(const struct grr_cp_layout *lay, const uint8_t *label)
{
	return lay->addr + GRR_CP_CODE_OFF + (uint64_t)(label - lay->code);
}

#define D_MODE(l)   (grr_cp_data(l) + 8)
#define D_REALFN(l) (grr_cp_data(l) + 16)
#define PATCH_LEN 12   /* movabs $addr, %rax; jmp *%rax */

/* Where the ELF parts sit in the page (the Go runtime's vDSO parser reads
 * the program headers, the dynamic section, DT_HASH, the symbols and the
 * version definitions; it needs a version definition). */
enum {
	OFF_PHDR = 0x40, OFF_DYN = 0xb0, OFF_HASH = 0x140, OFF_SYM = 0x158,
	OFF_VERSYM = 0x188, OFF_VERDEF = 0x190, OFF_STR = 0x1b0,
};
static const char strtab[] = "\0__vdso_clock_gettime\0LINUX_2.6";
#define STR_CLOCK 1
#define STR_VERSION 22
#define LINUX_2_6_HASH 0x3ae75f6u   /* ELF hash of "LINUX_2.6" */

static void put_dyn(uint8_t *page, int i, int64_t tag, uint64_t val)
{
	Elf64_Dyn d = { .d_tag = tag, .d_un.d_val = val };
	memcpy(page + OFF_DYN + i * sizeof(d), &d, sizeof(d));
}

void grr_clockpage_image(const struct grr_cp_layout *lay, uint8_t page[4096])
{
	memset(page, 0, 4096);
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_phoff = OFF_PHDR, .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	memcpy(page, &eh, sizeof(eh));
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_filesz = 4096, .p_memsz = 4096,
		  .p_align = 4096 },
		{ .p_type = PT_DYNAMIC, .p_flags = PF_R, .p_offset = OFF_DYN, .p_vaddr = OFF_DYN,
		  .p_filesz = 9 * sizeof(Elf64_Dyn), .p_memsz = 9 * sizeof(Elf64_Dyn), .p_align = 8 },
	};
	memcpy(page + OFF_PHDR, ph, sizeof(ph));
	put_dyn(page, 0, DT_HASH, OFF_HASH);
	put_dyn(page, 1, DT_STRTAB, OFF_STR);
	put_dyn(page, 2, DT_SYMTAB, OFF_SYM);
	put_dyn(page, 3, DT_STRSZ, sizeof(strtab));
	put_dyn(page, 4, DT_SYMENT, sizeof(Elf64_Sym));
	put_dyn(page, 5, DT_VERSYM, OFF_VERSYM);
	put_dyn(page, 6, DT_VERDEF, OFF_VERDEF);
	put_dyn(page, 7, DT_VERDEFNUM, 1);
	put_dyn(page, 8, DT_NULL, 0);
	/* one bucket holding symbol 1; symbol 1 ends the chain */
	static const uint32_t hash[5] = { 1, 2, 1, 0, 0 };
	memcpy(page + OFF_HASH, hash, sizeof(hash));
	Elf64_Sym sym = {
		.st_name = STR_CLOCK, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1,
		.st_value = GRR_CP_CODE_OFF + (uint64_t)(lay->clock_gettime - lay->code),
	};
	memcpy(page + OFF_SYM + sizeof(Elf64_Sym), &sym, sizeof(sym));
	static const uint16_t versym[2] = { 0, 2 };
	memcpy(page + OFF_VERSYM, versym, sizeof(versym));
	Elf64_Verdef vd = { .vd_version = 1, .vd_ndx = 2, .vd_cnt = 1, .vd_hash = LINUX_2_6_HASH,
			    .vd_aux = sizeof(Elf64_Verdef) };
	Elf64_Verdaux va = { .vda_name = STR_VERSION };
	memcpy(page + OFF_VERDEF, &vd, sizeof(vd));
	memcpy(page + OFF_VERDEF + sizeof(vd), &va, sizeof(va));
	memcpy(page + OFF_STR, strtab, sizeof(strtab));
	memcpy(page + GRR_CP_CODE_OFF, lay->code, (size_t)(lay->code_end - lay->code));
}

/* Whether the instruction stream of the function around ADDR has an
 * RDTSC or RDTSCP starting exactly at ADDR (a byte pattern may sit inside
 * another instruction). */
static bool is_tsc_insn(const uint8_t *code, uint64_t base, const struct grr_symbol *fn,
			uint64_t len, uint64_t addr)
{
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return true;
	const uint8_t *p = code + (fn->addr - base);
	size_t n = fn->addr + fn->size <= base + len ? fn->size : base + len - fn->addr;
	uint64_t pc = fn->addr;
	cs_insn *in = cs_malloc(h);
	bool found = false;
	while (pc <= addr && cs_disasm_iter(h, &p, &n, &pc, in))
		if (in->address == addr)
			found = in->id == X86_INS_RDTSC || in->id == X86_INS_RDTSCP;
	cs_free(in, 1);
	cs_close(&h);
	return found;
}

/* Whether the executable mapping [BASE, BASE+LEN) (contents CODE) has an
 * RDTSC/RDTSCP outside runtime.cputicks. */
static bool stray_tsc(const uint8_t *code, uint64_t base, uint64_t len,
		      const struct grr_symtab *syms, const struct grr_symbol *cputicks)
{
	for (uint64_t i = 0; i + 2 <= len; i++) {
		if (code[i] != 0x0f)
			continue;
		bool tsc = code[i + 1] == 0x31 ||
			   (i + 3 <= len && code[i + 1] == 0x01 && code[i + 2] == 0xf9);
		uint64_t at = base + i;
		if (!tsc || (at >= cputicks->addr && at < cputicks->addr + cputicks->size))
			continue;
		const struct grr_symbol *fn = grr_symtab_lookup(syms, at);
		if (!fn || fn->addr < base || is_tsc_insn(code, base, fn, len, at))
			return true;
	}
	return false;
}

const struct grr_symbol *grr_clockpage_cputicks(const struct grr_symtab *syms)
{
	const struct grr_symbol *s = grr_symtab_find(syms, "runtime.cputicks.abi0");
	return s ? s : grr_symtab_find(syms, "runtime.cputicks");
}

bool grr_clockpage_usable(const struct grr_mem *m, pid_t pid, const struct grr_symtab *syms,
			  const struct grr_cp_layout *lay, struct grr_clockpage *cp,
			  const char **why)
{
	memset(cp, 0, sizeof(*cp));
	cp->lay = lay;
	const struct grr_symbol *ct = grr_clockpage_cputicks(syms);
	if (!ct || ct->size < PATCH_LEN) {
		*why = "no runtime.cputicks to redirect";
		return false;
	}
	struct grr_mapping *maps;
	int n = grr_maps_read(pid, &maps);
	if (n < 0) {
		*why = "cannot read the address space";
		return false;
	}
	*why = NULL;
	for (int i = 0; i < n && !*why; i++) {
		const struct grr_mapping *mp = &maps[i];
		if (grr_mapping_overlaps(mp, lay->addr, lay->addr + lay->len)) {
			*why = "its address range is taken";
			break;
		}
		if (!(mp->prot & PROT_EXEC) || mp->path[0] == '[')
			continue;
		if (mp->start >= (1ull << 32)) {
			cp->loader = true;   /* (the dynamic loader) */
			continue;
		}
		uint64_t len = mp->end - mp->start;
		uint8_t *code = malloc(len);
		if (!code || grr_mem_read_partial(m, mp->start, code, len) != len)
			*why = "cannot read the program's code";
		else if (stray_tsc(code, mp->start, len, syms, ct))
			*why = "the program executes RDTSC outside runtime.cputicks";
		free(code);
	}
	grr_maps_free(maps, n);
	if (*why)
		return false;
	cp->cputicks = ct->addr;
	return true;
}

/* The address of __vdso_clock_gettime in PID's [vdso] mapping. */
static int find_real_vdso(const struct grr_mem *m, pid_t pid, struct grr_clockpage *cp,
			  uint64_t *fn)
{
	struct grr_mapping *maps;
	int n = grr_maps_read(pid, &maps);
	if (n < 0)
		return -1;
	uint64_t lo = 0, hi = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(maps[i].path, "[vdso]") == 0)
			lo = maps[i].start, hi = maps[i].end;
	grr_maps_free(maps, n);
	if (!lo || hi - lo > (1u << 20))
		return -1;
	uint8_t *img = malloc(hi - lo);
	int rc = -1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	uint64_t size = hi - lo;
	if (!img || grr_mem_read(m, lo, img, size) < 0 || memcmp(img, ELFMAG, SELFMAG) != 0 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		goto out;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum && rc < 0; i++) {
		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > size || str->sh_offset + str->sh_size > size)
			continue;
		const Elf64_Sym *syms = (const Elf64_Sym *)(img + sh[i].sh_offset);
		for (uint64_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
			const char *name = (const char *)img + str->sh_offset + syms[k].st_name;
			if (syms[k].st_name < str->sh_size &&
			    strnlen(name, str->sh_size - syms[k].st_name) == 20 &&
			    strcmp(name, "__vdso_clock_gettime") == 0 && syms[k].st_value < size) {
				*fn = lo + syms[k].st_value;
				rc = 0;
				break;
			}
		}
	}
	cp->vdso_lo = lo;
	cp->vdso_hi = hi;
out:
	free(img);
	return rc;
}

int grr_clockpage_install(const struct grr_mem *m, pid_t tid, struct grr_clockpage *cp,
			  bool recording, const char **why)
{
	uint64_t realfn = 0;
	if (recording && find_real_vdso(m, tid, cp, &realfn) < 0) {
		*why = "no kernel vDSO with __vdso_clock_gettime";
		return -1;
	}
	const struct grr_cp_layout *lay = cp->lay;
	if (grr_remote_call(m, tid, SYS_mmap, lay->addr, lay->len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, NULL) < 0) {
		*why = "cannot map the clock page";
		return -1;
	}
	uint8_t page[4096];
	grr_clockpage_image(lay, page);
	uint64_t mode = recording ? 1 : 0;
	uint8_t patch[PATCH_LEN] = { 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xe0 };
	uint64_t target = code_addr(lay, lay->cputicks);
	memcpy(patch + 2, &target, 8);
	if (grr_mem_write(m, lay->addr, page, sizeof(page)) < 0 ||
	    grr_mem_write(m, D_MODE(lay), &mode, 8) < 0 ||
	    grr_mem_write(m, D_REALFN(lay), &realfn, 8) < 0 ||
	    grr_remote_call(m, tid, SYS_mprotect, lay->addr, 4096, PROT_READ | PROT_EXEC, 0, 0,
			    NULL) < 0 ||
	    grr_mem_write(m, cp->cputicks, patch, sizeof(patch)) < 0) {
		/* leave the address space as it was (the program runs without
		 * the page; a replay must not find an extra mapping) */
		grr_remote_call(m, tid, SYS_munmap, lay->addr, lay->len, 0, 0, 0, NULL);
		*why = "cannot fill the clock page or redirect runtime.cputicks";
		return -1;
	}
	cp->active = true;
	return 0;
}

bool grr_clockpage_record_only(const struct grr_clockpage *cp, uint64_t pc)
{
	if (!cp->active)
		return false;
	const struct grr_cp_layout *l = cp->lay;
	return (pc >= code_addr(l, l->clock_rec_begin) && pc < code_addr(l, l->clock_rec_end)) ||
	       (pc >= code_addr(l, l->tsc_rec_begin) && pc < code_addr(l, l->tsc_rec_end)) ||
	       (pc >= cp->vdso_lo && pc < cp->vdso_hi);
}

bool grr_clockpage_code(const struct grr_clockpage *cp, uint64_t pc)
{
	if (!cp->active)
		return false;
	const struct grr_cp_layout *l = cp->lay;
	return (pc >= code_addr(l, l->code) && pc < code_addr(l, l->code_end)) ||
	       (pc >= cp->vdso_lo && pc < cp->vdso_hi);
}

int grr_clockpage_collect(const struct grr_mem *m, const struct grr_cp_layout *lay,
			  uint64_t from, uint64_t to, uint8_t *buf, struct grr_mem_write w[2])
{
	if (to < from || to - from > lay->nslots)
		return -1;
	int n = 0;
	uint8_t *p = buf;
	while (from < to) {
		uint64_t slot = from % lay->nslots;
		uint64_t cnt = to - from;
		if (slot + cnt > lay->nslots)
			cnt = lay->nslots - slot;
		uint64_t addr = grr_cp_slots(lay) + slot * GRR_CP_SLOT_SIZE;
		uint64_t len = cnt * GRR_CP_SLOT_SIZE;
		if (grr_mem_read(m, addr, p, len) < 0)
			return -1;
		/* (stored delta-coded: format/slot_codec.h) */
		w[n] = (struct grr_mem_write){ .addr = addr, .len = len, .data = p, .slots = 1 };
		n++;
		p += len;
		from += cnt;
	}
	return n;
}
