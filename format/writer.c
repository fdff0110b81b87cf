/* writer.c - writes traces: file header, HEADER/EVENTS/BLOB/FILE chunks, index and trailer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

struct wchunk {
	uint64_t off;
	uint64_t first_seq;
	uint32_t count;
	uint8_t type;
};

struct wfile {
	char *name;
	struct grr_hash128 id;
	uint64_t len;
};

struct grr_writer {
	int fd;
	char *path;
	uint64_t off;                /* bytes written so far */
	bool failed;
	struct grr_error err;        /* the failure, once failed */

	uint64_t seq;                /* next event's number */
	struct grr_buf ev;           /* current EVENTS chunk payload */
	uint64_t ev_first;
	uint32_t ev_count;
	struct grr_ev_state st;

	struct grr_buf blob;         /* pending BLOB chunk payload */
	struct grr_hash128 *pending; /* ids of the blobs in it */
	size_t npending, pending_cap;
	struct grr_blobmap blobs;     /* stored blobs, and those stored by reference */
	size_t nrefs;                 /* of which by reference */

	struct grr_buf z;            /* chunk being built */
	struct grr_buf tmp;
	struct wchunk *chunks;
	size_t nchunks, chunks_cap;
	struct wfile *files;
	size_t nfiles;
};

static int fail(struct grr_writer *w, struct grr_error *err)
{
	w->failed = true;
	if (err)
		*err = w->err;
	return -1;
}

static int oom(struct grr_writer *w, struct grr_error *err)
{
	grr_seterr(&w->err, w->path, "out of memory");
	return fail(w, err);
}

static int write_all(struct grr_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(w->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			grr_seterr(&w->err, w->path, "cannot write at byte %llu: %s",
				   (unsigned long long)w->off, k < 0 ? strerror(errno) : "short write");
			return -1;
		}
		b += k;
		n -= (size_t)k;
		w->off += (uint64_t)k;
	}
	return 0;
}

/* Builds and writes one chunk; records it for the index; *at gets its offset. */
static int emit_chunk(struct grr_writer *w, uint8_t type, uint64_t first_seq, uint32_t count,
		      const void *raw, size_t len, uint64_t *at)
{
	if (w->nchunks == w->chunks_cap) {
		size_t cap = w->chunks_cap ? w->chunks_cap * 2 : 64;
		struct wchunk *nc = realloc(w->chunks, cap * sizeof(*nc));
		if (!nc) {
			grr_seterr(&w->err, w->path, "out of memory");
			return -1;
		}
		w->chunks = nc;
		w->chunks_cap = cap;
	}
	if (grr_chunk_build(&w->z, type, first_seq, count, raw, len)) {
		grr_seterr(&w->err, w->path, "out of memory");
		return -1;
	}
	uint64_t off = w->off;
	if (write_all(w, w->z.p, w->z.len))
		return -1;
	w->chunks[w->nchunks++] = (struct wchunk){ off, first_seq, count, type };
	if (at)
		*at = off;
	return 0;
}

static int flush_blobs(struct grr_writer *w)
{
	if (!w->blob.len)
		return 0;
	uint64_t off;
	if (emit_chunk(w, GRR_CHUNK_BLOB, w->seq, 0, w->blob.p, w->blob.len, &off))
		return -1;
	for (size_t i = 0; i < w->npending; i++) {
		struct grr_blob_loc *l = grr_blobmap_find(&w->blobs, w->pending[i]);
		if (l)
			l->chunk_off = off;
	}
	w->npending = 0;
	w->blob.len = 0;
	return 0;
}

static int put_record_head(struct grr_buf *b, struct grr_hash128 id, uint64_t total,
			   uint64_t piece_off, uint64_t piece_len)
{
	return grr_buf_le64(b, id.h[0]) || grr_buf_le64(b, id.h[1]) || grr_buf_varint(b, total) ||
	       grr_buf_varint(b, piece_off) || grr_buf_varint(b, piece_len);
}

/* Stores DATA once per content; fills *id.  Returns 0 or -1 (w->err). */
static int store_blob(struct grr_writer *w, const uint8_t *data, uint64_t len,
		      struct grr_hash128 *id)
{
	*id = grr_hash128(data, (size_t)len, 0);
	if (grr_blobmap_find(&w->blobs, *id))
		return 0;
	struct grr_blob_loc loc = { .id = *id, .len = len };

