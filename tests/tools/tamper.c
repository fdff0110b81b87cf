/* tamper.c - copies a grr trace, changing one thing (for the e2e tests).
 *
 *   tamper IN OUT --event N --ret V        result of SYSCALL_EXIT event N := V
 *   tamper IN OUT --event N --poke OFF:V   the 8 bytes at offset OFF of the first
 *                                          memory write of event N (SYSCALL_EXIT
 *                                          or BUFFERED) := V (little-endian)
 *   tamper IN OUT --cpu-feature WORD:BIT   sets bit BIT of header cpu.features[WORD]
 *   tamper IN OUT --header-flag BIT        sets bit BIT of the header flags
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
#include <string.h>

#include "format/trace.h"

static void usage(void)
{
	fprintf(stderr, "usage: tamper IN OUT (--event N (--ret V | --poke OFF:V) | "
		"--cpu-feature WORD:BIT | --header-flag BIT)\n");
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

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	int64_t event = -1, ret = 0, word = -1, bit = -1, flag = -1, poke_off = -1, poke_val = 0;
	int have_ret = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--event") && i + 1 < argc) {
			if (parse_i64(argv[++i], &event) || event < 0)
				usage();
		} else if (!strcmp(argv[i], "--ret") && i + 1 < argc) {
			if (parse_i64(argv[++i], &ret))
				usage();
			have_ret = 1;
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
		} else if (!strcmp(argv[i], "--header-flag") && i + 1 < argc) {
			if (parse_i64(argv[++i], &flag) || flag < 0 || flag > 31)
				usage();
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
	if (!in || !out || ((event >= 0) != (have_ret + (poke_off >= 0) == 1)) ||
	    (event >= 0) + (word >= 0) + (flag >= 0) != 1)
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
	if (flag >= 0)
		h.flags |= 1u << flag;
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
	while ((rc = grr_reader_next(r, &ev, &err)) == 1) {
		if (event >= 0 && ev.seq == (uint64_t)event && poke_off >= 0) {
			if ((ev.kind != GRR_EV_SYSCALL_EXIT && ev.kind != GRR_EV_BUFFERED) ||
			    !ev.u.exit.nwrites || ev.u.exit.writes[0].len < (uint64_t)poke_off + 8 ||
			    !(poked_data = malloc(ev.u.exit.writes[0].len))) {
				fprintf(stderr, "tamper: event %" PRId64 " has no memory write of %"
					PRId64 " bytes\n", event, poke_off + 8);
				grr_writer_abandon(w);
				grr_reader_close(r);
				remove(out);
				return 1;
			}
			poked = calloc(ev.u.exit.nwrites, sizeof(*poked));
			if (!poked)
				return 1;
			memcpy(poked, ev.u.exit.writes, ev.u.exit.nwrites * sizeof(*poked));
			memcpy(poked_data, poked[0].data, poked[0].len);
			memcpy(poked_data + poke_off, &poke_val, 8);
			poked[0].data = poked_data;
			ev.u.exit.writes = poked;
			changed = 1;
		} else if (event >= 0 && ev.seq == (uint64_t)event) {
			if (ev.kind != GRR_EV_SYSCALL_EXIT) {
				fprintf(stderr, "tamper: event %" PRId64 " is %s, not SYSCALL_EXIT\n",
					event, grr_event_kind_name(ev.kind));
				grr_writer_abandon(w);
				grr_reader_close(r);
				remove(out);
				return 1;
			}
			ev.u.exit.ret = ret;
			changed = 1;
		}
		if (grr_writer_append(w, &ev, &err)) {
			fprintf(stderr, "tamper: %s\n", err.msg);
			grr_writer_abandon(w);
			grr_reader_close(r);
			return 1;
		}
		n++;
	}
	if (rc < 0) {
		fprintf(stderr, "tamper: %s\n", err.msg);
		grr_writer_abandon(w);
		grr_reader_close(r);
		return 1;
	}
	/* embedded files, in their order (a later one of a name wins) */
	for (const char *const *name = grr_reader_embedded_names(r); *name; name++) {
		uint8_t *data;
		uint64_t len;
		if (grr_reader_embedded_file(r, *name, &data, &len, &err) != 1 ||
		    grr_writer_embed_file(w, *name, data, len, &err)) {
			fprintf(stderr, "tamper: %s\n", err.msg);
			grr_writer_abandon(w);
			grr_reader_close(r);
			return 1;
		}
		free(data);
	}
	grr_reader_close(r);
	free(poked);
	free(poked_data);
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
