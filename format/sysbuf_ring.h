/* sysbuf_ring.h - the records of grr's syscall buffer (tracee/sysbuf.h) as
 * a BUFFERED event carries them: one memory write into the ring holds
 * records back to back, each a 32-byte header (u32 number, u32 length of
 * the data, i64 result, u64 first argument, u64 third argument) and the
 * bytes the kernel wrote (a read's data, epoll events, a directory's
 * entries, a stat structure, a link's target), padded to 8.  The
 * trace format only carries them; this is what readers such as `grr info
 * --inputs` need to look inside. */
#ifndef GRR_FORMAT_SYSBUF_RING_H
#define GRR_FORMAT_SYSBUF_RING_H

#include <stddef.h>
#include <stdint.h>

#include "format/trace.h"

#define GRR_SB_RING      0x1c2000ull   /* the ring's address in the program */
#define GRR_SB_RING_CAP  0x100000ull
#define GRR_SB_HDR       32u

struct grr_sb_record {
	uint32_t nr;
	int64_t ret;
	uint64_t arg0, arg2;     /* descriptor, length */
	const uint8_t *data;     /* len bytes (NULL if the write had no data) */
	uint32_t len;
};

/* The next record of W (a BUFFERED event's write), from byte *OFF (0 at
 * first), which moves past it.  1 with *REC filled, 0 when W holds no
 * more (or is not in the ring), -1 if the records are malformed. */
int grr_sb_record_next(const struct grr_mem_write *w, size_t *off, struct grr_sb_record *rec);

#endif
