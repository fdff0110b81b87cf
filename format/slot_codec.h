/* slot_codec.h - compact storage of a memory write made of 32-byte slots
 * of four 64-bit words: the clock page's ring (tracee/clockpage.h), which
 * holds a clock_gettime result and timespec, or a TSC value, per read.
 * A busy program reads the clock millions of times; stored raw, each read
 * costs 32 bytes of trace.
 *
 * Each slot is coded against the previous slot of its class in the same
 * write (a clock_gettime slot of a clock below 2^30 seconds, such as
 * CLOCK_MONOTONIC; one of a clock above, such as CLOCK_REALTIME; any other
 * slot, such as a TSC value): a tag byte (class in bits 0-1, in bits 2-5
 * which words differ) and, for each word that differs, the zigzag varint
 * of the difference.  Successive reads of one clock differ only in
 * tv_nsec, by a little: about 2 bytes a read instead of 32.  The coding is
 * lossless for any bytes (internal to format/). */
#ifndef GRR_FORMAT_SLOT_CODEC_H
#define GRR_FORMAT_SLOT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "format/buf.h"

#define GRR_SLOT_BYTES 32u
/* The longest slot write a reader accepts (a ring of 2048 slots is 64 KiB). */
#define GRR_SLOTS_MAX (1u << 20)

/* Appends the coding of the LEN bytes at DATA (a multiple of
 * GRR_SLOT_BYTES) to OUT.  0, or -1 out of memory. */
int grr_slots_encode(struct grr_buf *out, const uint8_t *data, size_t len);

/* Decodes the N coded bytes at IN into LEN bytes at OUT.  0, or -1 if they
 * are malformed or do not make exactly LEN bytes. */
int grr_slots_decode(const uint8_t *in, size_t n, uint8_t *out, size_t len);

#endif
