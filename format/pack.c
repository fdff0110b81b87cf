/* pack.c - copying a trace with files embedded in it (grr pack): the
 * events are read and written again through the reader and the writer, so
 * the copy is a well-formed trace whatever chunk sizes the original had. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/error.h"
#include "format/trace.h"

bool grr_reader_is_packed(struct grr_reader *r)
{
	const char *const *names = grr_reader_embedded_names(r);
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], GRR_EMBED_EXE) == 0)
			return true;
	return false;
}

/* Whether IN and OUT name the same existing file. */
static bool same_file(const char *in, const char *out)
{
	struct stat a, b;
	return stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Whether NAME is among FILES, or among NAMES after index I (a later file
 * of the same name wins, so this one need not be copied). */
static bool superseded(const char *name, const struct grr_embed *files, size_t nfiles,
		       const char *const *names, size_t i)
{
	for (size_t k = 0; k < nfiles; k++)
		if (files[k].name && strcmp(files[k].name, name) == 0)
			return true;
	for (size_t k = i + 1; names[k]; k++)
		if (strcmp(names[k], name) == 0)
			return true;
	return false;
}

static int copy_events(struct grr_reader *r, struct grr_writer *w, struct grr_error *err)
{
	struct grr_event ev;
	int rc;
	while ((rc = grr_reader_next(r, &ev, err)) == 1)
		if (grr_writer_append(w, &ev, err))
			return -1;
	return rc;
}

/* The files R embeds that FILES does not replace. */
static int copy_files(struct grr_reader *r, struct grr_writer *w, const struct grr_embed *files,
		      size_t nfiles, struct grr_error *err)
{
	const char *const *names = grr_reader_embedded_names(r);
	for (size_t i = 0; names[i]; i++) {
		if (superseded(names[i], files, nfiles, names, i))
			continue;
		uint8_t *data;
		uint64_t len;
		if (grr_reader_embedded_file(r, names[i], &data, &len, err) != 1)
			return -1;
		int rc = grr_writer_embed_file(w, names[i], data, len, err);
		free(data);
		if (rc)
			return -1;
	}
	return 0;
}

int grr_trace_copy(const char *in, const char *out, const struct grr_embed *files,
		   size_t nfiles, struct grr_error *err)
{
	if (same_file(in, out)) {
		grr_seterr(err, out, "cannot copy a trace onto itself");
		return -1;
	}
	for (size_t k = 0; k < nfiles; k++) {
		if (!files[k].name || !files[k].name[0] || (files[k].len && !files[k].data)) {
			grr_seterr(err, out, "cannot embed file %zu: no name or no data", k);
			return -1;
		}
	}
	struct grr_reader *r = grr_reader_open(in, err);
	if (!r)
		return -1;
	bool indexed = grr_reader_has_index(r);
	/* the copy stores every blob, those the source refers to files for
	 * too (the reader reads them) */
	struct grr_header h = *grr_reader_header(r);
	h.flags &= ~GRR_HDR_FILE_REFS;
	struct grr_writer *w = grr_writer_open(out, &h, err);
	if (!w) {
		grr_reader_close(r);
		return -1;
	}
	int rc = -1;
	if (copy_events(r, w, err) || grr_writer_flush(w, err) ||
	    copy_files(r, w, files, nfiles, err))
		goto fail;
	for (size_t k = 0; k < nfiles; k++)
		if (grr_writer_embed_file(w, files[k].name, files[k].data, files[k].len, err))
			goto fail;
	grr_reader_close(r);
	if (indexed)
		return grr_writer_close(w, err);
	/* cut short: everything written, no index, as the recorder left it */
	rc = grr_writer_flush(w, err);
	grr_writer_abandon(w);
	return rc;
fail:
	grr_writer_abandon(w);
	grr_reader_close(r);
	return rc;
}
