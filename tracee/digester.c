/* digester.c - incremental memory digests (see digester.h). */
#include "tracee/digester.h"
#include "tracee/envflag.h"
#include "tracee/maps.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the table of page terms: open addressing, linear probing ---- */

static uint64_t slot_of(const struct grr_pagetab *t, uint64_t key)
{
	return ((key >> 12) * 0x9e3779b97f4a7c15ull) & (t->cap - 1);
}

static int tab_grow(struct grr_pagetab *t);

/* Stores VAL for KEY (VAL 0: removes it); returns the old value. */
static uint64_t tab_put(struct grr_pagetab *t, uint64_t key, uint64_t val)
{
	if (val && (t->n + 1) * 4 > t->cap * 3 && tab_grow(t) < 0) {
		t->lost = true;
		return 0;
	}
	if (!t->cap)
		return 0;
	uint64_t i = slot_of(t, key);
	while (t->keys[i] && t->keys[i] != key)
		i = (i + 1) & (t->cap - 1);
	uint64_t old = t->keys[i] ? t->vals[i] : 0;
	if (val) {
		if (!t->keys[i])
			t->n++;
		t->keys[i] = key;
		t->vals[i] = val;
		return old;
	}
	if (!t->keys[i])
		return 0;
	/* backward-shift deletion keeps every probe chain unbroken */
	t->n--;
	uint64_t hole = i;
	for (uint64_t j = (i + 1) & (t->cap - 1); t->keys[j]; j = (j + 1) & (t->cap - 1)) {
		uint64_t home = slot_of(t, t->keys[j]);
		bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			t->keys[hole] = t->keys[j];
			t->vals[hole] = t->vals[j];
			hole = j;
		}
	}
	t->keys[hole] = 0;
	return old;
}

static uint64_t tab_get(const struct grr_pagetab *t, uint64_t key)
{
	if (!t->cap)
		return 0;
	for (uint64_t i = slot_of(t, key); t->keys[i]; i = (i + 1) & (t->cap - 1))
		if (t->keys[i] == key)
			return t->vals[i];
	return 0;
}

static int tab_alloc(struct grr_pagetab *t, uint64_t cap)
{
	t->keys = calloc(cap, sizeof(uint64_t));
	t->vals = calloc(cap, sizeof(uint64_t));
	t->cap = cap;
	t->n = 0;
	if (t->keys && t->vals)
		return 0;
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
	return -1;
}

