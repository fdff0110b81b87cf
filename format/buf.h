/* buf.h - growable byte buffer used by the encoders and the reader (internal). */
#ifndef GRR_FORMAT_BUF_H
#define GRR_FORMAT_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/varint.h"

struct grr_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/* Makes room for N more bytes; returns 0, or -1 if out of memory. */
static inline int grr_buf_reserve(struct grr_buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return 0;
	size_t want = b->len + n;
	if (want < b->len)
		return -1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	uint8_t *np = realloc(b->p, cap);
	if (!np)
		return -1;
	b->p = np;
	b->cap = cap;
	return 0;
}

static inline int grr_buf_put(struct grr_buf *b, const void *d, size_t n)
{
	if (grr_buf_reserve(b, n))
		return -1;
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

static inline int grr_buf_u8(struct grr_buf *b, uint8_t v)
{
	return grr_buf_put(b, &v, 1);
}

static inline int grr_buf_varint(struct grr_buf *b, uint64_t v)
{
	if (grr_buf_reserve(b, GRR_VARINT_MAX))
		return -1;
	b->len += grr_varint_put(b->p + b->len, v);
	return 0;
}

static inline int grr_buf_le64(struct grr_buf *b, uint64_t v)
{
	if (grr_buf_reserve(b, 8))
		return -1;
	grr_put_le64(b->p + b->len, v);
	b->len += 8;
	return 0;
}

/* varint length then the bytes */
static inline int grr_buf_bytes(struct grr_buf *b, const void *d, size_t n)
{
	if (grr_buf_varint(b, n))
		return -1;
	return grr_buf_put(b, d, n);
}

static inline void grr_buf_free(struct grr_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

#endif