	if (len > GRR_BLOB_CHUNK_TARGET) {
		/* large content: one piece per chunk, in consecutive chunks */
		if (flush_blobs(w))
			return -1;
		for (uint64_t done = 0; done < len;) {
			uint64_t n = len - done < GRR_BLOB_CHUNK_TARGET ? len - done : GRR_BLOB_CHUNK_TARGET;
			w->tmp.len = 0;
			if (put_record_head(&w->tmp, *id, len, done, n) ||
			    grr_buf_put(&w->tmp, data + done, (size_t)n)) {
				grr_seterr(&w->err, w->path, "out of memory");
				return -1;
			}
			uint64_t off;
			if (emit_chunk(w, GRR_CHUNK_BLOB, w->seq, 0, w->tmp.p, w->tmp.len, &off))
				return -1;
			if (done == 0)
				loc.chunk_off = off;
			done += n;
		}
		loc.rec_off = 0;
	} else {
		if (w->blob.len && w->blob.len + len + 48 > GRR_BLOB_CHUNK_TARGET && flush_blobs(w))
			return -1;
		if (w->npending == w->pending_cap) {
			size_t cap = w->pending_cap ? w->pending_cap * 2 : 64;
			struct grr_hash128 *np = realloc(w->pending, cap * sizeof(*np));
			if (!np) {
				grr_seterr(&w->err, w->path, "out of memory");
				return -1;
			}
			w->pending = np;
			w->pending_cap = cap;
		}
		loc.chunk_off = GRR_BLOB_PENDING;
		loc.rec_off = (uint32_t)w->blob.len;
		if (put_record_head(&w->blob, *id, len, 0, len) ||
		    grr_buf_put(&w->blob, data, (size_t)len)) {
			grr_seterr(&w->err, w->path, "out of memory");
			return -1;
		}
		w->pending[w->npending++] = *id;
	}
	if (!grr_blobmap_insert(&w->blobs, &loc, NULL)) {
		grr_seterr(&w->err, w->path, "out of memory");
		return -1;
	}
	return 0;
}

/* A blob stored by reference: in the blob map so that writes of its content
 * find it, but listed in no index (its FILEREF chunk is). */
#define REF_REC_OFF UINT32_MAX

int grr_writer_file_ref(struct grr_writer *w, const char *path, uint64_t file_off,
			uint64_t file_len, const uint8_t *data, uint64_t len,
			struct grr_error *err)
{
	if (w->failed)
		return fail(w, err);
	struct grr_file_ref ref = { .id = grr_hash128(data, (size_t)len, 0), .len = len,
				    .file_off = file_off, .file_len = file_len,
				    .path = (char *)path };
	if (!len || file_len > len || path[0] != '/' || strlen(path) > GRR_FILE_REF_PATH_MAX) {
		grr_seterr(err, w->path, "bad file reference to %s", path);
		return -1;
	}
	if (grr_blobmap_find(&w->blobs, ref.id))
		return 0;
	w->tmp.len = 0;
	if (grr_file_ref_put(&w->tmp, &ref))
		return oom(w, err);
	struct grr_blob_loc loc = { .id = ref.id, .len = len, .rec_off = REF_REC_OFF };
	if (emit_chunk(w, GRR_CHUNK_FILEREF, w->seq, 0, w->tmp.p, w->tmp.len, &loc.chunk_off))
		return fail(w, err);
	if (!grr_blobmap_insert(&w->blobs, &loc, NULL))
		return oom(w, err);
	w->nrefs++;
	return 0;
}

static int blob_put_cb(void *ctx, const uint8_t *data, uint64_t len, struct grr_hash128 *id)
{
	return store_blob(ctx, data, len, id);
}

static int flush_events(struct grr_writer *w)
{
	if (flush_blobs(w))
		return -1;
	if (!w->ev_count)
		return 0;
	if (emit_chunk(w, GRR_CHUNK_EVENTS, w->ev_first, w->ev_count, w->ev.p, w->ev.len, NULL))
		return -1;
	w->ev.len = 0;
	w->ev_count = 0;
	grr_ev_state_reset(&w->st);
	return 0;
}

