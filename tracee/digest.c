/* digest.c - memory digest of a tracee (see digest.h). */
#include "tracee/digest.h"
#include "tracee/maps.h"
#include "format/hash.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

bool grr_digest_covers(const struct grr_mapping *mp)
{
	if (!(mp->prot & PROT_WRITE) || (mp->flags & GRR_MAP_SHARED))
		return false;
	if (mp->start >= GRR_RESERVED_ADDR && mp->end <= GRR_RESERVED_ADDR + GRR_RESERVED_LEN)
		return false;
	return strcmp(mp->path, "[vvar]") != 0 && strcmp(mp->path, "[vdso]") != 0 &&
	       strcmp(mp->path, "[vsyscall]") != 0;
}

static bool page_is_zero(const uint64_t *p)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < GRR_PAGE / 8; i++)
		acc |= p[i];
	return acc == 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

uint64_t grr_digest_page(const uint8_t *page, uint64_t addr)
{
	if (page_is_zero((const uint64_t *)page))
		return 0;
	return mix(grr_hash64(page, GRR_PAGE, 0) ^ addr);
}

void grr_digest_blank(uint8_t *page, uint64_t addr, const struct grr_range *ex, uint32_t nex)
{
	for (uint32_t i = 0; i < nex; i++) {
		uint64_t lo = ex[i].addr > addr ? ex[i].addr : addr;
		uint64_t end = ex[i].addr + ex[i].len;
		uint64_t hi = end < addr + GRR_PAGE ? end : addr + GRR_PAGE;
		if (lo < hi)
			memset(page + (lo - addr), 0, hi - lo);
	}
}

static void read_pages(const struct grr_mem *m, uint64_t addr, uint8_t *buf, uint64_t npages,
		       grr_page_fn fn, void *ctx)
{
	uint64_t len = npages * GRR_PAGE;
	size_t rd = grr_mem_read_partial(m, addr, buf, len);
	memset(buf + rd, 0, len - rd);
	for (uint64_t i = 0; i < npages; i++)
		fn(ctx, addr + i * GRR_PAGE, buf + i * GRR_PAGE);
}

int grr_digest_walk(const struct grr_mem *m, int pagemap, uint64_t start, uint64_t end,
		    bool file_backed, uint8_t *buf, grr_page_fn fn, void *ctx)
{
	uint64_t entries[GRR_DIGEST_BATCH];
	for (uint64_t a = start; a < end; a += GRR_DIGEST_BATCH * GRR_PAGE) {
		uint64_t n = (end - a) / GRR_PAGE;
		if (n > GRR_DIGEST_BATCH)
			n = GRR_DIGEST_BATCH;
		if (file_backed) {
			/* absent pages of a file mapping hold the file's bytes, and
			 * which are present depends on the page cache: read all */
			read_pages(m, a, buf, n, fn, ctx);
			continue;
		}
		if (pread(pagemap, entries, n * 8, (off_t)(a / GRR_PAGE * 8)) != (ssize_t)(n * 8))
			return -1;
		uint64_t i = 0;
		while (i < n) {
			if (!(entries[i] & (PM_PRESENT | PM_SWAPPED))) {
				i++;
				continue;
			}
			uint64_t j = i;
			while (j < n && (entries[j] & (PM_PRESENT | PM_SWAPPED)))
				j++;
			read_pages(m, a + i * GRR_PAGE, buf, j - i, fn, ctx);
			i = j;
		}
	}
	return 0;
}

void grr_digest_read(const struct grr_mem *m, uint64_t start, uint64_t end, uint8_t *buf,
		     grr_page_fn fn, void *ctx)
{
	for (uint64_t a = start; a < end; a += GRR_DIGEST_BATCH * GRR_PAGE) {
		uint64_t n = (end - a) / GRR_PAGE;
		read_pages(m, a, buf, n > GRR_DIGEST_BATCH ? GRR_DIGEST_BATCH : n, fn, ctx);
	}
}

struct full_sum {
	const struct grr_range *ex;
	uint32_t nex;
	uint64_t sum;
	struct grr_digest_stats *st;
};

static void add_page(void *ctx, uint64_t addr, uint8_t *page)
{
	struct full_sum *f = ctx;
	grr_digest_blank(page, addr, f->ex, f->nex);
	uint64_t v = grr_digest_page(page, addr);
	if (v) {
		f->sum += v;
		f->st->bytes_hashed += GRR_PAGE;
	} else {
		f->st->pages_skipped++;
	}
}

int grr_digest_memory(const struct grr_mem *m, const struct grr_range *excluded,
		      uint32_t nexcluded, uint64_t *digest,
		      struct grr_digest_stats *stats)
{
	struct grr_digest_stats local = { 0 };
	struct grr_digest_stats *st = stats ? stats : &local;
	memset(st, 0, sizeof(*st));
	struct grr_mapping *maps;
	int n = grr_maps_read(m->pid, &maps);
	if (n < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)m->pid);
	int pagemap = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = malloc(GRR_DIGEST_BATCH * GRR_PAGE);
	int rc = (pagemap < 0 || !buf) ? -1 : 0;
	struct full_sum f = { .ex = excluded, .nex = nexcluded, .st = st };
	for (int i = 0; rc == 0 && i < n; i++)
		if (grr_digest_covers(&maps[i]))
			rc = grr_digest_walk(m, pagemap, maps[i].start, maps[i].end,
					     maps[i].path[0] == '/', buf, add_page, &f);
	free(buf);
	if (pagemap >= 0)
		close(pagemap);
	grr_maps_free(maps, n);
	*digest = f.sum;
	return rc;
}
