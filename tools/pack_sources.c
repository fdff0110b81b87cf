/* pack_sources.c - the source files of the program's own packages, for
 * `grr pack` to embed so that the debugger shows them on another machine.
 * The standard library and modules are left out: the debugger finds them
 * in the local GOROOT and module cache (docs/debugger.md). */
#include "tools/pack_sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replayer/symbols/symbols.h"

/* Reads PATH whole; NULL if it is no readable regular file. */
static uint8_t *slurp(const char *path, uint64_t *len)
{
	FILE *f = fopen(path, "re");
	struct stat sb;
	if (!f)
		return NULL;
	if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return NULL;
	}
	uint8_t *buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	size_t got = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
	fclose(f);
	if (!buf || got != (size_t)sb.st_size) {
		free(buf);
		return NULL;
	}
	*len = got;
	return buf;
}

/* Whether FILE belongs to the program's own packages. */
static bool own_file(const char *file, const char *goroot)
{
	if (file[0] != '/' || strstr(file, "/pkg/mod/"))
		return false;
	size_t gl = strlen(goroot);
	return !(gl && strncmp(file, goroot, gl) == 0 && file[gl] == '/');
}

int pack_sources_collect(const char *program, struct pack_sources *ps, char *err,
			 size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	struct grr_symbols *s = grr_symbols_open(program, err, errlen);
	if (!s)
		return -1;
	/* the GOROOT: what is before /src/runtime/ in the runtime's files */
	char goroot[4096] = "";
	const char *f;
	for (size_t i = 0; (f = grr_symbols_name_at(s, GRR_SYM_FILES, i)); i++) {
		const char *at = strstr(f, "/src/runtime/");
		if (at && (size_t)(at - f) < sizeof(goroot)) {
			snprintf(goroot, sizeof(goroot), "%.*s", (int)(at - f), f);
			break;
		}
	}
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; (f = grr_symbols_name_at(s, GRR_SYM_FILES, i)); i++) {
		if (!own_file(f, goroot))
			continue;
		uint64_t len;
		uint8_t *data = slurp(f, &len);
		if (!data) {
			ps->missing++;
			continue;
		}
		if (ps->bytes + len > PACK_SOURCES_MAX_BYTES) {
			free(data);
			ps->over_cap++;
			continue;
		}
		if (ps->n == cap) {
			cap = cap ? 2 * cap : 64;
			struct grr_embed *g = realloc(ps->files, cap * sizeof(*g));
			if (!g) {
				free(data);
				rc = -1;
				break;
			}
			ps->files = g;
		}
		size_t nl = strlen(GRR_EMBED_SOURCE_PREFIX) + strlen(f) + 1;
		char *name = malloc(nl);
		if (!name) {
			free(data);
			rc = -1;
			break;
		}
		snprintf(name, nl, "%s%s", GRR_EMBED_SOURCE_PREFIX, f);
		ps->files[ps->n++] = (struct grr_embed){ name, data, len };
		ps->bytes += len;
	}
	grr_symbols_close(s);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory reading the program's sources");
		pack_sources_free(ps);
	}
	return rc;
}

void pack_sources_free(struct pack_sources *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free((void *)ps->files[i].name);
		free((void *)ps->files[i].data);
	}
	free(ps->files);
	memset(ps, 0, sizeof(*ps));
}
