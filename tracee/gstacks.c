/* gstacks.c - whether a parked goroutine may resume inside a range of
 * code (gstacks.h).  Go's asynchronous preemption pushes the interrupted pc on the
 * goroutine's stack and the goroutine later returns there; if the
 * replayer's jump to an anchor stub covers that pc (not at its first
 * byte), the goroutine would resume inside the jump.  Chaos recordings
 * anchor threads where they were interrupted, which is where Go's
 * preemption signals land too, so this happens.  The goroutines are
 * runtime.allgs (a slice of *g, runtime.allglen long), each g starting
 * with its stack bounds (stack.lo, stack.hi) and, at offset 56, its saved
 * context's sp (sched.sp; the same from Go 1.19 to 1.27): the used part
 * of each stack is searched for a word in the range (words below it are
 * stale: a goroutine once preempted there and since resumed).  The
 * goroutine whose stack holds the anchor's RSP (ANCHOR_SP) is searched
 * from there, or from the thread's own rsp now (NOW_SP) where that is
 * lower on the same stack (the goroutine has still to return through the
 * frames in between: an asynchronous preemption's among them), or all of
 * it while the thread runs on another stack (a signal handler's, the
 * scheduler's: where its frames end is not known). */
#include "tracee/gstacks.h"


#include <stdlib.h>

/* Stack bytes searched at most: past that, the answer is "maybe". */
#define GSTACKS_MAX (8u << 20)
#define GSTACK_MAX (1u << 20)

#define G_SCHED_SP 56

/* Where the search of one goroutine's stack [LO, HI) starts. */
static uint64_t search_from(uint64_t lo, uint64_t hi, uint64_t sched_sp, uint64_t anchor_sp,
			    uint64_t now_sp)
{
	if (anchor_sp >= lo && anchor_sp < hi) {
		if (now_sp < lo || now_sp >= hi)
			return lo;
		return now_sp < anchor_sp ? now_sp : anchor_sp;
	}
	if (sched_sp < lo || sched_sp > hi)
		return lo;   /* (no saved sp: all of it) */
	return sched_sp;
}

/* Words in (LO, HI) of the stacks searched: into OUT (if not NULL; grown
 * as needed, *NOUT counted), or only whether there is one (OUT NULL: stops
 * at the first).  0, or -1 when unsure (too much stack, unreadable). */
static int scan(const struct grr_mem *m, const struct grr_symtab *st, uint64_t anchor_sp,
		uint64_t now_sp, uint64_t lo, uint64_t hi, bool own, uint64_t **out, size_t *nout)
{
	size_t cap = 0;
	*nout = 0;
	const struct grr_symbol *allgs = grr_symtab_object(st, "runtime.allgs");
	const struct grr_symbol *allglen = grr_symtab_object(st, "runtime.allglen");
	uint64_t arr = 0, n = 0;
	if (!allgs || !allglen || grr_mem_read(m, allgs->addr, &arr, 8) < 0 ||
	    grr_mem_read(m, allglen->addr, &n, 8) < 0 || n > (1u << 20))
		return -1;
	uint64_t *gs = malloc((n ? n : 1) * 8);
	uint64_t *buf = malloc(GSTACK_MAX);
	bool maybe = !gs || !buf || (n && grr_mem_read(m, arr, gs, n * 8) < 0);
	uint64_t total = 0;
	for (uint64_t i = 0; i < n && !maybe && !(*nout && !out); i++) {
		uint64_t head[G_SCHED_SP / 8 + 1];   /* (one read: bounds to sched.sp) */
		if (!gs[i] || grr_mem_read(m, gs[i], head, sizeof(head)) < 0)
			continue;
		uint64_t bounds[2] = { head[0], head[1] }, sp = head[G_SCHED_SP / 8];
		if (bounds[0] == 0 && bounds[1] == 0)
			continue;   /* a dead goroutine whose stack was freed */
		bool holds = anchor_sp >= bounds[0] && anchor_sp < bounds[1];
		if (own && !holds)
			continue;
		sp = search_from(bounds[0], bounds[1], sp, anchor_sp, now_sp);
		uint64_t top = own ? anchor_sp : bounds[1];
		if (own && sp >= top)
			continue;
		uint64_t len = top - (sp & ~7ull);
		if (bounds[1] <= bounds[0] || len > GSTACK_MAX || (total += len) > GSTACKS_MAX) {
			maybe = true;
			break;
		}
		size_t got = grr_mem_read_partial(m, sp & ~7ull, buf, len);
		for (size_t k = 0; k < got / 8 && !maybe; k++) {
			if (buf[k] <= lo || buf[k] >= hi)
				continue;
			if (!out) {
				*nout = 1;
				break;
			}
			if (*nout == cap) {
				cap = cap ? 2 * cap : 64;
				uint64_t *w = realloc(*out, cap * sizeof(*w));
				if (!w) {
					maybe = true;
					break;
				}
				*out = w;
			}
			(*out)[(*nout)++] = buf[k];
		}
	}
	free(gs);
	free(buf);
	return maybe ? -1 : 0;
}

bool grr_gstacks_hold(const struct grr_mem *m, const struct grr_symtab *st, uint64_t anchor_sp,
		      uint64_t now_sp, uint64_t lo, uint64_t hi, bool own)
{
	size_t n;
	return scan(m, st, anchor_sp, now_sp, lo, hi, own, NULL, &n) < 0 || n > 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int grr_gstacks_words(const struct grr_mem *m, const struct grr_symtab *st, uint64_t sp,
		      uint64_t lo, uint64_t hi, struct grr_gstack_words *w)
{
	w->lo = lo;
	w->hi = hi;
	w->v = NULL;
	if (scan(m, st, sp, sp, lo, hi, false, &w->v, &w->n) < 0) {
		free(w->v);
		w->v = NULL;
		w->n = 0;
		return -1;
	}
	qsort(w->v, w->n, sizeof(*w->v), cmp_u64);
	return 0;
}

bool grr_gstack_words_in(const struct grr_gstack_words *w, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = w->n;
	while (a < b) {   /* the first word above LO */
		size_t mid = a + (b - a) / 2;
		if (w->v[mid] <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < w->n && w->v[a] < hi;
}

void grr_gstack_words_free(struct grr_gstack_words *w)
{
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

