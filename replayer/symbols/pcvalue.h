/* pcvalue.h - the unsigned varint of Go's pc-value tables (.gopclntab:
 * pcsp, pcfile, pcln; runtime/symtab.go), shared by the symbol layer and
 * the unwinder (replayer/inspect/frame_table.c). */
#ifndef GRR_REPLAYER_SYMBOLS_PCVALUE_H
#define GRR_REPLAYER_SYMBOLS_PCVALUE_H

#include <stdbool.h>
#include <stdint.h>

/* Reads the varint at DATA[*OFF] (SIZE bytes in all) into *V and moves
 * *OFF past it; false if it runs off the end or is longer than 32 bits. */
static inline bool grr_pcvalue_varint(const uint8_t *data, uint64_t size, uint64_t *off,
				      uint32_t *v)
{
	uint32_t r = 0;
	for (int shift = 0; shift < 35; shift += 7) {
		if (*off >= size)
			return false;
		uint8_t b = data[(*off)++];
		r |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

#endif
