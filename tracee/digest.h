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

#include <stdint.h>
#include <sys/types.h>

#include "format/trace.h"
#include "tracee/mem.h"

/* Address range grr reserves in every tracee for its own use (replay-time
 * code stubs); never digested. */
#define GRR_RESERVED_ADDR 0x300000ull
#define GRR_RESERVED_LEN  0x10000ull

struct grr_digest_stats {
	uint64_t bytes_hashed;
	uint64_t pages_skipped;
};

/* Computes the digest of PID's private writable memory, leaving out the
 * EXCLUDED ranges (bytes there count as zero).  Returns 0 or -1. */
int grr_digest_memory(const struct grr_mem *m, const struct grr_range *excluded,
		      uint32_t nexcluded, uint64_t *digest,
		      struct grr_digest_stats *stats);

#endif
