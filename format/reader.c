/* reader.c - opens traces, loads or rebuilds the index, reads, seeks and summarizes events. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/blobmap.h"
#include "format/buf.h"
#include "format/chunk.h"
#include "format/codec.h"
#include "format/error.h"
#include "format/file_ref.h"
#include "format/hash.h"
#include "format/trace.h"
#include "format/varint.h"

#define NONE ((size_t)-1)

/* Decoded blobs are kept in a direct-mapped cache: programs read the same
 * contents again and again, and decoding a blob means decompressing its
 * whole BLOB chunk.  Entries used by the last returned event are pinned. */
#define BC_SLOTS 4096
#define BC_BUDGET (64u << 20)
#define BC_MAX_ITEM (4u << 20)

struct bc_slot {
	struct grr_hash128 id;
	uint8_t *data;       /* NULL: empty */
	uint64_t len;
	uint64_t gen;        /* call that last used it */
};

struct rchunk {
	uint64_t off;
	uint64_t first_seq;
	uint32_t count;
	uint8_t type;
};

struct rfile {
	char *name;
	struct grr_hash128 id;
	uint64_t len;
};

struct cursor {
	size_t evi;          /* index in evc of the loaded chunk, NONE if none */
	size_t next_evi;     /* chunk to load when this one is used up */
	struct grr_buf raw;
	size_t pos;
	uint32_t left;       /* events not yet decoded in the loaded chunk */
	uint64_t seq;        /* number of the next event decoded */
	struct grr_ev_state st;
	bool broken;         /* a decoding error: repeated until a seek */
	struct grr_error broken_err;
};

struct grr_reader {
	int fd;
	char *path;
	uint64_t size;
	struct grr_header hdr;

	struct rchunk *chunks;   /* every chunk but INDEX, in file order */
	size_t nchunks, chunks_cap;
	size_t *evc;             /* indices of the EVENTS chunks */
	size_t nevc;
	struct grr_blobmap blobs;
	struct rfile *files;
	size_t nfiles;
	struct grr_file_ref *refs;   /* blobs stored by reference */
	size_t nrefs;
	char **names;            /* NULL-terminated, for grr_reader_embedded_names */

	uint64_t total;
	bool has_index;
	uint64_t index_off;
	uint64_t valid_bytes;

	struct cursor cur;
	struct grr_ev_scratch sc;
	struct grr_buf stored;   /* payload as read from the file */
	struct grr_buf bchunk;   /* last decompressed BLOB chunk */
	uint64_t bchunk_off;     /* its offset, 0 if none */
	uint32_t bchunk_stored;  /* its stored_len */
	void **arena;            /* blob copies handed out with the last event */
	size_t narena, arena_cap;
	struct bc_slot *bc;      /* blob cache, BC_SLOTS entries (or NULL) */
	uint64_t bc_bytes;
	size_t bc_hand;          /* eviction cursor */
	uint64_t gen;            /* incremented by every next/seek */
	struct grr_error cb_err; /* error from the blob callback */
};

/* ---- low-level reading ---- */

