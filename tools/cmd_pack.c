/* cmd_pack.c - `grr pack`: makes a trace self-contained by embedding the
 * recorded executable (and, for a dynamically linked program, its loader),
 * so that it replays on a machine that does not have them.  The trace is
 * rewritten into a temporary file beside it, then renamed over it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/file_ref.h"
#include "format/trace.h"
#include "tools/commands.h"
#include "tools/pack_sources.h"
#include "tools/trace_inputs.h"
#include "tracee/elfinfo.h"

#define MAX_FILES 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: grr pack [-o OUT] [-q] TRACE\n"
		"\n"
		"Makes TRACE self-contained: embeds the recorded executable (and the\n"
		"dynamic loader of a cgo program, and the shared libraries' bytes the\n"
		"recording referred to), each content stored once, so that\n"
		"`grr replay` works where the executable is missing or was rebuilt,\n"
		"and the source files of the program's own packages (not the standard\n"
		"library's or modules'; 16 MB at most) for the debugger's `list`.\n"
		"Run it where the trace was recorded, before the executable changes.\n"
		"TRACE is replaced atomically (a symlink such as latest-trace is\n"
		"followed); a trace that is already packed is left as it is.  A second\n"
		"line says what the trace carries from outside the program (its\n"
		"environment, files read, socket peers, stdin; grr info --inputs).\n"
		"\n"
		"  -o OUT   write the packed trace to OUT and leave TRACE unchanged\n"
		"  -q       print nothing on success\n"
		"\n"
		"Exit status: 0 packed (or already packed), 1 on errors (unreadable\n"
		"trace, executable missing or rebuilt since the recording), 2 on a\n"
		"usage error.\n");
}

static void fmt_size(uint64_t n, char *buf, size_t len)
{
	if (n < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f KB", (double)n / 1e3);
	else
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
}

/* Reads the whole regular file PATH into a malloc'd buffer. */
static int read_file(const char *path, uint8_t **data, uint64_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	uint64_t size = (uint64_t)sb.st_size;
	uint8_t *buf = malloc(size ? size : 1);
	uint64_t got = 0;
	while (buf && got < size) {
		ssize_t k = read(fd, buf + got, size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (uint64_t)k;
	}
	close(fd);
	if (!buf || got != size) {
		snprintf(err, errlen, "%s: %s", path, buf ? "cannot read the whole file" : "out of memory");
		free(buf);
		return -1;
	}
	*data = buf;
	*len = size;
	return 0;
}

/* The files to embed: the executable (checked against the recorded build
 * id), then the other files mapped at the program's start (its loader). */
static int collect_files(const struct grr_header *h, struct grr_embed *files, size_t *n,
			 char *err, size_t errlen)
{
	struct grr_elfinfo ei;
	if (access(h->program, F_OK) < 0) {
		snprintf(err, errlen, "%s: the recorded executable is missing; pack a trace "
			 "where it was recorded", h->program);
		return -1;
	}
	if (grr_elfinfo_read(h->program, &ei, err, errlen) < 0)
		return -1;
	if (h->build_id[0] && strcmp(ei.build_id, h->build_id) != 0) {
		snprintf(err, errlen, "%s: the executable was changed since the recording "
			 "(build id %s, recorded %s)", h->program,
			 ei.build_id[0] ? ei.build_id : "none", h->build_id);
		return -1;
	}
	uint8_t *data;
	uint64_t len;
	if (read_file(h->program, &data, &len, err, errlen) < 0)
		return -1;
	files[(*n)++] = (struct grr_embed){ GRR_EMBED_EXE, data, len };
	for (uint32_t i = 0; i < h->nmaps; i++) {
		const char *p = h->maps[i].path;
		if (p[0] != '/' || strcmp(p, h->program) == 0)
			continue;
		bool seen = false;
		for (size_t k = 1; k < *n; k++)
			seen |= strcmp(files[k].name, p) == 0;
		if (seen)
			continue;
		if (*n == MAX_FILES) {
			snprintf(err, errlen, "the program had more than %d files mapped at its start",
				 MAX_FILES - 1);
			return -1;
		}
		if (read_file(p, &data, &len, err, errlen) < 0)
			return -1;
		files[(*n)++] = (struct grr_embed){ p, data, len };
	}
	return 0;
}

/* Writes the packed copy of SRC to a temporary file beside DST, then
 * renames it to DST. */
static int write_packed(const char *src, const char *dst, const struct grr_embed *files,
			size_t n, char *err, size_t errlen)
{
	char dircopy[PATH_MAX], basecopy[PATH_MAX], tmp[PATH_MAX];
	snprintf(dircopy, sizeof(dircopy), "%s", dst);
	snprintf(basecopy, sizeof(basecopy), "%s", dst);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.pack-XXXXXX", dirname(dircopy),
			     basename(basecopy)) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", dst);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file there: %s", dircopy, strerror(errno));
		return -1;
	}
	close(fd);
	struct stat sb;
	mode_t mode = stat(src, &sb) == 0 ? sb.st_mode & 0777 : 0644;
	struct grr_error e;
	if (grr_trace_copy(src, tmp, files, n, &e) < 0) {
		snprintf(err, errlen, "%s", e.msg);
		unlink(tmp);
		return -1;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0 || rename(tmp, dst) < 0) {
		snprintf(err, errlen, "%s: cannot write the packed trace: %s", dst, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return 0;
}

int grr_pack(const char *trace, const char *out, char *summary, size_t sumlen, char *err,
	     size_t errlen)
{
	char src[PATH_MAX];
	summary[0] = 0;
	if (!realpath(trace, src)) {
		snprintf(err, errlen, "%s: %s", trace, strerror(errno));
		return -1;
	}
	struct grr_error e;
	struct grr_reader *r = grr_reader_open(src, &e);
	if (!r) {
		snprintf(err, errlen, "%s", e.msg);
		return -1;
	}
	bool packed = grr_reader_is_packed(r);
	if (packed && !out) {
		grr_reader_close(r);
		snprintf(summary, sumlen, "%s: already packed", trace);
		return 0;
	}
	struct grr_embed files[MAX_FILES];
	size_t n = 0;
	int rc = packed ? 0 : collect_files(grr_reader_header(r), files, &n, err, errlen);
	/* the sources of the program's own packages, after the executable */
	struct pack_sources ps = { 0 };
	char src_note[768] = "";
	struct grr_embed *all = NULL;
	if (rc == 0 && !packed) {
		char serr[512];
		if (pack_sources_collect(grr_reader_header(r)->program, &ps, serr, sizeof(serr)) < 0)
			snprintf(src_note, sizeof(src_note), "; no sources embedded (%s)", serr);
		all = malloc((n + ps.n + 1) * sizeof(*all));
		if (!all) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else {
			memcpy(all, files, n * sizeof(*all));
			if (ps.n)
				memcpy(all + n, ps.files, ps.n * sizeof(*all));
		}
	}
	struct stat before, after;
	uint64_t old_size = stat(src, &before) == 0 ? (uint64_t)before.st_size : 0;
	size_t nrefs;
	const struct grr_file_ref *refs = grr_reader_file_refs(r, &nrefs);
	uint64_t ref_bytes = 0;
	for (size_t i = 0; i < nrefs; i++)
		ref_bytes += refs[i].len;
	/* (FILES names strings of R's header: R stays open until written) */
	if (rc == 0)
		rc = write_packed(src, out ? out : src, all ? all : files, n + ps.n, err, errlen);
	grr_reader_close(r);
	free(all);
	if (rc == 0) {
		char a[32], b[32], x[32];
		fmt_size(old_size, a, sizeof(a));
		fmt_size(stat(out ? out : src, &after) == 0 ? (uint64_t)after.st_size : 0, b,
			 sizeof(b));
		fmt_size(n ? files[0].len : 0, x, sizeof(x));
		int k = snprintf(summary, sumlen, "%s: packed", out ? out : trace);
		if (n && k > 0 && (size_t)k < sumlen)
			k += snprintf(summary + k, sumlen - (size_t)k, ", embedded the executable (%s)%s",
				      x, n > 1 ? " and the dynamic loader" : "");
		if (n && k > 0 && (size_t)k < sumlen) {
			char sb[32];
			fmt_size(ps.bytes, sb, sizeof(sb));
			if (!src_note[0])
				snprintf(src_note, sizeof(src_note), ", %zu source file%s (%s)%s%s",
					 ps.n, ps.n == 1 ? "" : "s", sb,
					 ps.over_cap ? " (the rest left out: over the size cap of "
						       "16 MB)" : "",
					 ps.missing ? " (some of the line table's files are "
						      "missing here)" : "");
			k += snprintf(summary + k, sumlen - (size_t)k, "%s", src_note);
		}
		if (ref_bytes && k > 0 && (size_t)k < sumlen) {
			char rb[32];
			fmt_size(ref_bytes, rb, sizeof(rb));
			k += snprintf(summary + k, sumlen - (size_t)k,
				      ", the shared libraries' bytes it referred to (%s)", rb);
		}
		if (k > 0 && (size_t)k < sumlen)
			snprintf(summary + k, sumlen - (size_t)k, "; %s -> %s", a, b);
	}
	pack_sources_free(&ps);
	for (size_t i = 0; i < n; i++)
		free((void *)files[i].data);
	return rc;
}

int cmd_pack(int argc, char **argv)
{
	const char *trace = NULL, *out = NULL;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--") && i + 2 == argc && !trace) {
			trace = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "grr pack: unknown option '%s' (see 'grr pack --help')\n", a);
			return GRR_EXIT_USAGE;
		} else if (trace) {
			fprintf(stderr, "grr pack: one trace at a time (see 'grr pack --help')\n");
			return GRR_EXIT_USAGE;
		} else {
			trace = a;
		}
	}
	if (!trace) {
		fprintf(stderr, "grr pack: no trace given (see 'grr pack --help')\n");
		return GRR_EXIT_USAGE;
	}
	char summary[PATH_MAX + 256], err[PATH_MAX + 512];
	if (grr_pack(trace, out, summary, sizeof(summary), err, sizeof(err)) < 0) {
		fprintf(stderr, "grr pack: %s\n", err);
		return GRR_EXIT_BAD_INPUT;
	}
	if (quiet)
		return 0;
	printf("%s\n", summary);
	struct grr_error e;
	struct grr_reader *r = grr_reader_open(out ? out : trace, &e);
	char carries[512];
	if (!r || inputs_summary(r, carries, sizeof(carries), &e) < 0) {
		fprintf(stderr, "grr pack: %s\n", e.msg);
		grr_reader_close(r);
		return GRR_EXIT_BAD_INPUT;
	}
	grr_reader_close(r);
	printf("%s: %s\n", out ? out : trace, carries);
	return 0;
}