static void tab_free(struct grr_pagetab *t)
{
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* Rebuilds T at capacity CAP with the entries KEEP accepts. */
static int tab_rebuild(struct grr_pagetab *t, uint64_t cap,
		       bool (*keep)(void *ctx, uint64_t key), void *ctx)
{
	struct grr_pagetab old = *t;
	if (tab_alloc(t, cap) < 0) {
		*t = old;
		t->lost = true;
		return -1;
	}
	for (uint64_t i = 0; i < old.cap; i++)
		if (old.keys[i] && (!keep || keep(ctx, old.keys[i])))
			tab_put(t, old.keys[i], old.vals[i]);
	tab_free(&old);
	return 0;
}

static int tab_grow(struct grr_pagetab *t)
{
	return tab_rebuild(t, t->cap ? t->cap * 2 : 4096, NULL, NULL);
}

/* ---- range lists, sorted by address ---- */

static bool in_ranges(const struct grr_range_list *l, uint64_t addr)
{
	uint32_t lo = 0, hi = l->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (addr < l->v[mid].addr)
			hi = mid;
		else if (addr >= l->v[mid].addr + l->v[mid].len)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static bool same_ranges(const struct grr_range_list *a, const struct grr_range_list *b)
{
	return a->n == b->n && (!a->n || memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0);
}

/* Appends the parts of [START, END) that OLD does not cover to OUT: the
 * gaps between OLD's ranges (sorted, disjoint), found from the first one
 * that ends past START. */
static int add_uncovered(const struct grr_range_list *old, uint64_t start, uint64_t end,
			 struct grr_range_list *out)
{
	uint32_t lo = 0, hi = old->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (old->v[mid].addr + old->v[mid].len <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t a = start;
	for (uint32_t i = lo; i < old->n && a < end && old->v[i].addr < end; i++) {
		uint64_t rs = old->v[i].addr, re = rs + old->v[i].len;
		if (rs > a && grr_range_list_add(out, a, rs - a) < 0)
			return -1;
		if (re > a)
			a = re;
	}
	if (a < end && grr_range_list_add(out, a, end - a) < 0)
		return -1;
	return 0;
}

/* ---- the digester ---- */

static void init_common(struct grr_digester *d)
{
	memset(d, 0, sizeof(*d));
	d->dirty.uffd = d->dirty.pagemap = -1;
}

void grr_digester_init_full(struct grr_digester *d)
{
	init_common(d);
}

static int finish_init(struct grr_digester *d)
{
	d->buf = malloc(GRR_DIGEST_BATCH * GRR_PAGE);
	if (!d->buf) {
		grr_dirty_close(&d->dirty);
		return -1;
	}
	return 0;
}

bool grr_digests_forced_full(void)
{
	return grr_env_flag("GRR_FULL_DIGESTS");
}

int grr_digester_init(struct grr_digester *d, const struct grr_mem *m, pid_t tid,
		      const char **why)
{
	init_common(d);
	if (grr_digests_forced_full()) {
		*why = "GRR_FULL_DIGESTS is set";
		return -1;
	}
	if (grr_dirty_open(&d->dirty, m, tid, why) < 0)
		return -1;
	return finish_init(d);
}

int grr_digester_adopt(struct grr_digester *d, pid_t pid, int tracee_fd, const char **why)
{
	init_common(d);
	if (grr_dirty_adopt(&d->dirty, pid, tracee_fd, why) < 0)
		return -1;
	return finish_init(d);
}

int grr_digester_exclude_always(struct grr_digester *d, uint64_t addr, uint64_t len)
{
	if (d->nalways == GRR_DIGEST_ALWAYS_MAX)
		return -1;
	d->always[d->nalways++] = (struct grr_range){ addr, len };
	return 0;
}

/* Whether the page at P lies wholly inside a range of D->always. */
static bool always_out(const struct grr_digester *d, uint64_t p)
{
	for (uint32_t i = 0; i < d->nalways; i++)
		if (p >= d->always[i].addr && p + GRR_PAGE <= d->always[i].addr + d->always[i].len)
			return true;
	return false;
}

void grr_digester_free(struct grr_digester *d)
{
	grr_dirty_close(&d->dirty);
	tab_free(&d->tab);
	grr_range_list_free(&d->covered);
	free(d->buf);
	init_common(d);
}

/* Tracking failed: from now on, full digests. */
/* Forgets every term and covered mapping: the next digest reads all. */
static void forget_terms(struct grr_digester *d)
{
	tab_free(&d->tab);
	grr_range_list_free(&d->covered);
	d->total = 0;
	d->primed = false;
}

static void give_up(struct grr_digester *d)
{
	grr_dirty_close(&d->dirty);
	forget_terms(d);
}

static void set_term(void *ctx, uint64_t addr, uint64_t term)
{
	struct grr_digester *d = ctx;
	d->total -= tab_put(&d->tab, addr, term);
	d->total += term;
	d->pages_read++;
}

struct keep_ctx {
	const struct grr_range_list *cur, *drop;
};

static bool keep_page(void *ctx, uint64_t key)
{
	const struct keep_ctx *k = ctx;
	return in_ranges(k->cur, key) && !in_ranges(k->drop, key);
}

/* What to reread, found from the mappings and the written pages. */
struct rescan {
	struct grr_range_list cur;      /* covered mappings now */
	struct grr_range_list drop;     /* mappings whose terms are void */
	struct grr_range_list full;     /* to walk with pagemap */
	struct grr_range_list written;  /* to read page by page */
};

static void rescan_free(struct rescan *s)
{
	grr_range_list_free(&s->cur);
	grr_range_list_free(&s->drop);
	grr_range_list_free(&s->full);
	grr_range_list_free(&s->written);
}

/* Appends to OUT the runs of pages of anonymous memory [START, END) that
 * hold something (present or swapped out), from pagemap.  Read before
 * the range is write-protected: the protection of pages never touched
 * leaves markers that pagemap shows as swapped, and reading those would
 * read the whole mapping.  Returns 0 or -1. */
static int present_runs(int pagemap, uint64_t start, uint64_t end, struct grr_range_list *out)
{
	uint64_t entries[GRR_DIGEST_BATCH];
	for (uint64_t a = start; a < end;) {
		uint64_t n = (end - a) / GRR_PAGE;
		if (n > GRR_DIGEST_BATCH)
			n = GRR_DIGEST_BATCH;
		if (pread(pagemap, entries, n * 8, (off_t)(a / GRR_PAGE * 8)) != (ssize_t)(n * 8))
			return -1;
		for (uint64_t i = 0; i < n; i++)
			if ((entries[i] & (GRR_PM_PRESENT | GRR_PM_SWAPPED)) &&
			    grr_range_list_add(out, a + i * GRR_PAGE, GRR_PAGE) < 0)
				return -1;
		a += n * GRR_PAGE;
	}
	return 0;
}

/* Appends to OUT the pages of IN not wholly inside D->always. */
static int without_always(const struct grr_digester *d, const struct grr_range_list *in,
			  struct grr_range_list *out)
{
	for (uint32_t i = 0; i < in->n; i++)
		for (uint64_t p = in->v[i].addr; p < in->v[i].addr + in->v[i].len; p += GRR_PAGE)
			if (!always_out(d, p) && grr_range_list_add(out, p, GRR_PAGE) < 0)
				return -1;
	return 0;
}

/* Collects S for MAPS; returns 0 or -1 (tracking failed). */
static int plan(struct grr_digester *d, const struct grr_mapping *maps, int n, struct rescan *s)
{
	struct grr_range_list written = { 0 };
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const struct grr_mapping *mp = &maps[i];
		if (!grr_digest_covers(mp))
			continue;
		rc = grr_range_list_add(&s->cur, mp->start, mp->end - mp->start);
		int c = rc < 0 ? -1 : grr_dirty_collect(&d->dirty, mp->start, mp->end, &written);
		if (c < 0) {
			rc = -1;
		} else if (c == 1) {
			/* new or replaced: what it holds, then cover it (a file's
			 * pages hold its contents even before they are touched:
			 * all of them) */
			bool file = mp->path[0] == '/';
			rc = file ? grr_range_list_add(&s->full, mp->start, mp->end - mp->start) :
				present_runs(d->dirty.pagemap, mp->start, mp->end, &s->full);
			if (rc == 0 && (grr_dirty_track(&d->dirty, mp->start, mp->end) < 0 ||
					grr_range_list_add(&s->drop, mp->start, mp->end - mp->start) < 0))
				rc = -1;
		} else {
			rc = add_uncovered(&d->covered, mp->start, mp->end, &s->full);
		}
	}
	if (rc == 0)
		rc = without_always(d, &written, &s->written);
	grr_range_list_free(&written);
	return rc;
}

static bool file_backed_at(const struct grr_mapping *maps, int n, uint64_t addr)
{
	int i = grr_maps_find(maps, n, addr);
	return i >= 0 && maps[i].path[0] == '/';
}

/* The spans to read again: the full rescans (anonymous memory walked
 * with pagemap) and the written pages, in address order. */
static struct grr_page_span *spans_of(const struct rescan *s, const struct grr_mapping *maps,
				      int n, uint32_t *count)
{
	uint32_t total = s->full.n + s->written.n;
	struct grr_page_span *v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return NULL;
	uint32_t i = 0, f = 0, w = 0;
	while (f < s->full.n || w < s->written.n) {
		bool take_full = w == s->written.n ||
			(f < s->full.n && s->full.v[f].addr < s->written.v[w].addr);
		const struct grr_range *r = take_full ? &s->full.v[f++] : &s->written.v[w++];
		v[i].start = r->addr;
		v[i].end = r->addr + r->len;
		v[i].walk = take_full && !file_backed_at(maps, n, r->addr);
		i++;
	}
	*count = i;
	return v;
}

static uint64_t range_pages(const struct grr_range_list *l)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < l->n; i++)
		n += l->v[i].len / GRR_PAGE;
	return n;
}

