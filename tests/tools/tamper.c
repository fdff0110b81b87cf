/* tamper.c - copies a grr trace, changing one thing (for the e2e tests).
 *
 *   tamper IN OUT --event N --ret V        result of SYSCALL_EXIT event N := V
 *   tamper IN OUT --event N --poke OFF:V   the 8 bytes at offset OFF of the first
 *                                          memory write of event N (SYSCALL_EXIT
 *                                          or BUFFERED) := V (little-endian)
 *   tamper IN OUT --event N --nr V [--ret R]
 *                                          syscall number of SYSCALL_ENTER event N,
 *                                          and of its thread's next SYSCALL_EXIT,
 *                                          := V (and that exit's result := R)
 *   tamper IN OUT --event N --clone-after CHILD
 *                                          a CLONE event (event N's thread creates
 *                                          CHILD) inserted after event N
 *   tamper IN OUT --event N --anchor-pc PC an ANCHOR event of event N's thread at
 *                                          PC (other registers 0) inserted before N
 *   tamper IN OUT --cpu-feature WORD:BIT   sets bit BIT of header cpu.features[WORD]
 *   tamper IN OUT --header-flag BIT        sets bit BIT of the header flags
 *   tamper IN OUT --clear-header-flag BIT  clears it
 *   tamper IN OUT [--program PATH] [--build-id HEX] [--argv I:ARG]... [--embed NAME=FILE]...
 *                                          header fields := these (a forged
 *                                          header); embedded file NAME := FILE's
 *                                          contents (a swapped executable)
 *
 * The header, every event and every embedded file (a packed trace stays
 * packed) are copied through the format library's reader and writer, so
 * OUT is a well-formed (indexed) trace.  Exits 0 on success, 1 on errors
 * (one line on stderr), 2 on usage errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "format/trace.h"

static void usage(void)
{
	fprintf(stderr, "usage: tamper IN OUT (--event N (--ret V | --poke OFF:V | --nr V [--ret R] | "
		"--clone-after CHILD | --anchor-pc PC) | --cpu-feature WORD:BIT | "
		"--[clear-]header-flag BIT | "
		"[--program PATH] [--build-id HEX] [--argv I:ARG]... [--embed NAME=FILE]...)\n");
	exit(2);
}

static int parse_i64(const char *s, int64_t *v)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*v = x;
	return 0;
}

#define MAX_EDITS 16

struct edits {
	const char *program, *build_id;
	int nargv, nembed;
	int64_t argv_at[MAX_EDITS];
	const char *argv_val[MAX_EDITS];
	const char *embed_name[MAX_EDITS], *embed_file[MAX_EDITS];
};

static int fail(struct grr_writer *w, struct grr_reader *r, const char *out, const char *fmt,
		const char *what)
{
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	if (w)
		grr_writer_abandon(w);
	grr_reader_close(r);
	remove(out);
	return 1;
}

/* The whole file PATH into a malloc'd buffer. */
static uint8_t *slurp(const char *path, uint64_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, k;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			uint8_t *b = realloc(buf, cap);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	int64_t event = -1, ret = 0, word = -1, bit = -1, flag = -1, poke_off = -1, poke_val = 0;
	bool clear_flag = false;
	int64_t nr = -1, clone_child = -1, anchor_pc = -1;
	int have_ret = 0;
	struct edits ed = { 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--event") && i + 1 < argc) {
			if (parse_i64(argv[++i], &event) || event < 0)
				usage();
		} else if (!strcmp(argv[i], "--ret") && i + 1 < argc) {
			if (parse_i64(argv[++i], &ret))
				usage();
			have_ret = 1;
		} else if (!strcmp(argv[i], "--nr") && i + 1 < argc) {
			if (parse_i64(argv[++i], &nr) || nr < 0 || nr > UINT32_MAX)
				usage();
		} else if (!strcmp(argv[i], "--clone-after") && i + 1 < argc) {
			if (parse_i64(argv[++i], &clone_child) || clone_child <= 0 ||
			    clone_child > UINT32_MAX)
				usage();
		} else if (!strcmp(argv[i], "--anchor-pc") && i + 1 < argc) {
			if (parse_i64(argv[++i], &anchor_pc) || anchor_pc <= 0)
				usage();
		} else if (!strcmp(argv[i], "--poke") && i + 1 < argc) {
			char *colon = strchr(argv[++i], ':');
			if (!colon)
				usage();
			*colon = 0;
			if (parse_i64(argv[i], &poke_off) || parse_i64(colon + 1, &poke_val) ||
			    poke_off < 0)
				usage();
		} else if (!strcmp(argv[i], "--cpu-feature") && i + 1 < argc) {
			char *colon = strchr(argv[++i], ':');
			if (!colon)
				usage();
			*colon = 0;
			if (parse_i64(argv[i], &word) || parse_i64(colon + 1, &bit) ||
			    word < 0 || word >= GRR_CPUID_NWORDS || bit < 0 || bit > 31)
				usage();
		} else if ((!strcmp(argv[i], "--header-flag") || !strcmp(argv[i], "--clear-header-flag")) &&
			   i + 1 < argc) {
			clear_flag = !strcmp(argv[i], "--clear-header-flag");
			if (parse_i64(argv[++i], &flag) || flag < 0 || flag > 31)
				usage();
		} else if (!strcmp(argv[i], "--program") && i + 1 < argc) {
			ed.program = argv[++i];
		} else if (!strcmp(argv[i], "--build-id") && i + 1 < argc) {
			ed.build_id = argv[++i];
		} else if (!strcmp(argv[i], "--argv") && i + 1 < argc && ed.nargv < MAX_EDITS) {
			char *colon = strchr(argv[++i], ':');
			if (!colon)
				usage();
			*colon = 0;
			if (parse_i64(argv[i], &ed.argv_at[ed.nargv]) || ed.argv_at[ed.nargv] < 0)
				usage();
			ed.argv_val[ed.nargv++] = colon + 1;
		} else if (!strcmp(argv[i], "--embed") && i + 1 < argc && ed.nembed < MAX_EDITS) {
			char *eq = strchr(argv[++i], '=');
			if (!eq || eq == argv[i])
				usage();
			*eq = 0;
			ed.embed_name[ed.nembed] = argv[i];
			ed.embed_file[ed.nembed++] = eq + 1;
		} else if (argv[i][0] == '-') {
			usage();
		} else if (!in) {
			in = argv[i];
		} else if (!out) {
			out = argv[i];
		} else {
			usage();
		}
	}
	/* one event change (--ret may go with --nr), or header and file edits */
	int event_ops = (have_ret && nr < 0) + (poke_off >= 0) + (nr >= 0) + (clone_child > 0) +
			(anchor_pc > 0);
	bool forging = ed.program || ed.build_id || ed.nargv || ed.nembed;
	if (!in || !out || (event >= 0) != (event_ops == 1) ||
	    (event >= 0) + (word >= 0) + (flag >= 0) + forging != 1)
		usage();

	struct grr_error err;
	struct grr_reader *r = grr_reader_open(in, &err);
	if (!r) {
		fprintf(stderr, "tamper: %s\n", err.msg);
		return 1;
	}
	struct grr_header h = *grr_reader_header(r);
	if (word >= 0)
		h.cpu.features[word] |= 1u << bit;
	if (flag >= 0 && clear_flag)
		h.flags &= ~(1u << flag);
	else if (flag >= 0)
		h.flags |= 1u << flag;
	if (ed.program)
		h.program = (char *)ed.program;
	if (ed.build_id)
		h.build_id = (char *)ed.build_id;
	char **nargv = NULL;
	if (ed.nargv) {
		nargv = calloc(h.argc + 1, sizeof(*nargv));
		if (!nargv)
			return 1;
		memcpy(nargv, h.argv, h.argc * sizeof(*nargv));
		for (int k = 0; k < ed.nargv; k++) {
			if (ed.argv_at[k] >= h.argc)
				return fail(NULL, r, out, "tamper: %s", "no such argv entry to change");
			nargv[ed.argv_at[k]] = (char *)ed.argv_val[k];
		}
		h.argv = nargv;
	}
	struct grr_writer *w = grr_writer_open(out, &h, &err);
	if (!w) {
		fprintf(stderr, "tamper: %s\n", err.msg);
		grr_reader_close(r);
		return 1;
	}
	struct grr_event ev;
	struct grr_mem_write *poked = NULL;
	uint8_t *poked_data = NULL;
	int rc, changed = 0;
	uint64_t n = 0;
	uint32_t nr_tid = 0;
	bool nr_exit_pending = false;
	while ((rc = grr_reader_next(r, &ev, &err)) == 1) {
		bool here = event >= 0 && ev.seq == (uint64_t)event;
		if (here && anchor_pc > 0) {
			struct grr_event a;
			memset(&a, 0, sizeof(a));
			a.kind = GRR_EV_ANCHOR;
			a.tid = ev.tid;
			a.time_ns = ev.time_ns;
			a.u.anchor.regs[16] = (uint64_t)anchor_pc;
			if (grr_writer_append(w, &a, &err))
				return fail(w, r, out, "tamper: %s", err.msg);
			changed = 1;
		} else if (here && poke_off >= 0) {
			if ((ev.kind != GRR_EV_SYSCALL_EXIT && ev.kind != GRR_EV_BUFFERED) ||
			    !ev.u.exit.nwrites || ev.u.exit.writes[0].len < (uint64_t)poke_off + 8 ||
			    !(poked_data = malloc(ev.u.exit.writes[0].len)))
				return fail(w, r, out, "tamper: %s", "the event has no memory write that long");
			poked = calloc(ev.u.exit.nwrites, sizeof(*poked));
			if (!poked)
				return 1;
			memcpy(poked, ev.u.exit.writes, ev.u.exit.nwrites * sizeof(*poked));
			memcpy(poked_data, poked[0].data, poked[0].len);
			memcpy(poked_data + poke_off, &poke_val, 8);
			poked[0].data = poked_data;
			ev.u.exit.writes = poked;
			changed = 1;
		} else if (here && nr >= 0) {
			if (ev.kind != GRR_EV_SYSCALL_ENTER)
				return fail(w, r, out, "tamper: event %s is not SYSCALL_ENTER",
					    grr_event_kind_name(ev.kind));
			ev.u.enter.nr = (uint32_t)nr;
			nr_tid = ev.tid;
			nr_exit_pending = true;
			changed = 1;
		} else if (nr_exit_pending && ev.kind == GRR_EV_SYSCALL_EXIT && ev.tid == nr_tid) {
			ev.u.exit.nr = (uint32_t)nr;
			if (have_ret)
				ev.u.exit.ret = ret;
			nr_exit_pending = false;
		} else if (here && have_ret && nr < 0) {
			if (ev.kind != GRR_EV_SYSCALL_EXIT)
				return fail(w, r, out, "tamper: event is %s, not SYSCALL_EXIT",
					    grr_event_kind_name(ev.kind));
			ev.u.exit.ret = ret;
			changed = 1;
		}
		if (grr_writer_append(w, &ev, &err))
			return fail(w, r, out, "tamper: %s", err.msg);
		if (here && clone_child > 0) {
			struct grr_event c;
			memset(&c, 0, sizeof(c));
			c.kind = GRR_EV_CLONE;
			c.tid = ev.tid;
			c.time_ns = ev.time_ns;
			c.u.clone.child_tid = (uint32_t)clone_child;
			if (grr_writer_append(w, &c, &err))
				return fail(w, r, out, "tamper: %s", err.msg);
			changed = 1;
		}
		n++;
	}
	if (rc < 0)
		return fail(w, r, out, "tamper: %s", err.msg);
	/* embedded files, in their order (a later one of a name wins), then
	 * the replacements */
	for (const char *const *name = grr_reader_embedded_names(r); *name; name++) {
		uint8_t *data;
		uint64_t len;
		if (grr_reader_embedded_file(r, *name, &data, &len, &err) != 1 ||
		    grr_writer_embed_file(w, *name, data, len, &err))
			return fail(w, r, out, "tamper: %s", err.msg);
		free(data);
	}
	for (int k = 0; k < ed.nembed; k++) {
		uint64_t len = 0;
		uint8_t *data = slurp(ed.embed_file[k], &len);
		if (!data)
			return fail(w, r, out, "tamper: cannot read %s", ed.embed_file[k]);
		if (grr_writer_embed_file(w, ed.embed_name[k], data, len, &err))
			return fail(w, r, out, "tamper: %s", err.msg);
		free(data);
	}
	grr_reader_close(r);
	free(poked);
	free(poked_data);
	free(nargv);
	if (grr_writer_close(w, &err)) {
		fprintf(stderr, "tamper: %s\n", err.msg);
		return 1;
	}
	if (event >= 0 && !changed) {
		fprintf(stderr, "tamper: %s has no event %" PRId64 " (%" PRIu64 " events)\n", in, event, n);
		remove(out);
		return 1;
	}
	return 0;
}
