/* hash.h - fast non-cryptographic hashes: 64-bit (memory digests) and 128-bit (blob ids). */
#ifndef GRR_FORMAT_HASH_H
#define GRR_FORMAT_HASH_H

#include <stddef.h>
#include <stdint.h>

/* XXH64 (Yann Collet's xxHash, 64-bit variant, implemented from its
 * specification).  Several GB/s; used by the recorder for memory digests.
 * grr_hash64("", 0, 0) == 0xef46db3751d8e999. */
uint64_t grr_hash64(const void *p, size_t n, uint64_t seed);

/* MurmurHash3 x64_128 (Austin Appleby, public domain algorithm, implemented
 * from its description): the content id of blobs.  h[0] is the first
 * 64-bit half MurmurHash3 produces, h[1] the second; in a trace the 16
 * bytes are h[0] then h[1], each little-endian. */
struct grr_hash128 {
	uint64_t h[2];
};
struct grr_hash128 grr_hash128(const void *p, size_t n, uint64_t seed);

#endif