/* Brings the table up to date; returns 0 or -1 (tracking failed).
 * *WRITTEN gets the number of written pages reread. */
static int update(struct grr_digester *d, const struct grr_mem *m,
		  const struct grr_mapping *maps, int n, uint64_t *written)
{
	struct rescan s;
	memset(&s, 0, sizeof(s));
	int rc = plan(d, maps, n, &s);
	*written = range_pages(&s.written);
	if (rc == 0 && (s.drop.n || !same_ranges(&s.cur, &d->covered))) {
		struct keep_ctx k = { &s.cur, &s.drop };
		uint64_t cap = d->tab.cap ? d->tab.cap : 4096;
		rc = tab_rebuild(&d->tab, cap, keep_page, &k);
		d->total = 0;
		for (uint64_t i = 0; i < d->tab.cap; i++)
			if (d->tab.keys[i])
				d->total += d->tab.vals[i];
	}
	uint32_t nspans = 0;
	struct grr_page_span *spans = rc == 0 ? spans_of(&s, maps, n, &nspans) : NULL;
	if (rc == 0)
		rc = spans ? grr_digest_spans(m, d->dirty.pagemap, spans, nspans, d->always,
					      d->nalways, d->helpers, set_term, d) : -1;
	free(spans);
	if (d->tab.lost)
		rc = -1;   /* (out of memory: full digests from now on) */
	if (rc == 0) {
		grr_range_list_free(&d->covered);
		d->covered = s.cur;
		memset(&s.cur, 0, sizeof(s.cur));
		d->primed = true;
	}
	rescan_free(&s);
	return rc;
}

/* The digest with EX's bytes as zero: the pages they touch are read again
 * and their terms replaced. */
