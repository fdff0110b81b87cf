/* synth.c - writes a synthetic trace (tests, fuzzing seeds, benchmark). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/chunk.h"
#include "format/trace.h"
#include "tests/bench/synth_gen.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: synth [-n EVENTS] [-s SEED] [--flush-every K] [--no-index] [--pack] [--small]\n"
		   "             [--no-compress] OUT\n"
		   "  writes a trace of EVENTS (default 1000) events of a realistic mix:\n"
		   "  syscalls with small and large (partly repeated) memory writes, signals,\n"
		   "  clones, rdtsc, anchors.  --no-index leaves the trace as a killed recorder\n"
		   "  would (after a flush); --pack embeds a fake executable named \"exe\";\n"
		   "  --small caps memory writes at 200 bytes (tiny files for every-byte tests);\n"
		   "  --no-compress stores chunks uncompressed (fuzzing seeds).\n");
}

int main(int argc, char **argv)
{
	uint64_t n = 1000, seed = 1, flush_every = 0;
	int no_index = 0, pack = 0, small = 0;
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--flush-every") && i + 1 < argc) {
			flush_every = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--no-index")) {
			no_index = 1;
		} else if (!strcmp(argv[i], "--no-compress")) {
			grr_chunk_no_compression = 1;
		} else if (!strcmp(argv[i], "--small")) {
			small = 1;
		} else if (!strcmp(argv[i], "--pack")) {
			pack = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && !out) {
			out = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!out) {
		usage(stderr);
		return 2;
	}
	struct synth *s = synth_new(seed);
	struct grr_error err;
	struct grr_writer *w = grr_writer_open(out, synth_header(s), &err);
	if (!w) {
		fprintf(stderr, "synth: %s\n", err.msg);
		return 1;
	}
	if (pack) {
		size_t len = small ? 4096 : 256 << 10;
		uint8_t *exe = malloc(len);
		for (size_t i = 0; i < len; i++)
			exe[i] = (uint8_t)((i * 131) ^ (i >> 7));
		memcpy(exe, "\x7f" "ELF", 4);
		if (grr_writer_embed_file(w, "exe", exe, len, &err)) {
			fprintf(stderr, "synth: %s\n", err.msg);
			return 1;
		}
		free(exe);
	}
	for (uint64_t i = 0; i < n; i++) {
		struct grr_event ev;
		synth_next(s, &ev, n - i);
		struct grr_mem_write cut[3];
		if (small && ev.kind == GRR_EV_SYSCALL_EXIT) {   /* keep the file tiny */
			for (uint32_t k = 0; k < ev.u.exit.nwrites && k < 3; k++) {
				cut[k] = ev.u.exit.writes[k];
				if (cut[k].len > 200)
					cut[k].len = 70 + cut[k].len % 130;
			}
			ev.u.exit.writes = cut;
		}
		if (grr_writer_append(w, &ev, &err)) {
			fprintf(stderr, "synth: %s\n", err.msg);
			return 1;
		}
		if (flush_every && (i + 1) % flush_every == 0 && grr_writer_flush(w, &err)) {
			fprintf(stderr, "synth: %s\n", err.msg);
			return 1;
		}
	}
	if (no_index) {
		if (grr_writer_flush(w, &err)) {
			fprintf(stderr, "synth: %s\n", err.msg);
			return 1;
		}
		grr_writer_abandon(w);
	} else if (grr_writer_close(w, &err)) {
		fprintf(stderr, "synth: %s\n", err.msg);
		return 1;
	}
	synth_free(s);
	return 0;
}
