/* file_ref.c - FILEREF records: encoding, parsing, and reading the content. */
#include "format/file_ref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/varint.h"

int grr_file_ref_put(struct grr_buf *b, const struct grr_file_ref *ref)
{
	return grr_buf_le64(b, ref->id.h[0]) || grr_buf_le64(b, ref->id.h[1]) ||
	       grr_buf_varint(b, ref->len) || grr_buf_varint(b, ref->file_off) ||
	       grr_buf_varint(b, ref->file_len) ||
	       grr_buf_bytes(b, ref->path, strlen(ref->path));
}

int grr_file_ref_parse(const uint8_t **p, const uint8_t *end, struct grr_file_ref *ref)
{
	const uint8_t *q = *p;
	uint64_t n;
	memset(ref, 0, sizeof(*ref));
	if (end - q < 16)
		return -1;
	ref->id.h[0] = grr_get_le64(q);
	ref->id.h[1] = grr_get_le64(q + 8);
	q += 16;
	if (grr_varint_get(&q, end, &ref->len) || grr_varint_get(&q, end, &ref->file_off) ||
	    grr_varint_get(&q, end, &ref->file_len) || grr_varint_get(&q, end, &n) ||
	    ref->len == 0 || ref->file_len > ref->len || n == 0 || n > GRR_FILE_REF_PATH_MAX ||
	    n > (uint64_t)(end - q) || q[0] != '/' || memchr(q, 0, (size_t)n))
		return -1;
	ref->path = malloc((size_t)n + 1);
	if (!ref->path)
		return -1;
	memcpy(ref->path, q, (size_t)n);
	ref->path[n] = 0;
	*p = q + n;
	return 0;
}

int grr_file_ref_load(const struct grr_file_ref *ref, const char *trace, uint8_t **out,
		      struct grr_error *err)
{
	uint8_t *buf = calloc(1, (size_t)ref->len);
	if (!buf) {
		grr_seterr(err, trace, "out of memory");
		return -1;
	}
	int fd = open(ref->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		grr_seterr(err, trace, "the recording mapped %s, which cannot be read here (%s): "
			   "replay where it was recorded, or make the trace self-contained "
			   "there with grr pack", ref->path, strerror(errno));
		free(buf);
		return -1;
	}
	uint64_t got = 0;
	while (got < ref->file_len) {
		ssize_t n = pread(fd, buf + got, (size_t)(ref->file_len - got),
				  (off_t)(ref->file_off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	close(fd);
	struct grr_hash128 h = grr_hash128(buf, (size_t)ref->len, 0);
	if (got != ref->file_len || h.h[0] != ref->id.h[0] || h.h[1] != ref->id.h[1]) {
		grr_seterr(err, trace, "%s is not the file the recording mapped (it changed "
			   "since): replay where it was recorded, or make the trace "
			   "self-contained there with grr pack", ref->path);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}