static uint64_t with_exclusions(struct grr_digester *d, const struct grr_mem *m,
				const struct grr_range *ex, uint32_t nex)
{
	uint64_t sum = d->total;
	uint64_t last = 0;
	for (uint32_t i = 0; i < nex; i++) {
		if (!ex[i].len)
			continue;
		uint64_t first = ex[i].addr & ~(GRR_PAGE - 1);
		uint64_t end = ex[i].addr + ex[i].len;
		for (uint64_t p = first; p < end; p += GRR_PAGE) {
			bool seen = false;
			/* a page two ranges touch counts once */
			for (uint32_t k = 0; k < i && !seen; k++) {
				uint64_t kf = ex[k].addr & ~(GRR_PAGE - 1);
				seen = ex[k].len && p >= kf && p < ex[k].addr + ex[k].len;
			}
			if (seen || p == last || !in_ranges(&d->covered, p) || always_out(d, p))
				continue;
			last = p;
			size_t rd = grr_mem_read_partial(m, p, d->buf, GRR_PAGE);
			memset(d->buf + rd, 0, GRR_PAGE - rd);
			grr_digest_blank(d->buf, p, ex, nex);
			sum -= tab_get(&d->tab, p);
			sum += grr_digest_page(d->buf, p);
		}
	}
	return sum;
}

/* Drops the tracking (everything unprotected, nothing kept): the next
 * digest reads all memory and takes the tracking up again. */
static void drop_tracking(struct grr_digester *d)
{
	for (uint32_t i = 0; i < d->covered.n; i++)
		grr_dirty_untrack(&d->dirty, d->covered.v[i].addr,
				  d->covered.v[i].addr + d->covered.v[i].len);
	forget_terms(d);
}

/* Pauses the tracking for GRR_DIGEST_PAUSE digests. */
static void pause_tracking(struct grr_digester *d)
{
	drop_tracking(d);
	d->paused = GRR_DIGEST_PAUSE;
}

static int full_digest(struct grr_digester *d, const struct grr_mem *m,
		       const struct grr_range *excluded, uint32_t nexcluded, uint64_t *digest)
{
	d->full_digests++;
	d->last_incremental = false;
	return grr_digest_memory_on(m, excluded, nexcluded, d->helpers, digest);
}

/* EX followed by D->always, in *ALL (malloc'd; NULL if there is nothing). */
static int with_always(const struct grr_digester *d, const struct grr_range *ex, uint32_t nex,
		       struct grr_range **all)
{
	*all = NULL;
	if (!nex && !d->nalways)
		return 0;
	*all = malloc((nex + d->nalways) * sizeof(**all));
	if (!*all)
		return -1;
	if (nex)
		memcpy(*all, ex, nex * sizeof(*ex));
	memcpy(*all + nex, d->always, d->nalways * sizeof(*ex));
	return 0;
}

static int digest_all(struct grr_digester *d, const struct grr_mem *m,
		      const struct grr_range *excluded, uint32_t nexcluded, uint64_t *digest);

int grr_digester_digest(struct grr_digester *d, const struct grr_mem *m,
			const struct grr_range *excluded, uint32_t nexcluded,
			uint64_t *digest)
{
	struct grr_range *all;
	if (with_always(d, excluded, nexcluded, &all) < 0)
		return -1;
	int rc = digest_all(d, m, all, nexcluded + d->nalways, digest);
	free(all);
	return rc;
}

static int digest_all(struct grr_digester *d, const struct grr_mem *m,
		      const struct grr_range *excluded, uint32_t nexcluded, uint64_t *digest)
{
	if (d->dirty.uffd < 0 || d->dirty.pid != m->pid || d->paused > 0 ||
	    (d->hold && !d->primed)) {
		if (d->paused > 0)
			d->paused--;
		return full_digest(d, m, excluded, nexcluded, digest);
	}
	struct grr_mapping *maps;
	int n = grr_maps_read(m->pid, &maps);
	if (n < 0)
		return -1;
	uint64_t written = 0;
	bool was_primed = d->primed;
	int rc = update(d, m, maps, n, &written);
	grr_maps_free(maps, n);
	if (rc < 0) {
		give_up(d);
		return full_digest(d, m, excluded, nexcluded, digest);
	}
	*digest = with_exclusions(d, m, excluded, nexcluded);
	d->last_incremental = was_primed;   /* (the first one read everything) */
	d->last_written = written;
	d->last_pages = d->tab.n;
	if (d->hold)
		drop_tracking(d);
	else if (grr_digest_mostly_rewritten(written, d->tab.n))
		pause_tracking(d);
	return 0;
}

bool grr_digest_mostly_rewritten(uint64_t written, uint64_t pages)
{
	return written >= 1024 && written * 2 > pages;
}
