/* blobmap.h - hash table from blob content id to where the blob is stored (internal). */
#ifndef GRR_FORMAT_BLOBMAP_H
#define GRR_FORMAT_BLOBMAP_H

#include <stddef.h>
#include <stdint.h>

#include "format/hash.h"

#define GRR_BLOB_PENDING UINT64_MAX   /* chunk_off of a blob not yet written */

struct grr_blob_loc {
	struct grr_hash128 id;
	uint64_t len;        /* content length */
	uint64_t chunk_off;  /* file offset of the BLOB chunk holding its first
				piece; 0 marks an empty slot */
	uint32_t rec_off;    /* offset of the piece record in the chunk's raw
				payload */
};

struct grr_blobmap {
	struct grr_blob_loc *slots;
	size_t cap;          /* power of two, or 0 */
	size_t n;
};

struct grr_blob_loc *grr_blobmap_find(const struct grr_blobmap *m, struct grr_hash128 id);
/* Inserts (or returns the existing entry for) loc->id.  NULL if out of
 * memory.  Pointers into the map are invalidated by later inserts. */
struct grr_blob_loc *grr_blobmap_insert(struct grr_blobmap *m, const struct grr_blob_loc *loc,
					int *existed);
void grr_blobmap_free(struct grr_blobmap *m);

static inline int grr_hash128_eq(struct grr_hash128 a, struct grr_hash128 b)
{
	return a.h[0] == b.h[0] && a.h[1] == b.h[1];
}

#endif
