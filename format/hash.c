/* hash.c - XXH64 and MurmurHash3 x64_128, written from their published descriptions. */
#include "format/hash.h"

#include <string.h>

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);   /* x86-64 is little-endian, as both specs read */
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* ---- XXH64 ---- */

#define P64_1 0x9e3779b185ebca87ull
#define P64_2 0xc2b2ae3d27d4eb4full
#define P64_3 0x165667b19e3779f9ull
#define P64_4 0x85ebca77c2b2ae63ull
#define P64_5 0x27d4eb2f165667c5ull

static inline uint64_t xxh_round(uint64_t acc, uint64_t in)
{
	acc += in * P64_2;
	acc = rotl64(acc, 31);
	return acc * P64_1;
}

static inline uint64_t xxh_merge(uint64_t h, uint64_t v)
{
	h ^= xxh_round(0, v);
	return h * P64_1 + P64_4;
}

uint64_t grr_hash64(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	const uint8_t *end = p + n;
	uint64_t h;

	if (n >= 32) {
		uint64_t v1 = seed + P64_1 + P64_2;
		uint64_t v2 = seed + P64_2;
		uint64_t v3 = seed;
		uint64_t v4 = seed - P64_1;
		const uint8_t *limit = end - 32;
		do {
			v1 = xxh_round(v1, rd64(p));
			v2 = xxh_round(v2, rd64(p + 8));
			v3 = xxh_round(v3, rd64(p + 16));
			v4 = xxh_round(v4, rd64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xxh_merge(h, v1);
		h = xxh_merge(h, v2);
		h = xxh_merge(h, v3);
		h = xxh_merge(h, v4);
	} else {
		h = seed + P64_5;
	}
	h += (uint64_t)n;
	while (p + 8 <= end) {
		h ^= xxh_round(0, rd64(p));
		h = rotl64(h, 27) * P64_1 + P64_4;
		p += 8;
	}
	if (p + 4 <= end) {
		h ^= (uint64_t)rd32(p) * P64_1;
		h = rotl64(h, 23) * P64_2 + P64_3;
		p += 4;
	}
	while (p < end) {
		h ^= (uint64_t)(*p++) * P64_5;
		h = rotl64(h, 11) * P64_1;
	}
	h ^= h >> 33;
	h *= P64_2;
	h ^= h >> 29;
	h *= P64_3;
	h ^= h >> 32;
	return h;
}

/* ---- MurmurHash3 x64_128 ---- */

#define M3_C1 0x87c37b91114253d5ull
#define M3_C2 0x4cf5ad432745937full

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

struct grr_hash128 grr_hash128(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	size_t nblocks = n / 16;
	uint64_t h1 = seed, h2 = seed;

	for (size_t i = 0; i < nblocks; i++, p += 16) {
		uint64_t k1 = rd64(p), k2 = rd64(p + 8);
		k1 *= M3_C1;
		k1 = rotl64(k1, 31);
		k1 *= M3_C2;
		h1 ^= k1;
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		k2 *= M3_C2;
		k2 = rotl64(k2, 33);
		k2 *= M3_C1;
		h2 ^= k2;
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}

	uint64_t k1 = 0, k2 = 0;
	size_t rest = n & 15;
	for (size_t i = rest; i > 8; i--)
		k2 ^= (uint64_t)p[i - 1] << (8 * (i - 9));
	if (rest > 8) {
		k2 *= M3_C2;
		k2 = rotl64(k2, 33);
		k2 *= M3_C1;
		h2 ^= k2;
	}
	for (size_t i = rest < 8 ? rest : 8; i > 0; i--)
		k1 ^= (uint64_t)p[i - 1] << (8 * (i - 1));
	if (rest > 0) {
		k1 *= M3_C1;
		k1 = rotl64(k1, 31);
		k1 *= M3_C2;
		h1 ^= k1;
	}

	h1 ^= (uint64_t)n;
	h2 ^= (uint64_t)n;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	return (struct grr_hash128){ { h1, h2 } };
}
