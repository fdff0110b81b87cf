/* digest.h - a digest of a tracee's private writable memory, used to
 * recognize an "anchor": the moment a thread was stopped at an arbitrary
 * instruction.  Two states with equal registers and equal digests execute
 * identically from there on (docs/replay-model.md).
 *
 * The digest is a sum over pages of hash(address, contents), skipping
 * pages whose contents are all zero, so it depends only on memory
 * contents, not on which pages happen to be resident. */
#ifndef GRR_TRACEE_DIGEST_H
#define GRR_TRACEE_DIGEST_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"
#include "tracee/mem.h"

/* Address range grr reserves in every tracee for its own use (replay-time
 * code stubs); never digested. */
#define GRR_RESERVED_ADDR 0x300000ull
#define GRR_RESERVED_LEN  0x10000ull

/* Computes the digest of PID's private writable memory, leaving out the
 * EXCLUDED ranges (bytes there count as zero).  Returns 0 or -1. */
int grr_digest_memory(const struct grr_mem *m, const struct grr_range *excluded,
		      uint32_t nexcluded, uint64_t *digest);
/* The same, its helper thread on HELPERS (NULL: the caller's CPUs). */
int grr_digest_memory_on(const struct grr_mem *m, const struct grr_range *excluded,
			 uint32_t nexcluded, const cpu_set_t *helpers, uint64_t *digest);

/* Whether the digest covers mapping MP (private and writable, not
 * grr's reserved range, not the kernel's special mappings). */
bool grr_digest_covers(const struct grr_mapping *mp);

/* The building blocks, shared with the incremental digester
 * (digester.h): a page's term of the sum (0 for an all-zero page), and
 * zeroing a page's excluded bytes. */
#define GRR_PAGE 4096ull
#define GRR_DIGEST_BATCH 256ull
/* /proc/PID/pagemap entry bits: the page is present, or swapped out */
#define GRR_PM_PRESENT (1ull << 63)
#define GRR_PM_SWAPPED (1ull << 62)
uint64_t grr_digest_page(const uint8_t *page, uint64_t addr);
void grr_digest_blank(uint8_t *page, uint64_t addr, const struct grr_range *ex, uint32_t nex);

/* Page-aligned address ranges whose pages' terms are wanted.  WALK: read
 * only the pages PAGEMAP (an open /proc/PID/pagemap) says are present or
 * swapped, the others count as zero (anonymous memory); otherwise read
 * every page (a file mapping's absent pages hold the file's bytes). */
struct grr_page_span {
	uint64_t start, end;
	bool walk;
};
typedef void (*grr_term_fn)(void *ctx, uint64_t addr, uint64_t term);
/* Calls FN, in this thread and in address order, with the term of every
 * page of SPANS (EX's bytes as zero; unreadable bytes as zero).  Reading
 * and hashing use a second thread for large spans: the tracee is stopped
 * and the other core idle.  That thread runs on HELPERS (NULL: wherever
 * the calling thread may; affinity.h).  Returns 0 or -1. */
int grr_digest_spans(const struct grr_mem *m, int pagemap, const struct grr_page_span *spans,
		     uint32_t nspans, const struct grr_range *ex, uint32_t nex,
		     const cpu_set_t *helpers, grr_term_fn fn, void *ctx);

#endif
