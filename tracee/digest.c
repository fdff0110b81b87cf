/* digest.c - memory digest of a tracee (see digest.h). */
#include "tracee/digest.h"
#include "tracee/maps.h"
#include "format/hash.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ull
#define BATCH_PAGES 256ull
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

static int digestible(const struct grr_mapping *mp)
{
	if (!(mp->prot & PROT_WRITE) || (mp->flags & GRR_MAP_SHARED))
		return 0;
	if (mp->start >= GRR_RESERVED_ADDR && mp->end <= GRR_RESERVED_ADDR + GRR_RESERVED_LEN)
		return 0;
	return strcmp(mp->path, "[vvar]") != 0 && strcmp(mp->path, "[vdso]") != 0 &&
	       strcmp(mp->path, "[vsyscall]") != 0;
}

static int page_is_zero(const uint64_t *p)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < PAGE / 8; i++)
		acc |= p[i];
	return acc == 0;
}

/* Zeroes the parts of the page at ADDR that fall in an excluded range. */
static void blank_excluded(uint8_t *page, uint64_t addr, const struct grr_range *ex,
			   uint32_t nex)
{
	for (uint32_t i = 0; i < nex; i++) {
		uint64_t lo = ex[i].addr > addr ? ex[i].addr : addr;
		uint64_t end = ex[i].addr + ex[i].len;
		uint64_t hi = end < addr + PAGE ? end : addr + PAGE;
		if (lo < hi)
			memset(page + (lo - addr), 0, hi - lo);
	}
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static void hash_batch(uint8_t *buf, uint64_t addr, uint64_t npages,
		       const struct grr_range *ex, uint32_t nex, uint64_t *sum,
		       struct grr_digest_stats *st)
{
	for (uint64_t i = 0; i < npages; i++) {
		uint8_t *page = buf + i * PAGE;
		uint64_t a = addr + i * PAGE;
		blank_excluded(page, a, ex, nex);
		if (page_is_zero((const uint64_t *)page)) {
			st->pages_skipped++;
			continue;
		}
		*sum += mix(grr_hash64(page, PAGE, 0) ^ a);
		st->bytes_hashed += PAGE;
	}
}

/* Digests one mapping, reading only the pages pagemap says are present. */
static int digest_mapping(const struct grr_mem *m, int pagemap, const struct grr_mapping *mp,
			  const struct grr_range *ex, uint32_t nex, uint64_t *sum,
			  uint8_t *buf, struct grr_digest_stats *st)
{
	uint64_t entries[BATCH_PAGES];
	bool file_backed = mp->path[0] == '/';
	for (uint64_t a = mp->start; a < mp->end; a += BATCH_PAGES * PAGE) {
		uint64_t n = (mp->end - a) / PAGE;
		if (n > BATCH_PAGES)
			n = BATCH_PAGES;
		if (file_backed) {
			/* absent pages of a file mapping hold the file's bytes, and
			 * which are present depends on the page cache: read all */
			for (uint64_t k = 0; k < n; k++)
				entries[k] = PM_PRESENT;
		} else if (pread(pagemap, entries, n * 8, (off_t)(a / PAGE * 8)) != (ssize_t)(n * 8)) {
			return -1;
		}
		uint64_t i = 0;
		while (i < n) {
			if (!(entries[i] & (PM_PRESENT | PM_SWAPPED))) {
				i++;
				continue;
			}
			uint64_t j = i;
			while (j < n && (entries[j] & (PM_PRESENT | PM_SWAPPED)))
				j++;
			uint64_t len = (j - i) * PAGE;
			size_t rd = grr_mem_read_partial(m, a + i * PAGE, buf, len);
			memset(buf + rd, 0, len - rd);
			hash_batch(buf, a + i * PAGE, j - i, ex, nex, sum, st);
			i = j;
		}
	}
	return 0;
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
	uint8_t *buf = malloc(BATCH_PAGES * PAGE);
	int rc = (pagemap < 0 || !buf) ? -1 : 0;
	uint64_t sum = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		if (digestible(&maps[i]))
			rc = digest_mapping(m, pagemap, &maps[i], excluded, nexcluded,
					    &sum, buf, st);
	free(buf);
	if (pagemap >= 0)
		close(pagemap);
	grr_maps_free(maps, n);
	*digest = sum;
	return rc;
}
