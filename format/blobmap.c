/* blobmap.c - open-addressing hash table keyed by 128-bit blob ids. */
#include "format/blobmap.h"

#include <stdlib.h>

static size_t slot_of(const struct grr_blobmap *m, struct grr_hash128 id)
{
	return (size_t)(id.h[0] ^ (id.h[1] >> 7)) & (m->cap - 1);
}

struct grr_blob_loc *grr_blobmap_find(const struct grr_blobmap *m, struct grr_hash128 id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(m, id);; i = (i + 1) & (m->cap - 1)) {
		struct grr_blob_loc *s = &m->slots[i];
		if (s->chunk_off == 0)
			return NULL;
		if (grr_hash128_eq(s->id, id))
			return s;
	}
}

static int grow(struct grr_blobmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct grr_blob_loc *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct grr_blob_loc *s = &m->slots[i];
		if (s->chunk_off == 0)
			continue;
		size_t j = (size_t)(s->id.h[0] ^ (s->id.h[1] >> 7)) & (ncap - 1);
		while (ns[j].chunk_off != 0)
			j = (j + 1) & (ncap - 1);
		ns[j] = *s;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

struct grr_blob_loc *grr_blobmap_insert(struct grr_blobmap *m, const struct grr_blob_loc *loc,
					int *existed)
{
	struct grr_blob_loc *s = grr_blobmap_find(m, loc->id);
	if (existed)
		*existed = s != NULL;
	if (s)
		return s;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m))
		return NULL;
	size_t i = slot_of(m, loc->id);
	while (m->slots[i].chunk_off != 0)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = *loc;
	m->n++;
	return &m->slots[i];
}

void grr_blobmap_free(struct grr_blobmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
