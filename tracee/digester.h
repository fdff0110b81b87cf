/* digester.h - the memory digest of digest.h, kept up to date from the
 * pages written since the last one (dirty.h) instead of rereading all
 * memory at each anchor.
 *
 * It holds each nonzero page's term of the sum; at each digest it
 * rereads only the pages written since the last digest, the mappings that
 * are new (or were replaced: a fresh mapping is not write-tracked until
 * grr covers it) and the parts of mappings that became writable, and
 * drops the terms of memory that is no longer covered.  Excluded ranges
 * vary from one anchor to the next, so the pages they touch are read
 * afresh each time.  The result is the same number grr_digest_memory
 * computes, whichever way the other side of a replay computed its own.
 * Without write tracking (an old kernel, a process after exec), each
 * digest is a full one.
 *
 * A program that rewrote more than half of its pages since the last
 * digest gains nothing from the tracking and pays a minor fault per page
 * for it: the tracking is then paused for GRR_DIGEST_PAUSE digests (full
 * ones, no protection), and taken up again afterwards.
 *
 * A caller that knows the future (the replayer reads it in the trace) can
 * say that the program will rewrite most of its memory before the next
 * digest (`hold`): the digests are then full ones and nothing is
 * protected in between, so the program pays no fault for a tracking that
 * would not save a read; clearing it takes the tracking up again at the
 * next digest. */
#define GRR_DIGEST_PAUSE 8
#define GRR_DIGEST_ALWAYS_MAX 4
#ifndef GRR_TRACEE_DIGESTER_H
#define GRR_TRACEE_DIGESTER_H

#include <stdbool.h>
#include <stdint.h>

#include "tracee/digest.h"
#include "tracee/dirty.h"

struct grr_pagetab {
	uint64_t *keys;   /* page addresses; 0: empty slot */
	uint64_t *vals;   /* their nonzero terms */
	uint64_t cap, n;
	bool lost;        /* out of memory: a term was not stored */
};

struct grr_digester {
	struct grr_dirty dirty;       /* uffd -1: full digests */
	struct grr_pagetab tab;
	uint64_t total;               /* sum of tab's terms */
	struct grr_range_list covered; /* the mappings covered at the last digest */
	bool primed;
	int paused;                   /* full digests left before tracking again */
	bool hold;                    /* the caller's: no tracking after the next digest */
	const cpu_set_t *helpers;     /* the caller's: CPUs of the helper thread
					 (NULL: inherit; affinity.h) */
	bool last_incremental;        /* the last digest came from the written pages */
	uint64_t last_written;        /* ... and this many had been written since
					 the one before, of ... */
	uint64_t last_pages;          /* ... this many nonzero pages */
	uint8_t *buf;
	/* ranges every digest leaves out (grr's own pages' data): their
	 * pages are never reread, and count as zero */
	struct grr_range always[GRR_DIGEST_ALWAYS_MAX];
	uint32_t nalways;
	uint64_t pages_read;          /* statistics: pages read and hashed */
	uint64_t full_digests;
};

/* Whether GRR_FULL_DIGESTS=1 asks for full digests only. */
bool grr_digests_forced_full(void);

/* Starts incremental digests of the process of TID (stopped, able to run
 * a syscall for grr).  Without write tracking (or with GRR_FULL_DIGESTS=1)
 * D still works, with full digests; returns 0 if tracking works, -1 (and
 * *WHY) if not. */
int grr_digester_init(struct grr_digester *d, const struct grr_mem *m, pid_t tid,
		      const char **why);
/* The same with a tracee-held userfaultfd (dirty.h's grr_dirty_adopt). */
int grr_digester_adopt(struct grr_digester *d, pid_t pid, int tracee_fd, const char **why);
/* A digester that always digests in full. */
void grr_digester_init_full(struct grr_digester *d);
void grr_digester_free(struct grr_digester *d);

/* Says that every digest of D's caller leaves out [ADDR, ADDR+LEN) (it
 * is among the EXCLUDED of every call, or implied): pages inside it are
 * then never reread, and digests given no exclusions leave it out too.
 * Returns 0, or -1 if D holds too many such ranges. */
int grr_digester_exclude_always(struct grr_digester *d, uint64_t addr, uint64_t len);

/* grr_digest_memory's result for M's process.  Returns 0 or -1. */
int grr_digester_digest(struct grr_digester *d, const struct grr_mem *m,
			const struct grr_range *excluded, uint32_t nexcluded,
			uint64_t *digest);

/* Whether WRITTEN pages rewritten of PAGES is most of them: the tracking
 * of that interval cost more than it saved. */
bool grr_digest_mostly_rewritten(uint64_t written, uint64_t pages);

#endif
