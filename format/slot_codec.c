/* slot_codec.c - delta coding of clock-slot writes (slot_codec.h). */
#include "format/slot_codec.h"
#include "format/varint.h"

#define CLASSES 3
#define WORDS 4

static uint64_t word_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;   /* (x86-64: little-endian, as the trace) */
}

/* 0: a clock_gettime result (0 or -errno) and seconds below 2^30; 1: the
 * same with more seconds; 2: anything else. */
static unsigned slot_class(const uint64_t w[WORDS])
{
	int64_t result = (int64_t)w[0];
	if (result > 0 || result < -4095)
		return 2;
	return w[1] < (1ull << 30) ? 0 : 1;
}

int grr_slots_encode(struct grr_buf *out, const uint8_t *data, size_t len)
{
	uint64_t prev[CLASSES][WORDS] = { { 0 } };
	for (size_t off = 0; off + GRR_SLOT_BYTES <= len; off += GRR_SLOT_BYTES) {
		uint64_t w[WORDS], d[WORDS];
		unsigned differ = 0;
		for (int j = 0; j < WORDS; j++)
			w[j] = word_at(data + off + 8 * (size_t)j);
		unsigned c = slot_class(w);
		for (int j = 0; j < WORDS; j++) {
			d[j] = w[j] - prev[c][j];
			if (d[j])
				differ |= 1u << j;
			prev[c][j] = w[j];
		}
		if (grr_buf_u8(out, (uint8_t)(c | differ << 2)))
			return -1;
		for (int j = 0; j < WORDS; j++)
			if (d[j] && grr_buf_varint(out, grr_zigzag((int64_t)d[j])))
				return -1;
	}
	return 0;
}

int grr_slots_decode(const uint8_t *in, size_t n, uint8_t *out, size_t len)
{
	if (len % GRR_SLOT_BYTES)
		return -1;
	uint64_t prev[CLASSES][WORDS] = { { 0 } };
	const uint8_t *p = in, *end = in + n;
	for (size_t off = 0; off < len; off += GRR_SLOT_BYTES) {
		if (p >= end)
			return -1;
		uint8_t tag = *p++;
		unsigned c = tag & 3, differ = tag >> 2;
		if (c >= CLASSES || differ >= 1u << WORDS)
			return -1;
		for (int j = 0; j < WORDS; j++) {
			uint64_t z = 0;
			if ((differ >> j & 1) && (grr_varint_get(&p, end, &z) < 0 || z == 0))
				return -1;
			prev[c][j] += (uint64_t)grr_unzigzag(z);
			memcpy(out + off + 8 * (size_t)j, &prev[c][j], 8);
		}
	}
	return p == end ? 0 : -1;
}