/* Reads exactly N bytes at OFF: 0, or -1 (err filled). */
static int pread_full(struct grr_reader *r, void *buf, size_t n, uint64_t off, struct grr_error *err)
{
	uint8_t *b = buf;
	while (n) {
		ssize_t k = pread(r->fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			grr_seterr(err, r->path, "cannot read at byte %llu: %s",
				   (unsigned long long)off, strerror(errno));
			return -1;
		}
		if (k == 0) {
			grr_seterr(err, r->path, "truncated at byte %llu (file shrank while reading)",
				   (unsigned long long)off);
			return -1;
		}
		b += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Chunk number of the chunk at OFF, for messages (the index is sorted). */
static long chunk_no(const struct grr_reader *r, uint64_t off)
{
	size_t lo = 0, hi = r->nchunks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->chunks[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nchunks && r->chunks[lo].off == off ? (long)lo : (long)r->nchunks;
}

enum { RC_OK = 0, RC_BAD = -1, RC_TRUNC = -2, RC_IO = -3 };

/* Reads and verifies the chunk at OFF (numbered K in messages): header,
 * sizes, checksum, decompression into RAW.  Returns RC_OK, RC_TRUNC if the
 * file ends inside it, RC_BAD if it is damaged, RC_IO on read errors. */
static int read_chunk(struct grr_reader *r, uint64_t off, long k, struct grr_chunk_hdr *h,
		      struct grr_buf *raw, struct grr_error *err)
{
	uint8_t hb[GRR_CHUNK_HEADER_SIZE];
	if (off > r->size || r->size - off < GRR_CHUNK_HEADER_SIZE) {
		grr_seterr(err, r->path, "truncated at byte %llu (chunk %ld at byte %llu is incomplete)",
			   (unsigned long long)r->size, k, (unsigned long long)off);
		return RC_TRUNC;
	}
	if (pread_full(r, hb, sizeof(hb), off, err))
		return RC_IO;
	if (grr_chunk_hdr_unpack(hb, h)) {
		grr_seterr(err, r->path, "bad chunk magic in chunk %ld (at byte %llu)", k,
			   (unsigned long long)off);
		return RC_BAD;
	}
	if (!grr_chunk_sizes_ok(h)) {
		grr_seterr(err, r->path, "corrupt header of chunk %ld (at byte %llu): bad sizes",
			   k, (unsigned long long)off);
		return RC_BAD;
	}
	if (r->size - off - GRR_CHUNK_HEADER_SIZE < h->stored_len) {
		grr_seterr(err, r->path, "truncated at byte %llu (chunk %ld at byte %llu is incomplete)",
			   (unsigned long long)r->size, k, (unsigned long long)off);
		return RC_TRUNC;
	}
	r->stored.len = 0;
	if (grr_buf_reserve(&r->stored, h->stored_len ? h->stored_len : 1)) {
		grr_seterr(err, r->path, "out of memory");
		return RC_IO;
	}
	if (pread_full(r, r->stored.p, h->stored_len, off + GRR_CHUNK_HEADER_SIZE, err))
		return RC_IO;
#ifdef GRR_FUZZ_IGNORE_CRC
	/* fuzzing build: let mutated inputs reach the decoders */
	if (0) {
#else
	if (grr_chunk_crc(hb, r->stored.p, h->stored_len) != h->crc) {
#endif
		grr_seterr(err, r->path, "checksum mismatch in chunk %ld (at byte %llu)", k,
			   (unsigned long long)off);
		return RC_BAD;
	}
	if (raw && grr_chunk_unpack_payload(h, r->stored.p, raw)) {
		grr_seterr(err, r->path, "corrupt compressed data in chunk %ld (at byte %llu)", k,
			   (unsigned long long)off);
		return RC_BAD;
	}
	return RC_OK;
}

/* ---- chunk, blob and file tables ---- */

static int add_chunk(struct grr_reader *r, uint64_t off, uint8_t type, uint64_t first_seq,
		     uint32_t count)
{
	if (r->nchunks == r->chunks_cap) {
		size_t cap = r->chunks_cap ? r->chunks_cap * 2 : 64;
		struct rchunk *nc = realloc(r->chunks, cap * sizeof(*nc));
		if (!nc)
			return -1;
		r->chunks = nc;
		r->chunks_cap = cap;
	}
	r->chunks[r->nchunks++] = (struct rchunk){ off, first_seq, count, type };
	return 0;
}

static int add_file(struct grr_reader *r, const uint8_t *name, size_t n, struct grr_hash128 id,
		    uint64_t len)
{
	struct rfile *nf = realloc(r->files, (r->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return -1;
	r->files = nf;
	char *s = malloc(n + 1);
	if (!s)
		return -1;
	memcpy(s, name, n);
	s[n] = 0;
	r->files[r->nfiles++] = (struct rfile){ s, id, len };
	return 0;
}

static void reset_tables(struct grr_reader *r)
{
	r->nchunks = 1;   /* keep the HEADER chunk */
	free(r->evc);
	r->evc = NULL;
	r->nevc = 0;
	grr_blobmap_free(&r->blobs);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].name);
	free(r->files);
	r->files = NULL;
	r->nfiles = 0;
	for (size_t i = 0; i < r->nrefs; i++)
		free(r->refs[i].path);
	free(r->refs);
	r->refs = NULL;
	r->nrefs = 0;
	r->total = 0;
}

static struct grr_hash128 get_id(const uint8_t *p)
{
	return (struct grr_hash128){ { grr_get_le64(p), grr_get_le64(p + 8) } };
}

/* One piece record of a BLOB chunk. */
struct piece {
	struct grr_hash128 id;
	uint64_t total, off, len;
	const uint8_t *data;
};

static int parse_piece(const uint8_t **p, const uint8_t *end, struct piece *pc)
{
	const uint8_t *q = *p;
	if (end - q < 16)
		return -1;
	pc->id = get_id(q);
	q += 16;
	if (grr_varint_get(&q, end, &pc->total) || grr_varint_get(&q, end, &pc->off) ||
	    grr_varint_get(&q, end, &pc->len) || pc->len > (uint64_t)(end - q) ||
	    pc->off > pc->total || pc->len > pc->total - pc->off || pc->len == 0)
		return -1;
	pc->data = q;
	*p = q + pc->len;
	return 0;
}

/* Registers the blobs whose first piece is in the BLOB chunk at OFF. */
static int scan_blob_chunk(struct grr_reader *r, uint64_t off, const struct grr_buf *raw)
{
	const uint8_t *p = raw->p, *end = raw->p + raw->len;
	while (p < end) {
		struct piece pc;
		const uint8_t *rec = p;
		if (parse_piece(&p, end, &pc))
			return -1;
		if (pc.off == 0) {
			struct grr_blob_loc loc = { pc.id, pc.total, off, (uint32_t)(rec - raw->p) };
			if (!grr_blobmap_insert(&r->blobs, &loc, NULL))
				return -1;
		}
	}
	return 0;
}

/* Registers the references of the FILEREF chunk payload RAW. */
static int scan_ref_chunk(struct grr_reader *r, const struct grr_buf *raw)
{
	const uint8_t *p = raw->p, *end = raw->p + raw->len;
	while (p < end) {
		struct grr_file_ref ref;
		if (grr_file_ref_parse(&p, end, &ref))
			return -1;
		struct grr_file_ref *nr = realloc(r->refs, (r->nrefs + 1) * sizeof(*nr));
		if (!nr) {
			free(ref.path);
			return -1;
		}
		r->refs = nr;
		r->refs[r->nrefs++] = ref;
	}
	return 0;
}

static const struct grr_file_ref *find_ref(const struct grr_reader *r, struct grr_hash128 id)
{
	for (size_t i = 0; i < r->nrefs; i++)
		if (grr_hash128_eq(r->refs[i].id, id))
			return &r->refs[i];
	return NULL;
}

static int parse_file_rec(const uint8_t *p, const uint8_t *end, const uint8_t **name, size_t *n,
			  struct grr_hash128 *id, uint64_t *len)
{
	uint64_t nl;
	if (grr_varint_get(&p, end, &nl) || nl == 0 || nl > 4096 || nl > (uint64_t)(end - p))
		return -1;
	*name = p;
	*n = (size_t)nl;
	p += nl;
	if (end - p < 16)
		return -1;
	*id = get_id(p);
	p += 16;
	if (grr_varint_get(&p, end, len) || p != end)
		return -1;
	return 0;
}

static int build_evc(struct grr_reader *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nchunks; i++)
		n += r->chunks[i].type == GRR_CHUNK_EVENTS;
	r->evc = malloc((n ? n : 1) * sizeof(*r->evc));
	if (!r->evc)
		return -1;
	r->nevc = 0;
	for (size_t i = 0; i < r->nchunks; i++)
		if (r->chunks[i].type == GRR_CHUNK_EVENTS)
			r->evc[r->nevc++] = i;
	return 0;
}

/* Rebuilds the tables by reading chunk after chunk from OFF; stops at the
 * first incomplete or damaged chunk.  Returns 0, or -1 out of memory/IO. */
static int scan(struct grr_reader *r, uint64_t off, struct grr_error *err)
{
	struct grr_buf raw = { 0 };
	struct grr_error e;
	int rc = 0;
	for (;;) {
		struct grr_chunk_hdr h;
		long k = (long)r->nchunks;
		int crc = read_chunk(r, off, k, &h, NULL, &e);
		if (crc == RC_IO) {
			if (err)
				*err = e;
			rc = -1;
			break;
		}
		if (crc != RC_OK)
			break;
		bool ok = true;
		if (h.type == GRR_CHUNK_EVENTS) {
			ok = h.first_seq == r->total && h.count > 0 &&
			     (uint64_t)h.count <= h.raw_len && r->total + h.count > r->total;
		} else if (h.type == GRR_CHUNK_BLOB || h.type == GRR_CHUNK_FILE ||
			   h.type == GRR_CHUNK_FILEREF) {
			if (grr_chunk_unpack_payload(&h, r->stored.p, &raw)) {
				ok = false;
			} else if (h.type == GRR_CHUNK_BLOB) {
				ok = scan_blob_chunk(r, off, &raw) == 0;
			} else if (h.type == GRR_CHUNK_FILEREF) {
				ok = scan_ref_chunk(r, &raw) == 0;
			} else {
				const uint8_t *name;
				size_t n;
				struct grr_hash128 id;
				uint64_t len;
				ok = parse_file_rec(raw.p, raw.p + raw.len, &name, &n, &id, &len) == 0 &&
				     add_file(r, name, n, id, len) == 0;
			}
		} else if (h.type == GRR_CHUNK_HEADER) {
			ok = false;
		}
		if (!ok)
			break;
		if (h.type != GRR_CHUNK_INDEX) {   /* a stale index is not listed */
			if (add_chunk(r, off, h.type, h.first_seq, h.count)) {
				grr_seterr(err, r->path, "out of memory");
				rc = -1;
				break;
			}
			if (h.type == GRR_CHUNK_EVENTS)
				r->total += h.count;
		}
		off += GRR_CHUNK_HEADER_SIZE + (uint64_t)h.stored_len;
	}
	grr_buf_free(&raw);
	r->valid_bytes = off;
	return rc;
}

/* Loads the index the trailer points at.  Returns 0 if it is valid (the
 * tables are filled), -1 otherwise (tables reset). */
static int load_index(struct grr_reader *r)
{
	if (r->size < GRR_FILE_HEADER_SIZE + GRR_TRAILER_SIZE)
		return -1;
	uint8_t tr[GRR_TRAILER_SIZE];
	struct grr_error e;
	uint64_t tr_off = r->size - GRR_TRAILER_SIZE;
	if (pread_full(r, tr, sizeof(tr), tr_off, &e) || memcmp(tr + 16, GRR_TRAILER_MAGIC, 8))
		return -1;
	uint64_t idx_off = grr_get_le64(tr), total = grr_get_le64(tr + 8);
	if (idx_off < GRR_FILE_HEADER_SIZE || idx_off >= tr_off)
		return -1;
	struct grr_chunk_hdr h;
	struct grr_buf raw = { 0 };
	if (read_chunk(r, idx_off, -1, &h, &raw, &e) != RC_OK || h.type != GRR_CHUNK_INDEX ||
	    idx_off + GRR_CHUNK_HEADER_SIZE + h.stored_len != tr_off)
		goto bad;

	const uint8_t *p = raw.p, *end = raw.p + raw.len;
	uint64_t n, prev = 0;
	if (grr_varint_get(&p, end, &n) || n == 0 || n > (uint64_t)(end - p) / 4)
		goto bad;
	r->nchunks = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t off, first, count;
		if (grr_varint_get(&p, end, &off) || p >= end)
			goto bad;
		uint8_t type = *p++;
		if (grr_varint_get(&p, end, &first) || grr_varint_get(&p, end, &count) ||
		    count > UINT32_MAX)
			goto bad;
		if (i == 0 ? (off != GRR_FILE_HEADER_SIZE || type != GRR_CHUNK_HEADER)
			   : (off <= prev || type == GRR_CHUNK_HEADER || type == GRR_CHUNK_INDEX))
			goto bad;
		if (off > idx_off - GRR_CHUNK_HEADER_SIZE)
			goto bad;
		if (type == GRR_CHUNK_EVENTS) {
			if (first != r->total || count == 0 || r->total + count < r->total)
				goto bad;
			r->total += count;
		}
		if (add_chunk(r, off, type, first, (uint32_t)count))
			goto bad;
		prev = off;
	}
	if (r->total != total)
		goto bad;
	if (grr_varint_get(&p, end, &n) || n > (uint64_t)(end - p) / 19)
		goto bad;
	for (uint64_t i = 0; i < n; i++) {
		if (end - p < 16)
			goto bad;
		struct grr_blob_loc loc = { .id = get_id(p) };
		p += 16;
		uint64_t rec;
		if (grr_varint_get(&p, end, &loc.len) || grr_varint_get(&p, end, &loc.chunk_off) ||
		    grr_varint_get(&p, end, &rec) || rec > UINT32_MAX ||
		    loc.chunk_off < GRR_FILE_HEADER_SIZE || loc.chunk_off >= idx_off || loc.len == 0)
			goto bad;
		loc.rec_off = (uint32_t)rec;
		if (!grr_blobmap_insert(&r->blobs, &loc, NULL))
			goto bad;
	}
	if (grr_varint_get(&p, end, &n) || n > (uint64_t)(end - p) / 18)
		goto bad;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t nl, len;
		if (grr_varint_get(&p, end, &nl) || nl == 0 || nl > 4096 || nl > (uint64_t)(end - p))
			goto bad;
		const uint8_t *name = p;
		p += nl;
		if (end - p < 16)
			goto bad;
		struct grr_hash128 id = get_id(p);
		p += 16;
		if (grr_varint_get(&p, end, &len) || add_file(r, name, (size_t)nl, id, len))
			goto bad;
	}
	/* bytes after the files list: fields of a newer minor version */
	grr_buf_free(&raw);
	r->index_off = idx_off;
	r->valid_bytes = r->size;
	return 0;
bad:
	grr_buf_free(&raw);
	reset_tables(r);
	return -1;
}

/* ---- blobs ---- */

/* Reads blob ID (LEN bytes) into a malloc'd buffer. */
static int load_blob(struct grr_reader *r, struct grr_hash128 id, uint64_t len, uint8_t **out,
		     struct grr_error *err)
{
	const struct grr_blob_loc *l = grr_blobmap_find(&r->blobs, id);
	const struct grr_file_ref *ref = l ? NULL : find_ref(r, id);
	if (!l && !ref) {
		grr_seterr(err, r->path, "missing blob %016llx%016llx", (unsigned long long)id.h[0],
			   (unsigned long long)id.h[1]);
		return -1;
	}
	uint64_t stored = l ? l->len : ref->len;
	if (stored != len) {
		grr_seterr(err, r->path, "blob %016llx%016llx has %llu bytes, %llu expected",
			   (unsigned long long)id.h[0], (unsigned long long)id.h[1],
			   (unsigned long long)stored, (unsigned long long)len);
		return -1;
	}
	if (ref)
		return grr_file_ref_load(ref, r->path, out, err);
	uint64_t off = l->chunk_off, rec = l->rec_off, got = 0, cap = 0;
	uint8_t *buf = NULL;
	while (got < len) {
		if (r->bchunk_off != off) {
			struct grr_chunk_hdr h;
			r->bchunk_off = 0;
			if (read_chunk(r, off, chunk_no(r, off), &h, &r->bchunk, err) != RC_OK)
				goto fail;
			if (h.type != GRR_CHUNK_BLOB) {
				grr_seterr(err, r->path, "chunk %ld (at byte %llu) is not a BLOB chunk",
					   chunk_no(r, off), (unsigned long long)off);
				goto fail;
			}
			r->bchunk_off = off;
			r->bchunk_stored = h.stored_len;
		}
		struct piece pc;
		const uint8_t *p = r->bchunk.p + (rec < r->bchunk.len ? rec : r->bchunk.len);
		if (rec >= r->bchunk.len || parse_piece(&p, r->bchunk.p + r->bchunk.len, &pc) ||
		    !grr_hash128_eq(pc.id, id) || pc.total != len || pc.off != got) {
			grr_seterr(err, r->path, "corrupt blob record in chunk %ld (at byte %llu)",
				   chunk_no(r, off), (unsigned long long)off);
			goto fail;
		}
		if (got + pc.len > cap) {
			/* grow with the data actually read, never by the declared size */
			uint64_t ncap = cap ? cap * 2 : pc.len;
			if (ncap < got + pc.len)
				ncap = got + pc.len;
			if (ncap > len)
				ncap = len;
			uint8_t *nb = realloc(buf, (size_t)ncap);
			if (!nb) {
				grr_seterr(err, r->path, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + got, pc.data, (size_t)pc.len);
		got += pc.len;
		/* a large blob continues at the start of the next chunk */
		off += GRR_CHUNK_HEADER_SIZE + (uint64_t)r->bchunk_stored;
		rec = 0;
	}
	struct grr_hash128 h = grr_hash128(buf, (size_t)len, 0);
	if (!grr_hash128_eq(h, id)) {
		grr_seterr(err, r->path, "blob %016llx%016llx does not match its content",
			   (unsigned long long)id.h[0], (unsigned long long)id.h[1]);
		goto fail;
	}
	*out = buf;
	return 0;
fail:
	free(buf);
	return -1;
}

static void arena_clear(struct grr_reader *r)
{
	r->gen++;
	for (size_t i = 0; i < r->narena; i++)
		free(r->arena[i]);
	r->narena = 0;
}

static int arena_push(struct grr_reader *r, void *p)
{
	if (r->narena == r->arena_cap) {
		size_t cap = r->arena_cap ? r->arena_cap * 2 : 16;
		void **na = realloc(r->arena, cap * sizeof(*na));
		if (!na) {
			free(p);
			grr_seterr(&r->cb_err, r->path, "out of memory");
			return -1;
		}
		r->arena = na;
		r->arena_cap = cap;
	}
	r->arena[r->narena++] = p;
	return 0;
}

static void bc_evict(struct grr_reader *r, struct bc_slot *sl)
{
	r->bc_bytes -= sl->len;
	free(sl->data);
	sl->data = NULL;
	sl->len = 0;
}

/* Tries to keep BUF (blob ID) in the cache; returns 1 if it now belongs
 * to the cache, 0 if the caller keeps it. */
static int bc_put(struct grr_reader *r, struct grr_hash128 id, uint8_t *buf, uint64_t len)
{
	if (len > BC_MAX_ITEM)
		return 0;
	if (!r->bc && !(r->bc = calloc(BC_SLOTS, sizeof(*r->bc))))
		return 0;
	struct bc_slot *sl = &r->bc[id.h[0] & (BC_SLOTS - 1)];
	if (sl->data) {
		if (sl->gen == r->gen)
			return 0;   /* pinned by the current event */
		bc_evict(r, sl);
	}
	for (size_t tries = 0; r->bc_bytes + len > BC_BUDGET && tries < BC_SLOTS; tries++) {
		struct bc_slot *v = &r->bc[r->bc_hand++ & (BC_SLOTS - 1)];
		if (v->data && v->gen != r->gen)
			bc_evict(r, v);
	}
	if (r->bc_bytes + len > BC_BUDGET)
		return 0;
	*sl = (struct bc_slot){ id, buf, len, r->gen };
	r->bc_bytes += len;
	return 1;
}

static int blob_get_cb(void *ctx, struct grr_hash128 id, uint64_t len, const uint8_t **data)
{
	struct grr_reader *r = ctx;
	if (r->bc) {
		struct bc_slot *sl = &r->bc[id.h[0] & (BC_SLOTS - 1)];
		if (sl->data && sl->len == len && grr_hash128_eq(sl->id, id)) {
			sl->gen = r->gen;
			*data = sl->data;
			return 0;
		}
	}
	uint8_t *buf;
	if (load_blob(r, id, len, &buf, &r->cb_err))
		return -1;
	if (!bc_put(r, id, buf, len) && arena_push(r, buf))
		return -1;
	*data = buf;
	return 0;
}

/* ---- open / close ---- */

/* With an index: reads the FILEREF chunks it lists.  0, or -1 (tables
 * reset: the file is then scanned). */
static int load_listed_refs(struct grr_reader *r)
{
	struct grr_buf raw = { 0 };
	struct grr_error e;
	for (size_t i = 0; i < r->nchunks; i++) {
		struct grr_chunk_hdr h;
		if (r->chunks[i].type != GRR_CHUNK_FILEREF)
			continue;
		if (read_chunk(r, r->chunks[i].off, (long)i, &h, &raw, &e) != RC_OK ||
		    h.type != GRR_CHUNK_FILEREF || scan_ref_chunk(r, &raw)) {
			grr_buf_free(&raw);
			reset_tables(r);
			return -1;
		}
	}
	grr_buf_free(&raw);
	return 0;
}

struct grr_reader *grr_reader_open(const char *path, struct grr_error *err)
{
	struct grr_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		grr_seterr(err, path, "out of memory");
		return NULL;
	}
	r->cur.evi = NONE;
	/* O_NONBLOCK: opening a FIFO must not hang */
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (r->fd < 0) {
		grr_seterr(err, path, "cannot open: %s", strerror(errno));
		goto fail;
	}
	struct stat sb;
	if (fstat(r->fd, &sb)) {
		grr_seterr(err, path, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(sb.st_mode)) {
		grr_seterr(err, path, "cannot read: %s", strerror(EISDIR));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		grr_seterr(err, path, "not a regular file");
		goto fail;
	}
	r->size = (uint64_t)sb.st_size;

	uint8_t fh[GRR_FILE_HEADER_SIZE];
	size_t have = r->size < sizeof(fh) ? (size_t)r->size : sizeof(fh);
	if (r->size == 0) {
		grr_seterr(err, path, "empty file, not a grr trace");
		goto fail;
	}
	if (pread_full(r, fh, have, 0, err))
		goto fail;
	if (memcmp(fh, GRR_FILE_MAGIC, have < 8 ? have : 8) != 0) {
		grr_seterr(err, path, "not a grr trace (bad magic)");
		goto fail;
	}
	if (have < sizeof(fh)) {
		grr_seterr(err, path, "truncated at byte %llu (in the file header)",
			   (unsigned long long)r->size);
		goto fail;
	}
	r->hdr.major = grr_get_le16(fh + 8);
	r->hdr.minor = grr_get_le16(fh + 10);
	if (r->hdr.major != GRR_FORMAT_MAJOR) {
		grr_seterr(err, path, "unsupported trace format version %u.%u (this grr reads up to %u.%u)",
			   r->hdr.major, r->hdr.minor, GRR_FORMAT_MAJOR, GRR_FORMAT_MINOR);
		goto fail;
	}

	struct grr_chunk_hdr h;
	struct grr_buf raw = { 0 };
	int rc = read_chunk(r, GRR_FILE_HEADER_SIZE, 0, &h, &raw, err);
	if (rc == RC_OK && h.type != GRR_CHUNK_HEADER) {
		grr_seterr(err, path, "chunk 0 (at byte 16) is %s, not HEADER", grr_chunk_type_name(h.type));
		rc = RC_BAD;
	}
	if (rc == RC_OK) {
		uint16_t major = r->hdr.major, minor = r->hdr.minor;
		const char *why;
		if (grr_header_decode(raw.p, raw.len, &r->hdr, &why)) {
			grr_seterr(err, path, "corrupt HEADER chunk: %s", why);
			rc = RC_BAD;
		}
		r->hdr.major = major;
		r->hdr.minor = minor;
	}
	grr_buf_free(&raw);
	if (rc != RC_OK)
		goto fail;
	if (add_chunk(r, GRR_FILE_HEADER_SIZE, GRR_CHUNK_HEADER, 0, 0)) {
		grr_seterr(err, path, "out of memory");
		goto fail;
	}

	if (load_index(r) == 0 && load_listed_refs(r) == 0) {
		r->has_index = true;
	} else if (scan(r, GRR_FILE_HEADER_SIZE + GRR_CHUNK_HEADER_SIZE + (uint64_t)h.stored_len, err)) {
		goto fail;
	}
	if (build_evc(r)) {
		grr_seterr(err, path, "out of memory");
		goto fail;
	}
	r->names = calloc(r->nfiles + 1, sizeof(*r->names));
	if (!r->names) {
		grr_seterr(err, path, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < r->nfiles; i++)
		r->names[i] = r->files[i].name;
	return r;
fail:
	grr_reader_close(r);
	return NULL;
}

void grr_reader_close(struct grr_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	grr_header_free(&r->hdr);
	reset_tables(r);
	free(r->chunks);
	free(r->names);
	grr_buf_free(&r->cur.raw);
	grr_ev_scratch_free(&r->sc);
	grr_buf_free(&r->stored);
	grr_buf_free(&r->bchunk);
	arena_clear(r);
	free(r->arena);
	for (size_t i = 0; r->bc && i < BC_SLOTS; i++)
		free(r->bc[i].data);
	free(r->bc);
	free(r->path);
	free(r);
}

const struct grr_header *grr_reader_header(const struct grr_reader *r)
{
	return &r->hdr;
}

uint64_t grr_reader_event_count(const struct grr_reader *r)
{
	return r->total;
}

const struct grr_file_ref *grr_reader_file_refs(const struct grr_reader *r, size_t *n)
{
	*n = r->nrefs;
	return r->refs;
}

bool grr_reader_has_index(const struct grr_reader *r)
{
	return r->has_index;
}

/* ---- events ---- */

/* Reads EVENTS chunk number EVI (in evc) into C. */
static int load_events(struct grr_reader *r, struct cursor *c, size_t evi, struct grr_error *err)
{
	const struct rchunk *rc = &r->chunks[r->evc[evi]];
	struct grr_chunk_hdr h;
	c->evi = NONE;
	if (read_chunk(r, rc->off, (long)r->evc[evi], &h, &c->raw, err) != RC_OK)
		return -1;
	if (h.type != GRR_CHUNK_EVENTS || h.first_seq != rc->first_seq || h.count != rc->count) {
		grr_seterr(err, r->path, "chunk %ld (at byte %llu) does not match the index",
			   (long)r->evc[evi], (unsigned long long)rc->off);
		return -1;
	}
	c->evi = evi;
	c->next_evi = evi + 1;
	c->pos = 0;
	c->left = h.count;
	c->seq = h.first_seq;
	grr_ev_state_reset(&c->st);
	return 0;
}

/* Decodes the next event of C's chunk (GET NULL: without blob data). */
static int decode_one(struct grr_reader *r, struct cursor *c, struct grr_event *ev,
		      struct grr_ev_scratch *sc, grr_blob_get_fn get, struct grr_error *err)
{
	const uint8_t *p = c->raw.p + c->pos, *end = c->raw.p + c->raw.len;
	const struct rchunk *rc = &r->chunks[r->evc[c->evi]];
	const char *why;
	int d = grr_event_decode(&p, end, &c->st, ev, sc, get, r, &why);
	if (d == -2) {
		if (err)
			*err = r->cb_err;
		return -1;
	}
	if (d == -3) {
		grr_seterr(err, r->path, "out of memory");
		return -1;
	}
	if (d == 0 && c->left == 1 && p != end) {
		d = -1;
		why = "bytes left after the last event";
	}
	if (d) {
		grr_seterr(err, r->path, "corrupt event %llu in chunk %ld (at byte %llu): %s",
			   (unsigned long long)c->seq, (long)r->evc[c->evi],
			   (unsigned long long)rc->off, why);
		return -1;
	}
	c->pos = (size_t)(p - c->raw.p);
	ev->seq = c->seq++;
	c->left--;
	return 0;
}

static int broken(struct cursor *c, struct grr_error *err)
{
	c->broken = true;
	if (err)
		c->broken_err = *err;
	return -1;
}

static int next_event(struct grr_reader *r, struct grr_event *ev, bool data,
		      struct grr_error *err)
{
	struct grr_error e;
	if (!err)
		err = &e;
	arena_clear(r);
	if (r->cur.broken) {
		*err = r->cur.broken_err;
		return -1;
	}
	while (r->cur.left == 0) {
		if (r->cur.next_evi >= r->nevc)
			return 0;
		if (load_events(r, &r->cur, r->cur.next_evi, err))
			return broken(&r->cur, err);
	}
	if (decode_one(r, &r->cur, ev, &r->sc, data ? blob_get_cb : NULL, err))
		return broken(&r->cur, err);
	return 1;
}

int grr_reader_next(struct grr_reader *r, struct grr_event *ev, struct grr_error *err)
{
	return next_event(r, ev, true, err);
}

int grr_reader_next_shallow(struct grr_reader *r, struct grr_event *ev, struct grr_error *err)
{
	return next_event(r, ev, false, err);
}

int grr_reader_seek(struct grr_reader *r, uint64_t seq, struct grr_error *err)
{
	struct grr_error e;
	if (!err)
		err = &e;
	arena_clear(r);
	struct cursor *c = &r->cur;
	c->broken = false;
	if (seq > r->total) {
		grr_seterr(err, r->path, "no event %llu (the trace has %llu events)",
			   (unsigned long long)seq, (unsigned long long)r->total);
		return -1;
	}
	if (seq == r->total) {
		c->left = 0;
		c->next_evi = r->nevc;
		return 0;
	}
	size_t lo = 0, hi = r->nevc;   /* last chunk with first_seq <= seq */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (r->chunks[r->evc[mid]].first_seq <= seq)
			lo = mid;
		else
			hi = mid;
	}
	if (!(c->evi == lo && c->seq <= seq && c->left > 0)) {
		if (load_events(r, c, lo, err)) {
			c->left = 0;
			return broken(c, err);
		}
	}
	struct grr_event tmp;
	while (c->seq < seq)
		if (decode_one(r, c, &tmp, &r->sc, NULL, err))
			return broken(c, err);
	return 0;
}

/* ---- stats ---- */

struct tidset {
	uint32_t *slots;   /* tid + 1; 0 = empty */
	size_t cap, n;
};

static int tidset_add(struct tidset *s, uint32_t tid)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint32_t *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slots[i])
				continue;
			size_t j = (s->slots[i] * 2654435761u) & (ncap - 1);
			while (ns[j])
				j = (j + 1) & (ncap - 1);
			ns[j] = s->slots[i];
		}
		free(s->slots);
		s->slots = ns;
		s->cap = ncap;
	}
	uint32_t key = tid + 1;   /* tid UINT32_MAX collides with empty: count it as 0 */
	if (key == 0)
		key = 1;
	size_t j = (key * 2654435761u) & (s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == key)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->slots[j] = key;
	s->n++;
	return 0;
}

