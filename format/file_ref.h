/* file_ref.h - blob contents stored by reference to a file (FILEREF chunks).
 *
 * A shared library that a dynamically linked program maps is megabytes of
 * read-only content that sits unchanged on the recording machine.  The
 * recorder stores such a mapping's bytes as a reference, not a copy: the
 * blob id (MurmurHash3 of the content, as for any blob), its length, and
 * where it comes from: FILE_LEN bytes of the file PATH at FILE_OFF,
 * followed by zeros up to LEN (the end of the last page past the file's
 * end).  The reader reads the file when the blob is needed and checks the
 * content against the id, so a file changed since the recording is
 * reported, never used.  `grr pack` turns references into stored blobs. */
#ifndef GRR_FORMAT_FILE_REF_H
#define GRR_FORMAT_FILE_REF_H

#include <stdint.h>

#include "format/buf.h"
#include "format/error.h"
#include "format/hash.h"

#define GRR_FILE_REF_PATH_MAX 4096

struct grr_file_ref {
	struct grr_hash128 id;
	uint64_t len;        /* content length */
	uint64_t file_off;   /* where in the file the content starts */
	uint64_t file_len;   /* bytes read from the file; the rest are zeros */
	char *path;          /* absolute, malloc'd */
};

/* Appends REF's record to B: id(16) varint len, varint file_off,
 * varint file_len, bytes path.  0, or -1 (out of memory). */
int grr_file_ref_put(struct grr_buf *b, const struct grr_file_ref *ref);
/* Parses the record at *P (advanced past it); ref->path is malloc'd.
 * 0, or -1 on a malformed record or out of memory. */
int grr_file_ref_parse(const uint8_t **p, const uint8_t *end, struct grr_file_ref *ref);
/* Reads REF's content into a malloc'd *OUT (ref->len bytes) and checks it
 * against ref->id.  0, or -1 with ERR naming the file (TRACE is the trace
 * that refers to it). */
int grr_file_ref_load(const struct grr_file_ref *ref, const char *trace, uint8_t **out,
		      struct grr_error *err);

#endif
