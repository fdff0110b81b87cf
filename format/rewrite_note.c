/* rewrite_note.c - the digest rewrite note (see rewrite_note.h). */
#include "format/rewrite_note.h"

#include <inttypes.h>
#include <stdio.h>

#define PREFIX "digest: "

void grr_rewrite_note_format(char *buf, size_t len, uint64_t written, uint64_t pages)
{
	snprintf(buf, len, PREFIX "%" PRIu64 " of %" PRIu64 " pages written since the last one",
		 written, pages);
}

bool grr_rewrite_note_parse(const char *text, uint64_t *written, uint64_t *pages)
{
	uint64_t w, p;
	int end = 0;
	if (!text || sscanf(text, PREFIX "%" SCNu64 " of %" SCNu64
			    " pages written since the last one%n", &w, &p, &end) != 2 ||
	    end == 0 || text[end] != '\0')
		return false;
	*written = w;
	*pages = p;
	return true;
}