int grr_reader_stats(struct grr_reader *r, struct grr_trace_stats *st, struct grr_error *err)
{
	memset(st, 0, sizeof(*st));
	st->file_bytes = r->size;
	st->has_index = r->has_index;
	st->valid_bytes = r->valid_bytes;
	st->blobs = r->blobs.n;
	for (size_t i = 0; i < r->blobs.cap; i++)
		if (r->blobs.slots[i].chunk_off)
			st->blob_raw_bytes += r->blobs.slots[i].len;
	st->file_refs = r->nrefs;
	for (size_t i = 0; i < r->nrefs; i++)
		st->file_ref_bytes += r->refs[i].len;

	struct cursor c = { .evi = NONE };
	struct grr_ev_scratch sc = { 0 };
	struct tidset tids = { 0 };
	int rc = -1;
	for (size_t i = 0; i < r->nchunks; i++) {
		if (r->chunks[i].type == GRR_CHUNK_EVENTS)
			continue;
		uint8_t hb[GRR_CHUNK_HEADER_SIZE];
		struct grr_chunk_hdr h;
		if (pread_full(r, hb, sizeof(hb), r->chunks[i].off, err))
			goto out;
		if (grr_chunk_hdr_unpack(hb, &h)) {
			grr_seterr(err, r->path, "bad chunk magic in chunk %zu (at byte %llu)", i,
				   (unsigned long long)r->chunks[i].off);
			goto out;
		}
		st->chunks++;
		st->raw_bytes += h.raw_len;
	}
	if (r->has_index) {
		uint8_t hb[GRR_CHUNK_HEADER_SIZE];
		struct grr_chunk_hdr h;
		if (pread_full(r, hb, sizeof(hb), r->index_off, err))
			goto out;
		if (!grr_chunk_hdr_unpack(hb, &h)) {
			st->chunks++;
			st->raw_bytes += h.raw_len;
		}
	}
	for (size_t i = 0; i < r->nevc; i++) {
		if (load_events(r, &c, i, err))
			goto out;
		st->chunks++;
		st->raw_bytes += c.raw.len;
		while (c.left) {
			struct grr_event ev;
			if (decode_one(r, &c, &ev, &sc, NULL, err))
				goto out;
			st->events++;
			st->by_kind[ev.kind]++;
			st->duration_ns = ev.time_ns;
			if (tidset_add(&tids, ev.tid)) {
				grr_seterr(err, r->path, "out of memory");
				goto out;
			}
		}
	}
	st->threads = (uint32_t)tids.n;
	rc = 0;
out:
	free(tids.slots);
	grr_ev_scratch_free(&sc);
	grr_buf_free(&c.raw);
	return rc;
}

/* ---- embedded files ---- */

int grr_reader_embedded_file(struct grr_reader *r, const char *name, uint8_t **data,
			     uint64_t *len, struct grr_error *err)
{
	const struct rfile *f = NULL;
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].name, name) == 0)
			f = &r->files[i];   /* the last one embedded under NAME wins */
	if (!f)
		return 0;
	if (f->len == 0) {
		if (!(*data = malloc(1))) {
			grr_seterr(err, r->path, "out of memory");
			return -1;
		}
		*len = 0;
		return 1;
	}
	if (load_blob(r, f->id, f->len, data, err))
		return -1;
	*len = f->len;
	return 1;
}

const char *const *grr_reader_embedded_names(struct grr_reader *r)
{
	return (const char *const *)r->names;
}
