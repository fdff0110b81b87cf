/* sysbuf_ring.c - reading syscall buffer records (see sysbuf_ring.h). */
#include "format/sysbuf_ring.h"

#include <string.h>

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int grr_sb_record_next(const struct grr_mem_write *w, size_t *off, struct grr_sb_record *rec)
{
	if (w->addr < GRR_SB_RING || w->addr >= GRR_SB_RING + GRR_SB_RING_CAP || !w->data)
		return 0;
	if (*off >= w->len)
		return 0;
	if (w->len - *off < GRR_SB_HDR)
		return -1;
	const uint8_t *p = w->data + *off;
	memset(rec, 0, sizeof(*rec));
	rec->nr = (uint32_t)le(p, 4);
	rec->len = (uint32_t)le(p + 4, 4);
	rec->ret = (int64_t)le(p + 8, 8);
	rec->arg0 = le(p + 16, 8);
	rec->arg2 = le(p + 24, 8);
	uint64_t size = ((uint64_t)GRR_SB_HDR + rec->len + 7) & ~7ull;
	if (rec->len > w->len - *off - GRR_SB_HDR)
		return -1;
	rec->data = p + GRR_SB_HDR;
	*off = size > w->len - *off ? w->len : *off + size;
	return 1;
}
