/* chunk.h - file layout constants and the checksummed chunk envelope (internal). */
#ifndef GRR_FORMAT_CHUNK_H
#define GRR_FORMAT_CHUNK_H

#include <stdint.h>

#include "format/buf.h"
#include "format/trace.h"

/* File header: magic, u16 major, u16 minor, u32 reserved. */
#define GRR_FILE_MAGIC "GRRTRACE"
#define GRR_FILE_HEADER_SIZE 16

/* Trailer: u64 index chunk offset, u64 total events, magic. */
#define GRR_TRAILER_MAGIC "GRRINDEX"
#define GRR_TRAILER_SIZE 24

/* Chunk header: "GRCK", u8 type, u8 compression, u16 reserved, u32
 * stored_len, u32 raw_len, u64 first_event_seq, u32 event_count, u32 crc32c
 * (over the 28 bytes before it, then the stored payload). */
#define GRR_CHUNK_MAGIC "GRCK"
#define GRR_CHUNK_HEADER_SIZE 32
#define GRR_CHUNK_CRC_OFFSET 28

enum grr_chunk_type {
	GRR_CHUNK_HEADER = 1,
	GRR_CHUNK_EVENTS = 2,
	GRR_CHUNK_BLOB = 3,
	GRR_CHUNK_INDEX = 4,
	GRR_CHUNK_FILE = 5,
	GRR_CHUNK_FILEREF = 6,   /* blobs stored by reference (format/file_ref.h) */
};

enum grr_compression {
	GRR_COMP_NONE = 0,
	GRR_COMP_LZ4 = 1,
};

/* Writer targets and reader limits. */
#define GRR_EVENTS_CHUNK_TARGET (256u << 10)   /* flush events at this size */
#define GRR_BLOB_CHUNK_TARGET   (1u << 20)     /* blob chunk size / piece size */
#define GRR_CHUNK_MAX_RAW       (64u << 20)    /* any chunk but INDEX */
#define GRR_INDEX_MAX_RAW       (256u << 20)   /* INDEX chunk */
#define GRR_LZ4_MAX_RATIO       255u           /* LZ4 cannot expand more */
#define GRR_INLINE_MAX          64u            /* memory writes up to this are inline */

/* Counts beyond any real program's, refused by writer and reader alike so
 * that hostile input cannot make the reader allocate much. */
#define GRR_MAX_WRITES          (1u << 16)     /* memory writes of one syscall */
#define GRR_MAX_EXCLUDED        (1u << 20)     /* excluded ranges of one anchor */
#define GRR_MAX_STRINGS         (1u << 20)     /* argv, envp entries */
#define GRR_MAX_AUXV            4096u
#define GRR_MAX_MAPS            (1u << 22)

struct grr_chunk_hdr {
	uint8_t type;
	uint8_t comp;
	uint16_t reserved;
	uint32_t stored_len;
	uint32_t raw_len;
	uint64_t first_seq;
	uint32_t count;
	uint32_t crc;
};

void grr_chunk_hdr_pack(const struct grr_chunk_hdr *h, uint8_t out[GRR_CHUNK_HEADER_SIZE]);
/* Returns 0, or -1 if the magic is wrong. */
int grr_chunk_hdr_unpack(const uint8_t in[GRR_CHUNK_HEADER_SIZE], struct grr_chunk_hdr *h);
/* CRC of a packed header's first 28 bytes followed by the stored payload. */
uint32_t grr_chunk_crc(const uint8_t hdr[GRR_CHUNK_HEADER_SIZE], const void *payload, size_t n);
/* Largest raw_len accepted for chunks of TYPE. */
uint32_t grr_chunk_max_raw(uint8_t type);
/* Whether the header's sizes are plausible (raw_len within limits,
 * compressed payload not claiming an impossible ratio).  Checked before
 * anything is allocated. */
int grr_chunk_sizes_ok(const struct grr_chunk_hdr *h);

/* Set by tests and the fuzzing seed generator: store every chunk
 * uncompressed (a valid trace either way). */
extern int grr_chunk_no_compression;

/* Builds a chunk: compresses RAW with LZ4 (kept uncompressed if that does
 * not shrink it) into OUT as header + payload.  Returns 0 or -1 (memory). */
int grr_chunk_build(struct grr_buf *out, uint8_t type, uint64_t first_seq,
		    uint32_t count, const void *raw, size_t raw_len);
/* Decodes a verified chunk's payload into RAW (replacing its contents).
 * Returns 0 or -1 if the payload does not decompress to raw_len bytes. */
int grr_chunk_unpack_payload(const struct grr_chunk_hdr *h, const uint8_t *stored,
			     struct grr_buf *raw);

const char *grr_chunk_type_name(uint8_t type);

#endif
