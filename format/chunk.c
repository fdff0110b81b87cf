/* chunk.c - packing, checksumming, compressing and decompressing chunks. */
#include "format/chunk.h"

#include <lz4.h>
#include <string.h>

#include "format/crc32c.h"
#include "format/varint.h"

int grr_chunk_no_compression;

void grr_chunk_hdr_pack(const struct grr_chunk_hdr *h, uint8_t out[GRR_CHUNK_HEADER_SIZE])
{
	memcpy(out, GRR_CHUNK_MAGIC, 4);
	out[4] = h->type;
	out[5] = h->comp;
	grr_put_le16(out + 6, h->reserved);
	grr_put_le32(out + 8, h->stored_len);
	grr_put_le32(out + 12, h->raw_len);
	grr_put_le64(out + 16, h->first_seq);
	grr_put_le32(out + 24, h->count);
	grr_put_le32(out + 28, h->crc);
}

int grr_chunk_hdr_unpack(const uint8_t in[GRR_CHUNK_HEADER_SIZE], struct grr_chunk_hdr *h)
{
	if (memcmp(in, GRR_CHUNK_MAGIC, 4) != 0)
		return -1;
	h->type = in[4];
	h->comp = in[5];
	h->reserved = grr_get_le16(in + 6);
	h->stored_len = grr_get_le32(in + 8);
	h->raw_len = grr_get_le32(in + 12);
	h->first_seq = grr_get_le64(in + 16);
	h->count = grr_get_le32(in + 24);
	h->crc = grr_get_le32(in + 28);
	return 0;
}

uint32_t grr_chunk_crc(const uint8_t hdr[GRR_CHUNK_HEADER_SIZE], const void *payload, size_t n)
{
	uint32_t c = grr_crc32c(0, hdr, GRR_CHUNK_CRC_OFFSET);
	return grr_crc32c(c, payload, n);
}

uint32_t grr_chunk_max_raw(uint8_t type)
{
	return type == GRR_CHUNK_INDEX ? GRR_INDEX_MAX_RAW : GRR_CHUNK_MAX_RAW;
}

int grr_chunk_sizes_ok(const struct grr_chunk_hdr *h)
{
	if (h->raw_len > grr_chunk_max_raw(h->type))
		return 0;
	switch (h->comp) {
	case GRR_COMP_NONE:
		return h->stored_len == h->raw_len;
	case GRR_COMP_LZ4:
		return h->stored_len > 0 && h->stored_len < h->raw_len &&
		       (uint64_t)h->raw_len <= (uint64_t)h->stored_len * GRR_LZ4_MAX_RATIO + 64;
	default:
		return 0;
	}
}

int grr_chunk_build(struct grr_buf *out, uint8_t type, uint64_t first_seq,
		    uint32_t count, const void *raw, size_t raw_len)
{
	struct grr_chunk_hdr h = {
		.type = type, .comp = GRR_COMP_NONE, .stored_len = (uint32_t)raw_len,
		.raw_len = (uint32_t)raw_len, .first_seq = first_seq, .count = count,
	};
	size_t bound = (size_t)LZ4_compressBound((int)raw_len);
	out->len = 0;
	if (grr_buf_reserve(out, GRR_CHUNK_HEADER_SIZE + (bound > raw_len ? bound : raw_len)))
		return -1;
	uint8_t *payload = out->p + GRR_CHUNK_HEADER_SIZE;
	int z = raw_len >= 64 && !grr_chunk_no_compression ? LZ4_compress_default(raw, (char *)payload, (int)raw_len, (int)bound) : 0;
	if (z > 0 && (size_t)z < raw_len) {
		h.comp = GRR_COMP_LZ4;
		h.stored_len = (uint32_t)z;
	} else if (raw_len) {
		memcpy(payload, raw, raw_len);
	}
	grr_chunk_hdr_pack(&h, out->p);
	h.crc = grr_chunk_crc(out->p, payload, h.stored_len);
	grr_put_le32(out->p + GRR_CHUNK_CRC_OFFSET, h.crc);
	out->len = GRR_CHUNK_HEADER_SIZE + h.stored_len;
	return 0;
}

int grr_chunk_unpack_payload(const struct grr_chunk_hdr *h, const uint8_t *stored,
			     struct grr_buf *raw)
{
	raw->len = 0;
	if (grr_buf_reserve(raw, h->raw_len ? h->raw_len : 1))
		return -1;
	if (h->comp == GRR_COMP_NONE) {
		if (h->raw_len)
			memcpy(raw->p, stored, h->raw_len);
	} else {
		int n = LZ4_decompress_safe((const char *)stored, (char *)raw->p,
					    (int)h->stored_len, (int)h->raw_len);
		if (n < 0 || (uint32_t)n != h->raw_len)
			return -1;
	}
	raw->len = h->raw_len;
	return 0;
}

const char *grr_chunk_type_name(uint8_t type)
{
	switch (type) {
	case GRR_CHUNK_HEADER: return "HEADER";
	case GRR_CHUNK_EVENTS: return "EVENTS";
	case GRR_CHUNK_BLOB: return "BLOB";
	case GRR_CHUNK_INDEX: return "INDEX";
	case GRR_CHUNK_FILE: return "FILE";
	default: return "unknown";
	}
}
