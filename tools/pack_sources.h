/* pack_sources.h - the source files `grr pack` embeds: those of the
 * program's own packages named in its line table. */
#ifndef GRR_TOOLS_PACK_SOURCES_H
#define GRR_TOOLS_PACK_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "format/trace.h"

/* At most this many bytes of sources are embedded. */
#define PACK_SOURCES_MAX_BYTES (16u << 20)

struct pack_sources {
	struct grr_embed *files;   /* names "src:PATH" and data malloc'd */
	size_t n;
	uint64_t bytes;
	size_t missing;            /* files of the line table not on disk */
	size_t over_cap;           /* files left out for the size cap */
};

/* Reads the line table of PROGRAM and the files of its own packages: not
 * below its GOROOT, not in a module cache (".../pkg/mod/"), absolute,
 * regular, up to PACK_SOURCES_MAX_BYTES in all.  0, or -1 with one line
 * in ERR (PROGRAM unreadable, out of memory). */
int pack_sources_collect(const char *program, struct pack_sources *ps, char *err,
			 size_t errlen);
void pack_sources_free(struct pack_sources *ps);

#endif
