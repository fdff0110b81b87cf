/* digest.c - memory digest of a tracee (see digest.h). */
#include "tracee/digest.h"
#include "tracee/maps.h"
#include "format/hash.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


bool grr_digest_covers(const struct grr_mapping *mp)
{
	if (!(mp->prot & PROT_WRITE) || (mp->flags & GRR_MAP_SHARED))
		return false;
	if (mp->start >= GRR_RESERVED_ADDR && mp->end <= GRR_RESERVED_ADDR + GRR_RESERVED_LEN)
		return false;
	return strcmp(mp->path, "[vvar]") != 0 && strcmp(mp->path, "[vdso]") != 0 &&
	       strcmp(mp->path, "[vsyscall]") != 0;
}

/* The hash of an all-zero page: a page hashing to it counts as zero
 * (one pass over the page instead of a zero test and a hash). */
static uint64_t zero_hash;
static pthread_once_t zero_hash_once = PTHREAD_ONCE_INIT;

static void compute_zero_hash(void)
{
	static const uint8_t zero[GRR_PAGE];
	zero_hash = grr_hash64(zero, GRR_PAGE, 0);
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
	pthread_once(&zero_hash_once, compute_zero_hash);
	uint64_t h = grr_hash64(page, GRR_PAGE, 0);
	return h == zero_hash ? 0 : mix(h ^ addr);
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

/* Pages at a time: each worker's half of a window is computed in one go. */
#ifndef WINDOW_PAGES
#define WINDOW_PAGES 65536ull
#endif
/* Below this, one thread: starting another costs more than it saves. */
#define PARALLEL_MIN_PAGES 512ull

/* One thread's share of a window: pages [FROM, TO) of the spans' page
 * sequence, their terms into TERMS[0 .. TO-FROM). */
struct terms_job {
	const struct grr_mem *m;
	int pagemap;
	const struct grr_page_span *spans;
	uint32_t nspans;
	const struct grr_range *ex;
	uint32_t nex;
	uint64_t from, to;
	uint64_t *terms;
	uint8_t *buf;
	int rc;
};

static void term_run(struct terms_job *j, uint64_t addr, uint64_t npages, uint64_t *terms)
{
	uint64_t len = npages * GRR_PAGE;
	size_t rd = grr_mem_read_partial(j->m, addr, j->buf, len);
	memset(j->buf + rd, 0, len - rd);
	for (uint64_t i = 0; i < npages; i++) {
		uint8_t *page = j->buf + i * GRR_PAGE;
		grr_digest_blank(page, addr + i * GRR_PAGE, j->ex, j->nex);
		terms[i] = grr_digest_page(page, addr + i * GRR_PAGE);
	}
}

/* Terms of NPAGES pages from ADDR, at most GRR_DIGEST_BATCH. */
static int term_batch(struct terms_job *j, const struct grr_page_span *sp, uint64_t addr,
		      uint64_t npages, uint64_t *terms)
{
	if (!sp->walk) {
		term_run(j, addr, npages, terms);
		return 0;
	}
	uint64_t entries[GRR_DIGEST_BATCH];
	if (pread(j->pagemap, entries, npages * 8, (off_t)(addr / GRR_PAGE * 8)) !=
	    (ssize_t)(npages * 8))
		return -1;
	uint64_t i = 0;
	while (i < npages) {
		if (!(entries[i] & (GRR_PM_PRESENT | GRR_PM_SWAPPED))) {
			terms[i++] = 0;
			continue;
		}
		uint64_t k = i;
		while (k < npages && (entries[k] & (GRR_PM_PRESENT | GRR_PM_SWAPPED)))
			k++;
		term_run(j, addr + i * GRR_PAGE, k - i, terms + i);
		i = k;
	}
	return 0;
}

static void *terms_work(void *arg)
{
	struct terms_job *j = arg;
	uint64_t base = 0;
	j->rc = 0;
	for (uint32_t s = 0; s < j->nspans && base < j->to && j->rc == 0; s++) {
		const struct grr_page_span *sp = &j->spans[s];
		uint64_t np = (sp->end - sp->start) / GRR_PAGE;
		uint64_t lo = j->from > base ? j->from : base;
		uint64_t hi = j->to < base + np ? j->to : base + np;
		for (uint64_t p = lo; p < hi && j->rc == 0; p += GRR_DIGEST_BATCH) {
			uint64_t n = hi - p < GRR_DIGEST_BATCH ? hi - p : GRR_DIGEST_BATCH;
			j->rc = term_batch(j, sp, sp->start + (p - base) * GRR_PAGE, n,
					   j->terms + (p - j->from));
		}
		base += np;
	}
	return NULL;
}

/* Computes window [FROM, TO) into TERMS, the second half on another
 * thread when it is large (the tracee is stopped: the other core is
 * idle).  BUFS holds two batch buffers. */
static int terms_window(struct terms_job *proto, uint64_t from, uint64_t to, uint64_t *terms,
			uint8_t *bufs, const cpu_set_t *helpers)
{
	struct terms_job a = *proto, b = *proto;
	uint64_t mid = to - from >= PARALLEL_MIN_PAGES ? from + (to - from) / 2 : to;
	a.from = from, a.to = mid, a.terms = terms, a.buf = bufs;
	b.from = mid, b.to = to, b.terms = terms + (mid - from);
	b.buf = bufs + GRR_DIGEST_BATCH * GRR_PAGE;
	pthread_t th;
	bool threaded = false;
	if (mid < to) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		if (helpers)
			pthread_attr_setaffinity_np(&attr, sizeof(*helpers), helpers);
		threaded = pthread_create(&th, &attr, terms_work, &b) == 0;
		pthread_attr_destroy(&attr);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	terms_work(&a);
	if (threaded)
		pthread_join(th, NULL);
	else if (mid < to)
		terms_work(&b);
	return a.rc < 0 || b.rc < 0 ? -1 : 0;
}

int grr_digest_spans(const struct grr_mem *m, int pagemap, const struct grr_page_span *spans,
		     uint32_t nspans, const struct grr_range *ex, uint32_t nex,
		     const cpu_set_t *helpers, grr_term_fn fn, void *ctx)
{
	uint64_t total = 0;
	for (uint32_t s = 0; s < nspans; s++)
		total += (spans[s].end - spans[s].start) / GRR_PAGE;
	if (!total)
		return 0;
	uint64_t wn = total < WINDOW_PAGES ? total : WINDOW_PAGES;
	uint64_t *terms = malloc(wn * sizeof(uint64_t));
	uint8_t *bufs = malloc(2 * GRR_DIGEST_BATCH * GRR_PAGE);
	struct terms_job proto = { .m = m, .pagemap = pagemap, .spans = spans,
				   .nspans = nspans, .ex = ex, .nex = nex };
	int rc = terms && bufs ? 0 : -1;
	/* the caller sees every page in order: a cursor over the spans */
	uint32_t s = 0;
	uint64_t addr = nspans ? spans[0].start : 0;
	for (uint64_t from = 0; rc == 0 && from < total; from += wn) {
		uint64_t to = total - from < wn ? total : from + wn;
		rc = terms_window(&proto, from, to, terms, bufs, helpers);
		for (uint64_t i = 0; rc == 0 && i < to - from; i++) {
			while (addr >= spans[s].end) {
				s++;
				addr = spans[s].start;
			}
			fn(ctx, addr, terms[i]);
			addr += GRR_PAGE;
		}
	}
	free(terms);
	free(bufs);
	return rc;
}

static void add_term(void *ctx, uint64_t addr, uint64_t term)
{
	(void)addr;
	*(uint64_t *)ctx += term;
}

int grr_digest_memory(const struct grr_mem *m, const struct grr_range *excluded,
		      uint32_t nexcluded, uint64_t *digest)
{
	return grr_digest_memory_on(m, excluded, nexcluded, NULL, digest);
}

int grr_digest_memory_on(const struct grr_mem *m, const struct grr_range *excluded,
			 uint32_t nexcluded, const cpu_set_t *helpers, uint64_t *digest)
{
	struct grr_mapping *maps;
	int n = grr_maps_read(m->pid, &maps);
	if (n < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)m->pid);
	int pagemap = open(path, O_RDONLY | O_CLOEXEC);
	struct grr_page_span *spans = malloc((size_t)(n ? n : 1) * sizeof(*spans));
	uint32_t ns = 0;
	for (int i = 0; spans && i < n; i++)
		if (grr_digest_covers(&maps[i]))
			spans[ns++] = (struct grr_page_span){ maps[i].start, maps[i].end,
							      maps[i].path[0] != '/' };
	uint64_t sum = 0;
	int rc = pagemap < 0 || !spans ? -1 :
		grr_digest_spans(m, pagemap, spans, ns, excluded, nexcluded, helpers, add_term, &sum);
	free(spans);
	if (pagemap >= 0)
		close(pagemap);
	grr_maps_free(maps, n);
	*digest = sum;
	return rc;
}