struct grr_writer *grr_writer_open(const char *path, const struct grr_header *h,
				   struct grr_error *err)
{
	struct grr_writer *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path))) {
		free(w);
		grr_seterr(err, path, "out of memory");
		return NULL;
	}
	grr_ev_state_reset(&w->st);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		grr_seterr(err, path, "cannot create: %s", strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	uint8_t fh[GRR_FILE_HEADER_SIZE] = { 0 };
	memcpy(fh, GRR_FILE_MAGIC, 8);
	grr_put_le16(fh + 8, GRR_FORMAT_MAJOR);
	grr_put_le16(fh + 10, GRR_FORMAT_MINOR);
	struct grr_buf hb = { 0 };
	if ((h->argv && h->argc > GRR_MAX_STRINGS) || (h->envp && h->envc > GRR_MAX_STRINGS) ||
	    (h->withheld && h->nwithheld > GRR_MAX_STRINGS) ||
	    (h->kept_secret && h->nkept_secret > GRR_MAX_STRINGS) || (h->auxv && h->nauxv > GRR_MAX_AUXV) || (h->maps && h->nmaps > GRR_MAX_MAPS)) {
		grr_seterr(&w->err, path, "header has too many argv, envp, auxv or maps entries");
	} else if (grr_header_encode(&hb, h)) {
		grr_seterr(&w->err, path, "out of memory");
	} else if (hb.len > GRR_CHUNK_MAX_RAW) {
		grr_seterr(&w->err, path, "header too large (%zu bytes)", hb.len);
	} else if (!write_all(w, fh, sizeof(fh)) &&
		   !emit_chunk(w, GRR_CHUNK_HEADER, 0, 0, hb.p, hb.len, NULL)) {
		grr_buf_free(&hb);
		return w;
	}
	grr_buf_free(&hb);
	if (err)
		*err = w->err;
	grr_writer_abandon(w);
	return NULL;
}

/* A generous bound of EV's encoded size, to keep chunks under the limit. */
static uint64_t encoded_bound(const struct grr_event *ev)
{
	uint64_t n = 32;
	switch (ev->kind) {
	case GRR_EV_SYSCALL_ENTER: return n + 70;
	case GRR_EV_SYSCALL_EXIT:
	case GRR_EV_BUFFERED: return n + 30 + (uint64_t)ev->u.exit.nwrites * (21 + GRR_INLINE_MAX);
	case GRR_EV_SIGNAL: return n + 150;
	case GRR_EV_ANCHOR: return n + 300 + 530 + 20 + (uint64_t)ev->u.anchor.nexcluded * 20;
	case GRR_EV_NOTE: return n + 10 + (ev->u.note.text ? strlen(ev->u.note.text) : 0);
	default: return n + 30;
	}
}

static const char *invalid_event(const struct grr_event *ev)
{
	if (ev->kind < 1 || ev->kind > GRR_EV_KIND_MAX)
		return "unknown event kind";
	if (ev->kind == GRR_EV_SYSCALL_EXIT || ev->kind == GRR_EV_BUFFERED) {
		if (ev->u.exit.nwrites > GRR_MAX_WRITES)
			return "too many memory writes";
		if (ev->u.exit.nwrites && !ev->u.exit.writes)
			return "syscall exit with writes == NULL";
		for (uint32_t i = 0; i < ev->u.exit.nwrites; i++)
			if (ev->u.exit.writes[i].len && !ev->u.exit.writes[i].data)
				return "memory write with data == NULL";
	}
	if (ev->kind == GRR_EV_ANCHOR && ev->u.anchor.nexcluded > GRR_MAX_EXCLUDED)
		return "too many excluded ranges";
	if (ev->kind == GRR_EV_ANCHOR && ev->u.anchor.nexcluded && !ev->u.anchor.excluded)
		return "anchor with excluded == NULL";
	if (encoded_bound(ev) > GRR_CHUNK_MAX_RAW)
		return "event too large for one chunk";
	return NULL;
}

int grr_writer_append(struct grr_writer *w, struct grr_event *ev, struct grr_error *err)
{
	if (w->failed)
		return fail(w, err);
	const char *why = invalid_event(ev);
	if (why) {
		grr_seterr(err, w->path, "cannot append event %llu: %s (kind %u)",
			   (unsigned long long)w->seq, why, ev->kind);
		return -1;
	}
	if (w->ev_count && w->ev.len + encoded_bound(ev) > GRR_CHUNK_MAX_RAW && flush_events(w))
		return fail(w, err);
	if (!w->ev_count)
		w->ev_first = w->seq;
	ev->seq = w->seq;
	int rc = grr_event_encode(&w->ev, &w->st, ev, blob_put_cb, w, &why);
	if (rc) {
		if (rc == -2)
			grr_seterr(&w->err, w->path, "cannot append event: %s", why);
		else if (!w->err.msg[0])
			grr_seterr(&w->err, w->path, "out of memory");
		return fail(w, err);
	}
	w->seq++;
	w->ev_count++;
	if (w->ev.len >= GRR_EVENTS_CHUNK_TARGET && flush_events(w))
		return fail(w, err);
	return 0;
}

int grr_writer_flush(struct grr_writer *w, struct grr_error *err)
{
	if (w->failed)
		return fail(w, err);
	if (flush_events(w))
		return fail(w, err);
	return 0;
}

uint64_t grr_writer_event_count(const struct grr_writer *w)
{
	return w->seq;
}

