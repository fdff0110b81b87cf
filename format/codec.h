/* codec.h - encoding of events (EVENTS chunks) and of the header (HEADER chunk) (internal). */
#ifndef GRR_FORMAT_CODEC_H
#define GRR_FORMAT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "format/buf.h"
#include "format/hash.h"
#include "format/trace.h"

/* Per-chunk delta state: reset at the start of every EVENTS chunk, so a
 * chunk decodes on its own. */
struct grr_ev_state {
	uint64_t prev_time;
	uint64_t prev_tsc;
	uint8_t prev_fp[GRR_FPREGS_SIZE];
};

void grr_ev_state_reset(struct grr_ev_state *st);

/* Stores a memory write's data as a blob; fills *id.  Returns 0 or -1. */
typedef int (*grr_blob_put_fn)(void *ctx, const uint8_t *data, uint64_t len,
			       struct grr_hash128 *id);
/* Finds a blob's data (LEN bytes, valid until the next reader call).
 * Returns 0 or -1 (ctx reports the error). */
typedef int (*grr_blob_get_fn)(void *ctx, struct grr_hash128 id, uint64_t len,
			       const uint8_t **data);

/* Appends EV's encoding to OUT.  Returns 0, -1 out of memory or blob store
 * failure, -2 if the event is invalid (unknown kind; *why says more). */
int grr_event_encode(struct grr_buf *out, struct grr_ev_state *st, const struct grr_event *ev,
		     grr_blob_put_fn put, void *ctx, const char **why);

/* Scratch storage that decoded events point into. */
struct grr_ev_scratch {
	struct grr_mem_write *writes;
	size_t writes_cap;
	struct grr_range *ranges;
	size_t ranges_cap;
	struct grr_buf text;
	struct grr_buf slots;         /* decoded slot writes (storage 2) */
};
void grr_ev_scratch_free(struct grr_ev_scratch *sc);

/* Decodes one event at *p.  GET may be NULL: blob-backed writes then have
 * data == NULL (used when skipping and counting).  Returns 0 and advances
 * *p; -1 if the bytes are malformed (*why), -2 if GET failed, -3 out of
 * memory. */
int grr_event_decode(const uint8_t **p, const uint8_t *end, struct grr_ev_state *st,
		     struct grr_event *ev, struct grr_ev_scratch *sc,
		     grr_blob_get_fn get, void *ctx, const char **why);

/* HEADER chunk payload: tag-length-value fields. */
enum grr_header_tag {
	GRR_TAG_PROGRAM = 1,
	GRR_TAG_CWD = 2,
	GRR_TAG_ARGV = 3,
	GRR_TAG_ENVP = 4,
	GRR_TAG_AUXV = 5,
	GRR_TAG_AT_RANDOM = 6,
	GRR_TAG_INITIAL_SP = 7,
	GRR_TAG_MAPS = 8,
	GRR_TAG_BUILD_ID = 9,
	GRR_TAG_GO_VERSION = 10,
	GRR_TAG_CPU = 11,
	GRR_TAG_GRR_VERSION = 12,
	GRR_TAG_START_TIME = 13,
	GRR_TAG_CHAOS_SEED = 14,
	GRR_TAG_FLAGS = 15,
	GRR_TAG_ENV_WITHHELD = 16,   /* format 1.5 */
	GRR_TAG_ENV_KEPT_SECRET = 17,
};

int grr_header_encode(struct grr_buf *out, const struct grr_header *h);
/* Fills *h (all strings non-NULL, malloc'd; free with grr_header_free).
 * Returns 0, or -1 with *why (and *h freed) if malformed or out of memory. */
int grr_header_decode(const uint8_t *p, size_t n, struct grr_header *h, const char **why);

#endif
