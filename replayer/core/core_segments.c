/* core_segments.c - the bytes of one PT_LOAD segment: the mapping's
 * memory, copied a megabyte at a time.  Only pages that hold something
 * are written: pages the memory says were never written (anonymous
 * memory never touched) are not even read, and pages of zeros are not
 * written; both stay holes of the sparse file, which read as zeros.  A
 * page that cannot be read is a hole too (counted in the stats), as the
 * kernel leaves one. */
#include "replayer/core/core_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_PAGES 256u

static bool all_zero(const uint64_t *w)
{
	for (size_t i = 0; i < CORE_PAGE / 8; i++)
		if (w[i])
			return false;
	return true;
}

int core_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t k = pwrite(fd, p, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			return -1;
		}
		p += k;
		len -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Reads pages [I, J) of the chunk at ADDR into BUF; a page that cannot be
 * read is marked absent (a hole) and counted. */
static void read_run(const struct core_memory *mem, uint64_t addr, uint8_t *buf, uint8_t *have,
		     size_t i, size_t j, struct core_stats *st)
{
	if (mem->read(mem->ctx, addr + i * CORE_PAGE, buf + i * CORE_PAGE, (j - i) * CORE_PAGE) == 0)
		return;
	for (size_t p = i; p < j; p++)
		if (mem->read(mem->ctx, addr + p * CORE_PAGE, buf + p * CORE_PAGE, CORE_PAGE) < 0) {
			have[p] = 0;
			st->unreadable += CORE_PAGE;
		}
}

int core_segment_write(int fd, uint64_t off, const struct core_segment *s,
		       const struct core_memory *mem, struct core_stats *st)
{
	uint64_t *words = malloc(CHUNK_PAGES * CORE_PAGE);
	if (!words)
		return -1;
	uint8_t *buf = (uint8_t *)words;
	uint8_t have[CHUNK_PAGES];
	int rc = 0;
	for (uint64_t addr = s->start; addr < s->end && rc == 0;) {
		size_t k = (s->end - addr) / CORE_PAGE;
		if (k > CHUNK_PAGES)
			k = CHUNK_PAGES;
		if (!s->sparse || !mem->present || mem->present(mem->ctx, addr, k, have) < 0)
			memset(have, 1, k);
		for (size_t i = 0; i < k;) {
			size_t j = i;
			while (j < k && have[j])
				j++;
			if (j > i)
				read_run(mem, addr, buf, have, i, j, st);
			i = j + 1;
		}
		for (size_t i = 0; i < k; i++)
			if (have[i] && all_zero(words + i * (CORE_PAGE / 8)))
				have[i] = 0;
		for (size_t i = 0; i < k && rc == 0;) {
			if (!have[i]) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < k && have[j])
				j++;
			rc = core_pwrite_all(fd, buf + i * CORE_PAGE, (j - i) * CORE_PAGE,
					off + (addr - s->start) + i * CORE_PAGE);
			st->written += (j - i) * CORE_PAGE;
			i = j;
		}
		addr += k * CORE_PAGE;
	}
	if (rc == 0)
		st->dumped += s->end - s->start;
	int e = errno;
	free(words);
	errno = e;
	return rc;
}