int grr_writer_embed_file(struct grr_writer *w, const char *name, const void *data, uint64_t len,
			  struct grr_error *err)
{
	if (w->failed)
		return fail(w, err);
	if (!name || !*name || strlen(name) > 4096 || (len && !data)) {
		grr_seterr(err, w->path, "cannot embed file '%s': bad name or data", name ? name : "");
		return -1;
	}
	struct grr_hash128 id = grr_hash128(data, 0, 0);
	if (len && store_blob(w, data, len, &id))
		return fail(w, err);
	if (flush_blobs(w))
		return fail(w, err);
	struct wfile *nf = realloc(w->files, (w->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return oom(w, err);
	w->files = nf;
	char *copy = strdup(name);
	if (!copy)
		return oom(w, err);
	w->tmp.len = 0;
	if (grr_buf_bytes(&w->tmp, name, strlen(name)) || grr_buf_le64(&w->tmp, id.h[0]) ||
	    grr_buf_le64(&w->tmp, id.h[1]) || grr_buf_varint(&w->tmp, len)) {
		free(copy);
		return oom(w, err);
	}
	if (emit_chunk(w, GRR_CHUNK_FILE, w->seq, 0, w->tmp.p, w->tmp.len, NULL)) {
		free(copy);
		return fail(w, err);
	}
	w->files[w->nfiles++] = (struct wfile){ copy, id, len };
	return 0;
}

static int build_index(struct grr_writer *w, struct grr_buf *b)
{
	if (grr_buf_varint(b, w->nchunks))
		return -1;
	for (size_t i = 0; i < w->nchunks; i++) {
		const struct wchunk *c = &w->chunks[i];
		if (grr_buf_varint(b, c->off) || grr_buf_u8(b, c->type) ||
		    grr_buf_varint(b, c->first_seq) || grr_buf_varint(b, c->count))
			return -1;
	}
	if (grr_buf_varint(b, w->blobs.n - w->nrefs))
		return -1;
	for (size_t i = 0; i < w->blobs.cap; i++) {
		const struct grr_blob_loc *l = &w->blobs.slots[i];
		if (!l->chunk_off || l->rec_off == REF_REC_OFF)
			continue;
		if (grr_buf_le64(b, l->id.h[0]) || grr_buf_le64(b, l->id.h[1]) ||
		    grr_buf_varint(b, l->len) || grr_buf_varint(b, l->chunk_off) ||
		    grr_buf_varint(b, l->rec_off))
			return -1;
	}
	if (grr_buf_varint(b, w->nfiles))
		return -1;
	for (size_t i = 0; i < w->nfiles; i++) {
		const struct wfile *f = &w->files[i];
		if (grr_buf_bytes(b, f->name, strlen(f->name)) || grr_buf_le64(b, f->id.h[0]) ||
		    grr_buf_le64(b, f->id.h[1]) || grr_buf_varint(b, f->len))
			return -1;
	}
	return 0;
}

int grr_writer_close(struct grr_writer *w, struct grr_error *err)
{
	int rc = -1;
	if (w->failed) {
		if (err)
			*err = w->err;
		goto out;
	}
	if (flush_events(w))
		goto failed;
	struct grr_buf idx = { 0 };
	if (build_index(w, &idx)) {
		grr_buf_free(&idx);
		grr_seterr(&w->err, w->path, "out of memory");
		goto failed;
	}
	if (idx.len > GRR_INDEX_MAX_RAW) {
		grr_buf_free(&idx);
		grr_seterr(&w->err, w->path, "index too large (%zu bytes)", idx.len);
		goto failed;
	}
	uint64_t idx_off;
	int erc = emit_chunk(w, GRR_CHUNK_INDEX, w->seq, 0, idx.p, idx.len, &idx_off);
	grr_buf_free(&idx);
	if (erc)
		goto failed;
	uint8_t tr[GRR_TRAILER_SIZE];
	grr_put_le64(tr, idx_off);
	grr_put_le64(tr + 8, w->seq);
	memcpy(tr + 16, GRR_TRAILER_MAGIC, 8);
	if (write_all(w, tr, sizeof(tr)))
		goto failed;
	int fd = w->fd;
	w->fd = -1;
	if (close(fd)) {
		grr_seterr(&w->err, w->path, "cannot write: %s", strerror(errno));
		goto failed;
	}
	rc = 0;
	goto out;
failed:
	if (err)
		*err = w->err;
out:
	grr_writer_abandon(w);
	return rc;
}

void grr_writer_abandon(struct grr_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	grr_buf_free(&w->ev);
	grr_buf_free(&w->blob);
	grr_buf_free(&w->z);
	grr_buf_free(&w->tmp);
	free(w->pending);
	grr_blobmap_free(&w->blobs);
	free(w->chunks);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i].name);
	free(w->files);
	free(w->path);
	free(w);
}
