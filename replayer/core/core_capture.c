/* core_capture.c - the replayed process as a core image (core_capture.h). */
#include "replayer/core/core_capture.h"
#include "format/trace.h"

#include <elf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- memory, through the engine ---- */

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return grr_replay_read(ctx, addr, buf, len);
}

static int mem_present(void *ctx, uint64_t addr, uint64_t npages, uint8_t *out)
{
	return grr_replay_pages_present(ctx, addr, npages, out);
}

/* ---- threads ---- */

static int capture_threads(struct core_capture *cap, uint32_t first, char *err, size_t errlen)
{
	struct grr_replay *rp = cap->rp;
	int max = 256, n;
	uint32_t *tids = NULL;
	for (;;) {
		uint32_t *t = realloc(tids, max * sizeof(*t));
		if (!t) {
			free(tids);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		tids = t;
		n = grr_replay_threads(rp, tids, max);
		if (n < max)
			break;
		max *= 2;
	}
	/* FIRST first, the others in the engine's (creation) order */
	for (int i = 0; i < n; i++)
		if (tids[i] == first) {
			memmove(tids + 1, tids, i * sizeof(*tids));
			tids[0] = first;
			break;
		}
	cap->threads = calloc(n ? n : 1, sizeof(*cap->threads));
	cap->states = calloc(n ? n : 1, sizeof(*cap->states));
	if (!cap->threads || !cap->states) {
		free(tids);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int k = 0;
	for (int i = 0; i < n; i++) {
		struct grr_thread_state *s = &cap->states[k];
		/* a thread that cannot be read is exiting: it is not in the core */
		if (grr_replay_thread_state(rp, tids[i], s) < 0)
			continue;
		grr_replay_program_regs(rp, &s->regs);
		cap->threads[k] = (struct core_thread){
			.tid = tids[i],
			.regs = s->regs,
			.fpregs = s->fpregs,
			.xstate = s->xstate,
			.xstate_len = s->xstate_len,
			.sigmask = s->sigmask,
		};
		k++;
	}
	free(tids);
	if (k == 0) {
		snprintf(err, errlen, "no thread of the program can be read at this moment");
		return -1;
	}
	cap->im.threads = cap->threads;
	cap->im.nthreads = k;
	return 0;
}

/* ---- segments ---- */

static bool is_file(const struct grr_mapping *m) { return m->path[0] == '/'; }

/* Anonymous private memory: a page never written reads as zeros. */
static bool is_anonymous(const struct grr_mapping *m)
{
	if (m->flags & GRR_MAP_SHARED)
		return false;
	return !m->path[0] || strcmp(m->path, "[stack]") == 0 || strcmp(m->path, "[heap]") == 0 ||
	       strncmp(m->path, "[anon:", 6) == 0;
}

/* The kernel's pages that cannot be read ([vvar], [vvar_vclock], the
 * execute-only [vsyscall]). */
static bool is_unreadable_special(const struct grr_mapping *m)
{
	return strncmp(m->path, "[vvar", 5) == 0 || strcmp(m->path, "[vsyscall]") == 0;
}

/* Whether any page of M holds data. */
static int ever_written(struct grr_replay *rp, const struct grr_mapping *m)
{
	uint64_t npages = (m->end - m->start) / CORE_PAGE;
	uint8_t *p = malloc(npages ? npages : 1);
	if (!p)
		return -1;
	int any = 0;
	if (grr_replay_pages_present(rp, m->start, npages, p) < 0)
		any = 1;  /* cannot tell: copy it */
	for (uint64_t i = 0; !any && i < npages; i++)
		any = p[i];
	free(p);
	return any;
}

static int capture_segments(struct core_capture *cap, const char *exe_name, char *err,
			    size_t errlen)
{
	struct grr_replay *rp = cap->rp;
	cap->nmaps = grr_replay_mappings(rp, &cap->maps);
	if (cap->nmaps < 0) {
		cap->nmaps = 0;
		snprintf(err, errlen, "cannot read the program's mappings");
		return -1;
	}
	char exe_real[PATH_MAX];
	if (!realpath(grr_replay_program(rp), exe_real))
		snprintf(exe_real, sizeof(exe_real), "%s", grr_replay_program(rp));
	if (!(cap->exe_name = strdup(exe_name ? exe_name : exe_real))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cap->segs = calloc(cap->nmaps ? cap->nmaps : 1, sizeof(*cap->segs));
	if (!cap->segs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < cap->nmaps; i++) {
		const struct grr_mapping *m = &cap->maps[i];
		bool exe = is_file(m) && strcmp(m->path, exe_real) == 0;
		struct core_segment *s = &cap->segs[i];
		*s = (struct core_segment){
			.start = m->start,
			.end = m->end,
			.prot = m->prot,
			.dump = true,
			.sparse = is_anonymous(m),
			.file = exe ? cap->exe_name : is_file(m) ? m->path : NULL,
			.offset = m->offset,
		};
		if (is_unreadable_special(m) || (exe && !(m->prot & PROT_WRITE)))
			s->dump = false;
		else if (!(m->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			s->dump = s->sparse && ever_written(rp, m) != 0;
	}
	cap->im.segs = cap->segs;
	cap->im.nsegs = cap->nmaps;
	return 0;
}

/* ---- what the trace says ---- */

static int capture_process(struct core_capture *cap, char *err, size_t errlen)
{
	const struct grr_header *h = grr_replay_header(cap->rp);
	cap->im.pid = grr_replay_recorded_pid(cap->rp);
	size_t n = h->nauxv;
	bool ended = n && h->auxv[n - 1].key == AT_NULL;
	cap->auxv = calloc(2 * (n + 1), sizeof(uint64_t));
	if (!cap->auxv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		cap->auxv[2 * i] = h->auxv[i].key;
		cap->auxv[2 * i + 1] = h->auxv[i].val;
	}
	cap->im.auxv = cap->auxv;
	cap->im.nauxv = ended ? n : n + 1;  /* the AT_NULL pair is zeros */
	const char *base = strrchr(h->program, '/');
	snprintf(cap->fname, sizeof(cap->fname), "%s", base ? base + 1 : h->program);
	size_t len = 0;
	for (uint32_t i = 0; i < h->argc && len + 1 < sizeof(cap->psargs); i++) {
		int k = snprintf(cap->psargs + len, sizeof(cap->psargs) - len, "%s%s", i ? " " : "",
				 h->argv[i]);
		len += k > 0 ? (size_t)k : 0;
	}
	cap->im.fname = cap->fname;
	cap->im.psargs = cap->psargs;
	return 0;
}

int core_capture(struct grr_replay *rp, uint32_t first, int signo, const char *exe_name,
		 struct core_capture *cap, char *err, size_t errlen)
{
	memset(cap, 0, sizeof(*cap));
	cap->rp = rp;
	cap->im.signo = signo;
	cap->im.mem = (struct core_memory){ .ctx = rp, .read = mem_read, .present = mem_present };
	if (capture_threads(cap, first, err, errlen) < 0 ||
	    capture_segments(cap, exe_name, err, errlen) < 0 ||
	    capture_process(cap, err, errlen) < 0) {
		core_capture_free(cap);
		return -1;
	}
	return 0;
}

void core_capture_free(struct core_capture *cap)
{
	free(cap->threads);
	free(cap->states);
	free(cap->segs);
	if (cap->maps)
		grr_replay_mappings_free(cap->maps, cap->nmaps);
	free(cap->auxv);
	free(cap->exe_name);
	memset(cap, 0, sizeof(*cap));
}
