/* test_clockpage.c - unit tests of grr's clock page (tracee/clockpage.c):
 * the Go runtime finds __vdso_clock_gettime in the image, and the page's
 * code, run in this process, records values in record mode, returns the
 * slots' values in replay mode, and collects them in at most two writes. */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tracee/clockpage.h"
#include "tests/unit/run_suite.h"

/* The ELF hash (System V), as the Go runtime precomputes it. */
static uint32_t elf_hash(const char *s)
{
	uint32_t h = 0;
	for (; *s; s++) {
		h = (h << 4) + (uint8_t)*s;
		uint32_t g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* The Go runtime's vDSO lookup (runtime/vdso_linux.go): program headers,
 * dynamic section, version LINUX_2.6, DT_HASH; returns st_value or 0. */
static uint64_t go_lookup(const uint8_t *img, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(img + ph->p_offset);
	}
	ck_assert_ptr_nonnull(dyn);
	const char *str = NULL;
	const Elf64_Sym *sym = NULL;
	const uint32_t *hash = NULL;
	const uint16_t *versym = NULL;
	const Elf64_Verdef *vd = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const uint8_t *p = img + dyn->d_un.d_val;
		switch (dyn->d_tag) {
		case DT_STRTAB: str = (const char *)p; break;
		case DT_SYMTAB: sym = (const Elf64_Sym *)p; break;
		case DT_HASH: hash = (const uint32_t *)p; break;
		case DT_VERSYM: versym = (const uint16_t *)p; break;
		case DT_VERDEF: vd = (const Elf64_Verdef *)p; break;
		}
	}
	ck_assert(str && sym && hash && versym && vd);
	int version = -1;
	for (;;) {
		const Elf64_Verdaux *aux = (const Elf64_Verdaux *)((const uint8_t *)vd + vd->vd_aux);
		if (!(vd->vd_flags & VER_FLG_BASE) && vd->vd_hash == elf_hash("LINUX_2.6") &&
		    strcmp(str + aux->vda_name, "LINUX_2.6") == 0)
			version = vd->vd_ndx & 0x7fff;
		if (!vd->vd_next)
			break;
		vd = (const Elf64_Verdef *)((const uint8_t *)vd + vd->vd_next);
	}
	ck_assert_int_gt(version, 0);
	uint32_t nbucket = hash[0];
	const uint32_t *bucket = hash + 2, *chain = hash + 2 + nbucket;
	for (uint32_t i = bucket[elf_hash(name) % nbucket]; i != 0; i = chain[i]) {
		if (ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC && sym[i].st_shndx != SHN_UNDEF &&
		    strcmp(str + sym[i].st_name, name) == 0 && (versym[i] & 0x7fff) == version)
			return sym[i].st_value;
	}
	return 0;
}

START_TEST(test_image_lookup)
{
	for (int v = 0; v < 2; v++) {
		uint8_t page[4096];
		grr_clockpage_image(grr_cp_layout(v), page);
		ck_assert(memcmp(page, ELFMAG, SELFMAG) == 0);
		uint64_t at = go_lookup(page, "__vdso_clock_gettime");
		ck_assert_uint_ge(at, GRR_CP_CODE_OFF);
		ck_assert_uint_lt(at, 4096);
		static const uint8_t cmp_edi_1[3] = { 0x83, 0xff, 0x01 };   /* its first instruction */
		ck_assert(memcmp(page + at, cmp_edi_1, 3) == 0);
		ck_assert_uint_eq(go_lookup(page, "__vdso_gettimeofday"), 0);
		ck_assert_uint_eq(go_lookup(page, "__vdso_getrandom"), 0);
	}
	/* the two layouts: the first as traces of format 1.1 have it */
	ck_assert_uint_eq(grr_cp_layout(false)->addr, 0x3fc000);
	ck_assert_uint_eq(grr_cp_layout(false)->nslots, 128);
	ck_assert_uint_eq(grr_cp_layout(true)->nslots, GRR_CP_MAX_SLOTS);
	ck_assert_uint_eq(grr_cp_layout(true)->addr + grr_cp_layout(true)->len, 0x400000);
	ck_assert_uint_le(grr_cp_slots(grr_cp_layout(true)) + GRR_CP_MAX_SLOTS * GRR_CP_SLOT_SIZE,
			  grr_cp_layout(true)->addr + grr_cp_layout(true)->len - 4096);
}
END_TEST

typedef int (*clock_fn)(clockid_t, struct timespec *);
static long fake_ns;

/* stands for the kernel's vDSO while "recording" */
static int fake_clock(clockid_t clk, struct timespec *ts)
{
	ts->tv_sec = 1000 + clk;
	ts->tv_nsec = ++fake_ns;
	return 0;
}

