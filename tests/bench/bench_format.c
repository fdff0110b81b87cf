/* bench_format.c - throughput of the trace writer and reader, and of the hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format/crc32c.h"
#include "format/hash.h"
#include "format/trace.h"
#include "tests/bench/synth_gen.h"

#define RING 32768

struct copy {
	struct grr_event ev;
	struct grr_mem_write writes[3];
	unsigned fresh;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct grr_error *err)
{
	fprintf(stderr, "bench_format: %s: %s\n", what, err->msg);
	exit(1);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 3000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/grr-bench-format.grr";

	/* Events are generated beforehand, so that the timings are the
	 * library's; fresh data is made unique again on every lap. */
	struct synth *s = synth_new(7);
	struct copy *ring = calloc(RING, sizeof(*ring));
	uint64_t mem_bytes = 0;
	for (int i = 0; i < RING; i++) {
		synth_next(s, &ring[i].ev, RING * 4);
		ring[i].fresh = synth_fresh_mask(s);
		if (ring[i].ev.kind == GRR_EV_SYSCALL_EXIT) {
			for (uint32_t k = 0; k < ring[i].ev.u.exit.nwrites; k++) {
				ring[i].writes[k] = ring[i].ev.u.exit.writes[k];
				uint8_t *d = malloc(ring[i].writes[k].len);
				memcpy(d, ring[i].writes[k].data, ring[i].writes[k].len);
				ring[i].writes[k].data = d;
			}
			ring[i].ev.u.exit.writes = ring[i].writes;
		}
		if (ring[i].ev.kind == GRR_EV_NOTE)
			ring[i].ev.u.note.text = "chaos: delayed thread";
		if (ring[i].ev.kind == GRR_EV_ANCHOR)
			ring[i].ev.u.anchor.nexcluded = 0;
	}

	struct grr_error err;
	double t0 = now();
	struct grr_writer *w = grr_writer_open(path, synth_header(s), &err);
	if (!w)
		die("open for writing", &err);
	uint64_t base_time = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct copy *c = &ring[i % RING];
		if (i % RING == 0 && i)
			base_time += ring[RING - 1].ev.time_ns;
		struct grr_event ev = c->ev;
		ev.time_ns += base_time;
		if (c->fresh && i >= RING)
			for (uint32_t k = 0; k < 3; k++)
				if (c->fresh & (1u << k))
					memcpy((uint8_t *)c->writes[k].data, &i, 8);
		if (ev.kind == GRR_EV_SYSCALL_EXIT)
			for (uint32_t k = 0; k < ev.u.exit.nwrites; k++)
				mem_bytes += ev.u.exit.writes[k].len;
		if (grr_writer_append(w, &ev, &err))
			die("append", &err);
	}
	if (grr_writer_close(w, &err))
		die("close", &err);
	double t_write = now() - t0;

	struct stat sb;
	stat(path, &sb);
	double file_mb = (double)sb.st_size / 1e6;

	t0 = now();
	struct grr_reader *r = grr_reader_open(path, &err);
	if (!r)
		die("open", &err);
	struct grr_event ev;
	uint64_t got = 0, sum = 0;
	int rc;
	while ((rc = grr_reader_next(r, &ev, &err)) == 1) {
		got++;
		if (ev.kind == GRR_EV_SYSCALL_EXIT)
			for (uint32_t k = 0; k < ev.u.exit.nwrites; k++)
				sum += ev.u.exit.writes[k].len ? ev.u.exit.writes[k].data[0] : 0;
	}
	if (rc < 0)
		die("read", &err);
	double t_read = now() - t0;
	if (got != n) {
		fprintf(stderr, "bench_format: read %llu events, wrote %llu\n",
			(unsigned long long)got, (unsigned long long)n);
		return 1;
	}

	struct grr_trace_stats st;
	t0 = now();
	if (grr_reader_stats(r, &st, &err))
		die("stats", &err);
	double t_stats = now() - t0;

	srand(1);
	t0 = now();
	int nseeks = 2000;
	for (int i = 0; i < nseeks; i++) {
		uint64_t seq = ((uint64_t)rand() * 65536 + (uint64_t)rand()) % n;
		if (grr_reader_seek(r, seq, &err) || grr_reader_next(r, &ev, &err) != 1)
			die("seek", &err);
	}
	double t_seek = (now() - t0) / nseeks;
	grr_reader_close(r);

	/* hashes over 64 MiB */
	size_t hn = 64u << 20;
	uint8_t *hb = malloc(hn);
	for (size_t i = 0; i < hn; i++)
		hb[i] = (uint8_t)(i * 2654435761u >> 7);
	volatile uint64_t sink = sum;
	t0 = now();
	for (int k = 0; k < 4; k++)
		sink += grr_hash64(hb, hn, (uint64_t)k);
	double t_h64 = (now() - t0) / 4;
	t0 = now();
	for (int k = 0; k < 2; k++)
		sink += grr_hash128(hb, hn, (uint64_t)k).h[0];
	double t_h128 = (now() - t0) / 2;
	t0 = now();
	sink += grr_crc32c(0, hb, hn);
	double t_crc = now() - t0;
	(void)sink;
	free(hb);

	double mb = 1e6;
	printf("| measure | value |\n|---|---|\n");
	printf("| events | %llu (synthetic mix, tests/bench/synth_gen.c) |\n", (unsigned long long)n);
	printf("| memory-write payload | %.1f MB |\n", (double)mem_bytes / mb);
	printf("| uncompressed chunk payloads | %.1f MB (blobs: %llu distinct, %.1f MB) |\n",
	       (double)st.raw_bytes / mb, (unsigned long long)st.blobs, (double)st.blob_raw_bytes / mb);
	printf("| trace file | %.1f MB, %.1f bytes/event |\n", file_mb, (double)sb.st_size / (double)n);
	printf("| compression ratio (payloads / file) | %.2f |\n", (double)st.raw_bytes / (double)sb.st_size);
	printf("| overall ratio (memory writes + events / file) | %.2f |\n",
	       ((double)mem_bytes + (double)(st.raw_bytes - st.blob_raw_bytes)) / (double)sb.st_size);
	printf("| write | %.2f M events/s, %.0f MB/s of file, %.0f MB/s of memory writes |\n",
	       (double)n / t_write / 1e6, file_mb / t_write, (double)mem_bytes / mb / t_write);
	printf("| read (all events, blob data included) | %.2f M events/s, %.0f MB/s of file |\n",
	       (double)n / t_read / 1e6, file_mb / t_read);
	printf("| stats pass (decode without blob data) | %.2f M events/s |\n", (double)n / t_stats / 1e6);
	printf("| random seek + read | %.0f us |\n", t_seek * 1e6);
	printf("| grr_hash64 (XXH64) | %.1f GB/s |\n", (double)hn / t_h64 / 1e9);
	printf("| grr_hash128 (MurmurHash3 x64_128) | %.1f GB/s |\n", (double)hn / t_h128 / 1e9);
	printf("| crc32c (slicing-by-8) | %.1f GB/s |\n", (double)hn / t_crc / 1e9);
	unlink(path);
	return 0;
}