/* Maps the page of LAY at its address in this process; NULL if taken. */
static clock_fn map_page(const struct grr_cp_layout *lay)
{
	void *p = mmap((void *)(uintptr_t)lay->addr, lay->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)(uintptr_t)lay->addr)
		return NULL;
	uint8_t page[4096];
	grr_clockpage_image(lay, page);
	memcpy(p, page, sizeof(page));
	ck_assert_int_eq(mprotect(p, 4096, PROT_READ | PROT_EXEC), 0);
	uint64_t fn = lay->addr + go_lookup(page, "__vdso_clock_gettime");
	return (clock_fn)(uintptr_t)fn;
}

static uint64_t *data_word(const struct grr_cp_layout *lay, int i)
{
	return (uint64_t *)(uintptr_t)(grr_cp_data(lay) + 8 * (uint64_t)i);
}

static uint64_t *slot(const struct grr_cp_layout *lay, uint64_t i)
{
	return (uint64_t *)(uintptr_t)(grr_cp_slots(lay) + (i % lay->nslots) * GRR_CP_SLOT_SIZE);
}

/* The page's code of LAY, run here: records N values, collects the last
 * 50 of them across the ring's end, then replays one. */
static void page_code(const struct grr_cp_layout *lay)
{
	clock_fn cg = map_page(lay);
	if (!cg) {
		fprintf(stderr, "test_page_code: 0x%llx is taken here; skipped\n",
			(unsigned long long)lay->addr);
		return;
	}
	const uint64_t n = lay->nslots + 44;
	/* recording: the real function's values, kept in the slots */
	fake_ns = 0;
	*data_word(lay, 1) = 1;
	*data_word(lay, 2) = (uint64_t)(uintptr_t)fake_clock;
	struct timespec ts;
	for (uint64_t i = 0; i < n; i++) {
		ck_assert_int_eq(cg(CLOCK_MONOTONIC, &ts), 0);
		ck_assert_int_eq(ts.tv_sec, 1001);
		ck_assert_int_eq(ts.tv_nsec, (long)i + 1);
	}
	ck_assert_uint_eq(*data_word(lay, 0), n);
	ck_assert_uint_eq(slot(lay, n - 1)[1], 1001);
	ck_assert_uint_eq(slot(lay, n - 1)[2], n);

	/* collecting values n-50..n-1: the ring wraps after 6 of them */
	struct grr_mem m;
	ck_assert_int_eq(grr_mem_open(&m, getpid()), 0);
	static uint8_t buf[GRR_CP_MAX_SLOTS * GRR_CP_SLOT_SIZE];
	struct grr_mem_write w[2];
	ck_assert_int_eq(grr_clockpage_collect(&m, lay, n - 50, n, buf, w), 2);
	ck_assert_uint_eq(w[0].addr, (uint64_t)(uintptr_t)slot(lay, n - 50));
	ck_assert_uint_eq(w[0].len, 6 * GRR_CP_SLOT_SIZE);
	ck_assert_uint_eq(w[1].addr, grr_cp_slots(lay));
	ck_assert_uint_eq(w[1].len, 44 * GRR_CP_SLOT_SIZE);
	ck_assert_int_eq(memcmp(w[1].data + 43 * GRR_CP_SLOT_SIZE, slot(lay, n - 1), 24), 0);
	/* (more than the ring holds: overwritten) */
	ck_assert_int_eq(grr_clockpage_collect(&m, lay, n - lay->nslots - 1, n, buf, w), -1);
	ck_assert_int_eq(grr_clockpage_collect(&m, lay, n, n, buf, w), 0);
	grr_mem_close(&m);

	/* replay: the values put in the slots come back, the real function
	 * is not called */
	*data_word(lay, 1) = 0;
	*data_word(lay, 2) = 0;
	slot(lay, n)[0] = 0;
	slot(lay, n)[1] = 77;
	slot(lay, n)[2] = 123456789;
	ck_assert_int_eq(cg(CLOCK_REALTIME, &ts), 0);
	ck_assert_int_eq(ts.tv_sec, 77);
	ck_assert_int_eq(ts.tv_nsec, 123456789);
	ck_assert_uint_eq(*data_word(lay, 0), n + 1);
	ck_assert_int_eq(fake_ns, (long)n);

	/* other clocks are plain syscalls, in both modes */
	ck_assert_int_eq(cg(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	ck_assert_uint_eq(*data_word(lay, 0), n + 1);
	munmap((void *)(uintptr_t)lay->addr, lay->len);
}

START_TEST(test_page_code)
{
	page_code(grr_cp_layout(false));
	page_code(grr_cp_layout(true));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_image_lookup, test_page_code };
	return run_tests("clockpage", tests, sizeof(tests) / sizeof(tests[0]));
}
